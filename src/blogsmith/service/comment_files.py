"""Approved comments and vote totals written into an article's `.comments.yaml`, so the
archive stays plain files in git.

The file's existing text is kept exactly: a comment is appended as a new list item, and a vote
total replaces only the number after `votes:` (or adds that line under the comment's `id`).
Each change re-reads the file first (an editor's commit in between is kept), writes a
temporary file beside it, syncs it and renames it over the old one, so a crash leaves the old
file or the new one, never half of either.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from blogsmith.core import yamlread, yamlwrite

_LOCK = threading.Lock()


class CommentFileRefused(Exception):
    """The file cannot be changed safely; what is wrong with it, for the moderator."""


@dataclass(frozen=True)
class NewComment:
    author: str
    date: datetime
    body: str
    parent: str | None = None
    url: str = ""


def comments_path(content_dir: Path, article_key: str) -> Path:
    """content/articles/x.md -> content/articles/x.comments.yaml (the key is a known article's)."""
    return content_dir / (article_key.removesuffix(".md") + ".comments.yaml")


def read_entries(path: Path) -> list[dict]:
    """The file's comments as YAML gives them; [] for no file."""
    return _entries(path, _read(path))


def _entries(path: Path, text: str) -> list[dict]:
    if not text.strip():
        return []
    try:
        data = yamlread.parse(text).data
    except yamlread.YamlSyntaxError as exc:
        raise CommentFileRefused(f"{path.name}:{exc.line}: invalid YAML: {exc.problem}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise CommentFileRefused(f"{path.name} is not a list of comments")
    return [entry for entry in data if isinstance(entry, dict)]


def append_comment(path: Path, comment: NewComment, wanted_id: str | None = None) -> str:
    """Adds `comment` with a fresh id (or `wanted_id` when still free) and returns its id;
    when the file holds it already (an approval a crash interrupted), nothing is added."""
    with _locked(path):
        text = _read(path)
        entries = _entries(path, text)
        ids = {str(entry.get("id")) for entry in entries}
        written = next((e for e in entries if _is_same(e, comment)), None)
        if written is not None:
            return str(written.get("id"))  # written before a crash: not twice
        if wanted_id in ids:
            wanted_id = None  # an editor gave the id to another comment meanwhile
        if comment.parent is not None and comment.parent not in ids:
            raise CommentFileRefused(
                f"{path.name} no longer has comment {comment.parent}, which this one answers"
            )
        if text.strip() and not _is_block_list(text):
            raise CommentFileRefused(
                f"{path.name} is not a block list ('- id: ...' items); rewrite it as one to add "
                "comments to it"
            )
        new_id = wanted_id or fresh_id(ids)
        entry: dict[str, object] = {"id": int(new_id) if new_id.isdigit() else new_id}
        if comment.parent is not None:
            entry["parent"] = int(comment.parent) if comment.parent.isdigit() else comment.parent
        entry["author"] = comment.author
        if comment.url:
            entry["url"] = comment.url
        entry["date"] = comment.date
        entry["votes"] = 0
        entry["body"] = comment.body
        if text and not text.endswith("\n"):
            text += "\n"
        _replace(path, text + yamlwrite.dump([entry]))
        return new_id


def _is_same(entry: dict, comment: NewComment) -> bool:
    """The same reader's comment: author, date to the second and text."""
    return (
        entry.get("author") == comment.author
        and str(entry.get("date", "")) == comment.date.isoformat()
        and str(entry.get("body", "")).strip() == comment.body.strip()
    )


def fresh_id(ids: set[str]) -> str:
    """One more than the largest number among the ids: never one in use."""
    numbers = [int(i) for i in ids if i.isdigit()]
    candidate = max(numbers, default=0) + 1
    while str(candidate) in ids:
        candidate += 1
    return str(candidate)


def set_votes(path: Path, totals: dict[str, int]) -> list[str]:
    """Each comment of `totals` gets that vote count; returns the ids it could not find."""
    with _locked(path):
        text = _read(path)
        root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
        if not isinstance(root, yaml.SequenceNode):
            return sorted(totals)
        edits: list[tuple[int, int, str]] = []
        missing = set(totals)
        for item in root.value:
            if not isinstance(item, yaml.MappingNode) or item.flow_style:
                continue
            pairs = {k.value: (k, v) for k, v in item.value if isinstance(k, yaml.ScalarNode)}
            if "id" not in pairs:
                continue
            key_node, id_node = pairs["id"]
            comment_id = str(id_node.value)
            if comment_id not in totals:
                continue
            missing.discard(comment_id)
            total = str(totals[comment_id])
            if "votes" in pairs and isinstance(pairs["votes"][1], yaml.ScalarNode):
                node = pairs["votes"][1]
                edits.append((node.start_mark.index, node.end_mark.index, total))
            else:
                line_end = text.find("\n", id_node.end_mark.index)
                at = len(text) if line_end < 0 else line_end
                indent = " " * key_node.start_mark.column
                edits.append((at, at, f"\n{indent}votes: {total}"))
        changed = text
        for start, end, new in sorted(edits, reverse=True):
            changed = changed[:start] + new + changed[end:]
        if changed != text:
            _replace(path, changed)
        return sorted(missing)


def _is_block_list(text: str) -> bool:
    return re.search(r"^- ", text, re.MULTILINE) is not None and not text.lstrip().startswith("[")


def _read(path: Path) -> str:
    if path.is_symlink():
        raise CommentFileRefused(f"{path.name} is a symbolic link; blogsmith writes only files")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except UnicodeDecodeError:
        raise CommentFileRefused(f"{path.name} is not UTF-8 text") from None


def _replace(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8", newline="") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)


class _locked:
    """One writer at a time per folder, across threads and processes (CLI and service): the
    lock is on the folder itself, so no lock file is left in content/."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self):
        _LOCK.acquire()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.folder = os.open(self.path.parent, os.O_RDONLY)
            fcntl.flock(self.folder, fcntl.LOCK_EX)
        except BaseException:
            _LOCK.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            os.close(self.folder)  # closing releases the lock
        finally:
            _LOCK.release()
