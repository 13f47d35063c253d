"""A real OpenSSH server on loopback for the ssh:// deploy tests: its own host key, one client
key it accepts, and the ssh command (BLOGSMITH_SSH) that trusts exactly that host key."""

from __future__ import annotations

import getpass
import os
import shlex
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = "/usr/sbin/sshd"


@dataclass
class Sshd:
    port: int
    user: str
    ssh_command: str
    """What BLOGSMITH_SSH holds for a client this server lets in."""
    process: subprocess.Popen
    log: Path

    def url(self, folder: Path | str) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}{folder}/"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def start_sshd(folder: Path) -> Sshd:
    """sshd in the foreground on a free port, ready to accept connections."""
    folder.mkdir(parents=True, exist_ok=True)
    host_key = make_key(folder / "host_key")
    client_key = make_key(folder / "client_key")
    (folder / "authorized_keys").write_text(public(client_key))
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(sshd_config(folder, host_key, port))
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    log = folder / "sshd.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(config)], stdout=output, stderr=subprocess.STDOUT
        )
    wait_for_port(port, process, log)
    known_hosts = folder / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {public(host_key)}")
    command = client_command(client_key, known_hosts)
    return Sshd(port, getpass.getuser(), command, process, log)


def client_command(key: Path, known_hosts: Path) -> str:
    """ssh with this key and known_hosts only: nothing from ~/.ssh or an agent."""
    return shlex.join(
        [
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            str(key),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "IdentityAgent=none",
            "-o",
            f"UserKnownHostsFile={known_hosts}",
            "-o",
            "StrictHostKeyChecking=yes",
        ]
    )


def make_key(path: Path) -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
        check=True,
        capture_output=True,
    )
    return path


def public(key: Path) -> str:
    return key.with_name(key.name + ".pub").read_text()


def sshd_config(folder: Path, host_key: Path, port: int) -> str:
    return "\n".join(
        [
            "ListenAddress 127.0.0.1",
            f"Port {port}",
            f"HostKey {host_key}",
            f"AuthorizedKeysFile {folder / 'authorized_keys'}",
            f"PidFile {folder / 'sshd.pid'}",
            "StrictModes no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "PermitRootLogin prohibit-password",
            "UsePAM no",
            "LogLevel ERROR",
            "",
        ]
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited: {log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"sshd did not listen on {port}: {log.read_text(errors='replace')}")


def sshd_available() -> bool:
    return os.access(SSHD, os.X_OK)
