"""Content files are read once each, with one call (read_whole), and one that cannot be read
is an error that names it, never a page silently missing from the site."""

from __future__ import annotations

import errno

from conftest import article

from blogsmith.content import load
from blogsmith.content.load import read_content_files
from blogsmith.content.site_files import read_whole


def test_an_unreadable_content_file_is_an_error_not_a_missing_page(make_site, monkeypatch):
    """Root reads any file whatever its mode, so the refusal is made by hand."""
    site = make_site({"content/a.md": article("一"), "content/b.md": article("二")})
    locked = str(site / "content/b.md")
    real = load.read_whole

    def refusing(path: str, size: int) -> bytes:
        if path == locked:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real(path, size)

    monkeypatch.setattr(load, "read_whole", refusing)
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
