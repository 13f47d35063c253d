"""Hostile and odd WordPress exports (written out in fixtures/hostile-wordpress/): nothing from
outside the attachments folder is copied, nothing in the export is lost, and what the import
writes always builds."""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from conftest import REPO, front, imported_comments, run_cli, soup
from wxr_samples import comment, export, item

from blogsmith.authoring.wordpress.importer import import_wordpress
from blogsmith.build import build

HOSTILE = REPO / "tests/fixtures/hostile-wordpress"


def test_attachment_urls_never_reach_outside_the_attachments_folder(tmp_path):
    uploads = tmp_path / "backup/uploads"
    (uploads / "2022/09").mkdir(parents=True)
    (uploads / "2022/09/tank.jpg").write_bytes(b"\xff\xd8tank")
    (tmp_path / "backup/secret.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"\xff\xd8outside")
    (uploads / "2022/09/outside-link.jpg").symlink_to(outside)
    site = tmp_path / "site"
    run = run_cli(
        "import", "wordpress", HOSTILE / "attachment-traversal.xml",
        "--site", site, "--attachments", uploads,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    static = site / "static"
    copied = sorted(p.relative_to(static).as_posix() for p in static.rglob("*") if p.is_file())
    assert copied == ["uploads/2022/09/tank.jpg"]
    assert "hostname" not in str(list(site.rglob("*")))
    body = next((site / "content/articles").rglob("*.md")).read_text(encoding="utf-8")
    assert "](/uploads/2022/09/tank.jpg)" in body
    assert "https://old.example.jp/wp-content/uploads//etc/hostname" in body  # left as it was
    assert run.stdout.count("not in --attachments") == 5
    build(site, tmp_path / "public")
    published = {p.name for p in (tmp_path / "public").rglob("*") if p.is_file()}
    assert "hostname" not in published and "secret.txt" not in published


def test_duplicate_post_ids_keep_both_posts(tmp_path):
    site = tmp_path / "site"
    run = run_cli("import", "wordpress", HOSTILE / "duplicate-ids.xml", "--site", site)
    assert run.returncode == 0, run.stderr
    first = site / "content/articles/2022/09/first-post.md"
    second = site / "content/articles/2022/09/second-post.md"
    assert "一つ目の本文。" in first.read_text(encoding="utf-8")
    assert "二つ目の本文。" in second.read_text(encoding="utf-8")
    assert front(first)["title"] == "一つ目の記事" and front(second)["title"] == "二つ目の記事"
    assert "/?p=20" in front(first)["aliases"]
    assert "/?p=20" not in front(second).get("aliases", [])
    assert "post 20 appears 2 times in the export" in run.stdout
    assert "articles: 2 published" in run.stdout
    again = run_cli("import", "wordpress", HOSTILE / "duplicate-ids.xml", "--site", site, "--force")
    assert again.returncode == 0 and "0 written" in again.stdout
    assert "一つ目の本文。" in first.read_text(encoding="utf-8")


def test_duplicate_and_looping_comments_are_all_kept_and_the_import_builds(tmp_path):
    site = tmp_path / "site"
    run = run_cli("import", "wordpress", HOSTILE / "duplicate-ids.xml", "--site", site)
    assert run.returncode == 0, run.stderr
    thread = yaml.safe_load(
        (site / "content/articles/2022/09/first-post.comments.yaml").read_text(encoding="utf-8")
    )
    bodies = {entry["body"]: entry for entry in thread}
    assert len(thread) == 6 and len({entry["id"] for entry in thread}) == 6
    assert bodies["最初のコメント。"]["id"] == 501
    renumbered = bodies["同じ番号の別のコメント。"]
    assert renumbered["id"] != 501 and "parent" not in renumbered
    assert bodies["重複番号への返信。"]["parent"] == 501
    assert "parent" not in bodies["自分自身への返信。"]
    loop = [bodies["輪の一つ目。"], bodies["輪の二つ目。"]]
    assert sum("parent" in entry for entry in loop) == 1  # the loop is cut once
    assert "comment 501 appears 2 times" in run.stdout
    assert "comment 502 answers itself" in run.stdout
    assert "comments 503, 504 answer each other in a loop" in run.stdout
    built = run_cli("build", "--site", site, "--output", tmp_path / "public")
    assert built.returncode == 0, built.stderr
    page = soup(tmp_path / "public/欧州/first-post/index.html")
    assert len(page.select("#comments [id^=comment-]")) == 6


def test_an_export_without_posts_makes_a_site_that_builds(tmp_path):
    site = tmp_path / "site"
    run = run_cli("import", "wordpress", HOSTILE / "no-posts.xml", "--site", site)
    assert run.returncode == 0, run.stderr
    assert (site / "content").is_dir()
    assert "articles: 0 published" in run.stdout
    built = run_cli("build", "--site", site, "--output", tmp_path / "public")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "public/index.html").is_file()


def test_titles_keep_their_words_and_old_tags_and_page_comments_and_script_links(tmp_path):
    site = tmp_path / "site"
    run = run_cli("import", "wordpress", HOSTILE / "fidelity-wxr10.xml", "--site", site)
    assert run.returncode == 0, run.stderr
    post = next((site / "content/articles").rglob("*.md"))
    fields = front(post)
    assert fields["title"] == "Markupと H2O の記事"
    assert fields["summary"] == "H2O の要約"
    assert fields["tags"] == ["装甲車", "F-35"]  # WXR 1.0 writes tags as domain="tag"
    text = post.read_text(encoding="utf-8")
    assert "javascript:" not in text.lower() and "data:text/html" not in text
    assert "危険なリンク" in text and "もう一つ" in text and "データ" in text
    [note] = [line for line in run.stdout.splitlines() if "javascript:" in line]
    assert note.strip().startswith(
        f"content/{post.relative_to(site / 'content').as_posix()}: 3 links"
    )
    page_comments = site / "content/pages/about.comments.yaml"
    assert yaml.safe_load(page_comments.read_text(encoding="utf-8"))[0]["body"]
    built = run_cli("build", "--site", site, "--output", tmp_path / "public")
    assert built.returncode == 0, built.stderr
    about = soup(tmp_path / "public/about/index.html")
    assert "固定ページへのコメント。" in about.select_one("#comments").get_text()
    for html_file in (tmp_path / "public").rglob("*.html"):
        assert "javascript:" not in html_file.read_text(encoding="utf-8").lower()


def _import_chain(tmp_path: Path, length: int) -> float:
    """A chain of `length` unapproved comments under one approved one, and `length // 5`
    approved replies to its last link; seconds taken by the import."""
    last = length + 1
    chain = [comment(1, "承認済みの最初。")]
    chain += [comment(n, f"未承認{n}", parent=n - 1, approved="0") for n in range(2, last + 1)]
    chain += [comment(n, f"返信{n}", parent=last) for n in range(last + 1, last + 1 + length // 5)]
    source = tmp_path / f"chain-{length}.xml"
    source.write_text(export([item(40, "長い鎖", "<p>本文。</p>", comments="".join(chain))]))
    site = tmp_path / f"site-{length}"
    started = time.perf_counter()
    report = import_wordpress(source, site)
    seconds = time.perf_counter() - started
    comments = imported_comments(site)
    assert len(comments) == report.comments == 1 + length // 5
    assert all(entry.get("parent", 1) == 1 for entry in comments.values())
    assert report.reparented == length // 5
    return seconds


def test_a_chain_of_ten_thousand_unapproved_comments_imports_in_linear_time(tmp_path):
    """Four times the comments take about four times as long, not sixteen (it took 43 s)."""
    small = _import_chain(tmp_path, 2_500)
    large = _import_chain(tmp_path, 10_000)
    assert large < 8 * small + 0.5, (small, large)


def test_post_names_with_nul_or_of_300_bytes_import_into_a_site_that_builds(tmp_path):
    site = tmp_path / "site"
    run = run_cli("import", "wordpress", HOSTILE / "odd-names.xml", "--site", site)
    assert run.returncode == 0, run.stderr
    posts = sorted((site / "content/articles").rglob("*.md"))
    assert len(posts) == 2
    for post in posts:
        assert "\0" not in post.read_text(encoding="utf-8")
        assert len(post.name.encode()) <= 255
    built = run_cli("build", "--site", site, "--output", tmp_path / "public")
    assert built.returncode == 0, built.stderr
