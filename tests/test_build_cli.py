"""End to end through the real `blogsmith` command, on the example archive and fixture sites."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import DEFAULT_CONFIG, FIXTURES, REPO, article, run_cli, soup, tree_snapshot

SUMMARY = re.compile(
    r"^built (\d+) pages and (\d+) static files in [\d.]+ s: (\d+) written, "
    r"(\d+) removed, into .+$"
)


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("example") / "public"
    result = run_cli("build", "--site", REPO, "--output", output)
    assert result.returncode == 0, result.stderr
    assert SUMMARY.match(result.stdout.strip()), result.stdout
    assert result.stderr == ""
    return output


def page(output: Path, url: str):
    return soup(output / unquote(url).lstrip("/") / "index.html")


def test_article_page_has_everything_the_model_page_has(example):
    html = page(example, "/europe/ceasefire-broken/")
    assert html.html["lang"] == "ja"
    assert [h1.get_text() for h1 in html.find_all("h1")] == [
        "発効した停戦はわずか1時間足らずで崩壊、国境の戦闘は2日目に"
    ]
    header = html.find("header", class_="entry-header")
    label = header.find(class_="category-label").a
    assert (label.get_text(), label["href"]) == ("欧州関連", "/category/europe/")
    assert header.find("time", class_="published").get_text() == "2022年9月14日"
    assert header.find("time", class_="published")["datetime"] == "2022-09-14T06:30:00+09:00"
    assert header.find(class_="author").get_text() == "投稿者: 管理人"
    eyecatch = html.find("figure", class_="eyecatch").img
    assert re.fullmatch(r"/images/2022/09/lachin\.740w\.[0-9a-f]{8}\.png", eyecatch["src"])
    assert eyecatch["alt"] == "峠道を進む戦車"
    assert (eyecatch["width"], eyecatch["height"]) == ("1600", "900")
    assert (eyecatch["loading"], eyecatch["fetchpriority"]) == ("eager", "high")
    assert eyecatch["srcset"].endswith("/images/2022/09/lachin.png 1600w")
    assert eyecatch.parent.name == "picture"
    assert eyecatch.parent.source["type"] == "image/webp"
    assert (
        html.find(class_="eyecatch-credit").get_text()
        == "※アイキャッチ画像の出典:Ministry of Defence(イメージ)"
    )  # the alt text is the image's, not the credit's
    sources = [(li.get_text(), li.a["href"]) for li in html.find(class_="sources").find_all("li")]
    assert sources == [
        (
            "参考:Truce collapses within the hour, officials say",
            "https://example.com/caucasus/truce-collapses",
        ),
        (
            "参考:Defence ministry update on border positions",
            "https://example.org/defence/update-0914",
        ),
    ]
    body_link = html.find(class_="entry-content").find("a", string=re.compile("突如始まった"))
    assert body_link["href"] == "/europe/sudden-clash/"
    picked = html.find(class_="related-links").find_all("a")
    assert [(a.get_text(), a["href"]) for a in picked] == [
        ("国境地帯で砲撃の応酬、両国は互いに相手の挑発を非難", "/europe/heavy-shelling/")
    ]
    prev, nxt = html.find("a", rel="prev"), html.find("a", rel="next")
    assert prev["href"] == "/europe/sudden-clash/"
    assert "国境で突如始まった武力衝突" in prev.get_text()
    assert nxt["href"] == "/japan/japan-uk-missile-research/"
    related = html.find(id="related").find_all("li")
    assert len(related) == 6
    assert related[0].a["href"] == "/europe/sudden-clash/"
    assert related[1].a["href"] == "/europe/heavy-shelling/"
    for item in related:
        assert item.find(class_="category-label").get_text()
        assert item.find(class_="related-title").get_text()
        shown = item.find(class_="related-excerpt").get_text()  # a line, as the model page's
        assert shown.endswith("…") and 20 < len(shown) <= 41, shown
    assert "/europe/ceasefire-broken/" not in [item.a["href"] for item in related]
    tags = [(a.get_text(), a["href"]) for a in html.find("ul", class_="tags").find_all("a")]
    assert tags[0] == (
        "アゼルバイジャン",
        "/tag/%E3%82%A2%E3%82%BC%E3%83%AB%E3%83%90%E3%82%A4%E3%82%B8%E3%83%A3%E3%83%B3/",
    )
    frame = html.find(class_="sidebar").find("iframe", class_="sidebar-frame")
    assert frame["src"] == "/sidebar/"  # the default shared sidebar, framed by every page
    sidebar = page(example, frame["src"])
    assert sidebar.find("base")["target"] == "_top"  # its links open in the whole window
    recent = sidebar.find(class_="recent-articles").find_all("li")
    assert len(recent) == 5
    assert recent[0].find(class_="category-label").get_text() == "中国関連"
    assert html.find(class_="page-top").a["href"] == "#top"
    assert html.body["id"] == "top"
    assert html.find("table") and html.find(class_="footnote")


def test_figure_links_to_the_full_image_with_its_credit(example):
    figure = page(example, "/europe/sudden-clash/").find(class_="entry-content").find("figure")
    assert figure.a["href"] == "/images/2022/09/map.png"
    assert figure.figcaption.get_text() == "出典:管理人作成の概略図(クリックで拡大)"


def test_every_internal_link_and_image_resolves(example):
    missing = set()
    for path in example.rglob("*.html"):
        html = soup(path)
        for element, attribute in [("a", "href"), ("img", "src"), ("link", "href")]:
            for tag in html.find_all(element):
                target = urlsplit(tag.get(attribute, ""))
                if target.scheme or target.netloc or not target.path:
                    continue
                assert target.path.startswith("/"), (path, target)
                file = example / unquote(target.path).lstrip("/")
                if target.path.endswith("/"):
                    file = file / "index.html"
                if not file.is_file():
                    missing.add((path.relative_to(example).as_posix(), target.path))
    assert missing == set()


def test_list_pages_show_category_date_title_thumbnail_and_excerpt(example):
    home = soup(example / "index.html")
    items = home.find(class_="article-list").find_all("article", recursive=True)
    # 21 articles, 10 a page, stable pagination: the first page shows the 11 newest and
    # page 1 the 10 oldest, where they stay however many articles are added.
    assert len(items) == 11
    first = items[0]
    assert first.find(class_="category-label").get_text() == "中国関連"
    assert first.find("time").get_text() == "2023年7月1日"
    assert first.find(class_="card-title").a["href"] == "/china/china-drone-export/"
    assert first.find(class_="card-excerpt").get_text()
    with_thumb = items[1]
    thumb = with_thumb.find(class_="card-thumb").img
    assert "/images/2023/06/gcap.png 1600w" in thumb["srcset"]
    assert re.search(r"/images/2023/06/gcap\.210w\.[0-9a-f]{8}\.webp 210w", str(thumb.parent))
    assert (thumb["loading"], thumb["fetchpriority"]) == ("eager", "high")  # the first image
    later = [a.find(class_="card-thumb").img for a in items[2:] if a.find(class_="card-thumb")]
    assert later and all(img["loading"] == "lazy" for img in later)
    assert all(img.has_attr("width") and img.has_attr("height") for img in later)
    numbers = [a.get_text() for a in home.find(class_="pagination").find_all("a")]
    assert numbers == ["1", "古い記事 »"]
    assert home.find(class_="pagination").find(class_="current").get_text() == "最新"
    oldest = page(example, "/page/1/")
    assert len(oldest.find(class_="article-list").find_all("article")) == 10
    assert oldest.title.get_text().startswith("1ページ目 | ")
    assert not (example / "page/2").exists()
    category = page(example, "/category/japan/")
    assert category.h1.get_text() == "カテゴリー「日本関連」の記事"
    assert len(category.find(class_="article-list").find_all("li")) == 4
    tag = page(example, "/tag/戦車/")
    assert tag.h1.get_text() == "タグ「戦車」の記事"
    month = page(example, "/2022/09/")
    assert month.h1.get_text() == "2022年9月の記事"
    # Tag and date archives list an article a line: date, category, title (no picture).
    rows = month.find(class_="article-rows").find_all("li")
    assert len(rows) == 5 and not month.find(class_="article-list") and not month.find("img")
    assert [a["href"] for a in rows[0].find_all("a")] == [
        "/category/china/",
        "/china/china-engine-development/",
    ]
    assert rows[0].time["datetime"] == "2022-09-25" and rows[0].time.get_text() == "2022年9月25日"
    assert rows[1].find(class_="comment-link").get_text() == "コメント 9件"
    assert len(tag.find(class_="article-rows").find_all("li")) >= 1
    assert page(example, "/2023/").h1.get_text() == "2023年の記事"


def test_archive_lists_cards_keeps_cards_on_tag_and_date_pages(make_site):
    site = make_site(
        {"content/articles/2022/09/a.md": article("一", "2022-09-01", tags="[戦車]")},
        config=DEFAULT_CONFIG + "archive_lists: cards\n",
    )
    assert run_cli("build", "--site", site).returncode == 0
    for path in ("2022/09", "2022", "tag/戦車"):
        listed = soup(site / "public" / path / "index.html")
        assert not listed.find(class_="article-rows"), path
        assert listed.find(class_="card-title").a["href"] == "/europe/a/", path
    checked = run_cli("check", "--site", site)
    assert checked.returncode == 0
    (site / "blogsmith.yaml").write_text(DEFAULT_CONFIG + "archive_lists: table\n")
    checked = run_cli("check", "--site", site)
    assert checked.returncode == 1
    assert "'archive_lists' must be rows or cards, got 'table'" in checked.stderr


def test_pages_redirects_404_and_drafts(example):
    about = page(example, "/about/")
    assert about.h1.get_text() == "このサイトについて"
    redirect = page(example, "/archives/12345/")
    assert (
        redirect.find("meta", attrs={"http-equiv": "refresh"})["content"]
        == "0; url=/europe/heavy-shelling/"
    )
    assert (
        redirect.find("link", rel="canonical")["href"]
        == "https://news.example.org/europe/heavy-shelling/"
    )
    assert redirect.a["href"] == "/europe/heavy-shelling/"
    assert soup(example / "404.html").h1.get_text() == "ページが見つかりません"
    assert not (example / "europe/next-tank-draft").exists()
    assert (example / "assets/site.css").is_file()


def test_drafts_are_built_with_the_flag_and_marked(tmp_path):
    result = run_cli("build", "--site", REPO, "--output", tmp_path / "out", "--drafts", "-q")
    assert result.returncode == 0 and result.stdout == ""
    draft = page(tmp_path / "out", "/europe/next-tank-draft/")
    assert draft.find(class_="draft-badge").get_text() == "下書き"
    assert draft.find("a", rel="prev") is None and draft.find("a", rel="next") is None


def test_an_english_site_without_theme_files_gets_the_default_theme(tmp_path):
    site = tmp_path / "minimal"
    shutil.copytree(FIXTURES / "minimal", site)
    assert not (site / "templates").exists()
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    out = site / "public"
    assert (out / "assets/site.css").is_file() and (out / "images/dot.png").is_file()
    first = page(out, "/2023/01/first/")
    assert first.html["lang"] == "en"
    assert first.find("time", class_="published").get_text() == "January 10, 2023"
    assert (
        first.find(class_="entry-content").find("a", string="the second")["href"]
        == "/2023/02/second/"
    )
    assert first.find(id="related").h2.get_text() == "Related articles"
    redirect = soup(out / "old/second.html")
    assert (
        redirect.find("meta", attrs={"http-equiv": "refresh"})["content"]
        == "0; url=/2023/02/second/"
    )
    home = soup(out / "index.html")
    assert home.h1.get_text() == "Minimal Defence Notes"
    # Three articles, two a page: the first page holds up to 2 * per_page - 1, so no page 1.
    assert len(home.find(class_="article-list").find_all("article")) == 3
    assert home.find(class_="pagination") is None and not (out / "page").exists()


def test_errors_are_all_reported_and_leave_the_previous_output_alone(tmp_path):
    site = tmp_path / "invalid"
    shutil.copytree(FIXTURES / "invalid", site)
    output = tmp_path / "public"
    output.mkdir()
    (output / "index.html").write_text("previous build", encoding="utf-8")
    (output / "old.html").write_text("stale but kept", encoding="utf-8")
    before = tree_snapshot(output)
    result = run_cli("build", "--site", site, "--output", output)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "content/articles/bad-category.md:4: unknown category 'europ'; did you mean 'europe'? "
        "declared categories: europe, japan",
        "content/articles/bad-date.md:3: 'date': '2022-13-45' is not a date (month must be in "
        "1..12); write it like 2022-09-14 06:30 or 2022-09-14T06:30:00+09:00",
        "content/articles/bad-yaml.md:4: invalid YAML in front matter: did not find expected ',' "
        "or ']' (while parsing a flow sequence started on line 3)",
        "content/articles/broken-link.md:5: related article 'no-such-article' not found: no "
        "article has that slug; use an article's slug or its .md path relative to this file",
        "content/articles/broken-link.md:10: broken link to missing/nowhere.md: there is no "
        "content/articles/missing/nowhere.md; link to an existing .md file by its path relative "
        "to this file",
        "content/articles/missing-fields.md:2: missing required field 'title'",
        "content/articles/missing-fields.md:2: missing required field 'date'; write it like "
        "2022-09-14 06:30 or 2022-09-14T06:30:00+09:00",
        "content/articles/missing-fields.md:2: missing required field 'category'; use one of: "
        "europe, japan",
        "content/articles/no-front-matter.md:1: missing front matter: an article starts with a "
        "line '---', then YAML like 'title: ...', then another line '---'",
        "content/articles/other/duplicate.md:5: URL /japan/same/ is also the URL of "
        "content/articles/duplicate2.md:5; give one of them another slug or alias",
        "10 errors; nothing was written; the previous output is unchanged",
    ]
    assert tree_snapshot(output) == before
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_check_reports_the_same_errors_and_writes_nothing(tmp_path):
    result = run_cli("check", "--site", FIXTURES / "invalid")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "10 errors; found by blogsmith check"
    assert not (FIXTURES / "invalid/public").exists()
    good = run_cli("check", "--site", REPO)
    assert good.returncode == 0, good.stderr
    assert re.fullmatch(r"no problems: \d+ pages checked in [\d.]+ s\n", good.stdout)


def test_rebuild_rewrites_only_changed_files_and_removes_stale_ones(make_site):
    site = make_site(
        {
            "content/a.md": article("一", "2022-08-01"),
            "content/b.md": article("二", "2022-08-02"),
        }
    )
    assert run_cli("build", "--site", site).returncode == 0
    before = tree_snapshot(site / "public")
    again = run_cli("build", "--site", site)
    assert SUMMARY.match(again.stdout.strip()).group(3, 4) == ("0", "0")
    assert tree_snapshot(site / "public") == before

    (site / "content/b.md").unlink()
    result = run_cli("build", "--site", site)
    written, removed = SUMMARY.match(result.stdout.strip()).group(3, 4)
    assert int(removed) == 2 and int(written) > 0  # its page and its text in the search index
    after = tree_snapshot(site / "public")
    assert "europe/b/index.html" not in after and not (site / "public/europe/b").exists()
    assert set(before) - set(after) == {"europe/b/index.html", "search/f/1.json.gz"}
    assert after["assets/site.css"] == before["assets/site.css"]


def test_site_templates_override_one_theme_template(make_site):
    site = make_site(
        {
            "content/a.md": article("一", "2022-08-01"),
            "templates/404.html": "{% extends 'base.html' %}{% block main %}<h1>独自の404</h1>"
            "{% endblock %}",
            "static/assets/site.css": "body { color: red; }",
            "static/images/a.png": b"\x89PNG",
        }
    )
    assert run_cli("build", "--site", site).returncode == 0
    out = site / "public"
    assert soup(out / "404.html").h1.get_text() == "独自の404"
    assert soup(out / "europe/a/index.html").h1.get_text() == "一"
    assert (out / "assets/site.css").read_text() == "body { color: red; }"
    assert (out / "assets/favicon.svg").is_file()
    assert (out / "images/a.png").read_bytes() == b"\x89PNG"


def test_template_errors_name_the_template_and_line(make_site):
    site = make_site(
        {
            "content/a.md": article("一", "2022-08-01"),
            "templates/page.html": "{% extends 'base.html' %}\n{% block main %}\n{{ article.nope }}"
            "\n{% endblock %}\n",
            "templates/list.html": "{% extends 'base.html' %}\n{% block main %}\n{% if %}\n"
            "{% endblock %}\n",
            "content/p.md": "---\ntitle: p\nkind: page\n---\n",
        }
    )
    result = run_cli("build", "--site", site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "templates/list.html:3: template syntax error: Expected an expression, got 'end of "
        "statement block'",
        "templates/page.html:3: undefined value while rendering /p/: "
        "'blogsmith.content.model.Article object' has no attribute 'nope'",
        "2 errors; nothing was written; the previous output is unchanged",
    ]
    assert not (site / "public").exists()


def test_static_files_may_not_replace_pages_and_output_may_not_be_the_site(make_site):
    site = make_site(
        {
            "content/a.md": article("一", "2022-08-01"),
            "static/404.html": "mine",
        }
    )
    result = run_cli("build", "--site", site, "--output", site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{site}: cannot be the output folder: it holds the site's sources; use a folder of its "
        "own like public/",
        "static/404.html: would overwrite the page /404.html of the 404 page; rename or remove "
        "the static file",
        "2 errors; nothing was written; the previous output is unchanged",
    ]


def test_a_missing_config_says_what_to_do(tmp_path):
    result = run_cli("build", "--site", tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"blogsmith.yaml: not found in {tmp_path}; a site needs blogsmith.yaml with at least "
        "'title' and 'base_url' (run blogsmith in the site's folder or pass --site DIR)"
    )


def test_warnings_do_not_fail_the_build(make_site):
    site = make_site(
        {
            "content/a.md": article(
                "一", "2022-08-01", colour="red", eyecatch="{image: /images/none.png}"
            ),
            "content/notes.txt": "stray",
        }
    )
    result = run_cli("build", "--site", site)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "content/a.md:5: warning: unknown field 'colour' is ignored",
        "content/a.md:6: warning: eyecatch image /images/none.png not found: add "
        "static/images/none.png",
        "content/notes.txt: warning: ignored: content/ holds .md articles and .comments.yaml "
        "files; put images and other files under static/",
    ]
    quiet = run_cli("build", "--site", site, "-q")
    assert (quiet.stdout, quiet.stderr) == ("", "")


def test_comment_threads_nest_and_render_safely(tmp_path):
    output = tmp_path / "public"
    result = run_cli("build", "--site", FIXTURES / "comments", "--output", output)
    assert result.returncode == 0, result.stderr
    html = BeautifulSoup((output / "europe/talked-about/index.html").read_text(), "html5lib")
    section = html.find(id="comments")
    assert section.h2.get_text(" ", strip=True) == "コメント 6件"
    assert html.find(class_="comment-link").get_text() == "コメント 6件"

    def item(ident):
        return section.find(id=f"comment-{ident}")

    assert [li["id"] for li in section.find("ol").find_all("li", recursive=False)] == [
        "comment-c-7",
        "comment-101",
    ]
    assert item(102).find_parent("li") is item(101)
    assert item(103).find_parent("li") is item(102)
    assert item(105).find_parent("li") is item(102)
    # max_depth 3: the fourth level is shown beside its parent, after it, with a hint.
    assert item(104).find_parent("li") is item(102)
    siblings = [li["id"] for li in item(102).find("ol").find_all("li", recursive=False)]
    assert siblings == ["comment-103", "comment-104", "comment-105"]
    assert item(104).find(class_="reply-to").get_text() == "名無しさんへの返信"
    assert item(103).find(class_="reply-to") is None

    first = item(101)
    assert first.find(class_="comment-author").get_text() == "AAA"
    assert first.find("time").get_text() == "2022年9月14日 10:12"
    assert first.find("time")["datetime"] == "2022-09-14T10:12:00+09:00"
    assert first.find(class_="comment-permalink")["href"] == "#comment-101"
    assert first.find(class_="comment-votes").get_text(" ", strip=True) == "評価 54"
    content = first.find(class_="comment-content")
    assert content.blockquote.get_text() == ">>しかし40分後には停戦が破られ交戦が再開しており"
    assert content.find_all("p", recursive=False)[-1].get_text() == "   い   つ   も   の"
    assert item(102).find(class_="comment-author").a["href"] == "https://f104.example.net/"
    assert item(103).find(class_="comment-votes") is None

    hostile = item("c-7")
    assert hostile.find(class_="comment-author").get_text() == "<script>alert('x')</script>"
    assert hostile.find(class_="comment-author").find("a") is None
    assert hostile.find("script") is None and hostile.find("img") is None
    assert [a["href"] for a in hostile.find(class_="comment-content").find_all("a")] == [
        "https://example.com/report?a=1&b=2"
    ]
    scripts = html.find_all("script")
    assert [script.get("type") for script in scripts] == ["application/ld+json"]

    trackbacks = section.find(id="trackbacks")
    assert (
        trackbacks.find(id="comment-201").find("a", string="Another Blog")["href"]
        == "https://blog.example.net/post"
    )
    assert section.find("ol").find(id="comment-201") is None

    quiet = BeautifulSoup((output / "europe/quiet/index.html").read_text(), "html5lib")
    assert quiet.find(class_="no-comments").get_text() == "コメントはまだありません。"
    assert (
        quiet.find(class_="no-trackbacks").get_text() == "この記事へのトラックバックはありません。"
    )
    home = BeautifulSoup((output / "index.html").read_text(), "html5lib")
    counts = [a.get_text() for a in home.select(".card .comment-link")]
    assert counts == ["コメント 6件"]


def test_comment_errors_are_reported_with_the_rest(make_site):
    site = make_site(
        {
            "content/a.md": article("一", "2022-08-01"),
            "content/a.comments.yaml": "- id: 1\n  author: x\n  date: 2022-08-01\n  body: b\n"
            "- id: 2\n  parent: 9\n  author: y\n  date: 2022-08-01\n"
            "  body: b\n",
            "content/gone.comments.yaml": "- id: 1\n  author: x\n  date: 2022-08-01\n  body: b\n",
            "content/b.md": article("二", "2022-08-02", category="nowhere"),
        }
    )
    result = run_cli("build", "--site", site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/a.comments.yaml:5: comment 2: replies to comment 9, which is not in this file; "
        "fix 'parent' or remove it",
        "content/b.md:4: unknown category 'nowhere'; declared categories: europe, japan",
        "content/gone.comments.yaml: there is no article content/gone.md for these comments; a "
        "comments file sits beside its article with the same name (x.md, x.comments.yaml)",
        "3 errors; nothing was written; the previous output is unchanged",
    ]


def test_example_archive_comments(example):
    html = page(example, "/europe/ceasefire-broken/")
    section = html.find(id="comments")
    comments = section.select("li.comment")
    assert len(comments) >= 50
    assert max(int(li["class"][1].removeprefix("depth-")) for li in comments) == 5
    assert section.select(".reply-to")
    assert section.select("blockquote")
    assert section.select(".comment-content a[rel]")
    assert section.find(id="trackbacks").select("li")
    with_threads = [p for p in example.rglob("index.html") if soup(p).select("li.comment")]
    articles = [p for p in example.rglob("index.html") if soup(p).find(id="related")]
    assert len(with_threads) * 2 >= len(articles)


def test_an_unreadable_static_file_is_a_located_error(make_site):
    site = make_site({"content/a.md": article("一", "2022-08-01")})
    (site / "static").mkdir()
    (site / "static/broken.png").symlink_to(site / "static/nowhere.png")
    result = run_cli("build", "--site", site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "static/broken.png: cannot be read (No such file or directory); fix or remove the file",
        "1 error; nothing was written; the previous output is unchanged",
    ]
