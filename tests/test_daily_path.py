"""The daily path: a build after one edit reads, decodes and saves only what the edit touched,
and its output still equals a clean build's.

- Content files whose status (size, time, inode, change time) is as the last build recorded
  are not read again; a file changed just before that build was recorded is (its time may not
  have moved since), and so is any rewrite, whatever time it is given back.
- The per-file results are saved in parts: an edit rewrites one part, not the whole cache.
- A body's HTML stays packed until a page shows it.
- Card digests kept on disk are used only with the config and templates they were made with.
"""

from __future__ import annotations

import os
import pickle
import shutil
import time
from pathlib import Path

import pytest
from conftest import article, tree

import blogsmith.content.load as load_module
import blogsmith.content.site_files as site_files
from blogsmith.build import build
from blogsmith.content.article_body import ArticleBody
from blogsmith.content.load import Settings, load_file
from blogsmith.core.config import Config

HOUR_AGO = 3600


def site_of(make_site, count: int = 12) -> Path:
    site = make_site(
        {
            f"content/a/s{n}.md": article(
                f"記事{n}",
                f"2022-{n // 28 + 1:02d}-{n % 28 + 1:02d} 10:00",
                tags="[共通]",
                body=f"本文{n}。" * 40 + "\n\n[前の記事](s0.md)",
            )
            for n in range(count)
        }
    )
    for path in (site / "content").rglob("*"):  # as a clone made an hour ago
        os.utime(path, (path.stat().st_atime - HOUR_AGO, path.stat().st_mtime - HOUR_AGO))
    return site


def clean_tree(site: Path, where: Path) -> dict:
    shutil.rmtree(where, ignore_errors=True)
    build(site, where)
    return tree(where)


@pytest.fixture
def opened(monkeypatch):
    """The content files the build reads, by name (the one reader of them: read_whole, called
    by read_each and by a ContentFile's data)."""
    names: list[str] = []
    real = site_files.read_whole

    def counting(path: str, size: int) -> bytes:
        if "/content/" in path:
            names.append(os.path.basename(path))
        return real(path, size)

    monkeypatch.setattr(load_module, "read_whole", counting)
    monkeypatch.setattr(site_files, "read_whole", counting)
    return names


def test_an_edit_build_reads_only_the_edited_file(make_site, tmp_path, monkeypatch, opened):
    monkeypatch.setattr(load_module, "RACY_NS", 0)  # the files' times are an hour old anyway
    site = site_of(make_site)
    live, cache_dir = tmp_path / "live", tmp_path / "cache"
    build(site, live, cache_dir=cache_dir)
    assert len(opened) == 12  # the first build reads everything

    opened.clear()
    source = site / "content/a/s3.md"
    source.write_text(source.read_text() + "\n末尾に追記した段落。\n")
    build(site, live, cache_dir=cache_dir)
    assert opened == ["s3.md"]
    assert tree(live) == clean_tree(site, tmp_path / "clean")

    opened.clear()
    assert build(site, live, cache_dir=cache_dir).changed == []
    assert opened == []


def test_a_file_changed_just_before_the_last_build_is_read_again(
    make_site, tmp_path, monkeypatch, opened
):
    monkeypatch.setattr(load_module, "RACY_NS", 1_000_000_000)  # a second, not two: quicker
    site = site_of(make_site)
    live, cache_dir = tmp_path / "live", tmp_path / "cache"
    time.sleep(1.2)  # the site's files (their change times are when they were backdated)
    source = site / "content/a/s3.md"
    source.write_text(source.read_text().replace("本文3。", "本文X。", 1))  # now: racy
    build(site, live, cache_dir=cache_dir)
    opened.clear()
    build(site, live, cache_dir=cache_dir)
    assert opened == ["s3.md"]  # changed within the clock's tick of the last build


def test_a_rewrite_given_its_old_size_and_time_back_is_still_seen(make_site, tmp_path, monkeypatch):
    monkeypatch.setattr(load_module, "RACY_NS", 0)
    site = site_of(make_site)
    live, cache_dir = tmp_path / "live", tmp_path / "cache"
    build(site, live, cache_dir=cache_dir)
    source = site / "content/a/s3.md"
    status = source.stat()
    text = source.read_text()
    source.write_text(text.replace("本文3。", "改稿3。"))  # the same size in bytes
    os.utime(source, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert source.stat().st_size == status.st_size
    result = build(site, live, cache_dir=cache_dir)
    assert "europe/s3/index.html" in result.changed
    assert "改稿3。" in (live / "europe/s3/index.html").read_text()
    assert tree(live) == clean_tree(site, tmp_path / "clean")


def shards(cache_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(cache_dir.glob("files-*.pickle"))}


def test_an_edit_rewrites_one_part_of_the_saved_results(make_site, tmp_path):
    site = site_of(make_site, count=40)
    live, cache_dir = tmp_path / "live", tmp_path / "cache"
    build(site, live, cache_dir=cache_dir)
    before = shards(cache_dir)
    assert len(before) > 4  # the results are spread over parts

    source = site / "content/a/s7.md"
    source.write_text(source.read_text() + "\n追記。\n")
    build(site, live, cache_dir=cache_dir)
    after = shards(cache_dir)
    assert after.keys() == before.keys()
    assert len([name for name in after if after[name] != before[name]]) == 1

    # A part lost (or cut short, or saved with other settings) costs its files a new load.
    first = min(after)
    (cache_dir / first).unlink()
    edit_to = site / "content/a/s8.md"
    edit_to.write_text(edit_to.read_text() + "\nまた追記。\n")
    build(site, live, cache_dir=cache_dir)
    assert (cache_dir / first).exists()
    assert tree(live) == clean_tree(site, tmp_path / "clean")


def test_a_part_saved_with_other_settings_is_not_used(make_site, tmp_path):
    site = site_of(make_site, count=20)
    live, cache_dir = tmp_path / "live", tmp_path / "cache"
    build(site, live, cache_dir=cache_dir)
    kept = shards(cache_dir)
    config = site / "blogsmith.yaml"
    config.write_text(config.read_text() + "excerpt_chars: 12\n")
    build(site, live, cache_dir=cache_dir)
    for name, data in kept.items():  # as if the save had stopped after the main file
        (cache_dir / name).write_bytes(data)
    source = site / "content/a/s2.md"
    source.write_text(source.read_text() + "\n追記。\n")
    build(site, live, cache_dir=cache_dir)
    assert tree(live) == clean_tree(site, tmp_path / "clean")


def test_card_digests_from_disk_follow_the_config(make_site, tmp_path):
    site = site_of(make_site)
    live, cache_dir = tmp_path / "live", tmp_path / "cache"
    build(site, live, cache_dir=cache_dir)
    config = site / "blogsmith.yaml"
    config.write_text(config.read_text().replace("news.example.org", "archive.example.org"))
    build(site, live, cache_dir=cache_dir)
    assert tree(live) == clean_tree(site, tmp_path / "clean")
    assert "archive.example.org/europe/s0/" in (live / "index.html").read_text()


def test_a_body_is_kept_packed_until_shown():
    config = Config(title="t", base_url="https://news.example.org/")
    text = article("見出し", body="本文の段落。[前](other.md)\n\n![図](/images/a.jpg)")
    loaded = load_file("a/x.md", "content/a/x.md", text.encode(), Settings(config)).value
    body = loaded.body
    assert body.links == (("other.md", text.splitlines().index("本文の段落。[前](other.md)") + 1),)
    assert body.images == ("/images/a.jpg",)
    assert body.excerpt.startswith("本文の段落。")

    again = pickle.loads(pickle.dumps(loaded))
    assert again.body._html is None  # nothing decoded by loading it
    assert again.body == body and again == loaded
    assert again.body.html == body.html
    assert isinstance(again.body, ArticleBody)
    # Shown, it is still kept packed only: a worker forked later would count the text again.
    assert again.body._html is None and again.body._packed is not None


def test_a_signed_part_of_another_shape_is_left_out(make_site, tmp_path):
    """A part written by another blogsmith with the same signing key (or cut short) is not
    trusted for its shape: its files are loaded again."""
    from blogsmith.cache.persist import CacheFolder

    site = site_of(make_site)
    live, cache_dir = tmp_path / "live", tmp_path / "cache"
    build(site, live, cache_dir=cache_dir)
    folder = CacheFolder(cache_dir)
    settings = folder.load_cache().files.settings
    for name in shards(cache_dir):
        folder._save(name, (settings, {"content/a/s1.md": "not an entry"}))
    source = site / "content/a/s2.md"
    source.write_text(source.read_text() + "\n追記。\n")
    build(site, live, cache_dir=cache_dir)
    assert tree(live) == clean_tree(site, tmp_path / "clean")
