"""Which pages a built (or served) search index finds for a query: every term the search page
would require, looked up in the index's files as the page's script reads them. The benchmark
uses it to check that an edit, an addition or a deletion is in the index it just timed."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

from blogsmith.output.search import postings
from blogsmith.output.search.index import bucket_of, file_name, unpacked
from blogsmith.output.search.terms import is_pair, phrases, required_terms


def search_urls(read: Callable[[str], bytes], query: str) -> set[str]:
    """URLs of the pages that hold every term of `query` and each of its Japanese runs as
    typed (as the search page asks); `read` gets a file of search/."""
    meta = json.loads(read("meta.json"))
    stale, recent = set(meta.get("stale", ())), len(meta.get("recent", ()))
    found: set[int] | None = None
    entries: dict[str, dict[int, str]] = {}
    for term in required_terms(query):
        bucket = unpacked(read(file_name("i", bucket_of(term, meta["buckets"]))))
        listed = postings.read(bucket.get(term, ""), is_pair(term))
        on = {number: made for number, made in listed if number not in stale}
        if recent:  # pages added or edited since: the recent segment
            newer = unpacked(read(file_name("r", bucket_of(term, recent)))).get(term, "")
            on.update(postings.read(newer, is_pair(term)))
        entries[term] = on
        found = set(on) if found is None else found & set(on)
    runs = [[run[i : i + 2] for i in range(len(run) - 1)] for run in phrases(query)]
    exact = {
        number
        for number in found or ()
        if all(postings.holds_run([entries[pair][number] for pair in run]) for run in runs)
    }
    return {unpacked(read(file_name("f", number)))["url"] for number in exact}


def from_folder(output: Path) -> Callable[[str], bytes]:
    return lambda name: (output / "search" / name).read_bytes()


def from_server(base: str) -> Callable[[str], bytes]:
    def read(name: str) -> bytes:
        request = urllib.request.Request(
            base + "search/" + name, headers={"Cache-Control": "no-cache"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    return read
