"""`ssh://[user@]host[:port]/srv/www/`: a folder on a server, written with the system's rsync
and read with one shell command over the system's ssh.

rsync is told exactly which files to send (`--files-from`), never to scan or mirror the output
folder; it writes each file beside its place and renames it in, so a reader never sees half a
file. The ssh command is `ssh` or what `BLOGSMITH_SSH` says (`ssh -i ~/.ssh/deploy -o
UserKnownHostsFile=~/.ssh/deploy_hosts`), always without prompts (BatchMode) and with timeouts,
so a deploy never waits on a password or a dead link. One connection carries every command of
a deploy (an ssh control socket in a private temporary folder).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from blogsmith.deploy.targets.base import DeployFailed, DeploySettings, Done, Upload

SSH_VARIABLE = "BLOGSMITH_SSH"
"""The ssh command with the user's options, as typed in a shell (RSYNC_RSH's form)."""

NEVER_PROMPT = ("-o", "BatchMode=yes")
TIMEOUTS = (
    ("-o", "ConnectTimeout=15"),
    ("-o", "ServerAliveInterval=15"),
    ("-o", "ServerAliveCountMax=4"),
)
RSYNC_IO_TIMEOUT = 120

BATCH_FILES = 500
BATCH_BYTES = 64 * 1024 * 1024
"""One rsync run sends at most this much: `done` is called when a run ends (rsync reports a
file before its bytes leave, so only its exit says the files are in place); a cut deploy
sends at most one run again."""

RSYNC_OPTIONS = (
    "-s",  # names go through rsync's protocol, not a remote shell (older rsyncs know -s too)
    "--files-from=-",
    "--from0",
    "--ignore-times",  # the deploy chose these files: send them even when size and time match
    "--times",  # the server's Last-Modified and ETag follow the build's own
    "--omit-dir-times",
    "--perms",
    "--chmod=D755,F644",  # readable by the web server whatever the output's modes or umask
    "--mkpath",  # the first deploy makes the target folder
    f"--timeout={RSYNC_IO_TIMEOUT}",
    "--8-bit-output",  # Japanese names in its messages stay readable in any locale
)

HINTS = (
    ("Permission denied (publickey", "The server refused the key: add your public key to the "
     f"server's ~/.ssh/authorized_keys, or name the key in {SSH_VARIABLE}"),
    ("Host key verification failed", "The server's host key is not known: connect once with "
     f"ssh to check and save it, or name a known_hosts file in {SSH_VARIABLE}"),
    ("Could not resolve hostname", "Check the host name in the URL"),
    ("Connection refused", "Check the host and port, and that the ssh server runs there"),
    ("timed out", "Check the host and port, and that a firewall lets ssh through"),
    ("No route to host", "Check the host and the network"),
    ("No space left", "Free space on the server's disk"),
    ("Disk quota exceeded", "Free space in the account's quota"),
    ("rsync: command not found", "Install rsync on the server"),
    ("rsync: not found", "Install rsync on the server"),
    ("Permission denied", "Let the ssh user write the target folder"),
    ("Read-only file system", "Deploy to a folder on a writable disk"),
    ("Not a directory", "The target path runs through a file: check the URL's path"),
    ("File exists", "A file on the server stands where a folder belongs: check the URL's "
     "path, or move that file away"),
)  # fmt: skip
"""(text in ssh's or rsync's error, what to do), the first match wins."""

NOISE = ("rsync error:", "rsync: connection unexpectedly closed", "rsync: [sender] write error")
"""rsync's closing lines, which say only that something above failed."""


class SshTarget:
    def __init__(self, url: str, settings: DeploySettings) -> None:
        self.url = url
        self.login, self.port, self.folder = parse_url(url)
        self.sockets: str | None = None

    def holdings(self) -> dict[str, str | None]:
        script = (
            f"[ -e {self.quoted} ] || exit 0; "
            f"cd -- {self.quoted} && find . -type f -exec md5sum -- {{}} +"
        )
        listing = self.run_remote(script, b"", "list the files of")
        return dict(parse_md5sum(listing))

    def send(self, uploads: Sequence[Upload], done: Done) -> None:
        if not uploads:
            return
        source = output_folder(uploads)
        for batch in batches(uploads):
            names = [refuse_outside(upload.path) for upload in batch]
            self.rsync(source, names)
            for name in names:
                done(name)

    def delete(self, paths: Sequence[str], done: Done) -> None:
        names = [refuse_outside(path) for path in paths]
        if not names:
            return
        script = (
            f"cd -- {self.quoted} && xargs -0 -r sh -c '{REMOVE_FILES_THEN_EMPTIED_FOLDERS}' sh"
        )
        self.run_remote(script, nul_list([*names, *emptied_candidates(names)]), "delete from")
        for name in names:
            done(name)

    def finish(self, message: str) -> None:
        """Each file is in place as soon as it is sent: nothing is left to do."""

    def close(self) -> None:
        """Stops the shared connection (it would linger a minute) and removes its socket."""
        if self.sockets is None:
            return
        if os.listdir(self.sockets):
            subprocess.run(
                [*self.ssh_command(), "-O", "exit", "--", self.login],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self.sockets, ignore_errors=True)
        self.sockets = None

    @property
    def control(self) -> str:
        """A private folder for the shared connection's socket, made when first needed."""
        if self.sockets is None:
            self.sockets = tempfile.mkdtemp(prefix="blogsmith-ssh-")
        return self.sockets

    @property
    def quoted(self) -> str:
        return shlex.quote(self.folder)

    def ssh_command(self) -> list[str]:
        """The user's ssh command, never prompting, with timeouts the user may override (ssh
        takes the first value of an option) and the port from the URL."""
        command = users_ssh()
        sharing = (
            ("-o", "ControlMaster=auto"),
            ("-o", f"ControlPath={self.control}/%C"),
            ("-o", "ControlPersist=60"),
        )
        options = [*NEVER_PROMPT, *command[1:], *flatten(TIMEOUTS), *flatten(sharing)]
        port = ["-p", str(self.port)] if self.port else []
        return [command[0], *options, *port]

    def rsync(self, source: Path, names: list[str]) -> None:
        destination = f"{rsync_host(self.login)}:{self.folder}/"
        command = [
            "rsync",
            *RSYNC_OPTIONS,
            "-e",
            shlex.join(self.ssh_command()),
            f"{source}/",
            destination,
        ]
        self.call(command, nul_list(names), "send files to")

    def run_remote(self, script: str, stdin: bytes, doing: str) -> bytes:
        return self.call([*self.ssh_command(), "--", self.login, script], stdin, doing)

    def call(self, command: list[str], stdin: bytes, doing: str) -> bytes:
        """The command's output; DeployFailed with its last telling error line and what to do
        when it fails."""
        try:
            finished = subprocess.run(command, input=stdin, capture_output=True, check=False)
        except OSError as error:
            raise DeployFailed(
                f"could not {doing} {self.url}: {command[0]} did not run ({error.strerror}). "
                f"Install {command[0]}, then deploy again"
            ) from None
        if finished.returncode != 0:
            reason = telling_line(finished.stderr) or f"exit status {finished.returncode}"
            raise DeployFailed(
                f"could not {doing} {self.url}: {reason.rstrip('.')}. {advice(reason)}, "
                "then deploy again: it carries on where this one stopped"
            )
        return finished.stdout


REMOVE_FILES_THEN_EMPTIED_FOLDERS = (
    'failed=0; for name in "$@"; do '
    'if [ -d "$name" ]; then rmdir -- "$name" 2>/dev/null; '
    'else rm -f -- "$name" || failed=1; fi; '
    "done; exit $failed"
)
"""Files go first on the list, then the folders they may have emptied, deepest first: `rmdir`
keeps a folder that still holds something (a file put there by hand)."""


def users_ssh() -> list[str]:
    written = os.environ.get(SSH_VARIABLE, "")
    try:
        command = shlex.split(written)
    except ValueError as error:
        raise DeployFailed(f"{SSH_VARIABLE}={written!r} is not a command: {error}") from None
    return command or ["ssh"]


def parse_url(url: str) -> tuple[str, int | None, str]:
    """([user@]host, port, folder without its closing slash) of an ssh:// URL."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise DeployFailed(f"{url!r}: the port is not a number") from None
    if not parts.hostname or parts.hostname.startswith("-"):
        raise DeployFailed(f"{url!r} names no host: write ssh://[user@]host[:port]/path/")
    if parts.password is not None:
        raise DeployFailed(f"{url!r}: blogsmith logs in with keys, not a password in the URL")
    folder = unquote(parts.path).rstrip("/")
    if not folder:
        raise DeployFailed(f"{url!r} names no folder: write ssh://host/srv/www/")
    host = parts.hostname
    login = f"{unquote(parts.username)}@{host}" if parts.username else host
    return login, port, folder


def rsync_host(login: str) -> str:
    """rsync reads `host:path`, so an IPv6 address goes in brackets."""
    user, at, host = login.rpartition("@")
    return f"{user}{at}[{host}]" if ":" in host else login


def refuse_outside(path: str) -> str:
    """The path itself, when it stays inside the target folder."""
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or any(part in ("..", ".") for part in parts):
        raise DeployFailed(f"refusing {path!r}: a deploy path must stay inside the target folder")
    return path


def output_folder(uploads: Sequence[Upload]) -> Path:
    """The folder every upload's path is relative to."""
    folders = {upload_root(upload) for upload in uploads}
    if len(folders) != 1:
        raise ValueError(f"uploads from more than one output folder: {sorted(folders)}")
    return folders.pop()


def upload_root(upload: Upload) -> Path:
    root = upload.source
    for _ in PurePosixPath(upload.path).parts:
        root = root.parent
    if root / upload.path != upload.source:
        raise ValueError(f"{upload.source} does not end with {upload.path}")
    return root


def batches(uploads: Sequence[Upload]) -> Iterator[list[Upload]]:
    batch: list[Upload] = []
    size = 0
    for upload in uploads:
        if batch and (len(batch) >= BATCH_FILES or size + upload.size > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(upload)
        size += upload.size
    if batch:
        yield batch


def emptied_candidates(names: Iterable[str]) -> list[str]:
    """Every folder above the deleted files, deepest first."""
    folders = {str(parent) for name in names for parent in PurePosixPath(name).parents}
    folders.discard(".")
    return sorted(folders, key=lambda folder: (-folder.count("/"), folder))


def nul_list(names: Iterable[str]) -> bytes:
    return b"".join(os.fsencode(name) + b"\0" for name in names)


def parse_md5sum(listing: bytes) -> Iterator[tuple[str, str]]:
    """(path, md5) from GNU md5sum's lines: a name with a newline or backslash is escaped,
    which a leading backslash marks."""
    for line in listing.split(b"\n"):
        if not line:
            continue
        escaped = line.startswith(b"\\")
        digest, name = line.removeprefix(b"\\").split(b"  ", 1)
        if escaped:
            name = unescape_md5sum(name)
        path = name.decode("utf-8", "surrogateescape").removeprefix("./")
        yield path, digest.decode("ascii").lower()


def unescape_md5sum(name: bytes) -> bytes:
    out = bytearray()
    characters = iter(name)
    for byte in characters:
        if byte == ord("\\"):
            byte = {ord("n"): ord("\n"), ord("r"): ord("\r")}.get(code := next(characters), code)
        out.append(byte)
    return bytes(out)


def telling_line(stderr: bytes) -> str:
    """The last line of the error output that says what went wrong."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    telling = [line for line in lines if not line.startswith(NOISE)]
    return (telling or lines or [""])[-1]


def advice(reason: str) -> str:
    for clue, what_to_do in HINTS:
        if clue in reason:
            return what_to_do
    return "Check the server"


def flatten(pairs: Iterable[tuple[str, str]]) -> list[str]:
    return [word for pair in pairs for word in pair]
