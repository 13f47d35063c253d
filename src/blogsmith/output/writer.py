"""Write the output so that a failed build leaves the previous site exactly as it was, and
so that no file blogsmith did not write is ever replaced or removed.

Changed files go to a staging folder beside the output; only when the whole build has
succeeded are they moved in (os.replace, one atomic rename per file) and files that nothing
produces any more removed. Files whose bytes did not change are never rewritten.

The output folder carries a list of the files blogsmith wrote there (OWNED_LIST): only those
are ever replaced or removed. A folder blogsmith makes, or finds empty, is its own; any other
folder must carry that file (an empty one marks a folder as blogsmith's to write into, such as
a checkout of a publishing branch: its .git, CNAME and other files are left as they are).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
from collections.abc import Collection, Iterable, Iterator, KeysView
from contextlib import contextmanager
from pathlib import Path

OWNED_LIST = ".blogsmith-output"


@contextmanager
def writing(output: Path) -> Iterator[None]:
    """Held while one build writes `output`: a second build of the same output at the same
    time would share its staging folder, so it is refused (OutputBusy) instead of waiting.
    The lock file beside the output is removed when the build is done."""
    output.parent.mkdir(parents=True, exist_ok=True)
    path = output.parent / f".{output.name}.lock"
    while True:
        lock = open(path, "a+b")  # held until the build is done
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise OutputBusy(
                "another blogsmith build is writing it right now; wait for it to finish, "
                "then build again"
            ) from None
        try:
            if os.stat(path).st_ino == os.fstat(lock.fileno()).st_ino:
                break  # the lock file is still the one in place, not one just removed
        except FileNotFoundError:
            pass
        lock.close()
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        lock.close()


class OutputBusy(Exception):
    """Another build is writing the same output now."""


class NotOwned(Exception):
    """The output holds files blogsmith did not write, and may not write over them."""

    def __init__(self, message: str, files: list[str] = ()):
        super().__init__(message)
        self.files = list(files)


def owned_files(output: Path) -> set[str]:
    """The files blogsmith wrote in `output` (none for a new or empty folder); NotOwned for a
    folder it may not write into."""
    if not output.exists():
        return set()
    if not output.is_dir():
        raise NotOwned("is a file, not a folder; name a folder for the site")
    try:
        return set((output / OWNED_LIST).read_text(encoding="utf-8").splitlines()) - {""}
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise NotOwned(f"cannot read its {OWNED_LIST} ({exc}); fix or remove that file") from None
    if next(output.iterdir(), None) is None:
        return set()
    raise NotOwned(
        "is not empty and was not made by blogsmith, so nothing in it is changed; build into "
        f"a new or empty folder, or create an empty {OWNED_LIST} file in it to let blogsmith "
        "write there (it then replaces and removes only files it wrote itself)"
    )


class StagedWriter:
    """The one way files reach the output: pages, static files and the search index alike."""

    def __init__(self, output: Path, present: set[str] | None = None):
        self.output = output
        self.present = present
        """The output's files as the last build left them, when that can be trusted: stale
        files are then found without walking the output."""
        self.staging = output.parent / f".{output.name}.staging"
        self.owned = owned_files(output)
        """What blogsmith wrote there before: the only files it may replace or remove."""
        self._produced: dict[str, None] = {}
        """Every file the output holds once this build commits (a dict: its keys() are a
        live view that cannot be written through)."""
        self._changed: list[str] = []
        if self.staging.exists():
            shutil.rmtree(self.staging)

    @property
    def produced(self) -> KeysView[str]:
        """Every output file this build has staged or kept so far: what the output holds
        once it commits (the others blogsmith wrote are removed)."""
        return self._produced.keys()

    @property
    def changed(self) -> tuple[str, ...]:
        """The output files staged so far: those the commit writes."""
        return tuple(self._changed)

    def put(self, relative: str, data: bytes) -> bool:
        """Stage `data` for output file `relative` unless the output already holds it."""
        return self.record(relative, self.stage(relative, data))

    def record(self, relative: str, staged: bool) -> bool:
        """Note output file `relative` as produced, and as changed when it was `staged` (by
        `stage`, here or in a forked worker); returns `staged`."""
        self._produced[relative] = None
        if staged:
            self._changed.append(relative)
        return staged

    def record_all(self, produced: Iterable[str], staged: Iterable[str] = ()) -> None:
        """Note many output files as produced, those `staged` among them (by `stage`, in
        forked workers) as changed too: the record of work done elsewhere, in one step."""
        self._produced.update(dict.fromkeys(produced))
        self._changed.extend(staged)

    def stage(self, relative: str, data: bytes) -> bool:
        """Write `data` to the staging folder if it differs from the output (True); keeps no
        record, so it can run in a worker process that reports back what it staged."""
        target = self.output / relative
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                return False
        except (FileNotFoundError, NotADirectoryError):
            pass
        staged = self.staging / relative
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(data)
        return True

    def keep(self, relative: str) -> bool:
        """Keep the output's current file as it is, if there is one (True)."""
        if (
            relative in self.present
            if self.present is not None
            else (self.output / relative).is_file()
        ):
            self.record(relative, staged=False)
            return True
        return False

    def keep_all(self, relatives: Collection[str]) -> bool:
        """Keep these output files as they are, if the output has them all (True): an
        image's copies, tens of thousands in a photo archive, checked in one step."""
        if self.present is None:
            return all(self.keep(relative) for relative in relatives)
        if self.present.issuperset(relatives):
            self.record_all(relatives)
            return True
        return False

    def commit(self) -> list[str]:
        """Move staged files in and delete stale ones; returns the removed files. NotOwned,
        with nothing changed, when a staged file would replace one blogsmith did not write."""
        if not self.output.exists() and self.staging.is_dir():
            self.output.parent.mkdir(parents=True, exist_ok=True)
            self._list_owned(self.staging)
            os.replace(self.staging, self.output)  # a first build: one rename moves it all
            return []
        self._folders: dict[str, bool] = {}
        foreign = [relative for relative in self._changed if self._foreign(relative)]
        if foreign:
            raise NotOwned("holds files blogsmith did not write where it would write", foreign)
        self.output.mkdir(parents=True, exist_ok=True)
        made: set[Path] = set()
        for relative in self._changed:
            target = self.output / relative
            if target.parent not in made:
                _make_parent(target, self.output)
                made.add(target.parent)
            elif target.is_dir():
                shutil.rmtree(target)
            os.replace(self.staging / relative, target)
        removed = self._remove_stale()
        self._list_owned(self.output)
        self.abort()
        return removed

    def _foreign(self, relative: str) -> bool:
        """Whether writing `relative` would replace, or go through, what blogsmith did not
        write: a file or folder there, a file where its folder must be, a symlinked folder."""
        if relative not in self.owned and os.path.lexists(self.output / relative):
            return True
        folder = relative.rpartition("/")[0]
        return bool(folder) and self._foreign_folder(folder)

    def _foreign_folder(self, folder: str) -> bool:
        """Whether `folder` or one above it is a symlink, or a file blogsmith did not write
        (each folder looked at once per commit: a full rebuild writes into thousands)."""
        verdict = self._folders.get(folder)
        if verdict is None:
            above = folder.rpartition("/")[0]
            try:
                mode = os.lstat(self.output / folder).st_mode
            except FileNotFoundError:
                verdict = bool(above) and self._foreign_folder(above)
            else:
                if stat.S_ISLNK(mode):
                    verdict = True
                elif stat.S_ISDIR(mode):
                    verdict = bool(above) and self._foreign_folder(above)
                else:
                    verdict = folder not in self.owned
            self._folders[folder] = verdict
        return verdict

    def _list_owned(self, folder: Path) -> None:
        if self._produced.keys() == self.owned and (folder / OWNED_LIST).is_file():
            return
        temporary = folder / f"{OWNED_LIST}.{os.getpid()}.tmp"
        temporary.write_text("".join(f"{path}\n" for path in sorted(self._produced)), "utf-8")
        os.replace(temporary, folder / OWNED_LIST)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def _remove_stale(self) -> list[str]:
        """Files blogsmith wrote that nothing produces any more, and their emptied folders."""
        removed = []
        for relative in sorted(self.owned - self._produced.keys()):
            path = self.output / relative
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            removed.append(relative)
            for folder in path.parents:
                if folder == self.output:
                    break
                try:
                    folder.rmdir()
                except OSError:
                    break
        return removed


def _make_parent(target: Path, root: Path) -> None:
    """Create target's folder, replacing a file that stands where a folder must go."""
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        probe = parent
        while probe != root and not probe.is_dir():
            if probe.is_file():
                probe.unlink()
                break
            probe = probe.parent
        parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir():
        shutil.rmtree(target)
