"""Content files are read once each, with one call (read_whole), a block asked of the system
ahead when they come from the disk (read_each), and one that cannot be read is an error that
names it, never a page silently missing from the site."""

from __future__ import annotations

import errno
import os

import pytest
from conftest import article

from blogsmith.content import site_files
from blogsmith.content.load import read_content_files
from blogsmith.content.site_files import read_each, read_whole


def _refuse(monkeypatch, locked: str) -> None:
    """Root reads any file whatever its mode, so the refusal is made by hand."""
    real = site_files.read_whole

    def refusing(path: str, size: int) -> bytes:
        if path == locked:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real(path, size)

    monkeypatch.setattr(site_files, "read_whole", refusing)


def test_an_unreadable_content_file_is_an_error_not_a_missing_page(make_site, monkeypatch):
    site = make_site({"content/a.md": article("一"), "content/b.md": article("二")})
    _refuse(monkeypatch, str(site / "content/b.md"))
    refused: list[tuple[str, str]] = []
    files = read_content_files(site, refused)
    assert [f.source for f in files] == ["content/a.md"]
    assert refused == [
        ("content/b.md", "cannot be read (Permission denied); give blogsmith read access")
    ]


def test_a_file_that_grew_or_shrank_since_its_stat_is_read_as_it_is_now(tmp_path):
    path = tmp_path / "f.md"
    path.write_bytes(b"x" * 5000)
    assert read_whole(str(path), 10) == b"x" * 5000  # it grew since the stat
    assert read_whole(str(path), 9000) == b"x" * 5000  # it shrank
    assert read_whole(str(path), 5000) == b"x" * 5000
    path.write_bytes(b"")
    assert read_whole(str(path), 0) == b""


def _files(tmp_path, count: int) -> list[tuple[str, int]]:
    made = []
    for number in range(count):
        path = tmp_path / f"{number:03}.md"
        path.write_bytes(str(number).encode() * (number + 1))
        made.append((str(path), path.stat().st_size))
    return made


def test_files_from_the_disk_are_asked_for_a_block_ahead_and_read_in_order(tmp_path, monkeypatch):
    """Every block slower than the pace is taken for the disk: from the first block on, the
    next block is asked of the system before it is read, and the answers come in order."""
    monkeypatch.setattr(site_files, "BLOCK_FILES", 3)
    monkeypatch.setattr(site_files, "DISK_PACE_NS", 0)
    files = _files(tmp_path, 20)
    files[7] = (str(tmp_path / "gone.md"), 10)
    events: list[tuple[str, str]] = []
    real_read, real_advise = site_files.read_whole, os.posix_fadvise

    def reading(path: str, size: int) -> bytes:
        events.append(("read", path))
        if path.endswith("011.md"):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_read(path, size)

    def advising(descriptor: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_WILLNEED
        events.append(("ask", os.readlink(f"/proc/self/fd/{descriptor}")))
        real_advise(descriptor, offset, length, advice)

    monkeypatch.setattr(site_files, "read_whole", reading)
    monkeypatch.setattr(os, "posix_fadvise", advising)
    answers = list(read_each(files))
    for number, answer in enumerate(answers):
        if number == 7:
            assert isinstance(answer, FileNotFoundError)
        elif number == 11:
            assert isinstance(answer, PermissionError)
        else:
            assert answer == str(number).encode() * (number + 1)
    assert len(answers) == 20
    asked = [path for kind, path in events if kind == "ask"]
    assert asked == [path for number, (path, _) in enumerate(files) if number >= 3 and number != 7]
    for number, (path, _) in enumerate(files[3:], start=3):
        if number != 7:  # the missing file is not asked for: it cannot be opened
            assert events.index(("ask", path)) < events.index(("read", path))


def test_files_from_memory_are_not_asked_for(tmp_path, monkeypatch):
    monkeypatch.setattr(site_files, "BLOCK_FILES", 3)
    monkeypatch.setattr(site_files, "DISK_PACE_NS", 10**12)
    monkeypatch.setattr(os, "posix_fadvise", lambda *arguments: pytest.fail("asked"))
    files = _files(tmp_path, 10)
    assert list(read_each(files)) == [str(n).encode() * (n + 1) for n in range(10)]


def test_content_read_from_the_disk_keeps_its_order_and_refusals(make_site, monkeypatch):
    monkeypatch.setattr(site_files, "BLOCK_FILES", 2)
    monkeypatch.setattr(site_files, "DISK_PACE_NS", 0)
    names = "一二三四五六七"
    site = make_site({f"content/{n}.md": article(t) for n, t in enumerate(names)})
    _refuse(monkeypatch, str(site / "content/4.md"))
    refused: list[tuple[str, str]] = []
    files = read_content_files(site, refused)
    assert [f.source for f in files] == [f"content/{n}.md" for n in (0, 1, 2, 3, 5, 6)]
    assert [f.data for f in files] == [(site / f.source).read_bytes() for f in files]
    assert refused == [
        ("content/4.md", "cannot be read (Permission denied); give blogsmith read access")
    ]


def test_blocks_hold_a_bounded_count_and_bytes_and_files_come_one_at_a_time(tmp_path, monkeypatch):
    """A photo archive's files are large: a block stops at BLOCK_BYTES as well as at
    BLOCK_FILES, and read_each holds one file's bytes at a time, never a block's."""
    monkeypatch.setattr(site_files, "BLOCK_FILES", 4)
    monkeypatch.setattr(site_files, "BLOCK_BYTES", 10)
    sizes = [3, 3, 3, 3, 1, 12, 1, 1, 1, 1, 1]
    blocks = site_files._blocks([(str(n), size) for n, size in enumerate(sizes)])
    assert [[int(path) for path, _ in block] for block in blocks] == [
        [0, 1, 2],
        [3, 4],
        [5],
        [6, 7, 8, 9],
        [10],
    ]
    files = _files(tmp_path, 6)
    calls: list[str] = []
    real = site_files.read_whole
    monkeypatch.setattr(site_files, "read_whole", lambda p, s: calls.append(p) or real(p, s))
    answers = read_each(files)
    assert next(answers) == b"0"
    assert calls == [files[0][0]]


def test_an_image_that_cannot_be_read_is_a_problem_of_its_own(tmp_path, monkeypatch):
    """The image stage reads its new images through read_each too: the one refused is
    answered with why, the others measured."""
    from PIL import Image

    from blogsmith.render.images import ImageSettings, measure_and_resize

    files, marks = {}, {}
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.png"
        Image.new("RGB", (30, 20), "red").save(path)
        files[f"/images/{name}.png"] = str(path)
        marks[f"images/{name}.png"] = (path.stat().st_size, path.stat().st_mtime_ns)
    _refuse(monkeypatch, files["/images/b.png"])
    done = measure_and_resize(files, marks, ImageSettings(), {}, lambda copies: False, None)
    records = done.measured.records
    assert records["/images/b.png"].problem == "cannot be read (Permission denied)"
    assert records["/images/a.png"].problem is None
    assert done.measured.facts("/images/c.png") is not None
