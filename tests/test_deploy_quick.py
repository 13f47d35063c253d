"""A deploy with nothing to do reads the state once and writes nothing, yet still sees every
change a build makes, and still leaves out what is linked; the signed state keeps out what
this machine did not write, and a state of the previous format is still trusted."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import edit, run_cli
from test_deploy import archive, build

from blogsmith.cache import persist
from blogsmith.cache.location import default_cache_dir
from blogsmith.deploy.state import LEGACY_MAGIC, MAGIC, StateFiles, load
from blogsmith.output.writer import OWNED_LIST


@pytest.fixture(autouse=True)
def own_cache_key(tmp_path, monkeypatch):
    """One signing key for these tests and the commands they run."""
    monkeypatch.setenv(persist.KEY_FILE_VARIABLE, str(tmp_path / "cache-key"))
    monkeypatch.setattr(persist, "_KEY", None)


def deploy(site: Path, target: Path, *options: str) -> tuple[int, int, int]:
    """(uploaded, deleted, unchanged), from the summary line of a deploy that succeeded."""
    result = run_cli("deploy", "--site", site, "--to", f"file://{target}/", *options)
    assert result.returncode == 0, result.stderr
    words = result.stdout.strip().splitlines()[-1].split(": ", 1)[1].replace(",", "").split()
    return int(words[0]), int(words[2]), int(words[4])


def state_files(output: Path, target: Path) -> StateFiles:
    return StateFiles.of(default_cache_dir(output), f"file://{target}/")


def on_disk(path: Path) -> tuple[bytes, int, int, int]:
    """A file's bytes, inode, modification and change times: any write changes one."""
    status = path.stat()
    return path.read_bytes(), status.st_ino, status.st_mtime_ns, status.st_ctime_ns


def listed_names(output: Path) -> list[str]:
    return (output / OWNED_LIST).read_text(encoding="utf-8").split()


def listed(output: Path) -> dict[str, bytes]:
    """The files the last build wrote, with their bytes: what the target must hold."""
    return {name: (output / name).read_bytes() for name in listed_names(output)}


def files_in(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


def test_a_deploy_with_nothing_to_do_writes_no_state_and_no_journal(make_site, tmp_path):
    site, output = archive(make_site)
    target = tmp_path / "www"
    deploy(site, target)
    files = state_files(output, target)
    assert files.state.read_bytes().startswith(MAGIC) and not files.journal.exists()
    before = on_disk(files.state)
    folder = sorted(os.listdir(files.folder))
    for _ in range(2):
        assert deploy(site, target) == (0, 0, len(listed(output)))
        assert on_disk(files.state) == before
        assert sorted(os.listdir(files.folder)) == folder  # no journal, no temporary file
    assert deploy(site, target, "--verify") == (0, 0, len(listed(output)))  # all there
    assert on_disk(files.state) == before


def test_every_change_a_build_makes_is_still_sent(make_site, tmp_path):
    site, output = archive(make_site)
    target = tmp_path / "www"
    deploy(site, target)
    deploy(site, target)
    files = state_files(output, target)
    before = on_disk(files.state)
    edit(site / "content/a/s4.md", "本文4の段落。", "本文4を直した。")
    build(site)
    uploaded, deleted, _ = deploy(site, target)
    assert uploaded >= 1 and deleted == 0
    assert files_in(target) == listed(output)
    assert on_disk(files.state) != before and not files.journal.exists()
    assert deploy(site, target)[:2] == (0, 0)


def test_bytes_changed_in_place_with_the_same_size_and_times_are_sent(make_site, tmp_path):
    """The memo knows a file by size, modification time, inode and change time: putting
    the modification time back does not hide new bytes (the change time moves)."""
    site, output = archive(make_site)
    target = tmp_path / "www"
    deploy(site, target)
    stylesheet = output / "assets/site.css"
    status = stylesheet.stat()
    data = stylesheet.read_bytes()
    with open(stylesheet, "r+b") as stream:  # the same inode, the same size
        stream.write(data.replace(b"#222", b"#333"))
    os.utime(stylesheet, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert stylesheet.stat().st_size == status.st_size
    assert deploy(site, target)[:2] == (1, 0)
    assert (target / "assets/site.css").read_bytes() == data.replace(b"#222", b"#333")


def test_links_anywhere_in_the_output_are_left_out(make_site, tmp_path):
    """Folders below the top are looked at too (in the listing of the folder above them)."""
    site, output = archive(make_site)
    pages = sorted(path for path in listed(output) if path.startswith("europe/"))
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(output / "europe", elsewhere)
    for page in elsewhere.rglob("*.html"):
        page.write_text("private page")
    (output / "europe/s1").rename(tmp_path / "s1-moved")
    (output / "europe/s1").symlink_to(elsewhere / "s1")  # a linked article folder
    (output / "europe/s2/index.html").unlink()
    (output / "europe/s2/index.html").symlink_to(elsewhere / "s2/index.html")
    linked = {path for path in pages if path.startswith("europe/s1/")}
    linked.add("europe/s2/index.html")
    target = tmp_path / "www"
    result = run_cli("deploy", "--site", site, "--to", f"file://{target}/")
    assert result.returncode == 0, result.stderr
    assert f"left out {len(linked)} listed name(s) that are symbolic links" in result.stderr
    sent = files_in(target)
    assert set(sent) == set(listed_names(output)) - linked
    assert not any(b"private" in data for data in sent.values())
    (output / "europe").rename(tmp_path / "europe-moved")
    (output / "europe").symlink_to(elsewhere)  # every page below it
    result = run_cli("deploy", "--site", site, "--to", f"file://{target}/")
    assert result.returncode == 0, result.stderr
    assert f"left out {len(pages)} listed name(s)" in result.stderr
    assert not any(b"private" in data for data in files_in(target).values())


def test_a_fifo_where_a_page_was_is_left_out_and_never_opened(make_site, tmp_path):
    site, output = archive(make_site)
    (output / "robots.txt").unlink()
    os.mkfifo(output / "robots.txt")  # opening it would wait for a writer
    target = tmp_path / "www"
    result = run_cli("deploy", "--site", site, "--to", f"file://{target}/")
    assert result.returncode == 0, result.stderr
    assert "left out 1 listed name(s)" in result.stderr and "robots.txt" in result.stderr
    assert "robots.txt" not in files_in(target)


def test_a_state_signed_elsewhere_or_relabelled_is_not_trusted(make_site, tmp_path):
    site, output = archive(make_site)
    target = tmp_path / "www"
    deploy(site, target)
    files = state_files(output, target)
    data = files.state.read_bytes()
    payload = data.split(b"\n", 2)[2]
    elsewhere = hmac.new(b"another machine's key", MAGIC + payload, hashlib.sha256)
    relabelled = persist.signature(payload)  # how format 1 signed: not valid for format 2
    for signed in (elsewhere.hexdigest().encode(), relabelled.hex().encode()):
        files.state.write_bytes(MAGIC + signed + b"\n" + payload)
        assert not load(files).trusted
    assert load(files).sent == {}
    result = run_cli("deploy", "--site", site, "--to", f"file://{target}/")
    assert result.returncode == 0, result.stderr
    assert f"({len(listed(output))} already there, adopted)" in result.stdout
    assert load(files).trusted and files.state.read_bytes().startswith(MAGIC)


def test_a_state_of_the_previous_format_is_trusted_and_rewritten(make_site, tmp_path):
    """After an upgrade the deploy neither compares with the whole target nor forgets what
    it sent: a page removed from the site is still deleted from the target."""
    site, output = archive(make_site)
    target = tmp_path / "www"
    deploy(site, target)
    files = state_files(output, target)
    state = load(files)
    memo = {}
    for key, digest in state.memo.items():
        path, size, mtime, inode, ctime = key.rsplit(" ", 4)
        memo[path] = [int(size), int(mtime), int(inode), int(ctime), digest]
    payload = json.dumps(
        {"url": files.url, "sent": state.sent, "memo": memo, "pending": []},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    files.state.write_bytes(
        LEGACY_MAGIC + persist.signature(payload).hex().encode() + b"\n" + payload
    )
    legacy = load(files)
    assert legacy.trusted and legacy.sent == state.sent and legacy.memo == state.memo
    (site / "content/a/s2.md").unlink()
    build(site)
    uploaded, deleted, _ = deploy(site, target)
    assert deleted >= 1
    assert files_in(target) == listed(output)
    assert files.state.read_bytes().startswith(MAGIC)
    assert deploy(site, target)[:2] == (0, 0)
