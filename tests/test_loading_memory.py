"""Loading lets go of the sources' bytes once their results are made: a build holds every
file's results, and the bytes beside them were copied into each forked worker."""

from __future__ import annotations

from conftest import article

from blogsmith.content.load import load_content, read_content_files
from blogsmith.core.config import load_config
from blogsmith.core.errors import ErrorBag


def test_sources_are_let_go_once_loaded_and_read_again_only_if_asked(make_site):
    site = make_site(
        {
            "content/a.md": article("一", "2022-08-01"),
            "content/a.comments.yaml": "- id: 1\n  author: 読者\n  date: 2022-08-01 10:00\n"
            "  body: 本文\n",
        }
    )
    bag = ErrorBag()
    files = read_content_files(site)
    digests = {f.source: f.digest for f in files}
    assert all(f._data is not None for f in files)
    content = load_content(site, load_config(site, bag), bag, None, files)
    assert not bag.errors and len(content.sources) == 1 and len(content.comments) == 1
    assert all(f._data is None for f in files)
    assert {f.source: f.digest for f in files} == digests
    first = next(f for f in files if f.source == "content/a.md")
    assert first.data == (site / "content/a.md").read_bytes()
