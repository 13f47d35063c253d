"""The index made on every core (the pages' postings in slices, the buckets joined from them,
compressed and staged by threads while the next ones are written) means exactly what one
process makes, and every page's postings are the terms of its own text file."""

from __future__ import annotations

import json

from conftest import article, packed, search_index

import blogsmith.core.workers as workers
from blogsmith.build import build
from blogsmith.output.search import index
from blogsmith.output.search.index import entries_of, unpacked

WORDS = ["国境", "停戦合意", "砲撃", "前進", "F-35A", "バイラクタルTB2", "2035年"]


def archive(count: int) -> dict[str, str]:
    return {
        f"content/p{n:03d}.md": article(
            f"記事{n}{WORDS[n % len(WORDS)]}",
            f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d} 09:00",
            body="、".join(WORDS[(n + k) % len(WORDS)] for k in range(n % 5 + 1)) + "。",
        )
        for n in range(count)
    }


def test_the_index_made_in_slices_on_every_core_is_the_one_process_index(
    make_site, tmp_path, monkeypatch
):
    site = make_site(archive(90))
    monkeypatch.setenv("BLOGSMITH_WORKERS", "1")
    build(site, tmp_path / "one")
    monkeypatch.setenv("BLOGSMITH_WORKERS", "2")
    monkeypatch.setattr(workers, "MINIMUM_ITEMS", 1)  # slices and buckets shared out, however few
    build(site, tmp_path / "many")

    many = search_index(tmp_path / "many")
    assert many == search_index(tmp_path / "one")
    made: dict[str, dict[str, str]] = {}
    for path in (tmp_path / "many/search/f").iterdir():
        text = packed(path)
        for term, entry in entries_of(text).items():
            made.setdefault(term, {})[text["url"]] = entry
    assert many["postings"] == made
    assert len(made["国境"]) > 1 and "f35a" in made


def test_each_bucket_is_staged_under_its_own_name_and_version(make_site, tmp_path, monkeypatch):
    """The buckets are compressed and staged by threads while the next ones are written: each
    file holds its own bucket's terms, in order, and meta.json names its bytes' version."""
    monkeypatch.setattr(index, "IN_FLIGHT", 2)  # the window is passed many times over
    site = make_site(archive(400))
    build(site, tmp_path / "out")
    meta = json.loads((tmp_path / "out/search/meta.json").read_text(encoding="utf-8"))
    assert meta["buckets"] > index.IN_FLIGHT * 2
    for number, version in enumerate(meta["index"]):
        data = (tmp_path / f"out/search/i/{number}.json.gz").read_bytes()
        assert index._version(data) == version
        terms = list(unpacked(data))
        assert terms == sorted(terms) and terms
        assert {index.bucket_of(term, meta["buckets"]) for term in terms} == {number}
