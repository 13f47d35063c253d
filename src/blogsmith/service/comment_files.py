"""Approved comments and vote totals written into an article's `.comments.yaml`, so the
archive stays plain files in git.

The file's existing text is kept exactly: a comment is appended as a new list item (before a
closing `...`, in the file's own line endings, after its byte order mark if it has one), and a
vote total replaces only the number after `votes:` (or adds that line under the comment's
`id`).

Content comes from pull requests, so nothing here trusts a name in it: the article's folder
is opened one component at a time without following a symbolic link, and every file is read
and written relative to that open folder. The new text goes to a temporary file created
exclusively under a random name (a planted name or link is never opened), with the old file's
permissions, synced, and renamed over the old file only if that is still the file that was
read: an editor's save in between is merged again instead of lost. A crash leaves the old file
or the new one, never half of either.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from blogsmith.core import yamlread, yamlwrite

_LOCK = threading.Lock()
BOM = "\ufeff"
MERGE_ATTEMPTS = 20
"""An approval merges again when the file changed while it was writing; an editor saving in a
loop would otherwise hold it for ever."""
_DOCUMENT_END = re.compile(r"^\.\.\.[ \t]*(?:#.*)?$", re.MULTILINE)


class CommentFileRefused(Exception):
    """The file cannot be changed safely; what is wrong with it, for the moderator."""


class ArticleGone(CommentFileRefused):
    """The article a comment belongs to is no longer in content/ (deleted or renamed)."""


class NoLongerWanted(CommentFileRefused):
    """The approval was overtaken (rejected or marked spam meanwhile): nothing was written."""


@dataclass(frozen=True)
class NewComment:
    author: str
    date: datetime
    body: str
    parent: str | None = None
    url: str = ""


def comments_name(article_key: str) -> str:
    """articles/x.md -> articles/x.comments.yaml, relative to content/."""
    return article_key.removesuffix(".md") + ".comments.yaml"


@dataclass
class _Read:
    """A comments file as read: its text without the byte order mark, and how to write it
    back the way it was saved."""

    text: str
    bom: bool
    newline: str
    identity: tuple | None
    """What must be unchanged for a rename over the file to keep everything (None: no file)."""
    mode: int | None


def read_entries(content_dir: Path, article_key: str) -> list[dict]:
    """The file's comments as YAML gives them; [] for no file."""
    with _article_folder(content_dir, article_key) as (folder, name):
        read = _read(folder, name)
    return _entries(name, read.text)


def append_comment(
    content_dir: Path,
    article_key: str,
    comment: NewComment,
    reserve: Callable[[str], bool],
    reserved_id: str | None = None,
) -> str:
    """Adds `comment` and returns its id in the file.

    `reserved_id` is the id an earlier attempt recorded for this very comment: if the file
    holds it with this author, date and text, a crash interrupted that attempt after writing,
    and nothing is added. Otherwise the id (that one while still free, else a fresh one) is
    passed to `reserve` before anything is written; `reserve` records it and answers whether
    the comment is still to be written (False: NoLongerWanted, nothing written)."""
    with _locked(content_dir, article_key) as (folder, name):
        _require_article(folder, article_key)
        for _ in range(MERGE_ATTEMPTS):
            read = _read(folder, name)
            entries = _entries(name, read.text)
            ids = {str(entry.get("id")) for entry in entries}
            if reserved_id in ids and any(
                str(e.get("id")) == reserved_id and _is_same(e, comment) for e in entries
            ):
                return reserved_id  # written before a crash: not twice
            _check_appendable(name, read.text, comment, ids)
            new_id = reserved_id if reserved_id and reserved_id not in ids else fresh_id(ids)
            if not reserve(new_id):
                raise NoLongerWanted(f"{name}: the comment was decided otherwise meanwhile")
            reserved_id = new_id
            entry = _entry(new_id, comment)
            if _replace_if_unchanged(folder, name, read, _appended(read.text, entry)):
                return new_id
        raise CommentFileRefused(f"{name} kept changing while the comment was added; try again")


def comment_in_file(
    content_dir: Path, article_key: str, file_id: str | None, comment: NewComment
) -> bool:
    """Whether the file holds this comment under `file_id` (an approval that got as far as
    writing it). Call inside `holding` so no approval is writing meanwhile."""
    if file_id is None:
        return False
    with _article_folder(content_dir, article_key) as (folder, name):
        entries = _entries(name, _read(folder, name).text)
    return any(str(e.get("id")) == file_id and _is_same(e, comment) for e in entries)


@contextmanager
def holding(content_dir: Path, article_key: str) -> Iterator[None]:
    """The article folder's writer lock, for a decision that must not interleave with an
    approval writing the file."""
    with _locked(content_dir, article_key):
        yield


def set_votes(content_dir: Path, article_key: str, totals: dict[str, int]) -> list[str]:
    """Each comment of `totals` gets that vote count; returns the ids it could not find."""
    with _locked(content_dir, article_key) as (folder, name):
        for _ in range(MERGE_ATTEMPTS):
            read = _read(folder, name)
            changed, missing = _with_votes(read, totals)
            if changed == read.text or _replace_if_unchanged(folder, name, read, changed):
                return missing
        raise CommentFileRefused(f"{name} kept changing while votes were folded in")


def remove_comment(
    content_dir: Path, article_key: str, comment_id: str, when: datetime
) -> tuple[str, bool]:
    """Takes the comment out of its file: the item goes, or, when other comments answer it,
    becomes a placeholder keeping only its id, parent and date, with `removed: when` (the
    replies stay in their thread, under a 削除されました line). The rest of the file's text is
    kept exactly. Returns (its author, whether a placeholder stayed)."""
    with _locked(content_dir, article_key) as (folder, name):
        for _ in range(MERGE_ATTEMPTS):
            read = _read(folder, name)
            changed, author, answered = _without_comment(name, read.text, comment_id, when)
            if _replace_if_unchanged(folder, name, read, changed):
                return author, answered
        raise CommentFileRefused(f"{name} kept changing while the comment was removed")


def edit_comment(
    content_dir: Path,
    article_key: str,
    comment_id: str,
    body: str,
    when: datetime,
    seen: Callable[[str], bool],
) -> str:
    """A moderator's new text for a published comment, marked `edited: when`; the rest of the
    file's text kept exactly. `seen(text) -> bool` says whether the text now in the file is
    the one the moderator changed (refused otherwise: another edit came first). Returns the
    text it had."""
    with _locked(content_dir, article_key) as (folder, name):
        for _ in range(MERGE_ATTEMPTS):
            read = _read(folder, name)
            found = _item(name, read.text, comment_id, "edit")
            if found.pairs.get("removed") is not None:
                raise CommentFileRefused(f"{name}: comment {comment_id} was taken down")
            before = str(_value(found.pairs.get("body")) or "")
            if not seen(before):
                raise CommentFileRefused(
                    f"{name}: comment {comment_id} was changed since you read it; read it again"
                )
            entry = {
                key: _value(node)
                for key, node in found.pairs.items()
                if key not in ("edited", "body")
            }
            entry.update(edited=when, body=body)
            if _replace_if_unchanged(folder, name, read, found.replaced(read.text, entry)):
                return before
        raise CommentFileRefused(f"{name} kept changing while the comment was edited")


@dataclass(frozen=True)
class _Item:
    """A comment's list item in a file's text: where it starts and ends, its keys' nodes."""

    start: int
    end: int
    indent: str
    pairs: dict[str, yaml.Node]
    answered: bool
    """Another comment of the file answers it."""

    def replaced(self, text: str, entry: dict[str, object]) -> str:
        """`text` with this item written anew as `entry`, at the same indentation."""
        lines = yamlwrite.dump([entry]).splitlines(True)
        return (
            text[: self.start]
            + "".join(self.indent + line for line in lines)
            + text[min(self.end, len(text)) :]
        )


def _item(name: str, text: str, comment_id: str, doing: str) -> _Item:
    """The comment's item; CommentFileRefused when the file has no such comment, or holds it
    in a form not written one per item."""
    _entries(name, text)  # a clear refusal for text that is not a list of comments
    root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    if isinstance(root, yaml.SequenceNode) and root.flow_style:
        raise CommentFileRefused(
            f"{name} is not a block list ('- id: ...' items); rewrite it as one to {doing} "
            "comments in it"
        )
    items = root.value if isinstance(root, yaml.SequenceNode) else []
    found = None
    answered = False
    for item in items:
        if not isinstance(item, yaml.MappingNode):
            continue
        pairs = {k.value: v for k, v in item.value if isinstance(k, yaml.ScalarNode)}
        ident = pairs.get("id")
        parent = pairs.get("parent")
        if isinstance(ident, yaml.ScalarNode) and str(ident.value).strip() == comment_id:
            found = (item, pairs)
        elif isinstance(parent, yaml.ScalarNode) and str(parent.value).strip() == comment_id:
            answered = True
    if found is None:
        raise CommentFileRefused(f"{name} has no comment {comment_id}")
    item, pairs = found
    if item.flow_style:
        raise CommentFileRefused(
            f"{name}: comment {comment_id} is not written as a block list item ('- id: ...'); "
            f"rewrite the file as one to {doing} it"
        )
    start = text.rfind("\n", 0, item.start_mark.index) + 1  # the line of its "- "
    last = max(node.end_mark.index for node in pairs.values())
    end = last if last > 0 and text[last - 1] == "\n" else _line_end(text, last) + 1
    lead = text[start : item.start_mark.index]
    indent = lead[: lead.find("-")] if "-" in lead else ""
    return _Item(start, end, indent, pairs, answered)


def _value(node: yaml.Node | None) -> object:
    return None if node is None else yaml.safe_load(yaml.serialize(node))


def _without_comment(
    name: str, text: str, comment_id: str, when: datetime
) -> tuple[str, str, bool]:
    """`text` with the comment's list item removed, or made a placeholder when others
    answer it; (the text, its author, whether a placeholder stayed)."""
    found = _item(name, text, comment_id, "remove")
    author = found.pairs.get("author")
    said = str(author.value) if isinstance(author, yaml.ScalarNode) else ""
    if not found.answered:
        return text[: found.start] + text[found.end :], said, False
    kept: dict[str, object] = {"id": _as_written(comment_id)}
    for key in ("parent", "date"):
        node = found.pairs.get(key)
        if isinstance(node, yaml.ScalarNode):
            kept[key] = _value(node)
    kept["removed"] = when
    return found.replaced(text, kept), said, True


def fresh_id(ids: set[str]) -> str:
    """One more than the largest number among the ids: never one in use."""
    numbers = [int(i) for i in ids if i.isdigit()]
    candidate = max(numbers, default=0) + 1
    while str(candidate) in ids:
        candidate += 1
    return str(candidate)


def _entries(name: str, text: str) -> list[dict]:
    if not text.strip():
        return []
    try:
        data = yamlread.parse(text).data
    except yamlread.YamlSyntaxError as exc:
        raise CommentFileRefused(f"{name}:{exc.line}: invalid YAML: {exc.problem}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise CommentFileRefused(f"{name} is not a list of comments")
    return [entry for entry in data if isinstance(entry, dict)]


def _check_appendable(name: str, text: str, comment: NewComment, ids: set[str]) -> None:
    if comment.parent is not None and comment.parent not in ids:
        raise CommentFileRefused(
            f"{name} no longer has comment {comment.parent}, which this one answers"
        )
    if text.strip() and not _is_block_list(text):
        raise CommentFileRefused(
            f"{name} is not a block list ('- id: ...' items); rewrite it as one to add "
            "comments to it"
        )


def _entry(new_id: str, comment: NewComment) -> dict[str, object]:
    entry: dict[str, object] = {"id": _as_written(new_id)}
    if comment.parent is not None:
        entry["parent"] = _as_written(comment.parent)
    entry["author"] = comment.author
    if comment.url:
        entry["url"] = comment.url
    entry["date"] = comment.date
    entry["votes"] = 0
    entry["body"] = comment.body
    return entry


def _as_written(comment_id: str) -> int | str:
    """An id as YAML must hold it to read back the same: a number only when the text is the
    number's own spelling ("0101" stays text, or it would come back as 101)."""
    return (
        int(comment_id)
        if comment_id.isdigit() and str(int(comment_id)) == comment_id
        else (comment_id)
    )


def _appended(text: str, entry: dict[str, object]) -> str:
    """`text` with `entry` added as the list's last item: before a closing `...` if the file
    has one (after it, YAML would read a second document)."""
    end = _DOCUMENT_END.search(text)
    head, tail = (text[: end.start()], text[end.start() :]) if end else (text, "")
    if head and not head.endswith("\n"):
        head += "\n"
    return head + yamlwrite.dump([entry]) + tail


def _with_votes(read: _Read, totals: dict[str, int]) -> tuple[str, list[str]]:
    """The text with each total put after its comment's `votes:` (or on a line added under
    its `id`), and the ids not found."""
    text = read.text
    root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    if not isinstance(root, yaml.SequenceNode):
        return text, sorted(totals)
    edits: list[tuple[int, int, str]] = []
    missing = set(totals)
    for item in root.value:
        if not isinstance(item, yaml.MappingNode) or item.flow_style:
            continue
        pairs = {k.value: (k, v) for k, v in item.value if isinstance(k, yaml.ScalarNode)}
        if "id" not in pairs or str(pairs["id"][1].value) not in totals:
            continue
        key_node, id_node = pairs["id"]
        comment_id = str(id_node.value)
        missing.discard(comment_id)
        total = str(totals[comment_id])
        if "votes" in pairs and isinstance(pairs["votes"][1], yaml.ScalarNode):
            node = pairs["votes"][1]
            edits.append((node.start_mark.index, node.end_mark.index, total))
        else:
            at = _line_end(text, id_node.end_mark.index)
            indent = " " * key_node.start_mark.column
            edits.append((at, at, f"\n{indent}votes: {total}"))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text, sorted(missing)


def _line_end(text: str, index: int) -> int:
    """Where the line holding `index` ends, before its line break."""
    found = text.find("\n", index)
    return len(text) if found < 0 else found


def _is_block_list(text: str) -> bool:
    return re.search(r"^- ", text, re.MULTILINE) is not None and not text.lstrip().startswith("[")


def _is_same(entry: dict, comment: NewComment) -> bool:
    """The same reader's comment: author, date to the second and text."""
    return (
        entry.get("author") == comment.author
        and str(entry.get("date", "")) == comment.date.isoformat()
        and str(entry.get("body", "")).strip() == comment.body.strip()
    )


def _require_article(folder: int, article_key: str) -> None:
    name = article_key.rsplit("/", 1)[-1]
    try:
        found = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        found = None
    if found is None or not _is_regular(found):
        raise ArticleGone(
            f"the article {article_key} is no longer in content/ (deleted or renamed)"
        )


def _is_regular(found: os.stat_result) -> bool:
    return (found.st_mode & 0o170000) == 0o100000


def _read(folder: int, name: str) -> _Read:
    try:
        descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder)
    except FileNotFoundError:
        return _Read("", False, "\n", None, None)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise CommentFileRefused(
                f"{name} is a symbolic link; blogsmith writes only files"
            ) from None
        raise
    with os.fdopen(descriptor, "rb") as stream:
        found = os.fstat(stream.fileno())
        if not _is_regular(found):
            raise CommentFileRefused(f"{name} is not a file")
        data = stream.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CommentFileRefused(f"{name} is not UTF-8 text") from None
    bom = text.startswith(BOM)
    text = text.removeprefix(BOM)
    if "\r\n" in text and text.count("\r\n") == text.count("\n"):  # saved on Windows
        return _Read(text.replace("\r\n", "\n"), bom, "\r\n", _identity(found), found.st_mode)
    return _Read(text, bom, "\n", _identity(found), found.st_mode)


def _identity(found: os.stat_result) -> tuple:
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def _replace_if_unchanged(folder: int, name: str, read: _Read, text: str) -> bool:
    """Writes `text` over `name` the way it was saved (BOM, line endings, permissions), if the
    file is still the one `read` saw; False (nothing changed) when it is not."""
    data = ((BOM if read.bom else "") + text.replace("\n", read.newline)).encode("utf-8")
    temporary = _write_temporary(folder, name, data, read.mode)
    try:
        if _current_identity(folder, name) != read.identity:
            return False  # an editor saved meanwhile: merge again from their text
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        temporary = None
    finally:
        if temporary is not None:
            os.unlink(temporary, dir_fd=folder)
    os.fsync(folder)  # the rename itself survives a power cut
    return True


def _write_temporary(folder: int, name: str, data: bytes, mode: int | None) -> str:
    """A new file beside `name`, created exclusively (never a name someone planted)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    while True:
        temporary = f".{name}.{secrets.token_hex(8)}.tmp"
        try:
            descriptor = os.open(temporary, flags, 0o666, dir_fd=folder)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(descriptor, "wb") as stream:
            if mode is not None:
                os.fchmod(stream.fileno(), mode & 0o7777)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        os.unlink(temporary, dir_fd=folder)
        raise
    return temporary


def _current_identity(folder: int, name: str) -> tuple | None:
    try:
        return _identity(os.stat(name, dir_fd=folder, follow_symlinks=False))
    except FileNotFoundError:
        return None


@contextmanager
def _article_folder(content_dir: Path, article_key: str) -> Iterator[tuple[int, str]]:
    """(the open folder of the article's comments file, the file's name in it), each folder
    below content/ opened without following a symbolic link."""
    *folders, article = article_key.split("/")
    if not article or any(part in ("", ".", "..") for part in folders):
        raise CommentFileRefused(f"{article_key} is not a path inside content/")
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
    descriptor = os.open(content_dir, flags)
    try:
        for part in folders:
            try:
                inner = os.open(part, flags | os.O_NOFOLLOW, dir_fd=descriptor)
            except FileNotFoundError:
                raise ArticleGone(f"the article {article_key} is no longer in content/") from None
            except NotADirectoryError:
                raise CommentFileRefused(
                    f"{part}/ in {article_key} is a symbolic link or not a folder; "
                    "blogsmith writes only inside content/'s own folders"
                ) from None
            except OSError as exc:
                if exc.errno != errno.ELOOP:
                    raise
                raise CommentFileRefused(
                    f"{part}/ in {article_key} is a symbolic link; blogsmith writes only inside "
                    "content/'s own folders"
                ) from None
            os.close(descriptor)
            descriptor = inner
        yield descriptor, comments_name(article).rsplit("/", 1)[-1]
    finally:
        os.close(descriptor)


@contextmanager
def _locked(content_dir: Path, article_key: str) -> Iterator[tuple[int, str]]:
    """One writer at a time per folder, across threads and processes (CLI and service): the
    lock is on the folder itself, so no lock file is left in content/."""
    with _LOCK, _article_folder(content_dir, article_key) as (folder, name):
        fcntl.flock(folder, fcntl.LOCK_EX)  # released when the folder is closed
        yield folder, name
