"""Which pages a built (or served) search index finds for a query: every term the search page
would require, looked up in the index's files as the page's script reads them. The benchmark
uses it to check that an edit, an addition or a deletion is in the index it just timed."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

from blogsmith.output.search.index import bucket_of
from blogsmith.output.search.positions import holds_run
from blogsmith.output.search.terms import phrases, required_terms


def search_urls(read: Callable[[str], bytes], query: str) -> set[str]:
    """URLs of the pages that hold every term of `query` and each of its Japanese runs as
    typed (as the search page asks); `read` gets a file of search/."""
    meta = json.loads(read("meta.json"))
    stale, recent = set(meta.get("stale", ())), len(meta.get("recent", ()))
    found: set[int] | None = None
    values: dict[str, dict[int, str]] = {}
    for term in required_terms(query):
        bucket = json.loads(read(f"i/{bucket_of(term, meta['buckets'])}.json"))
        flat = bucket.get(term, [])
        postings = {n: v for n, v in zip(flat[::2], flat[1::2], strict=True) if n not in stale}
        if recent:  # pages added or edited since: the recent segment
            newer = json.loads(read(f"r/{bucket_of(term, recent)}.json")).get(term, [])
            postings.update(zip(newer[::2], newer[1::2], strict=True))
        values[term] = postings
        found = set(postings) if found is None else found & set(postings)
    runs = [[run[i : i + 2] for i in range(len(run) - 1)] for run in phrases(query)]
    exact = {n for n in found or () if all(holds_run([values[p][n] for p in r]) for r in runs)}
    return {json.loads(read(f"f/{number}.json"))["url"] for number in exact}


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
