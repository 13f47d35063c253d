"""A reader changes or withdraws their comment while it waits, from the browser that sent it
(its signed cookie), never anyone else's, and never once a moderator has decided."""

from __future__ import annotations

import re

import pytest
from comment_service import CommentService, Reader
from conftest import article, run_cli
from test_comment_service import (
    THREAD,
    add_moderator,
    comment_form,
    login,
    service_config,
    stored_rows,
)

from blogsmith.service.messages import say

JSON = {"Accept": "application/json"}


@pytest.fixture
def service(make_site, database):
    site = make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            "content/articles/2022/09/ceasefire.comments.yaml": THREAD,
        },
        config=service_config(database),
    )
    running = CommentService(site)
    yield site, running
    running.stop()


def token_of(text: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', text).group(1)


def test_the_sender_changes_then_withdraws_a_waiting_comment(service, database):
    site, running = service
    reader = Reader(running)
    status, headers, _, cookies = reader.post("/comment", comment_form(body="誤字のある感想"))
    assert status == 303 and headers["location"].endswith("row=1")
    assert any("blogsmith_mine=" in c and "HttpOnly" in c for c in cookies)
    thanks = reader.get("/" + headers["location"])[2]
    assert 'href="mine/1"' in thanks
    status, _, text, _ = reader.get("/mine/1")
    assert status == 200 and "誤字のある感想" in text
    token = token_of(text)
    status, _, text, _ = reader.post("/mine/1/edit", {"token": token, "body": "  "})
    assert status == 400 and say("ja", "body_empty") in text  # the rules of a new comment
    status, _, text, _ = reader.post("/mine/1/edit", {"token": token, "body": "直した感想"})
    assert status == 200 and say("ja", "mine_edited") in text
    assert stored_rows(site, database) == [("読者X", "直した感想", "pending", None)]
    assert reader.post("/mine/1/withdraw", {"token": token})[0] == 200
    assert stored_rows(site, database) == []  # nothing of it is kept


def test_no_one_else_and_nothing_decided_can_be_changed(service, database):
    site, running = service
    reader = Reader(running)
    status, _, text, _ = reader.post("/comment", comment_form(body="私の感想"), headers=JSON)
    assert status == 200 and '"id":1' in text.replace(" ", "")  # the script's path sets it too
    token = token_of(reader.get("/mine/1")[2])
    stranger = Reader(running)
    status, _, text, _ = stranger.get("/mine/1")
    assert status == 403 and say("ja", "not_yours") in text
    assert stranger.post("/mine/1/withdraw", {"token": token})[0] == 403  # no cookie
    stranger.cookies["blogsmith_mine"] = reader.cookies["blogsmith_mine"].replace("1", "2", 1)
    assert stranger.get("/mine/1")[0] == 403  # a cookie changed by hand
    assert reader.post("/mine/1/withdraw", {"token": "mine|1|forged"})[0] == 403
    assert run_cli("comments", "approve", "1", "--no-publish", "--site", site).returncode == 0
    status, _, text, _ = reader.post("/mine/1/edit", {"token": token, "body": "後から変える"})
    assert status == 409 and say("ja", "no_longer_waiting") in text
    assert reader.post("/mine/1/withdraw", {"token": token})[0] == 409
    assert stored_rows(site, database) == [("読者X", "私の感想", "approved", None)]
    thread = site / "content/articles/2022/09/ceasefire.comments.yaml"
    assert "後から変える" not in thread.read_text(encoding="utf-8")


def test_a_comment_changed_after_the_moderator_read_it_is_not_approved_unread(service, database):
    """A reader cannot slip a new text in between the moderator's reading and approving."""
    site, running = service
    add_moderator(site, "editor", "correct horse battery")
    reader = Reader(running)
    reader.post("/comment", comment_form(body="穏当な感想"))
    editor = Reader(running)
    assert login(editor, "editor", "correct horse battery")[0] == 303
    page = editor.get("/moderate")[2]
    form = re.search(r'action="moderate/1/approve">(.*?)</form>', page, re.S).group(1)
    fields = dict(re.findall(r'name="(csrf|seen|back)" value="([^"]*)"', form))
    token = token_of(reader.get("/mine/1")[2])
    assert reader.post("/mine/1/edit", {"token": token, "body": "すり替えた文"})[0] == 200
    status, _, text, _ = editor.post("/moderate/1/approve", fields)
    assert status == 409 and say("ja", "changed_since_read", row=1) in text
    assert stored_rows(site, database) == [("読者X", "すり替えた文", "pending", None)]
    page = editor.get("/moderate")[2]  # read again: now it can be approved
    form = re.search(r'action="moderate/1/approve">(.*?)</form>', page, re.S).group(1)
    fields = dict(re.findall(r'name="(csrf|seen|back)" value="([^"]*)"', form))
    assert editor.post("/moderate/1/approve", fields)[0] == 303
    assert stored_rows(site, database)[0][2] == "approved"


def test_a_comment_sent_to_spam_looks_waiting_to_its_sender_and_stays_spam(service, database):
    """A spammer never learns how their comment was judged: the page, an edit and a
    withdrawal answer as for a waiting comment."""
    site, running = service
    reader = Reader(running)
    reader.post("/comment", comment_form(body="怪しい宣伝"))
    assert run_cli("comments", "block", "1", "--site", site).returncode == 0
    status, _, text, _ = reader.get("/mine/1")
    assert status == 200 and "怪しい宣伝" in text and 'action="1/edit"' in text
    status, _, text, _ = reader.post("/mine/1/edit", {"token": token_of(text), "body": "別の宣伝"})
    assert status == 200 and say("ja", "mine_edited") in text
    assert stored_rows(site, database) == [("読者X", "別の宣伝", "spam", None)]
    assert reader.post("/mine/1/withdraw", {"token": token_of(reader.get("/mine/1")[2])})[0] == 200
    assert stored_rows(site, database) == []
