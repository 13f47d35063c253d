"""A branch of a git repository (GitHub Pages, Codeberg Pages): one commit per deploy.

Each deploy builds on the branch as it is on the remote, so its history and the files
blogsmith never sent (a CNAME, a README, a .nojekyll someone committed) stay. The work is done
with git's plumbing in a private bare repository under the user's cache, kept between deploys
so a deploy fetches and pushes only new objects; it has no work tree, only an index of this
deploy's own. Sent files take effect only at the push in `finish`, so `done` is called
then.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit, urlunsplit

from blogsmith.deploy.targets.base import DeployFailed, DeploySettings, Done, Upload
from blogsmith.deploy.targets.ssh import SSH_VARIABLE

DEFAULT_BRANCH = "gh-pages"
TRACKING = "refs/remotes/target/"
"""Where the private repository keeps the remote branch as last fetched or pushed."""
FALLBACK_NAME = "blogsmith"
FALLBACK_EMAIL = "blogsmith@localhost"
FILE_MODE = "100644"
NO_OBJECT = "0" * 40
"""In an `--index-info` line with mode 0: remove the path."""
REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
)
"""Set when blogsmith runs inside a git hook; they would point git at the wrong repository."""
BOILERPLATE = (
    "fatal: could not read from remote repository.",
    "please make sure you have the correct access rights",
    "and the repository exists.",
)


class GitError(Exception):
    """A git command failed; the message is git's own reason (see `reason_of`)."""


def split_url(url: str) -> tuple[str, str]:
    """(the URL git understands, the branch): `git+ssh://host/repo.git#pages` is
    (`ssh://host/repo.git`, `pages`); without a fragment, the branch GitHub Pages uses."""
    parts = urlsplit(url)
    if parts.scheme not in ("git+file", "git+ssh") or not parts.path.strip("/"):
        raise DeployFailed(
            f"cannot deploy to {url!r}: write git+file:///path/repo.git#branch or "
            "git+ssh://[user@]host[:port]/path/repo.git#branch"
        )
    remote = urlunsplit((parts.scheme[len("git+") :], parts.netloc, parts.path, parts.query, ""))
    return remote, unquote(parts.fragment) or DEFAULT_BRANCH


def cache_home() -> Path:
    """The user's cache folder, as the XDG spec says (a relative setting is ignored)."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    return Path(configured) if os.path.isabs(configured) else Path.home() / ".cache"


def private_repository(remote: str) -> Path:
    """One per remote (its branches share the objects), named by a digest of its URL."""
    digest = hashlib.sha256(remote.encode("utf-8")).hexdigest()
    return cache_home() / "blogsmith" / "deploy-git" / digest


def reason_of(stderr: bytes) -> str:
    """git's own words for what went wrong: its last lines, without hints and the advice
    every failed connection ends with (blogsmith gives its own)."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    meaningful = [
        line
        for line in lines
        if line
        and not line.startswith(("hint:", "To "))
        and not line.lower().startswith(BOILERPLATE)
    ]
    return " / ".join(meaningful[-2:]) or "git failed without saying why"


def check_path(path: str) -> str:
    """An output path as git stores it; git would silently skip `..` or `.git` ones."""
    parts = path.split("/")
    if any(part in ("", ".", "..") or part.lower() == ".git" for part in parts) or "\0" in path:
        raise DeployFailed(f"cannot deploy {path!r} to git: not a path git can store")
    return path


def stdin_path(source: Path) -> bytes:
    """A line of `hash-object --stdin-paths`, C-quoted when the name holds a newline."""
    raw = os.fsencode(source.absolute())
    if b"\n" not in raw and not raw.startswith(b'"'):
        return raw + b"\n"
    quoted = raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n")
    return b'"' + quoted + b'"\n'


def index_line(path: str, blob: str | None) -> bytes:
    """An `--index-info -z` record: the file at `path` is this blob, or (None) is gone."""
    mode, blob = (FILE_MODE, blob) if blob else ("0", NO_OBJECT)
    return f"{mode} {blob}\t".encode() + path.encode("utf-8", "surrogateescape") + b"\0"


class GitTarget:
    """`git+file:///path/repo.git#branch` or `git+ssh://[user@]host[:port]/repo.git#branch`."""

    def __init__(self, url: str, settings: DeploySettings) -> None:
        self.url = url
        self._remote, self._branch = split_url(url)
        self._repository = private_repository(self._remote)
        self._scratch: Path | None = None
        self._parent: str | None = None
        self._ready = False
        self._changes: dict[str, str | None] = {}
        """path -> the blob it now holds, or None once deleted: replayed on a moved branch."""
        self._waiting: list[tuple[Done, str]] = []
        self._check_branch()

    # -- the Target protocol

    def holdings(self) -> dict[str, str | None]:
        self._prepare()
        with self._explained("read the branch", self._unreachable_advice()):
            if self._parent is None:
                return {}
            files = self._tree_files(self._parent)
            digests = self._blob_md5s(set(files.values()))
            return {path: digests[blob] for path, blob in files.items()}

    def send(self, uploads: Sequence[Upload], done: Done) -> None:
        paths = [check_path(upload.path) for upload in uploads]
        self._prepare()
        with self._explained("store the files", self._local_advice()):
            blobs = self._hash_files([upload.source for upload in uploads])
        for path, blob in zip(paths, blobs, strict=True):
            self._changes[path] = blob
            self._waiting.append((done, path))

    def delete(self, paths: Sequence[str], done: Done) -> None:
        self._prepare()
        for path in paths:
            self._changes[check_path(path)] = None
            self._waiting.append((done, path))

    def finish(self, message: str) -> None:
        self._prepare()
        refusal = self._commit_and_push(message)
        if refusal is not None:
            self._retry_on_moved_branch(message, refusal)
        waiting, self._waiting = self._waiting, []
        self._changes = {}
        for done, path in waiting:
            done(path)

    def close(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    # -- one deploy's commit

    def _commit_and_push(self, message: str) -> str | None:
        """Commits the changes on the parent and pushes; git's reason when the push is
        refused, None when pushed (or when there was nothing to commit)."""
        with self._explained("prepare the commit", self._local_advice()):
            tree = self._tree_with_changes()
            if tree == self._tree_of(self._parent):
                return None
            commit = self._commit(tree, message)
        try:
            self._git("push", "--quiet", self._remote, f"{commit}:refs/heads/{self._branch}")
        except GitError as refused:
            return str(refused)
        with self._explained("note the pushed commit", self._local_advice()):
            self._git("update-ref", TRACKING + self._branch, commit)
        self._parent = commit
        return None

    def _retry_on_moved_branch(self, message: str, refusal: str) -> None:
        """Someone else pushed since the fetch: the same changes once more on their commit.
        A push refused for any other reason fails with git's reason."""
        pushed_on = self._parent
        with self._explained("read the branch", self._unreachable_advice()):
            self._fetch()
        if self._parent == pushed_on:
            raise DeployFailed(
                f"{self.url}: cannot push to {self._branch}: {refusal}. Check that you may push "
                "to that branch (your ssh key, the branch's protection), then deploy again."
            )
        refusal_again = self._commit_and_push(message)
        if refusal_again is not None:
            raise DeployFailed(
                f"{self.url}: {self._branch} moved again while deploying ({refusal_again}): "
                "someone else is pushing to it; deploy again."
            )

    def _tree_with_changes(self) -> str:
        """The parent's tree with this deploy's files put and deleted, in a fresh index."""
        if self._parent is None:
            self._git("read-tree", "--empty")
        else:
            self._git("read-tree", self._parent)
        removals = [index_line(path, None) for path, blob in self._changes.items() if not blob]
        additions = [index_line(path, blob) for path, blob in self._changes.items() if blob]
        if removals or additions:
            self._git("update-index", "-z", "--index-info", input=b"".join(removals + additions))
        return self._git("write-tree").strip()

    def _tree_of(self, commit: str | None) -> str:
        if commit is None:
            return self._git("mktree").strip()
        return self._git("rev-parse", f"{commit}^{{tree}}").strip()

    def _commit(self, tree: str, message: str) -> str:
        parents = ["-p", self._parent] if self._parent else []
        output = self._git(
            "commit-tree", tree, *parents, "-F", "-", input=message.encode(), identity=True
        )
        return output.strip()

    # -- the private repository

    def _prepare(self) -> None:
        """Once per deploy: the private repository made, the branch fetched."""
        if self._ready:
            return
        with self._explained("read the branch", self._unreachable_advice()):
            self._make_repository_and_fetch()
        self._ready = True

    def _make_repository_and_fetch(self) -> None:
        if not (self._repository / "HEAD").is_file():
            self._repository.mkdir(parents=True, exist_ok=True)
            self._git("init", "--bare", "--quiet", str(self._repository))
            self._git("config", "gc.autoDetach", "false")
            self._git("config", "maintenance.autoDetach", "false")
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="deploy-", dir=self._repository))
        self._fetch()

    def _fetch(self) -> None:
        """Sets the parent to the branch's commit on the remote (None: no branch yet),
        fetching it unless this repository has it already (the commit it pushed last)."""
        tip = self._remote_tip()
        if tip is None:
            self._git("update-ref", "-d", TRACKING + self._branch)
        elif self._has_commit(tip):
            self._git("update-ref", TRACKING + self._branch, tip)
        else:
            refspec = f"+refs/heads/{self._branch}:{TRACKING}{self._branch}"
            self._git("fetch", "--quiet", "--no-tags", self._remote, refspec)
            tip = self._git("rev-parse", "--verify", TRACKING + self._branch).strip()
        self._parent = tip

    def _remote_tip(self) -> str | None:
        wanted = f"refs/heads/{self._branch}"
        for line in self._git("ls-remote", self._remote, wanted).splitlines():
            commit, _, ref = line.partition("\t")
            if ref == wanted:
                return commit
        return None

    def _has_commit(self, commit: str) -> bool:
        try:
            self._git("cat-file", "-e", f"{commit}^{{commit}}")
        except GitError:
            return False
        return True

    def _hash_files(self, sources: Sequence[Path]) -> list[str]:
        """Their blobs, written into the private repository as they are (no line-ending
        filter a user's git settings might apply)."""
        if not sources:
            return []
        paths = b"".join(stdin_path(source) for source in sources)
        output = self._git("hash-object", "-w", "--no-filters", "--stdin-paths", input=paths)
        return output.split()

    def _tree_files(self, commit: str) -> dict[str, str]:
        """Every file of the commit's tree: path -> blob (links too; no submodules)."""
        output = self._git_bytes("ls-tree", "-r", "-z", "--full-tree", commit)
        files = {}
        for record in output.split(b"\0"):
            meta, _, path = record.partition(b"\t")
            fields = meta.split()
            if len(fields) == 3 and fields[1] == b"blob":
                files[path.decode("utf-8", "surrogateescape")] = fields[2].decode()
        return files

    def _blob_md5s(self, blobs: set[str]) -> dict[str, str]:
        """MD5 hex of each blob's bytes, read through one `cat-file --batch`."""
        digests = {}
        with self._batch_reader() as (ask, answer):
            for blob in sorted(blobs):
                ask.write(blob.encode() + b"\n")
                ask.flush()
                digests[blob] = md5_of_batch_object(answer, blob)
        return digests

    @contextmanager
    def _batch_reader(self) -> Iterator[tuple[IO[bytes], IO[bytes]]]:
        process = subprocess.Popen(
            self._command("cat-file", "--batch"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=self._environment(),
        )
        try:
            yield process.stdin, process.stdout
        finally:
            process.stdin.close()
            process.stdout.close()
            process.wait()

    # -- running git

    def _git(self, *args: str, input: bytes = b"", identity: bool = False) -> str:
        return self._git_bytes(*args, input=input, identity=identity).decode()

    def _git_bytes(self, *args: str, input: bytes = b"", identity: bool = False) -> bytes:
        """git's output; GitError with its reason when it fails. Never through a shell."""
        env = self._environment() | (self._identity() if identity else {})
        try:
            result = subprocess.run(self._command(*args), input=input, capture_output=True, env=env)
        except FileNotFoundError:
            raise DeployFailed(
                f"{self.url}: deploying to git needs the `git` command: install git, then "
                "deploy again"
            ) from None
        if result.returncode != 0:
            raise GitError(reason_of(result.stderr))
        return result.stdout

    def _command(self, *args: str) -> list[str]:
        return ["git", f"--git-dir={self._repository}", *args]

    def _environment(self) -> dict[str, str]:
        """The user's (their ssh settings, their identity), pointed at the private
        repository, with a deploy's own index, and no password prompt on a terminal-less run."""
        env = {key: value for key, value in os.environ.items() if key not in REPOSITORY_VARIABLES}
        env["GIT_TERMINAL_PROMPT"] = "0"
        if os.environ.get(SSH_VARIABLE):  # the ssh command with the user's options, as for ssh://
            env["GIT_SSH_COMMAND"] = os.environ[SSH_VARIABLE]
        if self._scratch is not None:
            env["GIT_INDEX_FILE"] = str(self._scratch / "index")
        return env

    def _identity(self) -> dict[str, str]:
        """Who commits: the environment's GIT_AUTHOR_NAME and the like, else git's user.name
        and user.email, else blogsmith's own, so a machine with none configured deploys."""
        name = self._configured("user.name") or FALLBACK_NAME
        email = self._configured("user.email") or FALLBACK_EMAIL
        identity = {}
        for role in ("AUTHOR", "COMMITTER"):
            for part, value in (("NAME", name), ("EMAIL", email)):
                variable = f"GIT_{role}_{part}"
                identity[variable] = os.environ.get(variable) or value
        return identity

    def _configured(self, key: str) -> str:
        try:
            return self._git("config", "--get", key).strip()
        except GitError:
            return ""

    def _check_branch(self) -> None:
        try:
            self._git("check-ref-format", f"refs/heads/{self._branch}")
        except GitError:
            raise DeployFailed(
                f"{self.url}: {self._branch!r} is not a branch name git accepts; write the "
                "branch after # (git+file:///path/repo.git#gh-pages)"
            ) from None

    # -- messages

    @contextmanager
    def _explained(self, doing: str, advice: str) -> Iterator[None]:
        """A git failure as DeployFailed: what blogsmith was doing, git's reason, what to do."""
        try:
            yield
        except (GitError, OSError) as failure:
            raise DeployFailed(f"{self.url}: cannot {doing}: {failure}. {advice}") from None

    def _unreachable_advice(self) -> str:
        return (
            f"Check the URL and that this machine can reach the repository (try "
            f"`git ls-remote {self._remote}`), then deploy again."
        )

    def _local_advice(self) -> str:
        return (
            f"Deploy again; if it fails the same way, delete {self._repository} (blogsmith's "
            "copy of the branch, made again on the next deploy)."
        )


def md5_of_batch_object(answer: IO[bytes], blob: str) -> str:
    """Reads one `cat-file --batch` answer (header, bytes, newline) and digests the bytes."""
    header = answer.readline().split()
    if len(header) != 3:
        raise GitError(f"the object {blob} is missing from blogsmith's copy of the branch")
    remaining = int(header[2])
    digest = hashlib.md5(usedforsecurity=False)
    while remaining:
        chunk = answer.read(min(remaining, 1 << 20))
        if not chunk:
            raise GitError(f"git stopped while reading the object {blob}")
        digest.update(chunk)
        remaining -= len(chunk)
    answer.read(1)
    return digest.hexdigest()
