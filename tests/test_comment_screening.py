"""What a moderator never has to read: words the site blocks or always holds (matched after
the search's folding, so full-width and half-width spellings do not slip through), and
readers a moderator blocked, by their email and their address."""

from __future__ import annotations

import re

import pytest
from comment_service import CommentService, Reader
from conftest import article, run_cli
from test_comment_service import (
    KEY,
    THREAD,
    add_moderator,
    comment_form,
    login,
    service_config,
    stored_rows,
)

from blogsmith.service.submissions import Submission
from blogsmith.service.word_lists import WordLists

LISTS = """\
  auto_approve: true
  blocked_words: [カジノ, viagra, "free money"]
  held_words: [住所]
"""


def said(body: str, author: str = "読者", url: str = "") -> Submission:
    return Submission(KEY, None, author, "", url, body, "nonce")


def test_words_match_after_folding_and_latin_words_only_whole():
    lists = WordLists.of(("カジノ", "viagra", "free money"), ("住所",))
    assert lists.blocked_in(said("ｵﾝﾗｲﾝｶｼﾞﾉで稼ぐ")) == "カジノ"  # half-width kana
    assert lists.blocked_in(said("Buy ＶＩＡＧＲＡ now")) == "viagra"  # full-width, upper case
    assert lists.blocked_in(said("FREE  MONEY")) is None  # a phrase is matched as written
    assert lists.blocked_in(said("Free Money here")) == "free money"
    assert lists.blocked_in(said("本文", url="https://viagra.example/")) == "viagra"
    assert lists.blocked_in(said("viagrafication is not a word here")) is None
    assert lists.blocked_in(said("本文", author="カジノ王")) == "カジノ"
    assert lists.held_in(said("彼の住所はここ")) == "住所"
    assert WordLists.of((), ()).blocked_in(said("カジノ")) is None


def test_a_word_list_that_is_not_a_list_of_words_is_a_config_error(make_site):
    site = make_site(
        {"content/articles/a.md": article("記事")},
        config=service_config(extra="  blocked_words: {カジノ: 1}\n"),
    )
    for command in ("check", "build"):
        result = run_cli(command, "--site", site)
        assert result.returncode != 0
        assert re.search(
            r"blogsmith\.yaml:\d+: 'comments\.blocked_words' must be a list", result.stderr
        )


@pytest.fixture
def service(make_site, database):
    site = make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            "content/articles/2022/09/ceasefire.comments.yaml": THREAD,
        },
        config=service_config(database, LISTS),
    )
    running = CommentService(site)
    yield site, running
    running.stop()


def test_blocked_words_go_to_spam_and_held_words_wait_even_for_a_trusted_reader(service, database):
    site, running = service
    reader = Reader(running)
    assert reader.post("/comment", comment_form(body="初投稿です。"))[0] == 303
    assert run_cli("comments", "approve", "1", "--no-publish", "--site", site).returncode == 0
    # the reader is trusted now (auto_approve), but a held word waits for a moderator
    answer = reader.post("/comment", comment_form(body="この人の住所を晒す"), headers=JSON)
    assert '"status":"pending"' in answer[2].replace(" ", "")
    answer = reader.post("/comment", comment_form(body="ｵﾝﾗｲﾝｶｼﾞﾉ最高"), headers=JSON)
    assert '"status":"pending"' in answer[2].replace(" ", "")  # told as always; stored as spam
    answer = reader.post("/comment", comment_form(body="続報待ち"), headers=JSON)
    assert '"status":"approved"' in answer[2].replace(" ", "")
    assert [(body, status) for _, body, status, _ in stored_rows(site, database)] == [
        ("初投稿です。", "approved"),
        ("この人の住所を晒す", "pending"),
        ("ｵﾝﾗｲﾝｶｼﾞﾉ最高", "spam"),
        ("続報待ち", "approved"),
    ]


JSON = {"Accept": "application/json"}


def test_a_blocked_reader_goes_to_spam_by_email_and_by_address_until_unblocked(service, database):
    site, running = service
    troll = Reader(running, address="198.51.100.66")
    troll.post("/comment", comment_form(body="荒らし1", email="troll@example.net"))
    blocked = run_cli("comments", "block", "1", "--site", site)
    assert blocked.returncode == 0 and "#1" in blocked.stdout
    troll.post("/comment", comment_form(body="荒らし2", email="other@example.net"))  # address
    elsewhere = Reader(running, address="203.0.113.9")
    elsewhere.post("/comment", comment_form(body="荒らし3", email="TROLL@example.net"))  # email
    elsewhere.post("/comment", comment_form(body="別の読者", email="kind@example.net"))
    assert [(body, status) for _, body, status, _ in stored_rows(site, database)] == [
        ("荒らし1", "spam"),  # it waited: marked as spam with the block
        ("荒らし2", "spam"),
        ("荒らし3", "spam"),
        ("別の読者", "pending"),
    ]
    assert run_cli("comments", "unblock", "1", "--site", site).returncode == 0
    troll.post("/comment", comment_form(body="反省しました", email="troll@example.net"))
    assert stored_rows(site, database)[-1][1:3] == ("反省しました", "pending")
    missing = run_cli("comments", "block", "99", "--site", site)
    assert missing.returncode == 1 and "no comment #99" in missing.stderr

    # from the moderation page, with its session and CSRF token only
    add_moderator(site, "editor", "correct horse battery")
    assert Reader(running).post("/moderate/5/block", {"csrf": "x"})[0] == 403
    editor = Reader(running)
    assert login(editor, "editor", "correct horse battery")[0] == 303
    text = editor.get("/moderate")[2]
    assert "この読者をブロック" in text
    csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)
    assert editor.post("/moderate/5/block", {"csrf": "forged"})[0] == 403
    assert editor.post("/moderate/5/block", {"csrf": csrf})[0] == 303
    assert stored_rows(site, database)[-1][1:3] == ("反省しました", "spam")
    troll.post("/comment", comment_form(body="また来た", email="troll@example.net"))
    assert stored_rows(site, database)[-1][1:3] == ("また来た", "spam")
