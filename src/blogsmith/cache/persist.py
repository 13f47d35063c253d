"""The build cache kept on disk between `blogsmith build` runs.

In the cache folder: a small manifest (what every input was, when the next
scheduled article falls due, and what the output held), enough to see that nothing changed
without loading anything else; and the BuildCache (cache.build_cache), with each file's
results in parts and the image records beside it. All carry the blogsmith and Python
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from blogsmith import __version__
from blogsmith.cache.output_state import OutputState

if TYPE_CHECKING:
    from blogsmith.cache.build_cache import BuildCache
    from blogsmith.content.load import ContentPrints, FileResults

FORMAT = 15


@dataclass
class Manifest:
    inputs: bytes
    output: str
    next_publication: float | None
    outputs: OutputState = field(default_factory=OutputState)
    pages: int = 0
    static_files: int = 0
    warnings: list = field(default_factory=list)
    static_prints: dict[str, tuple[int, int, bytes]] = field(default_factory=dict)
    """Each static file's size, time and digest (cache.inputs.static_prints)."""
    content_prints: tuple[ContentPrints, int] | None = None
    """Each content file's status and digest, and when they were taken (see
    content.load.read_content_files)."""
    frame: bytes | None = None
    """The digest of everything the build read but the content (cache.inputs.frame_digest)."""

    def __getstate__(self) -> dict:
        """`outputs` packed (see OutputState.packed): a photo archive's hundred thousand
        entries then load in milliseconds."""
        return {**vars(self), "outputs": self.outputs.packed()}

    def __setstate__(self, state: dict) -> None:
        vars(self).update(state, outputs=OutputState.unpacked(state["outputs"]))


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


def signature(payload: bytes) -> bytes:
    """HMAC-SHA256 of `payload` with this user's key: what proves a file beside the output
    (the cache, a deploy's record of a target) was written here, not planted."""
    return hmac.new(cache_key(), payload, hashlib.sha256).digest()


_signature = signature


class CacheFolder:
    def __init__(self, folder: Path):
        self.folder = folder

    def load_manifest(self) -> Manifest | None:
        value = self._load("manifest.pickle")
        return value if isinstance(value, Manifest) else None

    def manifest_mark(self) -> tuple[int, int, int] | None:
        """The saved manifest's time, size and inode: whether another process saved a build
        since this one did (None when there is none)."""
        try:
            status = (self.folder / "manifest.pickle").stat()
        except OSError:
            return None
        return status.st_mtime_ns, status.st_size, status.st_ino

    def load_cache(self) -> BuildCache | None:
        # Imported here: the stages' modules cost what a deploy, which only signs, need not.
        from blogsmith.cache.build_cache import BuildCache
        from blogsmith.content.load import FileEntry

        value = self._load("cache.pickle")
        if not isinstance(value, BuildCache):
            return None
        for shard in range(FILE_SHARDS):
            part = self._load(_shard_name(shard))
            # A part saved with other settings (a save cut short) is left out: its files are
            # loaded again, and that part written anew.
            if isinstance(part, tuple) and len(part) == 2 and part[0] == value.files.settings:
                try:
                    entries = {path: FileEntry(*made) for path, made in part[1].items()}
                except (AttributeError, TypeError, ValueError):  # signed, yet not a part
                    continue
                value.files.entries.update(entries)
        value.files.changed = set()
        images = self._load("images.pickle")  # each answer is checked again before use
        if isinstance(images, tuple) and len(images) == 2:  # else none: images_for says so
            value.images.settings, value.images.records = images
        return value

    def save(self, manifest: Manifest, cache: BuildCache | None) -> None:
        """The cache, its image answers when they changed (a photo archive has tens of
        thousands, and most builds change none), then the manifest."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if cache is not None:
            images = cache.images
            if images.changed or not (self.folder / "images.pickle").exists():
                self._save("images.pickle", (images.settings, images.records))
                images.changed = False
            self._save_files(cache.files)
            self._save("cache.pickle", cache.for_disk())
        self._save("manifest.pickle", manifest)

    def _save_files(self, results: FileResults) -> None:
        """The parts of the results holding an entry that changed since the last save: an edit
        rewrites one part of the per-file results (a few megabytes), not all of them. Each
        part is one pickle of its results, which loads in two thirds of the time of as many
        pickles as files (what the files share, a category, a time zone, is stored once)."""
        changed = results.changed
        if changed is None:
            shards = set(range(FILE_SHARDS))
        else:
            shards = {_shard_of(source) for source in changed}
            shards.update(
                s for s in range(FILE_SHARDS) if not (self.folder / _shard_name(s)).exists()
            )
        parts: dict[int, dict] = {shard: {} for shard in shards}
        for source, entry in results.entries.items():
            part = parts.get(_shard_of(source))
            if part is not None:
                part[source] = (entry.digest, entry.value)
        for shard, entries in sorted(parts.items()):
            self._save(_shard_name(shard), (results.settings, entries))
        results.changed = set()

    def forget(self) -> None:
        shards = [_shard_name(shard) for shard in range(FILE_SHARDS)]
        for name in ("manifest.pickle", "cache.pickle", "images.pickle", *shards):
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


FILE_SHARDS = 16
"""The per-file results are saved in this many parts, each source always in the same one."""


def _shard_of(source: str) -> int:
    return (
        hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=1).digest()[0]
        % FILE_SHARDS
    )


def _shard_name(shard: int) -> str:
    return f"files-{shard:02d}.pickle"


class _Signing:
    """A file to pickle into that signs everything written to it."""

    def __init__(self, stream, signer) -> None:
        self.stream, self.signer = stream, signer

    def write(self, data: bytes) -> int:
        self.signer.update(data)
        return self.stream.write(data)
