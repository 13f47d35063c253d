"""The moderation page as a desk: each comment with when it came, its article and the comment
it answers quoted; lists by status, filters by article and by words (folded as the search
folds), several decided at once, and a verdict taken back."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from comment_service import CommentService, Reader, signed_token
from conftest import article, run_cli
from test_comment_service import (
    THREAD,
    add_moderator,
    comment_form,
    login,
    service_config,
    stored_rows,
)

OTHER = "articles/2022/09/other.md"


@pytest.fixture
def desk(make_site, database):
    site = make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            "content/articles/2022/09/ceasefire.comments.yaml": THREAD,
            "content/" + OTHER: article("別の記事", "2022-09-10 08:00", slug="other"),
        },
        config=service_config(database, "  per_hour: 50\n  blocked_words: [カジノ]\n"),
    )
    add_moderator(site, "editor", "correct horse battery")
    running = CommentService(site)
    reader = Reader(running)
    reader.post("/comment", comment_form(body="一件目", parent="101"))
    reader.post("/comment", comment_form(body="カジノで稼げます"))  # spam by the word list
    other = comment_form(article=OTHER, token=signed_token(OTHER, 10), body="別の記事への感想")
    assert reader.post("/comment", other)[0] == 303
    editor = Reader(running)
    assert login(editor, "editor", "correct horse battery")[0] == 303
    yield site, running, editor
    running.stop()


def page_of(editor: Reader, query: str = "") -> BeautifulSoup:
    status, _, text, _ = editor.get("/moderate" + query)
    assert status == 200
    return BeautifulSoup(text, "html.parser")


def listed(page: BeautifulSoup) -> list[str]:
    return [section.select_one("pre").get_text() for section in page.select("section.desk-comment")]


def test_each_comment_shows_when_where_and_what_it_answers(desk):
    site, running, editor = desk
    page = page_of(editor)
    assert listed(page) == ["別の記事への感想", "一件目"]  # newest first; the spam apart
    first = page.select_one("section#pending-1")
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", first.select_one("time").get_text())
    assert "停戦は40分で破綻" in first.get_text() and "承認待ち" in first.get_text()
    answered = first.select("p.meta")[1]
    assert answered.select_one("bdi").get_text() == "AAA"
    assert answered.select_one("q").get_text() == ">>停戦は40分で破られた い つ も の"


def test_lists_by_status_filter_by_article_and_by_folded_words(desk):
    site, running, editor = desk
    assert listed(page_of(editor, "?status=spam")) == ["カジノで稼げます"]
    assert listed(page_of(editor, "?status=spam&words=%EF%BD%B6%EF%BD%BC%EF%BE%9E%EF%BE%89")) == [
        "カジノで稼げます"
    ]  # ｶｼﾞﾉ, half-width
    assert listed(page_of(editor, f"?article={OTHER}")) == ["別の記事への感想"]
    assert listed(page_of(editor, "?words=%E4%B8%80%E4%BB%B6")) == ["一件目"]  # 一件
    assert listed(page_of(editor, "?status=nonsense")) == ["別の記事への感想", "一件目"]
    choices = [o.get_text() for o in page_of(editor).select("#filter-article option")]
    assert choices == ["すべての記事", "停戦は40分で破綻", "別の記事"]


def test_several_decided_at_once_and_a_verdict_taken_back(desk, database):
    site, running, editor = desk
    page = page_of(editor)
    csrf = page.select_one("form#several input[name=csrf]")["value"]
    assert editor.post("/moderate/several", {"action": "reject", "rows": ["1", "3"]})[0] == 403
    status, _, text, _ = editor.post(
        "/moderate/several", {"action": "reject", "rows": ["1", "3"], "csrf": csrf}
    )
    assert status == 200 and "2件を「却下」にしました。" in text
    assert [row[2] for row in stored_rows(site, database)] == ["rejected", "spam", "rejected"]
    assert listed(page_of(editor, "?status=rejected")) == ["別の記事への感想", "一件目"]
    # taken back: it waits again, and the moderator stays on the list they read
    back = editor.post("/moderate/1/restore", {"csrf": csrf, "back": "rejected"})
    assert back[0] == 303
    assert back[1]["location"] == "../../moderate?status=rejected&done=restore&row=1"
    notice = page_of(editor, "?status=pending&done=spam&row=1").select_one(".notice")
    assert notice.get_text(" ", strip=True) == "コメント#1: スパム 取り消す"  # undo: restore
    assert notice.select_one("form")["action"] == "moderate/1/restore"
    assert run_cli("comments", "restore", "2", "--site", site).returncode == 0
    assert [row[2] for row in stored_rows(site, database)] == ["pending", "pending", "rejected"]
    status, _, text, _ = editor.post(
        "/moderate/several", {"action": "approve", "rows": ["1", "3"], "csrf": csrf}
    )  # one is approved; the rejected one is not, and the page says why
    assert status == 200 and "1件を「承認」にしました。" in text
    refusals = BeautifulSoup(text, "html.parser").select("ul.error li")
    assert [r.get_text() for r in refusals] == [
        "コメント#3は(別の管理人によって、または以前に)却下になっています。承認はされていません。"
    ]
    assert [row[2] for row in stored_rows(site, database)] == ["approved", "pending", "rejected"]
