"""The build cache kept on disk between `blogsmith build` runs.

Two files in the cache folder: a small manifest (what every input was, when the next
scheduled article falls due, and what the output held), enough to see that nothing changed
without loading anything else; and the BuildCache itself. Both carry the blogsmith and Python
versions; a file that does not load, or comes from another version, is ignored and rebuilt,
never trusted. Writes are atomic.

The cache folder sits beside the output, often inside the site's repository, where a pull
request can put any file; unpickling runs code. So every file is signed with a key that lives
outside the site (in the user's cache folder, made on first use) and is unpickled only when its
signature is this machine's: a planted or copied cache is ignored like a corrupt one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from blogsmith import __version__
from blogsmith.core.build_cache import BuildCache
from blogsmith.output.writer import OWNED_LIST
from blogsmith.render.images import COPY_NAME

FORMAT = 8
DEFAULT_FOLDER = ".blogsmith-cache"


@dataclass
class Manifest:
    inputs: bytes
    output: str
    next_publication: float | None
    outputs: dict[str, tuple[int, int]] = field(default_factory=dict)
    pages: int = 0
    static_files: int = 0
    warnings: list = field(default_factory=list)

    def __getstate__(self) -> dict:
        """`outputs` as one string of names and one array of numbers: a photo archive's
        hundred thousand entries then load in milliseconds, not as that many tuples."""
        state = dict(vars(self))
        numbers = array("q", chain.from_iterable(self.outputs.values()))
        state["outputs"] = ("\0".join(self.outputs), numbers.tobytes())
        return state

    def __setstate__(self, state: dict) -> None:
        names, packed = state["outputs"]
        numbers = array("q")
        numbers.frombytes(packed)
        pairs = iter(numbers)
        figures = zip(pairs, pairs, strict=True)
        state["outputs"] = dict(zip(names.split("\0") if names else (), figures, strict=True))
        vars(self).update(state)


MAGIC = b"blogsmith cache\n"
KEY_FILE_VARIABLE = "BLOGSMITH_CACHE_KEY_FILE"


def _stamp() -> tuple:
    return (FORMAT, __version__, sys.version_info[:2])


_KEY: bytes | None = None


def cache_key() -> bytes:
    """This user's signing key: read from (or made in) a file outside any site; where no such
    file can be written, one for this process only (its caches are then never reused)."""
    global _KEY
    if _KEY is None:
        path = Path(
            os.environ.get(KEY_FILE_VARIABLE)
            or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
            / "blogsmith/cache-key"
        )
        try:
            _KEY = path.read_bytes()
        except OSError:
            _KEY = b""
        if len(_KEY) < 32:
            _KEY = secrets.token_bytes(32)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(descriptor, "wb") as stream:
                    stream.write(_KEY)
            except OSError:
                pass
    return _KEY


def _signature(payload: bytes) -> bytes:
    return hmac.new(cache_key(), payload, hashlib.sha256).digest()


class CacheFolder:
    def __init__(self, folder: Path):
        self.folder = folder

    def load_manifest(self) -> Manifest | None:
        value = self._load("manifest.pickle")
        return value if isinstance(value, Manifest) else None

    def load_cache(self) -> BuildCache | None:
        value = self._load("cache.pickle")
        if not isinstance(value, BuildCache):
            return None
        images = self._load("images.pickle")  # each answer is checked again before use
        if isinstance(images, tuple) and len(images) == 2:  # else none: images_for says so
            value.image_settings, value.images = images
        return value

    def save(self, manifest: Manifest, cache: BuildCache | None) -> None:
        """The cache, its image answers when they changed (a photo archive has tens of
        thousands, and most builds change none), then the manifest."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if cache is not None:
            if cache.images_changed or not (self.folder / "images.pickle").exists():
                self._save("images.pickle", (cache.image_settings, cache.images))
                cache.images_changed = False
            self._save("cache.pickle", cache.for_disk())
        self._save("manifest.pickle", manifest)

    def forget(self) -> None:
        for name in ("manifest.pickle", "cache.pickle", "images.pickle"):
            try:
                (self.folder / name).unlink()
            except OSError:
                pass

    def _load(self, name: str) -> object | None:
        try:
            data = (self.folder / name).read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            self.forget()
            return None
        start = len(MAGIC) + hashlib.sha256().digest_size
        payload = memoryview(data)[start:]  # no copy of a cache of a hundred megabytes
        if not data.startswith(MAGIC) or not hmac.compare_digest(
            data[len(MAGIC) : start], _signature(payload)
        ):
            self.forget()  # not written here (planted, copied, or damaged): never unpickled
            return None
        try:
            stamp, value = pickle.loads(payload)
        except Exception:  # signed but unreadable (a class that changed): start afresh
            self.forget()
            return None
        return value if stamp == _stamp() else None

    def _save(self, name: str, value: object) -> None:
        """Pickled straight to the file, signed on the way; the signature goes in last."""
        temporary = self.folder / f".{name}.{os.getpid()}.tmp"
        signer = hmac.new(cache_key(), digestmod=hashlib.sha256)
        with open(temporary, "wb") as stream:
            stream.write(MAGIC + bytes(signer.digest_size))
            pickle.dump((_stamp(), value), _Signing(stream, signer), pickle.HIGHEST_PROTOCOL)
            stream.seek(len(MAGIC))
            stream.write(signer.digest())
        os.replace(temporary, self.folder / name)


class _Signing:
    """A file to pickle into that signs everything written to it."""

    def __init__(self, stream, signer) -> None:
        self.stream, self.signer = stream, signer

    def write(self, data: bytes) -> int:
        self.signer.update(data)
        return self.stream.write(data)


BY_NAME = (-1, -1)
"""The state recorded for an image copy: its name holds its source's digest, so it is checked
by name (present or not), not stat-ed on every build (copies outnumber pages five to one in a
photo archive)."""


def output_state(
    output: Path,
    before: dict[str, tuple[int, int]] | None = None,
    changed: Iterable[str] = (),
) -> dict[str, tuple[int, int]]:
    """Every output file with its size and modification time (`BY_NAME` for image copies);
    from `before` and the files this process `changed` (written or removed) when only those
    can differ."""
    if before is not None:
        state = dict(before)
        for relative in changed:
            try:
                stat = os.stat(output / relative)
            except FileNotFoundError:
                state.pop(relative, None)
                continue
            state[relative] = BY_NAME if COPY_NAME.search(relative) else _figures(stat)
        return state
    state: dict[str, tuple[int, int]] = {}

    def walk(folder: str, prefix: str) -> None:  # os.walk's joins cost more than the stats
        try:
            entries = os.scandir(folder)
        except OSError:  # as os.walk: a folder that is gone or unreadable holds nothing
            return
        with entries:
            for entry in entries:
                name = entry.name
                if entry.is_dir():
                    if not entry.is_symlink():  # as os.walk: never into a linked folder
                        walk(entry.path, f"{prefix}{name}/")
                elif not prefix and name == OWNED_LIST:
                    continue  # the writer's own record, not an output file
                elif "w." in name and COPY_NAME.search(name):
                    state[prefix + name] = BY_NAME
                else:
                    try:
                        state[prefix + name] = _figures(entry.stat())
                    except FileNotFoundError:  # removed while listed
                        continue

    walk(str(output), "")
    return state


def _figures(stat: os.stat_result) -> tuple[int, int]:
    return (stat.st_size, stat.st_mtime_ns)
