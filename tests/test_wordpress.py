"""`blogsmith import wordpress`: real exports and written ones, imported and built."""

from __future__ import annotations

import io
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from conftest import REPO, front, imported_comments, run_cli, soup
from PIL import Image
from wxr_samples import comment, export, item

from blogsmith.authoring.wordpress.importer import import_wordpress
from blogsmith.build import build

FIXTURES = Path(os.environ.get("BLOGSMITH_WXR_FIXTURES", REPO.parent / "shared/fixtures/wordpress"))
EXPORTS = sorted(FIXTURES.glob("*.xml")) if FIXTURES.is_dir() else []
needs_fixtures = pytest.mark.skipif(
    not EXPORTS, reason=f"the WordPress sample exports are not at {FIXTURES}"
)


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def expected(path: Path) -> dict:
    """Counted straight from the XML, independently of the importer."""
    counts = {"articles": 0, "drafts": 0, "pages": 0, "comments": 0}
    parents: dict[str, str] = {}
    for element in ET.parse(path).getroot().iter():
        if local(element.tag) != "item":
            continue
        fields = {local(child.tag): (child.text or "").strip() for child in element}
        kind, status = fields.get("post_type", "post"), fields.get("status", "publish")
        if kind not in ("post", "page") or fields.get("post_password"):
            continue
        if status == "publish":
            counts["articles" if kind == "post" else "pages"] += 1
        elif status in ("draft", "future", "pending") and kind == "post":
            counts["drafts"] += 1
        else:
            continue
        for node in element:
            if local(node.tag) != "comment":
                continue
            values = {local(child.tag): (child.text or "").strip() for child in node}
            if values["comment_approved"] == "1":
                counts["comments"] += 1
                parents[values["comment_id"]] = values["comment_parent"]
    counts["parents"] = parents
    return counts


def depth(comments: dict[str, dict], key: str) -> int:
    level = 1
    while "parent" in comments[key]:
        key = str(comments[key]["parent"])
        level += 1
    return level


@needs_fixtures
@pytest.mark.parametrize("export_file", EXPORTS, ids=lambda p: p.name)
def test_every_sample_export_imports_whole_and_builds(export_file, tmp_path):
    site = tmp_path / "site"
    report = import_wordpress(export_file, site)
    wanted = expected(export_file)
    assert (report.articles, sum(report.drafts.values()), report.pages) == (
        wanted["articles"],
        wanted["drafts"],
        wanted["pages"],
    )
    comments = imported_comments(site)
    assert len(comments) == report.comments == wanted["comments"]
    for key, entry in comments.items():  # every reply keeps its parent
        assert str(entry.get("parent", "0")) == wanted["parents"][key], key
    if comments:  # and so the deepest thread is as deep (10 levels in the theme test data)
        original = {k: {"parent": p} if p != "0" else {} for k, p in wanted["parents"].items()}
        assert max(depth(comments, k) for k in comments) == max(
            depth(original, k) for k in original
        )
    articles = [p for p in (site / "content/articles").rglob("*.md")]
    assert len([p for p in articles if not front(p).get("draft")]) == wanted["articles"]
    result = build(site, tmp_path / "public")
    assert result.pages > wanted["articles"]
    again = import_wordpress(export_file, site)
    assert again.written == 0 and not again.conflicts


@needs_fixtures
def test_the_japanese_export_keeps_its_categories_slugs_and_ten_level_threads(tmp_path):
    source = FIXTURES / "wordpress-theme-test-data-ja.xml"
    site = tmp_path / "site"
    import_wordpress(source, site)
    config = yaml.safe_load((site / "blogsmith.yaml").read_text(encoding="utf-8"))
    assert config["language"] == "ja"
    assert config["categories"]["あさひ"] == "あさひ"
    assert "未分類" in config["categories"]
    encoded = []
    for element in ET.parse(source).getroot().iter("item"):
        fields = {local(child.tag): (child.text or "").strip() for child in element}
        if fields["post_type"] in ("post", "page") and fields["post_name"].startswith("%"):
            encoded.append(fields["post_name"])
    assert encoded
    stems = {p.stem for p in (site / "content").rglob("*.md")}
    for name in encoded:
        assert unquote(name) in stems
    comments = imported_comments(site)
    assert max(depth(comments, key) for key in comments) >= 10
    build(site, tmp_path / "public")
    page = next((tmp_path / "public/あさひ").rglob("index.html"))
    assert "あさひ" in page.read_text(encoding="utf-8")


@needs_fixtures
def test_the_utf8_challenge_survives_to_the_page(tmp_path):
    source = FIXTURES / "wxr-utf-8-challenges.xml"
    title = ET.parse(source).getroot().find("channel/item/title").text
    site = tmp_path / "site"
    import_wordpress(source, site)
    (article,) = (site / "content/articles").rglob("*.md")
    assert front(article)["title"] == title
    assert "\u202e" not in article.stem  # no bidi controls in a URL
    build(site, tmp_path / "public")
    (page,) = [p for p in (tmp_path / "public").rglob("index.html") if article.stem in str(p)]
    assert soup(page).h1.get_text() == title


def sample_export(scheme: str = "https", version: int = 2) -> str:
    image = "https://old.example.jp/wp-content/uploads/2022/09/lachin.jpg"
    return export(
        [
            item(
                10,
                "停戦は40分で破綻",
                f'ラチン回廊で交戦。\n次の行。\n\n[caption id="attachment_30" width="300"]'
                f'<img src="{image}" alt="部隊" /> 撮影: 国防省[/caption]\n\n<!--more-->\n'
                '続きは<a href="https://old.example.jp/2022/09/01/sudden-clash/">前回の記事</a>'
                '参照。<a href="https://old.example.jp/?p=12#c">番号で</a>\n\n'
                'https://www.youtube.com/watch?v=abc\n\n[gallery ids="30"]',
                slug="%e5%81%9c%e6%88%a6",
                tags=("アルメニア", "停戦"),
                meta={"_thumbnail_id": "30", "_yoast_wpseo_primary_category": "4"},
                category=("%e6%ac%a7%e5%b7%9e", "欧州関連"),
                comments=comment(1, "最初の<b>コメント</b>", meta={"wpdiscuz_votes": "54"})
                + comment(2, "スパム", parent=1, approved="0")
                + comment(3, "承認されていない親への返信", parent=2)
                + comment(4, "紹介しました", kind="trackback", author="別のブログ")
                + comment(5, "<script>alert(1)</script>危険", parent=1),
            ),
            item(
                12,
                "国境に向けて前進か",
                "<p>前回。</p>",
                slug="sudden-clash",
                date="2022-09-01 08:00:00",
            ),
            item(13, "下書きの記事", "書きかけ", status="draft", slug=""),
            item(14, "予約投稿", "予約", status="future", date="2030-01-01 00:00:00"),
            item(15, "非公開", "秘密", status="private"),
            item(16, "保護", "保護された本文", password="secret"),
            item(
                20,
                "このブログについて",
                "<p>運営者の紹介。</p>",
                kind="page",
                slug="about",
                category=None,
            ),
            item(
                30,
                "lachin",
                "",
                kind="attachment",
                status="inherit",
                parent=10,
                attachment_url=image,
                excerpt="国防省提供",
                meta={"_wp_attachment_image_alt": "ラチン"},
            ),
            item(40, "menu", "", kind="nav_menu_item"),
        ],
        scheme=scheme,
        version=version,
    )


@pytest.fixture
def imported(tmp_path):
    source = tmp_path / "export.xml"
    source.write_text(sample_export(), encoding="utf-8")
    site = tmp_path / "site"
    report = import_wordpress(source, site)
    return source, site, report


def test_a_written_export_becomes_articles_pages_comments_and_redirects(imported, tmp_path):
    source, site, report = imported
    articles = site / "content/articles/2022/09"
    main = front(articles / "停戦.md")
    assert main["title"] == "停戦は40分で破綻"
    assert main["date"].isoformat() == "2022-09-14T06:30:00+09:00"
    assert main["category"] == "japan"  # Yoast's primary category
    assert main["tags"] == ["アルメニア", "停戦"]
    assert main["author"] == "管理人"
    assert main["summary"].startswith("ラチン回廊で交戦。")
    assert main["eyecatch"] == {
        "image": "https://old.example.jp/wp-content/uploads/2022/09/lachin.jpg",
        "alt": "ラチン",
        "credit": "国防省提供",
    }
    assert main["aliases"] == ["/2022/09/14/停戦/", "/?p=10"]
    assert main["comment_feed_aliases"] == ["/2022/09/14/停戦/feed/"]
    config = yaml.safe_load((site / "blogsmith.yaml").read_text(encoding="utf-8"))
    assert config["redirects"] == {"/feed/": "/feed.xml", "/comments/feed/": "/comments/feed.xml"}
    body = (articles / "停戦.md").read_text(encoding="utf-8")
    assert "ラチン回廊で交戦。  \n次の行。" in body
    assert (
        '![部隊](https://old.example.jp/wp-content/uploads/2022/09/lachin.jpg "撮影: 国防省")'
        in body
    )
    assert "[前回の記事](sudden-clash.md)" in body and "[番号で](sudden-clash.md#c)" in body
    assert "<https://www.youtube.com/watch?v=abc>" in body
    assert "<!--" not in body
    assert front(site / "content/pages/about.md")["kind"] == "page"
    drafts = [front(p) for p in articles.parent.parent.rglob("*.md") if front(p).get("draft")]
    assert sorted(d["title"] for d in drafts) == ["下書きの記事", "予約投稿"]
    assert not any("非公開" in p.read_text("utf-8") for p in site.rglob("*.md"))
    assert any("password-protected" in line for line in report.skipped)
    assert any("private" in line for line in report.skipped)
    assert report.skipped_types == {"nav_menu_item": 1}

    thread = yaml.safe_load((articles / "停戦.comments.yaml").read_text(encoding="utf-8"))
    by_id = {c["id"]: c for c in thread}
    assert set(by_id) == {1, 3, 4, 5}
    assert by_id[1]["votes"] == 54 and by_id[1]["body"] == "最初のコメント"
    assert by_id[3]["parent"] == 1  # its parent was not approved: the nearest kept one
    assert by_id[4]["type"] == "trackback"
    assert report.reparented == 1 and report.comments_skipped == {"unapproved": 1}

    result = build(site, tmp_path / "public")
    public = tmp_path / "public"
    page = public / "japan/停戦/index.html"
    html = page.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" not in html
    assert soup(page).find("figcaption").get_text(strip=True) == "撮影: 国防省"
    assert 'href="/%E6%AC%A7%E5%B7%9E/sudden-clash/#c"' in html  # key 欧州, from its slug
    old = public / "2022/09/14/停戦/index.html"
    assert "/japan/%E5%81%9C%E6%88%A6/" in old.read_text(encoding="utf-8")
    assert "/japan/%E5%81%9C%E6%88%A6/" in (public / "_p/10/index.html").read_text("utf-8")
    assert '"p"' in (public / "index.html").read_text(encoding="utf-8")  # ?p=10 is followed
    # The old feeds: the site's, its comments' and the post's comments' lead to the new ones.
    for old_feed, new_feed in [
        ("feed", "/feed.xml"),
        ("comments/feed", "/comments/feed.xml"),
        ("2022/09/14/停戦/feed", "/comments/feed.xml"),
    ]:
        text = (public / old_feed / "index.html").read_text(encoding="utf-8")
        assert f'content="0; url={new_feed}"' in text, old_feed
    assert result.pages


def test_both_namespace_spellings_and_versions_import_alike(tmp_path):
    trees = []
    for scheme, version in (("https", 2), ("http", 2), ("http", 1)):
        source = tmp_path / f"{scheme}{version}.xml"
        source.write_text(sample_export(scheme, version), encoding="utf-8")
        site = tmp_path / f"site-{scheme}{version}"
        import_wordpress(source, site)
        trees.append({p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()})
    assert trees[0] == trees[1] == trees[2]


def test_a_second_run_changes_nothing_and_edits_are_kept_without_force(imported):
    source, site, _ = imported
    again = import_wordpress(source, site)
    assert again.written == 0 and again.conflicts == []
    edited = site / "content/articles/2022/09/sudden-clash.md"
    edited.write_text(edited.read_text("utf-8") + "\n編集者の追記\n", encoding="utf-8")
    kept = run_cli("import", "wordpress", source, "--site", site)
    assert kept.returncode == 1
    assert "content/articles/2022/09/sudden-clash.md" in kept.stdout
    assert "--force" in kept.stdout
    assert "編集者の追記" in edited.read_text("utf-8")
    forced = run_cli("import", "wordpress", source, "--site", site, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "編集者の追記" not in edited.read_text("utf-8")
    assert f"next: blogsmith build --site {site}" in forced.stdout


def test_an_existing_site_gets_the_categories_it_lacks_with_its_comments_kept(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    config = (
        "# 旧ブログからの移行先\ntitle: 新アーカイブ\nbase_url: https://news.example.org/\n"
        "categories:\n  europe: 欧州関連  # 既存\n\nper_page: 5\n"
    )
    (site / "blogsmith.yaml").write_text(config, encoding="utf-8")
    source = tmp_path / "export.xml"
    source.write_text(sample_export(), encoding="utf-8")
    report = import_wordpress(source, site)
    text = (site / "blogsmith.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 旧ブログからの移行先\n") and "europe: 欧州関連  # 既存" in text
    # 欧州関連 is there already (as europe): its posts go there; japan is added
    assert yaml.safe_load(text)["categories"] == {"europe": "欧州関連", "japan": "日本関連"}
    assert yaml.safe_load(text)["per_page"] == 5
    assert report.categories_added == ["japan"]
    assert front(site / "content/articles/2022/09/sudden-clash.md")["category"] == "europe"
    build(site, tmp_path / "public")


def test_attachments_are_copied_and_linked_locally(tmp_path):
    uploads = tmp_path / "uploads/2022/09"
    uploads.mkdir(parents=True)
    photo = io.BytesIO()
    Image.new("RGB", (800, 450), (90, 100, 80)).save(photo, "JPEG")
    (uploads / "lachin.jpg").write_bytes(photo.getvalue())
    source = tmp_path / "export.xml"
    source.write_text(sample_export(), encoding="utf-8")
    site = tmp_path / "site"
    import_wordpress(source, site, attachments=tmp_path / "uploads")
    assert (site / "static/uploads/2022/09/lachin.jpg").read_bytes() == photo.getvalue()
    main = site / "content/articles/2022/09/停戦.md"
    assert front(main)["eyecatch"]["image"] == "/uploads/2022/09/lachin.jpg"
    assert "(/uploads/2022/09/lachin.jpg " in main.read_text("utf-8")
    result = build(site, tmp_path / "public")
    # a WordPress export says nothing of a logo: that is the one thing to add
    assert [w.message.split(":")[0] for w in result.warnings] == ["'logo' is not set"]
    assert (tmp_path / "public/uploads/2022/09/lachin.jpg").is_file()


def test_an_unreadable_export_is_refused_with_its_line(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text(sample_export().replace("</channel>", "</chanel>"), encoding="utf-8")
    run = run_cli("import", "wordpress", broken, "--site", tmp_path / "site")
    assert run.returncode == 1
    assert re.search(r"broken\.xml:\d+: not well-formed XML", run.stderr)
    missing = run_cli("import", "wordpress", tmp_path / "nope.xml", "--site", tmp_path / "site")
    assert missing.returncode == 1 and "no such file" in missing.stderr


@pytest.mark.slow
def test_five_thousand_posts_and_fifty_thousand_comments_in_bounded_memory(tmp_path):
    from wxr_samples import write_large_export

    source = tmp_path / "large.xml"
    write_large_export(source, posts=5000, comments_per_post=10)
    size_mb = source.stat().st_size / 2**20
    script = (
        "import re, sys\n"
        "from pathlib import Path\n"
        "from blogsmith.authoring.wordpress.importer import import_wordpress\n"
        "report = import_wordpress(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        # VmHWM is this process's own peak (ru_maxrss may carry the forking parent's)
        "status = Path('/proc/self/status').read_text()\n"
        "peak = int(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)) / 1024\n"
        "print(report.articles, report.comments, round(peak))\n"
    )
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", script, str(source), str(tmp_path / "site")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    articles, comments, peak_mb = map(int, run.stdout.split())
    print(f"import of {size_mb:.0f} MB export: peak {peak_mb} MB")
    assert (articles, comments) == (5000, 50000)
    assert peak_mb < 120  # a whole-file parse of the 51 MB export alone takes several times that
