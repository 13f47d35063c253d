"""The search index's recent segment: adding, deleting or editing an article writes a few
search files (its text, its doc block, the recent files, meta.json), not the hundreds of
buckets its terms land in; the search page finds exactly what a clean build's index finds, and
the segment is merged into the buckets once it passes its bound."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import article, tree
from test_search import search

from blogsmith.build import build
from blogsmith.output.search import postings, recent

WORDS = "空母 戦車 護衛艦 潜水艦 輸送機 哨戒機 駆逐艦 揚陸艦 戦闘機 偵察機 補給艦 掃海艇".split()


def archive(count: int) -> dict[str, str]:
    """`count` articles, each with words of its own (記事N, 第N報) and some shared ones."""
    files = {}
    for n in range(count):
        day, hour = divmod(n, 2)
        month, day = divmod(day, 28)
        shared = "、".join(WORDS[(n + k) % len(WORDS)] for k in range(3))
        files[f"content/a/s{n:04d}.md"] = article(
            f"記事{n}の報告",
            f"{2010 + month // 12}-{month % 12 + 1:02d}-{day + 1:02d} {8 + hour * 6:02d}:00",
            ("europe", "japan")[n % 2],
            body=f"第{n}報。{shared}の動きを伝える。番号{n * 7919}。",
        )
    return files


def index_files(changed: list[str]) -> list[str]:
    """The search index's files a build wrote or removed (search/index.html is a page)."""
    return [path for path in changed if path.startswith("search/") and path != "search/index.html"]


def meta(output: Path) -> dict:
    return json.loads((output / "search/meta.json").read_bytes())


class Site:
    """A ~200-article site built incrementally, each build checked against a clean one."""

    def __init__(self, make_site, tmp_path: Path, count: int = 200):
        self.source = make_site(archive(count))
        self.tmp = tmp_path
        self.live, self.cache = tmp_path / "live", tmp_path / "cache"
        build(self.source, self.live, cache_dir=self.cache)

    def rebuilt(self) -> list[str]:
        """The search files the incremental build changed, once it means what a clean one does."""
        result = build(self.source, self.live, cache_dir=self.cache)
        clean = self.tmp / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build(self.source, clean)
        assert tree(self.live) == tree(clean)
        assert search(self.live, *QUERIES) == search(clean, *QUERIES)
        return index_files(result.changed)

    def write(self, name: str, text: str) -> None:
        (self.source / "content/a" / name).write_text(text, encoding="utf-8")


QUERIES = ("空母", "最新鋭", "第17報", "記事42", "極超音速", "戦車 護衛艦")
NEWEST = article("最新鋭の無人潜水艇", "2020-01-01 09:00", "japan", body="極超音速の話題も。")


def test_a_clean_build_has_no_recent_segment(make_site, tmp_path):
    site = Site(make_site, tmp_path)
    assert meta(site.live)["recent"] == [] and meta(site.live)["stale"] == []
    assert not (site.live / "search/r").exists()


def test_adding_deleting_and_editing_write_a_few_search_files(make_site, tmp_path):
    site = Site(make_site, tmp_path)
    buckets = meta(site.live)["buckets"]
    site.write("newest.md", NEWEST)
    added = site.rebuilt()
    assert len(added) <= 5 and not [path for path in added if path.startswith("search/i/")]
    assert "search/r/0.json.gz" in added
    found = search(site.live, "最新鋭", "極超音速")
    assert found == {"最新鋭": ["/japan/newest/"], "極超音速": ["/japan/newest/"]}

    (site.source / "content/a/s0017.md").unlink()  # a page the buckets hold
    deleted = site.rebuilt()
    assert len(deleted) <= 5 and not [path for path in deleted if path.startswith("search/i/")]
    assert search(site.live, "第17報")["第17報"] == []
    assert meta(site.live)["stale"] == [17]

    edited = site.source / "content/a/s0042.md"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("第42報", "第42報、極超音速"), encoding="utf-8")
    body_edit = site.rebuilt()
    assert len(body_edit) <= 5 and not [path for path in body_edit if path.startswith("search/i/")]
    assert set(search(site.live, "極超音速")["極超音速"]) == {"/japan/newest/", "/europe/s0042/"}
    assert meta(site.live)["buckets"] == buckets

    (site.source / "content/a/newest.md").unlink()  # a page only the recent segment holds
    gone = site.rebuilt()
    assert len(gone) <= 5 and search(site.live, "最新鋭")["最新鋭"] == []
    assert meta(site.live)["stale"] == [17, 42]


def test_an_edit_that_keeps_the_terms_leaves_the_page_in_the_buckets(make_site, tmp_path):
    site = Site(make_site, tmp_path)
    edited = site.source / "content/a/s0042.md"
    edit = edited.read_text(encoding="utf-8").replace("category: europe", "category: japan")
    edited.write_text(edit, encoding="utf-8")
    changed = site.rebuilt()
    assert meta(site.live)["recent"] == [] and meta(site.live)["stale"] == []
    assert "search/f/42.json.gz" in changed and not [p for p in changed if "/r/" in p or "/i/" in p]


def test_an_id_freed_by_a_deletion_and_taken_by_an_addition_is_found_once(make_site, tmp_path):
    site = Site(make_site, tmp_path)
    (site.source / "content/a/s0042.md").unlink()
    site.write("newest.md", NEWEST)
    site.rebuilt()
    assert 42 in meta(site.live)["stale"]  # the new page took id 42: its old postings dropped
    assert search(site.live, "記事42", "最新鋭") == {"記事42": [], "最新鋭": ["/japan/newest/"]}


def test_passing_the_bound_merges_the_segment_into_the_buckets(make_site, tmp_path, monkeypatch):
    monkeypatch.setattr(recent, "MAX_PAGES", 3)
    site = Site(make_site, tmp_path)
    (site.source / "content/a/s0017.md").unlink()
    assert site.rebuilt()
    for n in range(3):  # the first takes the id the deletion freed: three ids so far
        site.write(f"new{n}.md", article(f"最新鋭の艦{n}", f"2020-01-0{n + 1} 09:00"))
        assert len(site.rebuilt()) <= 5
    assert len(meta(site.live)["recent"]) == 1 and meta(site.live)["stale"] == [17]
    site.write("new3.md", article("最新鋭の艦3", "2020-01-04 09:00"))  # the fourth id
    merged = site.rebuilt()
    assert [path for path in merged if path.startswith("search/i/")]
    assert "search/r/0.json.gz" in merged  # removed
    assert meta(site.live)["recent"] == [] and meta(site.live)["stale"] == []
    assert not list((site.live / "search").glob("r/*.json.gz"))
    found = search(site.live, "最新鋭", "第17報")
    assert found == {"最新鋭": [f"/europe/new{n}/" for n in (3, 2, 1, 0)], "第17報": []}
    site.write("new4.md", article("最新鋭の艦4", "2020-01-05 09:00"))  # a new segment
    assert len(site.rebuilt()) <= 5
    assert len(meta(site.live)["recent"]) == 1


def test_a_segment_of_many_postings_is_merged_at_once(make_site, tmp_path, monkeypatch):
    monkeypatch.setattr(recent, "MAX_POSTINGS", 10)
    site = Site(make_site, tmp_path, count=30)
    site.write("newest.md", NEWEST)  # more than 10 terms in one page
    assert [path for path in site.rebuilt() if path.startswith("search/i/")]
    assert meta(site.live)["recent"] == []


def test_a_large_segment_is_cut_into_files_of_a_buckets_size(make_site, tmp_path, monkeypatch):
    monkeypatch.setattr(recent, "POSTINGS_PER_FILE", 20)
    site = Site(make_site, tmp_path, count=30)
    site.write("newest.md", NEWEST)
    site.rebuilt()
    files = meta(site.live)["recent"]
    assert len(files) > 1 and len(files) & (len(files) - 1) == 0
    assert search(site.live, "極超音速")["極超音速"] == ["/japan/newest/"]


def test_a_recent_file_changed_behind_the_builds_back_makes_the_index_anew(make_site, tmp_path):
    site = Site(make_site, tmp_path, count=30)
    site.write("newest.md", NEWEST)
    site.rebuilt()
    (site.live / "search/r/0.json.gz").write_text("{}", encoding="utf-8")
    site.write("later.md", article("空母の改修", "2020-02-01 09:00"))
    site.rebuilt()
    assert meta(site.live)["recent"] == []  # made anew: no segment
    assert search(site.live, "最新鋭")["最新鋭"] == ["/japan/newest/"]


@pytest.mark.parametrize("postings, files", [(0, 0), (1, 1), (8000, 1), (8001, 2), (64000, 8)])
def test_the_recent_file_count_is_a_power_of_two_of_a_buckets_size(postings, files):
    assert recent.file_count(postings) == files


def test_merging_a_bucket_drops_stale_ids_and_puts_recent_postings_in_id_order():
    once, twice = postings.entry(0, 1, [4]), postings.entry(1, 1, [0, 9])
    bucket = {
        "空母": postings.write([(1, once), (5, once), (9, twice)]),
        "戦車": postings.write([(5, once)]),
        "f35": postings.write([(2, "01")]),
    }
    merged = recent.merged(bucket, {5}, {"空母": {5: twice, 3: once}, "新型": {5: once}})
    assert merged == {
        "空母": postings.write([(1, once), (3, once), (5, twice), (9, twice)]),
        "新型": postings.write([(5, once)]),
        "f35": bucket["f35"],
    }
    assert postings.read(merged["空母"], True)[2] == (5, twice)
