"""The search index as files of the site, brought up to date with what changed.

The index is term-partitioned: every term's postings live in one bucket file chosen by a hash
of the term, so a query fetches one small file per term, whatever the archive's size. Pages
keep the same numeric id from build to build. A page added, edited or removed does not touch
the buckets: its postings go to the small recent segment (see recent.py) and its id, if the
buckets hold it, is listed as stale, until the segment passes its bound and is merged into
the buckets it touches. So a change rewrites its own text file, its doc block, the recent
files and meta.json; a query fetches one bucket and one recent file per term.

Files (all under search/; meta.json names the others with a version each so a reader's
browser never mixes old and new files). The others are JSON compressed with gzip (.json.gz),
as the search page reads them (with the browser's DecompressionStream, or as they come when a
server has already undone the compression): the index takes under half the room.
- meta.json: the bucket count, the categories in the site's order, every file's version;
- i/N.json.gz: bucket N, term -> its postings as one string (postings.py): each page's id, how
  often the term is in its title and text, and where a pair of Japanese characters stands;
- r/N.json.gz: the recent segment, as the buckets (none when it is empty); meta.json's "stale"
  lists the ids whose postings in i/ are out of date;
- d/N.json.gz: ids N*BLOCK.. : category index, date (for sorting), text file version;
- f/ID.json.gz: what a result shows: url, title, category, date, tags, and the text for
  excerpts; a page's terms are made from this file alone.
"""

from __future__ import annotations

import gc
import gzip
import html
import json
import pickle
import re
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from blogsmith.content.model import Article
from blogsmith.core.dates import format_date
from blogsmith.core.digest import digest
from blogsmith.core.workers import inherited, run_in_workers, worker_count
from blogsmith.graph.content_graph import Graph
from blogsmith.output.search import postings, recent
from blogsmith.output.search.recent import Recent
from blogsmith.output.search.terms import entries
from blogsmith.output.writer import StagedWriter

FOLDER = "search/"
META = FOLDER + "meta.json"
BLOCK = 1000
POSTINGS_PER_BUCKET = 8000
"""The bucket count is the power of two that gives at most about this many postings each
(tens of kilobytes): a query term costs one such request on a large archive as on a small
one, and a build writes few files (creating a file costs more than filling it)."""
MIN_BUCKETS, MAX_BUCKETS = 8, 4096
IN_FLIGHT = 8
"""Buckets written as JSON and not yet compressed and staged, at most (see _put_buckets)."""
FORMAT = 7
"""Raised whenever the files or the way text becomes terms (terms.py) change: an index of
another format is made anew, as an update would keep the terms its pages no longer make."""


@dataclass
class SearchState:
    """What the committed index holds, for bringing it up to date."""

    format: int = FORMAT
    buckets: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    """Article key -> its id in the index."""
    pages: dict[str, bytes] = field(default_factory=dict)
    """Article key -> the digest of what its entries were made from. What it said before an
    edit is read back from its text file, which holds all that its terms are made from."""
    versions: dict[str, str] = field(default_factory=dict)
    """File (under FOLDER) -> the version of its bytes."""
    recent: set[str] = field(default_factory=set)
    """Article keys whose postings are in the recent segment (added or changed since the
    last merge); any other page's postings are in the buckets, made from its text file."""
    stale: dict[int, list[int]] = field(default_factory=dict)
    """Id -> the buckets that hold its out-of-date postings (to drop when merging)."""
    recent_files: int = 0
    """The number of recent files (r/N.json.gz)."""
    sized_for: int = 0
    """The number of pages the bucket count was chosen for: with twice as many or half, the
    index is made anew with a bucket count for its new size."""
    seen: dict[str, tuple[Article, bytes]] = field(default_factory=dict, repr=False)
    """In memory only: the last build's Article objects and their digests (the live preview
    keeps unchanged articles as the same objects, so their digest is not made again)."""

    def __getstate__(self) -> dict:
        return {**self.__dict__, "seen": {}}


def update_index(
    graph: Graph, writer: StagedWriter, state: SearchState | None, verify: bool = False
) -> SearchState:
    """Stage the index files that differ from the committed ones; returns the state they make
    (the caller keeps it once the writer has committed). With `verify` (the output was
    changed by someone else since) every file kept is read back and checked first. An output
    whose index is not the one `state` describes gets a whole new index."""
    with _uncollected():
        try:
            return _Update(graph, writer, state, verify).run()
        except _Stale:
            return _Update(graph, writer, None).run()


@contextmanager
def _uncollected() -> Iterator[None]:
    """The cyclic collector paused (in the workers too, which fork meanwhile): the index is
    made of lists, dicts and strings without cycles, and made by the million they set it off
    thousands of times, a tenth of a new index's time for nothing to collect."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class _Update:
    def __init__(
        self, graph: Graph, writer: StagedWriter, state: SearchState | None, verify: bool = False
    ):
        self.graph, self.writer, self.verify = graph, writer, verify
        self.old = (
            state
            if isinstance(state, SearchState) and state.format == FORMAT and state.buckets
            else None
        )
        self.new = SearchState()

    def run(self) -> SearchState:
        articles = list(self.graph.articles.values())
        old = self.old
        if old is not None and not old.sized_for / 2 <= len(articles) <= old.sized_for * 2:
            self.old = None  # the archive outgrew its buckets (or shrank): anew
        if self.old is None:
            articles.sort(key=_order)
        current = self._current(articles)
        if self.old is None:
            return self._anew(articles, current)
        return self._follow(current)

    def _current(self, articles: list[Article]) -> dict[str, tuple[Article, bytes]]:
        """Key -> (article, digest), an unchanged article's digest taken from the last build."""
        seen = self.old.seen if self.old is not None else {}
        current: dict[str, tuple[Article, bytes]] = {}
        for article in articles:
            before = seen.get(article.key)
            current[article.key] = (
                before
                if before is not None and before[0] is article
                else (article, _digest(article))
            )
        self.new.seen = current
        return current

    def _follow(self, current: dict[str, tuple[Article, bytes]]) -> SearchState:
        """The committed index brought up to date: changes go to the recent segment, merged
        into the buckets once it passes its bound."""
        old, new = self.old, self.new
        changed = [key for key, (_, made) in current.items() if old.pages.get(key) != made]
        removed = [key for key in old.pages if key not in current]
        self._number(current)
        language = self.graph.config.language
        texts = {key: text_of(current[key][0], language) for key in changed}
        made = {key: entries_of(text) for key, text in texts.items()}
        new.pages = {key: made_from for key, (_, made_from) in current.items()}
        new.versions = dict(old.versions)
        new.recent, new.stale = set(old.recent), dict(old.stale)
        segment = self._segment(removed, made)
        if len(self._since_merge()) > recent.MAX_PAGES or segment.size() > recent.MAX_POSTINGS:
            self._merge(segment)
        else:
            self._keep_buckets(set())
            self._put_segment(segment)
        blocks = {new.ids[key] // BLOCK for key in changed}
        blocks |= {old.ids[key] // BLOCK for key in removed}
        self._pages(texts, blocks)
        self._finish()
        return new

    def _number(self, current: dict) -> None:
        """Ids kept; an added page takes the lowest id a removal freed, else the next one."""
        old, new = self.old, self.new
        new.buckets, new.sized_for = old.buckets, old.sized_for
        new.ids = {key: old.ids[key] for key in current if key in old.ids}
        free = sorted(set(range(max(old.ids.values(), default=-1) + 1)) - set(new.ids.values()))
        added = sorted((current[key][0] for key in current if key not in new.ids), key=_order)
        for article in added:
            new.ids[article.key] = free.pop(0) if free else len(new.ids)

    def _segment(self, removed: list[str], made: dict[str, dict[str, str]]) -> Recent:
        """The committed recent segment with the changes of this build: a removed or changed
        page leaves it (and its id's postings in the buckets are stale); a changed page
        enters it, unless its terms are the ones the buckets already have for it."""
        old, new = self.old, self.new
        segment = Recent.read(
            unpacked(self._committed(file_name("r", n))) for n in range(old.recent_files)
        )
        leaving = {old.ids[key] for key in [*removed, *made] if key in old.recent}
        segment.without(leaving)
        new.recent -= {*removed, *made}
        for key in [*removed, *made]:  # an id a removal frees may be taken by an addition
            after = made.get(key)
            if key in old.pages and key not in old.recent:
                before = self._entries_before(key)
                if before == after:
                    continue  # the buckets' postings for it still hold
                new.stale[old.ids[key]] = sorted({bucket_of(t, new.buckets) for t in before})
            if after is not None:
                segment.add(new.ids[key], after)
                new.recent.add(key)
        return segment

    def _since_merge(self) -> set[int]:
        """The ids of the pages added, changed or removed since the last merge."""
        return set(self.new.stale) | {self.new.ids[key] for key in self.new.recent}

    def _merge(self, segment: Recent) -> None:
        """The recent segment and the stale ids into the buckets they touch; every other
        bucket is checked, and every touched one read, before anything is staged."""
        new = self.new
        stale_in: dict[int, set[int]] = {}
        for number, buckets in new.stale.items():
            for bucket in buckets:
                stale_in.setdefault(bucket, set()).add(number)
        recent_in: dict[int, dict[str, dict[int, int]]] = {}
        for term, found in segment.postings.items():
            recent_in.setdefault(bucket_of(term, new.buckets), {})[term] = found
        touched = set(stale_in) | set(recent_in)
        self._keep_buckets(touched)
        for number in touched:
            self._committed(file_name("i", number))
        for number in sorted(touched):
            name = file_name("i", number)
            bucket = unpacked(self._committed(name))
            merged = recent.merged(bucket, stale_in.get(number, set()), recent_in.get(number, {}))
            self._put(name, _sorted_packed(merged))
        new.recent, new.stale = set(), {}
        self._put_segment(Recent())

    def _keep_buckets(self, touched: set[int]) -> None:
        """Keep every bucket but the `touched` ones; _Stale if one is not what the state
        says (found before anything is staged)."""
        for number in range(self.new.buckets):
            if number not in touched and not self._kept(file_name("i", number)):
                raise _Stale

    def _put_segment(self, segment: Recent) -> None:
        files = segment.files(bucket_of)
        for number, data in enumerate(files):
            self._put(file_name("r", number), _sorted_packed(data))
        self.new.recent_files = len(files)

    def _anew(self, articles: list[Article], current: dict) -> SearchState:
        """Every page's terms (and text file) made on every core; buckets from their union."""
        new = self.new
        new.ids = {article.key: number for number, article in enumerate(articles)}
        language = self.graph.config.language
        sample = articles[:: max(1, len(articles) // 50)]
        guess = sum(len(entries_of(text_of(a, language))) for a in sample) * len(articles)
        new.buckets = _bucket_count(guess // max(1, len(sample)))
        new.sized_for = len(articles)
        new.pages = {key: made_from for key, (_, made_from) in current.items()}
        self._put_buckets(_joined(_make(articles, new.ids, self), new.buckets))
        self._pages({}, None)
        self._finish()
        return new

    def _put_buckets(self, buckets: list[dict[str, list[str]]]) -> None:
        """Each bucket written as JSON here, then compressed, its version made and staged
        by threads, one per core: zlib (three quarters of this tail of a new index, when
        every worker is done), the digest and the file's writing let go of the interpreter
        lock, so they run on every core while this one writes the next buckets' JSON. A few
        buckets at a time are in flight; they are recorded in order."""
        writer = self.writer

        def finish(name: str, text: bytes) -> tuple[str, str, bool]:
            data = _compressed(text)
            return name, _version(data), writer.stage(FOLDER + name, data)

        with ThreadPoolExecutor(worker_count()) as compressing:
            pending: deque[Future] = deque()
            for number, bucket in enumerate(buckets):
                text = _json({term: "".join(bucket[term]) for term in sorted(bucket)})
                buckets[number] = {}
                pending.append(compressing.submit(finish, file_name("i", number), text))
                while pending and (pending[0].done() or len(pending) > IN_FLIGHT):
                    self._record(*pending.popleft().result())
            for future in pending:
                self._record(*future.result())

    def _entries_before(self, key: str) -> dict[str, str]:
        """The terms the buckets hold for `key` (a page not in the recent segment), from its
        text file in the output: the file they were made from."""
        try:
            return entries_of(unpacked(self._committed(file_name("f", self.old.ids[key]))))
        except (ValueError, KeyError, TypeError):
            raise _Stale from None

    def _committed(self, name: str) -> bytes:
        """The output's file `name` when it is the version the state knows (the committed
        one, until this update stages a new one); else _Stale."""
        committed = self.new.versions.get(name)
        try:
            data = (self.writer.output / FOLDER / name).read_bytes()
        except OSError:
            raise _Stale from None
        if committed is None or _version(data) != committed:
            raise _Stale
        return data

    def _pages(self, changed: dict[str, dict], blocks: set[int] | None) -> None:
        """The text files of the `changed` pages (key -> text), and the `blocks` that list
        their ids (None: every block); every other file of theirs is kept as it is."""
        new, graph, writer = self.new, self.graph, self.writer
        language = graph.config.language
        by_id = {number: graph.articles[key] for key, number in new.ids.items()}
        for key, text in changed.items():
            self._put(file_name("f", new.ids[key]), _packed(text))
        kept = {
            file_name("f", number): number for key, number in new.ids.items() if key not in changed
        }
        trusted = writer.present is not None and not self.verify
        # With the writer's listing, keep_all keeps all of them (as the state knows them,
        # unread) or none; else each is looked at.
        if not (trusted and writer.keep_all([FOLDER + name for name in kept])):
            for name, number in kept.items():
                self._keep(name, lambda n=number: _packed(text_of(by_id[n], language)))
        categories = {key: n for n, key in enumerate(graph.config.category_names)}
        count = max(new.ids.values(), default=-1) + 1
        self._blocks = -(-count // BLOCK)

        def block(number: int) -> bytes:
            ids = range(number * BLOCK, min(count, (number + 1) * BLOCK))
            shown = [by_id.get(n) for n in ids]
            return _packed(
                {
                    "c": [
                        None
                        if a is None
                        else categories.get(a.category.key, -1)
                        if a.category
                        else -1
                        for a in shown
                    ],
                    "d": [0 if a is None else _sortable(a) for a in shown],
                    "v": [
                        "" if a is None else new.versions[file_name("f", n)]
                        for n, a in zip(ids, shown, strict=True)
                    ],
                }
            )

        for number in range(self._blocks):
            name = file_name("d", number)
            if blocks is None or number in blocks or name not in new.versions:
                self._put(name, block(number))
            else:
                self._keep(name, lambda n=number: block(n))

    def _finish(self) -> None:
        new, config = self.new, self.graph.config
        live = {file_name("i", n) for n in range(new.buckets)}
        live |= {file_name("f", n) for n in new.ids.values()}
        live |= {file_name("d", n) for n in range(self._blocks)}
        live |= {file_name("r", n) for n in range(new.recent_files)}
        new.versions = {name: version for name, version in new.versions.items() if name in live}
        meta = {
            "format": FORMAT,
            "buckets": new.buckets,
            "block": BLOCK,
            "blocks": [new.versions[file_name("d", n)] for n in range(self._blocks)],
            "index": [new.versions[file_name("i", n)] for n in range(new.buckets)],
            "recent": [new.versions[file_name("r", n)] for n in range(new.recent_files)],
            "stale": sorted(new.stale),
            "categories": list(config.category_names.values()),
            "pages": len(new.ids),
            "language": config.language,
        }
        self.writer.put(META, _json(meta))

    def _put(self, name: str, data: bytes) -> None:
        self._record(name, _version(data), self.writer.stage(FOLDER + name, data))

    def _record(self, name: str, version: str, staged: bool) -> None:
        self.writer.record(FOLDER + name, staged)
        self.new.versions[name] = version

    def _keep(self, name: str, make) -> None:
        if not (FOLDER + name in self.writer.produced or self._kept(name)):
            self._put(name, make())

    def _kept(self, name: str) -> bool:
        """Whether the output's file is the one the state knows (then it stays as it is)."""
        if name not in self.new.versions:
            return False
        if self.verify:
            try:
                self._committed(name)
            except _Stale:
                return False
        return self.writer.keep(FOLDER + name)


def _make(articles: list[Article], ids: dict[str, int], update: _Update) -> list[bytes]:
    """A new index's postings, slice by slice (see _make_slice), and the articles' text
    files, staged: on every core."""
    writer, new = update.writer, update.new
    shared = (articles, ids, writer, update.graph.config.language)
    parts: list[bytes] = []
    for part, staged in run_in_workers(_make_slice, len(articles), inherit=shared):
        parts.append(part)
        for name, version, changed in staged:
            writer.record(FOLDER + name, changed)
            new.versions[name] = version
    return parts


def _make_slice(start: int, stop: int) -> tuple[bytes, list]:
    """A slice's postings (pickled: term -> first id, the postings written after it, last
    id) and its articles' text files, staged. The loop runs once per page and term (millions):
    it only appends the id and the entry to the term's list; the steps between ids are
    written once the slice is done, a term at a time (postings.stepped), a sixth less."""
    articles, ids, writer, language = inherited()
    found_in: dict[str, list] = {}
    staged = []
    numbers = [ids[article.key] for article in articles[start:stop]]
    for article, number in zip(articles[start:stop], numbers, strict=True):
        text = text_of(article, language)
        for term, made in entries_of(text).items():
            postings_of = found_in.get(term)
            if postings_of is None:  # [id, entry, id, entry…]
                found_in[term] = [number, made]
            else:
                postings_of += (number, made)
        data = _packed(text)
        name = file_name("f", number)
        staged.append((name, _version(data), writer.stage(FOLDER + name, data)))
    steps = postings.numbers_below(max(numbers, default=0) - min(numbers, default=0) + 1)
    part = {term: postings.stepped(found, steps) for term, found in found_in.items()}
    return _frozen(part), staged


def _joined(parts: list[bytes], count: int) -> list[dict[str, list[str]]]:
    """The slices' postings as buckets of term -> the pieces of its string, which are joined
    as each bucket is written (the whole index is never held twice). Slices come in id order,
    each term's piece of a slice being its first id there as a step from the last one before,
    then what the slice wrote after it. Each slice stays pickled and compressed until its
    turn: as objects, all of them at once weighed a sixth of the build's memory while the
    other cores still worked. A term's bucket is found once here, not in every slice that has
    it (ten times as many hashes)."""
    written: dict[str, list[str]] = {}
    last: dict[str, int] = {}
    for number, packed in enumerate(parts):
        parts[number] = b""
        for term, (first, after, final) in _unfrozen(packed).items():
            before = last.get(term)
            if before is None:
                written[term] = [postings.number(first) + after]
            else:
                written[term].append(postings.number(first - before) + after)
            last[term] = final
    del last
    buckets: list[dict[str, list[str]]] = [{} for _ in range(count)]
    for term, pieces in written.items():
        buckets[bucket_of(term, count)][term] = pieces
    return buckets


def _frozen(part: dict) -> bytes:
    """A slice's postings as bytes half their pickle's size (zlib's fastest level, about 50 MB
    a second)."""
    return zlib.compress(pickle.dumps(part, pickle.HIGHEST_PROTOCOL), 1)


def _unfrozen(data: bytes) -> dict:
    return pickle.loads(zlib.decompress(data))


class _Stale(Exception):
    """The output's index is not what the state says: make it anew."""


def bucket_of(term: str, buckets: int) -> int:
    """FNV-1a over the term's UTF-16 code units, as the search page computes it."""
    value = 0x811C9DC5
    data = term.encode("utf-16-le")
    for index in range(0, len(data), 2):
        value ^= data[index] | data[index + 1] << 8
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value & (buckets - 1)


def _bucket_count(postings: int) -> int:
    wanted = max(1, postings // POSTINGS_PER_BUCKET)
    count = MIN_BUCKETS
    while count < wanted and count < MAX_BUCKETS:
        count *= 2
    return count


def _order(article: Article) -> tuple:
    return (article.date.timestamp() if article.date else 0.0, article.key)


def _digest(article: Article) -> bytes:
    parts = (
        article.url,
        article.title,
        "\0".join(tag.name for tag in article.tags),
        article.category.key if article.category else "",
        article.category.name if article.category else "",
        article.date.isoformat() if article.date else "",
        article.body.digest.hex(),
        repr(article.links),
    )
    return digest("\x1f".join(parts).encode("utf-8", "surrogatepass"))


def entries_of(text: dict) -> dict[str, str]:
    """A page's terms from its text file (see terms.entries): the tags count as title."""
    return entries(" ".join([text["title"], *text["tags"]]), text["text"])


_BLOCK_TAGS = re.compile(
    r"<(?:/?(?:p|div|h[1-6]|li|ul|ol|dl|dt|dd|tr|td|th|table|blockquote|figure|figcaption"
    r"|pre|section|aside|header|footer|hr)\b[^>]*|br\s*/?)>",
    re.I,
)
_HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.I | re.S)
_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"[ \t\r\f\v]*\n\s*")


def page_text(markup: str) -> str:
    """The text a reader sees, lines kept where blocks end (inline tags join their words)."""
    text = _TAGS.sub("", _BLOCK_TAGS.sub("\n", _HIDDEN.sub("", markup)))
    return _SPACE.sub("\n", html.unescape(text)).strip()


def text_of(article: Article, language: str) -> dict:
    """What a result shows of a page, and all that its terms are made from."""
    return {
        "url": article.url,
        "title": article.title,
        "category": article.category.name if article.category else "",
        "date": format_date(article.date, language) if article.date else "",
        "tags": [tag.name for tag in article.tags],
        "text": page_text(article.html),
    }


def _sortable(article: Article) -> int:
    return int(article.date.timestamp() // 60) if article.date else 0


def _sorted_packed(bucket: dict[str, str]) -> bytes:
    return _packed({term: bucket[term] for term in sorted(bucket)})


def file_name(kind: str, number: int) -> str:
    """The name of a packed file of the index: i/, r/, d/ or f/ and its number."""
    return f"{kind}/{number}.json.gz"


def _packed(value: object) -> bytes:
    """JSON, gzip-compressed (no timestamp, so the same value gives the same bytes): the search
    page inflates it, and the index takes well under half the room. Level 4: the ratio of the
    highest for a third of the time."""
    return _compressed(_json(value))


def _compressed(text: bytes) -> bytes:
    return gzip.compress(text, compresslevel=4, mtime=0)


def unpacked(data: bytes) -> object:
    """What a packed file of the index holds (the one reader of them in Python)."""
    try:
        return json.loads(gzip.decompress(data))
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"not a packed search file: {error}") from None


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _version(data: bytes) -> str:
    return digest(data).hex()[:10]
