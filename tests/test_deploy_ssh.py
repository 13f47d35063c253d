"""The ssh:// deploy target against a real OpenSSH server on loopback (tests/sshd.py): the
files it sends, lists and deletes in the target folder, and the one clear message it gives when
the server or the folder refuses."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import article, edit, run_cli
from sshd import sshd_available, start_sshd

from blogsmith.deploy.targets import open_target
from blogsmith.deploy.targets import ssh as ssh_module
from blogsmith.deploy.targets.base import DeployFailed, DeploySettings, Upload
from blogsmith.deploy.targets.ssh import (
    SSH_VARIABLE,
    SshTarget,
    emptied_candidates,
    parse_md5sum,
    parse_url,
)

NAMES = {
    "index.html": b"<!doctype html><title>top</title>",
    "assets/site.css": b"body { color: #222 }",
    "europe/停戦 合意/index.html": "<p>停戦合意の記事</p>".encode(),
    "japan/防衛 予算/写真 1.jpg": bytes(range(256)) * 40,
    "feeds/line\nbreak.xml": b"<feed/>",
    "odd/back\\slash.txt": b"\\",
}


@pytest.fixture(scope="session")
def sshd(tmp_path_factory):
    """Debian's sshd on 127.0.0.1 for the whole session; CI installs openssh-server."""
    if not sshd_available() or shutil.which("rsync") is None:
        if os.environ.get("CI"):
            pytest.fail("sshd or rsync is missing in CI; .ci/run installs them")
        pytest.skip("openssh-server or rsync is not installed (apt-get install them)")
    server = start_sshd(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


@pytest.fixture
def client(sshd, monkeypatch):
    """The ssh options that let this test's deploys in, as a user gives them."""
    monkeypatch.setenv(SSH_VARIABLE, sshd.ssh_command)
    return sshd


@pytest.fixture
def target(client, tmp_path):
    opened = open_target(client.url(tmp_path / "www"), DeploySettings())
    yield opened
    opened.close()


def write_output(folder: Path, files: dict[str, bytes]) -> list[Upload]:
    uploads = []
    for path, data in files.items():
        source = folder / path
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(data)
        uploads.append(Upload(path, source, hashlib.md5(data).hexdigest(), len(data)))
    return uploads


def held_files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def send_all(target, uploads: list[Upload]) -> list[str]:
    done: list[str] = []
    target.send(uploads, done.append)
    return done


def test_send_puts_exactly_the_listed_files_byte_for_byte(target, tmp_path):
    uploads = write_output(tmp_path / "public", NAMES)
    (tmp_path / "public/not-in-this-phase.html").write_text("later")
    done = send_all(target, uploads)
    assert done == list(NAMES)
    assert held_files(tmp_path / "www") == NAMES


def test_sent_files_and_folders_are_readable_by_a_web_server(target, tmp_path):
    uploads = write_output(tmp_path / "public", NAMES)
    os.chmod(tmp_path / "public/index.html", 0o600)
    os.chmod(tmp_path / "public/assets/site.css", 0o775)
    os.chmod(tmp_path / "public/europe", 0o700)
    send_all(target, uploads)
    for path in (tmp_path / "www").rglob("*"):
        expected = 0o755 if path.is_dir() else 0o644
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_a_second_send_replaces_files_and_leaves_no_temporary_ones(target, tmp_path):
    uploads = write_output(tmp_path / "public", NAMES)
    send_all(target, uploads)
    changed = {"index.html": b"<!doctype html><title>new</title>", "assets/site.css": b"x"}
    assert send_all(target, write_output(tmp_path / "public", changed)) == list(changed)
    assert held_files(tmp_path / "www") == {**NAMES, **changed}


def test_a_file_the_target_holds_already_is_sent_and_confirmed(target, tmp_path):
    """Same size and time as the copy held: the deploy chose it, so rsync may not skip it."""
    uploads = write_output(tmp_path / "public", {"page.html": b"new!"})
    (tmp_path / "www").mkdir()
    held = tmp_path / "www/page.html"
    held.write_bytes(b"old!")
    source_time = (tmp_path / "public/page.html").stat().st_mtime_ns
    os.utime(held, ns=(source_time, source_time))
    assert send_all(target, uploads) == ["page.html"]
    assert held.read_bytes() == b"new!"


def test_done_is_called_as_each_batch_is_in_place(target, tmp_path, monkeypatch):
    """rsync names a file before its bytes leave, so only a finished run confirms files; a
    run that fails confirms none of its own, and the earlier runs stay confirmed."""
    monkeypatch.setattr(ssh_module, "BATCH_FILES", 2)
    uploads = write_output(tmp_path / "public", NAMES)
    uploads[3].source.unlink()
    done: list[str] = []
    with pytest.raises(DeployFailed) as failed:
        target.send(uploads, done.append)
    assert done == list(NAMES)[:2]
    assert "japan/防衛 予算/写真 1.jpg" in str(failed.value)


def test_holdings_are_every_file_with_its_md5(target, tmp_path):
    send_all(target, write_output(tmp_path / "public", NAMES))
    (tmp_path / "www/by hand 手作業.txt").write_bytes(b"kept")
    expected = {path: hashlib.md5(data).hexdigest() for path, data in NAMES.items()}
    expected["by hand 手作業.txt"] = hashlib.md5(b"kept").hexdigest()
    assert target.holdings() == expected


def test_a_target_folder_not_made_yet_holds_nothing(target):
    assert target.holdings() == {}


def test_delete_removes_those_files_and_the_folders_they_empty(target, tmp_path):
    send_all(target, write_output(tmp_path / "public", NAMES))
    (tmp_path / "www/japan/by hand.txt").write_bytes(b"kept")
    gone = ["europe/停戦 合意/index.html", "japan/防衛 予算/写真 1.jpg", "feeds/line\nbreak.xml"]
    done: list[str] = []
    target.delete(gone, done.append)
    assert sorted(done) == sorted(gone)
    assert held_files(tmp_path / "www") == {
        **{path: data for path, data in NAMES.items() if path not in gone},
        "japan/by hand.txt": b"kept",
    }
    folders = {p.relative_to(tmp_path / "www").as_posix() for p in (tmp_path / "www").rglob("*")}
    assert {"europe", "feeds", "japan/防衛 予算"}.isdisjoint(folders)
    assert "japan" in folders


def test_deleting_a_file_already_gone_is_confirmed(target, tmp_path):
    send_all(target, write_output(tmp_path / "public", {"a/b.html": b"b"}))
    done: list[str] = []
    target.delete(["a/b.html", "a/never-sent.html"], done.append)
    assert sorted(done) == ["a/b.html", "a/never-sent.html"]
    assert not (tmp_path / "www/a").exists()


@pytest.mark.parametrize("path", ["../outside.txt", "a/../../outside.txt", "/etc/hostname", ""])
def test_paths_outside_the_target_folder_are_refused(target, tmp_path, path):
    (tmp_path / "www").mkdir()
    (tmp_path / "outside.txt").write_text("mine")
    with pytest.raises(DeployFailed, match="inside the target folder"):
        target.delete([path], lambda done: None)
    upload = Upload(path, tmp_path / "public" / path, "", 0)
    with pytest.raises(DeployFailed, match="inside the target folder"):
        target.send([upload], lambda done: None)
    assert (tmp_path / "outside.txt").read_text() == "mine"


def test_a_target_path_through_a_file_fails_with_what_to_do(client, tmp_path):
    (tmp_path / "blocker").write_text("a file, not a folder")
    uploads = write_output(tmp_path / "public", {"index.html": b"x"})
    for url in (client.url(tmp_path / "blocker/www"), client.url(tmp_path / "blocker")):
        target = SshTarget(url, DeploySettings())
        with pytest.raises(DeployFailed) as failed:
            target.send(uploads, lambda done: None)
        target.close()
        message = str(failed.value)
        assert message.startswith(f"could not send files to {url}: rsync: ")
        assert "check the URL's path" in message
        assert "\n" not in message


def test_a_folder_that_is_a_file_fails_to_list(target, client, tmp_path):
    (tmp_path / "www").write_text("a file")
    with pytest.raises(DeployFailed, match=r"could not list the files of .*Not a directory"):
        target.holdings()
    with pytest.raises(DeployFailed, match=r"could not delete from .*Not a directory"):
        target.delete(["index.html"], lambda done: None)


def test_a_stopped_server_fails_with_what_to_do(sshd, tmp_path, monkeypatch):
    """A server of its own (the session's keeps running), stopped after a first deploy."""
    server = start_sshd(tmp_path / "sshd")
    monkeypatch.setenv(SSH_VARIABLE, server.ssh_command)
    url = server.url(tmp_path / "www")
    first = SshTarget(url, DeploySettings())
    assert first.holdings() == {}
    first.close()
    server.stop()
    target = SshTarget(url, DeploySettings())
    with pytest.raises(DeployFailed) as failed:
        target.send(write_output(tmp_path / "public", {"a.html": b"a"}), lambda done: None)
    target.close()
    assert str(failed.value) == (
        f"could not send files to {url}: ssh: connect to host 127.0.0.1 port {server.port}: "
        "Connection refused. Check the host and port, and that the ssh server runs there, "
        "then deploy again: it carries on where this one stopped"
    )


def test_a_refused_key_fails_with_what_to_do(client, tmp_path):
    target = SshTarget(f"ssh://nobody@127.0.0.1:{client.port}{tmp_path}/www/", DeploySettings())
    with pytest.raises(DeployFailed) as failed:
        target.holdings()
    target.close()
    assert "nobody@127.0.0.1: Permission denied (publickey). The server refused the key" in str(
        failed.value
    )


def test_an_unknown_host_key_fails_instead_of_asking(client, tmp_path, monkeypatch):
    monkeypatch.setenv(SSH_VARIABLE, f"ssh -F /dev/null -o UserKnownHostsFile={tmp_path}/none")
    target = SshTarget(client.url(tmp_path / "www"), DeploySettings())
    with pytest.raises(DeployFailed, match="Host key verification failed. The server's host key"):
        target.holdings()
    target.close()


def test_an_unusable_ssh_command_fails_clearly(client, tmp_path, monkeypatch):
    target = SshTarget(client.url(tmp_path / "www"), DeploySettings())
    monkeypatch.setenv(SSH_VARIABLE, "ssh -o 'unclosed")
    with pytest.raises(DeployFailed, match=f"{SSH_VARIABLE}=.* is not a command"):
        target.holdings()
    monkeypatch.setenv(SSH_VARIABLE, "no-such-ssh-program")
    with pytest.raises(DeployFailed, match="no-such-ssh-program did not run"):
        target.holdings()
    target.close()


def test_close_ends_the_shared_connection(target, tmp_path):
    target.holdings()
    folder = target.control
    assert os.listdir(folder)
    target.close()
    assert not os.path.exists(folder)


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("ssh://example.org/srv/www/", ("example.org", None, "/srv/www")),
        ("ssh://deploy@example.org:2222/srv/www", ("deploy@example.org", 2222, "/srv/www")),
        ("ssh://me@[::1]/srv/my%20site/", ("me@::1", None, "/srv/my site")),
    ],
)
def test_urls(url, parsed):
    assert parse_url(url) == parsed


@pytest.mark.parametrize(
    "url",
    ["ssh:///srv/www/", "ssh://host/", "ssh://host", "ssh://host:port/x/", "ssh://a:pw@host/x/"],
)
def test_urls_without_what_a_deploy_needs_are_refused(url):
    with pytest.raises(DeployFailed, match=r"ssh://"):
        parse_url(url)


def test_md5sum_listing_with_escaped_names():
    listing = (
        b"d41d8cd98f00b204e9800998ecf8427e  ./plain name.txt\n"
        b"\\0cc175b9c0f1b6a831c399e269772661  ./line\\nbreak\\\\back\\rcr\n"
        + "900150983cd24fb0d6963f7d28e17f72  ./日本語/記事.html\n".encode()
    )
    assert dict(parse_md5sum(listing)) == {
        "plain name.txt": "d41d8cd98f00b204e9800998ecf8427e",
        "line\nbreak\\back\rcr": "0cc175b9c0f1b6a831c399e269772661",
        "日本語/記事.html": "900150983cd24fb0d6963f7d28e17f72",
    }


def test_emptied_folder_candidates_go_deepest_first():
    assert emptied_candidates(["a/b/c.html", "a/d.html", "e.html", "a/b/f/g.html"]) == [
        "a/b/f",
        "a/b",
        "a",
    ]


def inodes(folder: Path) -> dict[str, int]:
    """Every file's inode: rsync writes a sent file beside its place and renames it in, so a
    file sent again has a new one."""
    return {
        p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()
    }


def test_blogsmith_deploy_sends_only_what_a_build_changed(client, make_site, tmp_path):
    site = make_site(
        {
            "content/europe/停戦合意.md": article("停戦合意", body="最初の本文。"),
            "content/japan/防衛予算.md": article("防衛予算", category="japan"),
        }
    )
    url = client.url(tmp_path / "remote" / "www")
    assert run_cli("build", "--site", site, "-q").returncode == 0
    first = run_cli("deploy", "--site", site, "--to", url)
    assert first.returncode == 0, first.stderr
    remote, output = tmp_path / "remote/www", site / "public"
    sent = {path: data for path, data in held_files(output).items() if not path.startswith(".")}
    assert held_files(remote) == sent
    before, built_before = inodes(remote), held_files(output)

    edit(site / "content/europe/停戦合意.md", "最初の本文。", "書き直した本文。")
    assert run_cli("build", "--site", site, "-q").returncode == 0
    second = run_cli("deploy", "--site", site, "--to", url)
    assert second.returncode == 0, second.stderr
    changed = {path for path, data in held_files(output).items() if built_before.get(path) != data}
    resent = {path for path, inode in inodes(remote).items() if before.get(path) != inode}
    assert "europe/停戦合意/index.html" in resent
    assert resent == changed - {".blogsmith-output"}
    assert f"{len(resent)} uploaded, 0 deleted" in second.stdout
    assert held_files(remote) == {p: d for p, d in held_files(output).items() if p[0] != "."}


def test_a_git_ssh_target_uses_the_ssh_command_of_blogsmith_ssh(client, make_site, tmp_path):
    """git+ssh:// goes through the same ssh command as ssh:// (its key, its known_hosts):
    nothing in ~/.ssh is needed."""
    site = make_site({"content/europe/停戦合意.md": article("停戦合意", body="本文。")})
    repository = tmp_path / "pages.git"
    subprocess.run(["git", "init", "-q", "--bare", str(repository)], check=True)
    url = f"git+ssh://{client.user}@127.0.0.1:{client.port}{repository}#pages"
    assert run_cli("build", "--site", site, "-q").returncode == 0
    result = run_cli("deploy", "--site", site, "--to", url)
    assert result.returncode == 0, result.stderr
    tree = ["git", "-c", "core.quotePath=false", "--git-dir", str(repository), "ls-tree"]
    listed = subprocess.run(
        [*tree, "-r", "--name-only", "pages"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert "europe/停戦合意/index.html" in listed
