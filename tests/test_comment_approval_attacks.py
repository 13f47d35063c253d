"""Approvals under attack and in careless hands: links planted in content/, an editor saving
while a comment is written, an article deleted under its comments, two moderators deciding at
once, odd but valid files, and a publish command that leaves a process behind."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from comment_service import CommentService, Reader, signed_token
from conftest import DEFAULT_CONFIG, article, run_cli

from blogsmith.core import yamlread
from blogsmith.service.messages import say
from blogsmith.service.moderation import ModerationRefused, decide
from blogsmith.service.run import open_site

KEY = "articles/2022/09/ceasefire.md"
FILE = "content/articles/2022/09/ceasefire.comments.yaml"
THREAD = """\
- id: 101
  author: AAA
  date: 2022-09-14T10:12:00+09:00
  votes: 54
  body: いつもの
"""


def config(extra: str = "") -> str:
    return DEFAULT_CONFIG.replace(
        "related_count: 6\n",
        "related_count: 6\ncomments:\n  url: https://comments.example.org/\n"
        f"  database: comments.sqlite3\n  per_hour: 50\n{extra}",
    )


@pytest.fixture
def site(make_site):
    return make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            "content/articles/attack/orphan.md": article("消される記事", slug="orphan"),
            FILE: THREAD,
        },
        config=config(),
    )


@pytest.fixture
def service(site):
    running = CommentService(site)
    yield running
    print(running.stop())


def post(service: CommentService, key: str = KEY, address: str = "192.0.2.10", **fields):
    form = {
        "article": key,
        "token": signed_token(key, 10),
        "author": "読者X",
        "email": "reader@example.net",
        "url": "",
        "body": "その通りだと思います。",
        "parent": "",
        "homepage": "",
        **fields,
    }
    status, _, text, _ = Reader(service, address).post(
        "/comment", form, headers={"Accept": "application/json"}
    )
    return status, text


def statuses(site: Path) -> list[str]:
    with sqlite3.connect(site / "comments.sqlite3") as connection:
        return [row[0] for row in connection.execute("SELECT status FROM comments ORDER BY id")]


def approve(site: Path, row: int) -> subprocess.CompletedProcess:
    return run_cli("comments", "approve", str(row), "--no-publish", "--site", site)


def assert_check_passes(site: Path) -> None:
    checked = run_cli("check", "--site", site)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_link_planted_at_the_temporary_files_name_is_never_written_through(
    site, service, tmp_path
):
    victim = tmp_path / "bashrc"
    victim.write_text("# the user's own file\n")
    folder = site / FILE.rsplit("/", 1)[0]
    for pid in {os.getpid(), service.process.pid}:  # the names the old code wrote to
        (folder / f".ceasefire.comments.yaml.{pid}.tmp").symlink_to(victim)
    assert post(service)[0] == 200
    opened = open_site(site)
    assert decide(opened.store, site, opened.config, 1, "approve").status == "approved"
    assert victim.read_text() == "# the user's own file\n"
    path = site / FILE
    assert not path.is_symlink() and "その通りだと思います。" in path.read_text()
    assert_check_passes(site)


def test_an_article_folder_replaced_by_a_link_is_never_written_through(site, service, tmp_path):
    assert post(service)[0] == 200
    outside = tmp_path / "elsewhere"
    folder = site / "content/articles/2022/09"
    folder.rename(outside)
    folder.symlink_to(outside, target_is_directory=True)  # after the service started
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    refused = approve(site, 1)
    assert refused.returncode == 1
    assert "symbolic link" in refused.stderr and "still waits" in refused.stderr
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before
    assert statuses(site) == ["pending"]


def test_an_editors_save_while_an_approval_writes_is_merged_not_lost(site, service, monkeypatch):
    path = site / FILE
    big = THREAD + "".join(
        f"- id: {n}\n  author: 読者{n}\n  date: 2022-09-14T11:00:00+09:00\n  body: 本文{n}\n"
        for n in range(200, 5200)
    )
    path.write_text(big)
    assert post(service)[0] == 200
    opened = open_site(site)
    parse = yamlread.parse
    saves: list[str] = []

    def parse_then_editor_saves(text, *args, **kwargs):
        parsed = parse(text, *args, **kwargs)
        if len(saves) < 3:  # the editor saves while the approval holds its copy
            marker = f"# 編集者の保存{len(saves)}\n"
            saves.append(marker)
            path.write_text(path.read_text().replace("body: 本文300\n", "body: 本文300\n" + marker))
        return parsed

    monkeypatch.setattr(yamlread, "parse", parse_then_editor_saves)
    assert decide(opened.store, site, opened.config, 1, "approve").status == "approved"
    monkeypatch.undo()
    text = path.read_text()
    assert saves and all(marker in text for marker in saves)
    assert text.count("その通りだと思います。") == 1
    assert_check_passes(site)


def test_an_approval_for_a_deleted_article_is_refused_and_the_comment_waits(site, service):
    assert post(service, "articles/attack/orphan.md")[0] == 200
    (site / "content/articles/attack/orphan.md").unlink()
    refused = approve(site, 1)
    assert refused.returncode == 1
    assert "no longer in content/" in refused.stderr and "still waits" in refused.stderr
    assert not (site / "content/articles/attack/orphan.comments.yaml").exists()
    assert statuses(site) == ["pending"]
    assert_check_passes(site)
    assert run_cli("build", "--site", site).returncode == 0
    status, text = post(service, "articles/attack/orphan.md")  # the service stops taking them
    assert status == 404 and json.loads(text) == {"error": say("ja", "article_unknown")}


def test_a_comment_set_aside_is_never_approved_from_an_older_tab_or_the_cli(site, service):
    assert post(service, body="一つ目")[0] == 200
    assert post(service, body="二つ目")[0] == 200
    assert run_cli("comments", "reject", "1", "--site", site).returncode == 0
    assert run_cli("comments", "spam", "2", "--site", site).returncode == 0
    for row, words in ((1, "rejected"), (2, "marked as spam")):
        refused = approve(site, row)
        assert refused.returncode == 1 and words in refused.stderr
    assert (site / FILE).read_text() == THREAD
    assert statuses(site) == ["rejected", "spam"]


def test_a_rejection_while_an_approval_writes_is_refused_not_answered_done(
    site, service, monkeypatch
):
    assert post(service)[0] == 200
    opened = open_site(site)
    parse = yamlread.parse
    answers: list[str] = []

    def reject_meanwhile():
        try:
            answers.append(decide(opened.store, site, opened.config, 1, "reject").status)
        except ModerationRefused as refused:
            answers.append(f"refused: {refused}")

    rejecting = threading.Thread(target=reject_meanwhile)

    def parse_while_rejected(text, *args, **kwargs):
        if not rejecting.is_alive() and not answers:
            rejecting.start()  # another moderator rejects while this approval writes
            time.sleep(0.5)
        return parse(text, *args, **kwargs)

    monkeypatch.setattr(yamlread, "parse", parse_while_rejected)
    approved = decide(opened.store, site, opened.config, 1, "approve")
    rejecting.join(30)
    monkeypatch.undo()
    in_file = "その通りだと思います。" in (site / FILE).read_text()
    assert approved.status == "approved" and in_file
    assert answers and answers[0].startswith("refused: ") and "approved" in answers[0]
    assert statuses(site) == ["approved"]


def test_two_readers_identical_comments_in_the_same_second_are_both_written(site, service):
    for address in ("192.0.2.10", "192.0.2.11"):
        assert post(service, address=address, author="名無し", email="", body="ｗｗｗ")[0] == 200
    with sqlite3.connect(site / "comments.sqlite3") as connection:
        connection.execute("UPDATE comments SET posted = 1663120000.25")  # the same second
    assert run_cli("comments", "approve", "1", "2", "--no-publish", "--site", site).returncode == 0
    text = (site / FILE).read_text()
    assert text.count("ｗｗｗ") == 2 and "id: 102" in text and "id: 103" in text
    assert approve(site, 2).returncode == 0  # approving again adds nothing
    assert (site / FILE).read_text().count("ｗｗｗ") == 2


@pytest.mark.parametrize(
    ("saved", "check"),
    [
        (THREAD + "...\n", lambda data: data.endswith(b"...\n")),
        ("\ufeff" + THREAD, lambda data: data.startswith("\ufeff".encode())),
        (THREAD.replace("\n", "\r\n"), lambda data: data.count(b"\n") == data.count(b"\r\n")),
    ],
    ids=["document-end", "bom", "crlf"],
)
def test_an_odd_but_valid_file_is_appended_to_as_it_was_saved(site, service, saved, check):
    path = site / FILE
    path.write_bytes(saved.encode())
    path.chmod(0o664)
    assert_check_passes(site)
    assert post(service)[0] == 200
    approved = approve(site, 1)
    assert approved.returncode == 0, approved.stderr
    data = path.read_bytes()
    assert data.startswith(saved.removesuffix("...\n").encode()) and check(data)
    assert "その通りだと思います。".encode() in data
    assert path.stat().st_mode & 0o777 == 0o664
    assert_check_passes(site)


def test_a_reply_to_an_id_written_as_text_keeps_the_id_as_written(site, service):
    (site / FILE).write_text(THREAD.replace("id: 101", 'id: "0101"'))
    assert post(service, parent="0101")[0] == 200
    assert approve(site, 1).returncode == 0
    text = (site / FILE).read_text()
    assert "parent: '0101'" in text
    assert_check_passes(site)


def test_a_publish_command_that_leaves_a_process_behind_does_not_stall_publishing(
    make_site, tmp_path
):
    left = tmp_path / "left.pid"
    site = make_site(
        {"content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire")},
        config=config(f"  publish: sh -c 'sleep 300 & echo $! > {left}; echo pushed'\n"),
    )
    started = time.monotonic()
    try:
        published = subprocess.run(
            [sys.executable, "-m", "blogsmith", "comments", "publish", "--site", str(site)],
            capture_output=True,
            text=True,
            timeout=60,  # before: the pipe stayed open under the process left behind, 600 s
        )
    finally:
        if left.exists():
            subprocess.run(["kill", left.read_text().strip()], check=False)
    assert published.returncode == 0, published.stdout + published.stderr
    assert time.monotonic() - started < 50
    assert published.stdout.startswith("built ")


@pytest.mark.slow
def test_slow_clients_cannot_hold_the_service_shut(site, service):
    """510 connections each sending a byte every 2 s (more than the 500 the service takes)."""
    held = [socket.create_connection((service.host, service.port)) for _ in range(510)]
    stop = threading.Event()

    def trickle():
        while not stop.wait(2):
            for connection in held:
                try:
                    connection.send(b"P")
                except OSError:
                    pass  # closed by the service: what it should do

    threading.Thread(target=trickle, daemon=True).start()
    started = time.monotonic()
    try:
        answered = None
        while answered is None and time.monotonic() - started < 40:
            try:
                with socket.create_connection((service.host, service.port), timeout=2) as probe:
                    probe.sendall(b"GET /health HTTP/1.0\r\n\r\n")
                    if probe.recv(100).startswith(b"HTTP/1.0 200"):
                        answered = time.monotonic() - started
            except OSError:
                time.sleep(0.5)
    finally:
        stop.set()
        for connection in held:
            connection.close()
    assert answered is not None and answered < 25, answered


def test_the_cli_approves_only_the_text_pending_listed(site, service):
    assert post(service, body="最初の文面")[0] == 200
    listed = run_cli("comments", "pending", "--site", site).stdout
    read = re.search(r"\((1@[0-9a-f]{8})\)$", listed, re.M).group(1)
    with sqlite3.connect(site / "comments.sqlite3") as connection:  # its reader changes it
        connection.execute("UPDATE comments SET body = '書き換えた文面' WHERE id = 1")
    refused = run_cli("comments", "approve", read, "--no-publish", "--site", site)
    assert refused.returncode == 1 and "changed by its reader" in refused.stderr
    assert statuses(site) == ["pending"] and "書き換えた文面" not in (site / FILE).read_text()

    listed = run_cli("comments", "pending", "--site", site).stdout
    again = re.search(r"\((1@[0-9a-f]{8})\)$", listed, re.M).group(1)
    assert again != read
    assert run_cli("comments", "approve", again, "--no-publish", "--site", site).returncode == 0
    assert statuses(site) == ["approved"] and "書き換えた文面" in (site / FILE).read_text()

    wrong = run_cli("comments", "approve", "1@xyz", "--site", site)
    assert wrong.returncode == 2 and "like 12@3f9a2c1b" in wrong.stderr
