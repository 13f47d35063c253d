"""A rebuild that reuses a previous build's work must equal a clean build, byte for byte."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import DEFAULT_CONFIG, article, edit, outside_search, run_cli, search_texts, tree

from blogsmith.build import build
from blogsmith.cache.build_cache import BuildCache
from blogsmith.core.errors import BuildError

COMMENTS = "- id: 1\n  author: 読者\n  date: 2022-09-05 10:00\n  body: 最初のコメント\n"


def test_cached_rebuilds_match_clean_builds_after_every_kind_of_edit(make_site, tmp_path):
    site = make_site(
        {
            f"content/a/s{n}.md": article(
                f"記事{n}",
                f"2022-09-{n + 1:02d} 10:00",
                "japan" if n % 3 == 0 else "europe",
                tags=f"[タグ{n % 2}, 共通]",
                body=f"本文{n}。" * 30,
            )
            for n in range(12)
        }
        | {"content/a/s1.comments.yaml": COMMENTS}
    )
    cache = BuildCache()
    live = tmp_path / "live"
    a = site / "content/a"

    def step(change) -> None:
        change()
        build(site, live, cache=cache)
        clean = tmp_path / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build(site, clean)
        assert tree(live) == tree(clean), change.__name__

    def nothing():
        pass

    def body():
        edit(a / "s3.md", "本文3。", "書き換え。")

    def body_start():
        edit(a / "s4.md", "本文4。本文4。", "冒頭を変更。")

    def title():
        edit(a / "s5.md", "title: 記事5", "title: 改題した記事5")

    def category():
        edit(a / "s6.md", "category: japan", "category: europe")

    def tags():
        edit(a / "s7.md", "tags: [タグ1, 共通]", "tags: [新タグ]")

    def date():
        edit(a / "s8.md", "2022-09-09", "2021-01-01")

    def delete():
        (a / "s9.md").unlink()

    def add():
        (a / "new.md").write_text(article("新しい記事", "2022-10-01 09:00"))

    def comment_added():
        (a / "s1.comments.yaml").write_text(
            COMMENTS + "- id: 2\n  parent: 1\n  author: 別の読者\n  date: 2022-09-05 11:00\n"
            "  body: 返信\n"
        )

    def comments_new_file():
        (a / "s2.comments.yaml").write_text(COMMENTS)

    def template():
        (site / "templates").mkdir(exist_ok=True)
        (site / "templates/404.html").write_text(
            "{% extends 'base.html' %}{% block main %}<h1>404</h1>{% endblock %}"
        )

    def base_template():
        (site / "templates/base.html").write_text(
            (Path(__file__).parents[1] / "templates/base.html")
            .read_text()
            .replace("PAGE TOP", "TOP")
        )

    def config():
        (site / "blogsmith.yaml").write_text(DEFAULT_CONFIG.replace("per_page: 10", "per_page: 3"))

    def static():
        (site / "static/images").mkdir(parents=True) or (site / "static/images/x.png").write_bytes(
            b"png"
        )

    def draft():
        edit(a / "s10.md", "category: europe", "category: europe\ndraft: true")

    def inline_sidebar():  # shared is the default: every page carries it with inline
        (site / "blogsmith.yaml").write_text(
            DEFAULT_CONFIG.replace("per_page: 10", "per_page: 3") + "sidebar: inline\n"
        )

    def add_with_inline_sidebar():
        (a / "newer.md").write_text(article("更に新しい記事", "2022-10-02 09:00", tags="[共通]"))

    def newest_first():
        (site / "blogsmith.yaml").write_text(
            DEFAULT_CONFIG.replace("per_page: 10", "per_page: 3") + "pagination: newest-first\n"
        )

    for change in (
        nothing,
        body,
        body_start,
        title,
        category,
        tags,
        date,
        delete,
        add,
        comment_added,
        comments_new_file,
        template,
        base_template,
        config,
        static,
        draft,
        inline_sidebar,
        add_with_inline_sidebar,
        newest_first,
        nothing,
    ):
        step(change)


def test_a_failed_build_does_not_poison_the_cache(make_site, tmp_path):
    site = make_site(
        {"content/a.md": article("一", "2022-09-01"), "content/b.md": article("二", "2022-09-02")}
    )
    cache = BuildCache()
    out = tmp_path / "out"
    build(site, out, cache=cache)
    good = (site / "content/b.md").read_text()
    (site / "content/b.md").write_text(
        good.replace("本文です。", "変更後。").replace("category: europe", "category: nowhere")
    )
    try:
        build(site, out, cache=cache)
    except BuildError:
        pass
    (site / "content/b.md").write_text(good.replace("本文です。", "変更後。"))
    result = build(site, out, cache=cache)
    assert "変更後。" in (out / "europe/b/index.html").read_text()
    assert "europe/b/index.html" in result.changed
    clean = tmp_path / "clean"
    build(site, clean)
    assert tree(out) == tree(clean)


def test_the_disk_cache_across_runs_matches_clean_builds(make_site, tmp_path):
    site = make_site(
        {
            f"content/a/s{n}.md": article(
                f"記事{n}", f"2022-09-{n + 1:02d} 10:00", tags="[共通]", body=f"本文{n}。" * 40
            )
            for n in range(8)
        }
        | {"content/a/s1.comments.yaml": COMMENTS}
    )
    live, cache_dir = tmp_path / "live", tmp_path / "cache"
    a = site / "content/a"

    def run():
        result = build(site, live, cache_dir=cache_dir)  # a fresh process: cache from disk
        clean = tmp_path / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build(site, clean)
        assert tree(live) == tree(clean)
        return result

    first = run()
    assert first.rendered == first.pages
    before = {p: p.stat().st_mtime_ns for p in live.rglob("*") if p.is_file()}
    again = run()
    assert (again.rendered, again.written, again.changed) == (0, 0, [])
    assert {p: p.stat().st_mtime_ns for p in live.rglob("*") if p.is_file()} == before

    source = a / "s3.md"
    source.write_text(source.read_text() + "\n末尾に追記した段落。\n")  # past the excerpt
    body_edit = run()
    # The excerpt is unchanged, so no list moves: the article and the full-content feeds do,
    # and in the search index the article's text (and the files that name its version).
    assert outside_search(body_edit.changed) == [
        "category/europe/feed.xml",
        "europe/s3/index.html",
        "feed.xml",
    ]
    assert len(search_texts(body_edit.changed)) == 1
    assert body_edit.rendered == 3
    edit(a / "s4.md", "title: 記事4", "title: 改題")
    assert "index.html" in run().changed
    (a / "s5.md").unlink()
    assert "europe/s5/index.html" in run().changed
    (a / "s1.comments.yaml").write_text(COMMENTS.replace("最初のコメント", "直したコメント"))
    assert run().changed == ["comments/feed.xml", "europe/s1/index.html"]  # the page, the feed

    (live / "europe/s2/index.html").write_text("damaged")
    repaired = run()
    assert repaired.changed == ["europe/s2/index.html"]

    (cache_dir / "cache.pickle").write_bytes(b"not a pickle")
    (cache_dir / "manifest.pickle").write_bytes(b"\x80\x05garbage")
    edit(a / "s6.md", "本文6。", "また書き換え。")
    assert "europe/s6/index.html" in run().changed


def test_a_file_added_to_the_output_is_kept_and_changes_nothing(make_site, tmp_path):
    """The output is checked file by file, not walked: a file someone put there is neither
    a reason to render the site again nor ever removed, and a damaged page still is."""
    site = make_site(
        {
            f"content/a/s{n}.md": article(f"記事{n}", f"2022-09-0{n + 1}", body=f"本文{n}。" * 40)
            for n in range(3)
        }
    )
    live, cache_dir = tmp_path / "live", tmp_path / "cache"
    build(site, live, cache_dir=cache_dir)
    (live / "europe/notes.txt").write_text("mine")
    (live / "europe/s1/index.html").unlink()
    repaired = build(site, live, cache_dir=cache_dir)
    assert repaired.changed == ["europe/s1/index.html"]  # every page checked, one written
    (live / "extra").mkdir()
    (live / "extra/page.html").write_text("also mine")
    quiet = build(site, live, cache_dir=cache_dir)
    assert (quiet.rendered, quiet.written, quiet.changed) == (0, 0, [])
    source = site / "content/a/s2.md"
    source.write_text(source.read_text() + "\n追記した段落。\n")
    edited = build(site, live, cache_dir=cache_dir)
    assert "europe/s2/index.html" in edited.changed and edited.rendered < edited.pages
    assert (live / "europe/notes.txt").read_text() == "mine"
    assert (live / "extra/page.html").read_text() == "also mine"


def test_an_addition_rewrites_only_the_pages_that_show_it(make_site, tmp_path):
    """With the shared sidebar and stable pagination, a new article changes its own page, its
    neighbour's, the first pages of its lists, the feeds, the sitemap, the sidebar and the
    related blocks it enters: nothing else, however large the archive."""
    months = ("07", "08", "09")
    site = make_site(
        {
            f"content/a/s{n:02d}.md": article(
                f"記事{n}",
                f"2022-{months[n % 3]}-{n + 1:02d} 10:00",
                "japan" if n % 2 else "europe",
                tags=f"[タグ{n % 5}]",
            )
            for n in range(27)  # no list of the new article's gains a full page of 3 with it
        },
        config=DEFAULT_CONFIG.replace("per_page: 10", "per_page: 3") + "sidebar: shared\n",
    )
    live, cache_dir = tmp_path / "live", tmp_path / "cache"
    first = build(site, live, cache_dir=cache_dir)
    (site / "content/a/new.md").write_text(
        article("新着", "2022-09-30 12:00", "japan", tags="[タグ1]")
    )
    added = build(site, live, cache_dir=cache_dir)
    clean = tmp_path / "clean"
    build(site, clean)
    assert tree(live) == tree(clean)

    enters_related = {
        path
        for path, data in tree(live).items()
        if path.endswith("index.html") and 'href="/japan/new/"' in _related_block(data)
    }
    expected = {
        "japan/new/index.html",
        "europe/s26/index.html",  # the newest before it: its next link
        "index.html",
        "category/japan/index.html",
        "tag/タグ1/index.html",
        "2022/index.html",
        "2022/09/index.html",
        "feed.xml",
        "category/japan/feed.xml",
        "sitemap.xml",
        "sidebar/index.html",
    }
    assert set(outside_search(added.changed)) == expected | enters_related
    assert len(search_texts(added.changed)) == 1  # no other page's text is written again
    assert len(outside_search(added.changed)) < first.pages / 3


def _related_block(page: bytes) -> str:
    text = page.decode()
    start = text.find('id="related"')
    return text[start : text.find("</section>", start)] if start >= 0 else ""


def test_a_cache_from_another_version_is_not_trusted(make_site, tmp_path, monkeypatch):
    site = make_site({"content/a.md": article("一", "2022-09-01")})
    build(site, tmp_path / "out", cache_dir=tmp_path / "cache")
    from blogsmith.cache import persist

    monkeypatch.setattr(persist, "FORMAT", persist.FORMAT + 1)
    assert persist.CacheFolder(tmp_path / "cache").load_manifest() is None
    result = build(site, tmp_path / "out", cache_dir=tmp_path / "cache")
    assert result.rendered == result.pages


def test_a_scheduled_article_appears_once_due_without_any_edit(make_site, tmp_path):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    soon = datetime.now(ZoneInfo("Asia/Tokyo")) + timedelta(seconds=2)
    site = make_site(
        {
            "content/a.md": article("一", "2022-09-01"),
            "content/b.md": article("予約", f"{soon:%Y-%m-%d %H:%M:%S}"),
        }
    )
    out, cache_dir = tmp_path / "out", tmp_path / "cache"
    build(site, out, cache_dir=cache_dir)
    assert not (out / "europe/b").exists()
    import time

    time.sleep(max(0.0, (soon - datetime.now(ZoneInfo("Asia/Tokyo"))).total_seconds()) + 0.2)
    build(site, out, cache_dir=cache_dir)
    assert (out / "europe/b/index.html").is_file()


def test_a_cache_planted_in_the_site_is_never_unpickled(make_site, tmp_path):
    """A pull request can add any file to the site, the cache folder beside public/ included:
    a pickle there that would run a command must be ignored, and the build must go on."""
    site = make_site({"content/a.md": article("一", "2022-09-01")})
    proof = tmp_path / "planted-code-ran"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {proof}",))

    cache = site / ".public.blogsmith-cache"
    cache.mkdir()
    for name in ("manifest.pickle", "cache.pickle"):
        (cache / name).write_bytes(pickle.dumps(Payload()))
    first = run_cli("build", "--site", site)
    assert first.returncode == 0, first.stderr
    assert not proof.exists()
    # A real cache made on another machine (signed with another key) is not trusted either.
    foreign = tmp_path / "foreign-key"
    foreign.write_bytes(b"k" * 32)
    copy = make_site({"content/a.md": article("一", "2022-09-01")}, name="copy")
    env = {**os.environ, "BLOGSMITH_CACHE_KEY_FILE": str(foreign)}
    made = subprocess.run(
        [sys.executable, "-m", "blogsmith", "build", "--site", copy, "-q"], env=env
    )
    assert made.returncode == 0
    from blogsmith.cache.persist import CacheFolder

    folder = CacheFolder(copy / ".public.blogsmith-cache")
    assert (folder.folder / "manifest.pickle").is_file()
    assert folder.load_manifest() is None  # this process signs with its own key
    assert run_cli("build", "--site", copy).returncode == 0
