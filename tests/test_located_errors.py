"""Input that used to end in a traceback is a located error, in `check` exactly as in `build`;
a full disk is a message, and the previous output stays as it was."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest
from conftest import DEFAULT_CONFIG, article, run_cli

from blogsmith.build import BuildError, build, default_cache_dir


def errors_of(run) -> list[str]:
    """The error lines, without the closing count (which says check or build)."""
    return [line for line in run.stderr.splitlines() if not re.match(r"\d+ errors?; ", line)]


def both_refuse(site: Path, expected: str) -> None:
    check = run_cli("check", "--site", site)
    built = run_cli("build", "--site", site)
    for run in (check, built):
        assert run.returncode == 1, (run.stdout, run.stderr)
        assert "Traceback" not in run.stderr, run.stderr
    assert errors_of(check) == errors_of(built)
    assert any(expected in line for line in errors_of(built)), built.stderr
    assert not (site / "public").exists()


CASES = {
    "an alias with NUL": (
        {"content/a.md": article(aliases='["/a\\0b/"]')},
        "content/a.md:5: alias '/a\\x00b/' must be a path on this site",
    ),
    "an alias under the feed's file": (
        {"content/a.md": article(aliases="[/feed.xml/x]")},
        "content/a.md:5: URL /feed.xml/x needs feed.xml as a folder, but it is the file of",
    ),
    "an alias of 300 bytes": (
        {"content/a.md": article(aliases=f"[/{'あ' * 100}/]")},
        "longer than the 255 bytes a file name may have",
    ),
    "a slug of 300 bytes": (
        {"content/a.md": article(slug="あ" * 100)},
        "content/a.md:5: URL '/europe/" ,
    ),
    "an alias where the search index is written": (
        {"content/a.md": article(aliases="[/search/meta.json]")},
        "content/a.md:5: URL '/search/meta.json' is inside /search/, where the search index",
    ),
    "a static file where the search index is written": (
        {"content/a.md": article(), "static/search/i/0.json": "[]"},
        "static/search/i/0.json: is inside /search/, where the search index is written",
    ),
    "a date before year 1 in UTC": (
        {"content/a.md": article(date="0001-01-01T00:00+14:00")},
        "content/a.md:3: 'date': 0001-01-01T00:00+14:00 is outside the years 1 to 9999",
    ),
    "a date after 9999 in the site's zone": (
        {"content/a.md": article(date="9999-12-31T23:59-14:00")},
        "content/a.md:3: 'date': 9999-12-31T23:59-14:00 is outside the years 1 to 9999",
    ),
    "a permalink with NUL": (
        {
            "content/a.md": article(),
            "blogsmith.yaml": DEFAULT_CONFIG + 'permalink: "/{slug}\\0/"\n',
        },
        "blogsmith.yaml:11: 'permalink' must not hold spaces, control characters",
    ),
    "a max_depth the templates cannot nest": (
        {
            "content/a.md": article(),
            "content/a.comments.yaml": "".join(
                f"- id: {n}\n" + (f"  parent: {n - 1}\n" if n > 1 else "")
                + "  author: 読者\n  date: 2022-09-14 07:00\n  body: はい\n"
                for n in range(1, 301)
            ),
            "blogsmith.yaml": DEFAULT_CONFIG + "comments:\n  max_depth: 300\n",
        },
        "blogsmith.yaml:12: 'comments.max_depth' must be a whole number from 1 to 100, got 300",
    ),
}  # fmt: skip


@pytest.mark.parametrize("files, expected", CASES.values(), ids=CASES.keys())
def test_input_that_was_a_traceback_is_a_located_error_in_check_and_build(
    make_site, files, expected
):
    config = files.pop("blogsmith.yaml", DEFAULT_CONFIG)
    both_refuse(make_site(files, config=config), expected)


def test_a_static_file_named_in_shift_jis_is_a_located_error_with_the_cache_on(make_site):
    site = make_site({"content/a.md": article()})
    (site / "static").mkdir()
    name = os.fsdecode("戦車.txt".encode("shift_jis"))
    (site / "static" / name).write_text("x")
    for _ in range(2):  # the second build has a cache to compare against
        both_refuse(site, "static/\\x90\\xed\\x8e\\xd4.txt: has a name that is not UTF-8")


def test_a_static_file_where_a_page_needs_a_folder_is_a_located_error(make_site):
    site = make_site({"content/a.md": article(), "static/europe": "a file, not a folder"})
    both_refuse(site, "static/europe: is a file where the page")


def test_a_full_disk_is_a_message_and_the_previous_output_stays(make_site, monkeypatch):
    site = make_site({"content/a.md": article("一"), "content/b.md": article("二")})
    output = site / "public"
    build(site, output)
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    (site / "content/a.md").write_text(article("一の改訂"), encoding="utf-8")
    written = []
    real = Path.write_bytes

    def fill_up(path: Path, data: bytes) -> int:
        written.append(path)
        if len(written) > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data)

    monkeypatch.setattr(Path, "write_bytes", fill_up)
    with pytest.raises(BuildError) as failed:
        build(site, output, cache_dir=default_cache_dir(output))
    [error] = failed.value.errors
    assert "cannot be written (No space left on device); free some space" in str(error)
    assert {p: p.read_bytes() for p in output.rglob("*") if p.is_file()} == before


def test_a_cache_that_cannot_be_saved_is_a_warning_after_the_site_is_out(make_site, monkeypatch):
    site = make_site({"content/a.md": article("一")})
    output = site / "public"
    from blogsmith.cache import persist

    def no_space(self, manifest, cache):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(persist.CacheFolder, "save", no_space)
    result = build(site, output, cache_dir=default_cache_dir(output))
    assert (output / "index.html").is_file()
    assert any("the build cache was not saved (No space left" in w.message for w in result.warnings)
