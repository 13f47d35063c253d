"""Moderators change what readers wrote: a waiting comment before its approval, a published
one in its file (marked edited:, and the page says so), each edit of the text the moderator
read and recorded with who, when, before and after."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from comment_service import CommentService, Reader
from conftest import article, run_cli, soup
from test_comment_service import KEY, THREAD, add_moderator, comment_form, login, service_config

from blogsmith.service.comment_files import CommentFileRefused, edit_comment
from blogsmith.service.messages import say
from blogsmith.service.moderation import text_digest

WHEN = datetime(2026, 12, 4, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
FILE = "content/articles/2022/09/ceasefire.comments.yaml"
PAGE = "public/europe/ceasefire/index.html"
LINK = "https://news.example.org/europe/ceasefire/#comment-102"


def thread_site(tmp_path, text: str = THREAD):
    folder = tmp_path / "content/articles/2022/09"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ceasefire.md").write_text(article("停戦", slug="ceasefire"), encoding="utf-8")
    path = folder / "ceasefire.comments.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_published_comment_is_edited_in_its_file_and_the_rest_stays_exactly(tmp_path):
    path = thread_site(tmp_path, THREAD + "# 編集者の注記\n")
    was = edit_comment(tmp_path / "content", KEY, "101", "書き直した本文", WHEN, lambda t: True)
    assert was == ">>停戦は40分で破られた\n\nい つ も の\n"
    text = path.read_text(encoding="utf-8")
    edited = (
        "- id: 101\n  author: AAA\n  date: 2022-09-14T10:12:00+09:00\n  votes: 54\n"
        "  edited: 2026-12-04T09:30:00+09:00\n  body: 書き直した本文\n"
    )
    start, end = THREAD.index("- id: 101"), THREAD.index("- id: 102")
    assert text == THREAD[:start] + edited + THREAD[end:] + "# 編集者の注記\n"


def test_an_edit_of_a_text_changed_since_it_was_read_or_taken_down_is_refused(tmp_path):
    path = thread_site(tmp_path)
    seen = text_digest("前回よりは成長してますし…")
    with pytest.raises(CommentFileRefused, match="changed since you read it"):
        edit_comment(tmp_path / "content", KEY, "102", "x", WHEN, lambda t: text_digest(t) == "0")
    assert path.read_text(encoding="utf-8") == THREAD
    edit_comment(tmp_path / "content", KEY, "102", "x", WHEN, lambda t: text_digest(t) == seen)
    placeholder = THREAD.replace("  body: 前回よりは成長してますし…\n", "  removed: true\n")
    path.write_text(placeholder, encoding="utf-8")
    with pytest.raises(CommentFileRefused, match="taken down"):
        edit_comment(tmp_path / "content", KEY, "102", "y", WHEN, lambda t: True)


def test_the_page_says_a_moderator_edited_a_comment_and_a_bad_mark_is_an_error_with_its_line(
    make_site,
):
    edited = THREAD.replace("  votes: 54\n", "  votes: 54\n  edited: 2026-12-04T09:30:00+09:00\n")
    site = make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦", slug="ceasefire"),
            "content/articles/2022/09/ceasefire.comments.yaml": edited,
        }
    )
    assert run_cli("build", "--site", site).returncode == 0
    page = soup(site / PAGE)
    assert page.select_one("#comment-101 .comment-edited").text == "(管理人が編集しました)"
    assert page.select_one("#comment-102 .comment-edited") is None
    (site / FILE).write_text(edited.replace("2026-12-04T09:30:00+09:00", "昨日"), "utf-8")
    checked = run_cli("check", "--site", site)
    line = edited.splitlines().index("  edited: 2026-12-04T09:30:00+09:00") + 1
    assert checked.returncode == 1
    assert f"ceasefire.comments.yaml:{line}: comment 101: 'edited' must be the date" in (
        checked.stderr
    )


@pytest.fixture
def site(make_site, database):
    made = make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            FILE: THREAD,
        },
        config=service_config(database),
    )
    add_moderator(made, "editor", "correct horse battery")
    return made


def test_a_moderator_edits_a_waiting_comment_then_a_published_one_from_the_desk(site, database):
    service = CommentService(site)
    try:
        Reader(service).post("/comment", comment_form(body="電話番号は090-xxxx、本文です"))
        editor = Reader(service)
        login(editor, "editor", "correct horse battery")
        status, _, desk, _ = editor.get("/moderate")
        assert 'href="edit?row=1"' in desk
        status, _, form, _ = editor.get("/edit?row=1")
        assert status == 200 and "電話番号は090-xxxx、本文です</textarea>" in form
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        seen = re.search(r'name="seen" value="([^"]+)"', form).group(1)
        edited = {"csrf": csrf, "which": "1", "seen": seen, "body": "(個人情報を削除)本文です"}
        status, _, text, _ = editor.post("/edit", edited)
        assert status == 200 and say("ja", "edited_waiting", row=1) in text
        # the same form again: the text it was read from is gone
        status, _, text, _ = editor.post("/edit", {**edited, "body": "もう一度"})
        assert status == 409 and say("ja", "changed_since_read", row=1) in text
        assert editor.post("/edit", {**edited, "csrf": "forged"})[0] == 403
        assert run_cli("comments", "approve", "1", "--no-publish", "--site", site).returncode == 0
        assert "(個人情報を削除)本文です" in (site / FILE).read_text(encoding="utf-8")

        status, _, form, _ = editor.get("/edit?link=" + quote(LINK, safe=""))
        assert status == 200 and "前回よりは成長してますし…</textarea>" in form
        seen = re.search(r'name="seen" value="([^"]+)"', form).group(1)
        status, _, text, _ = editor.post(
            "/edit", {"csrf": csrf, "which": LINK, "seen": seen, "body": "管理人が直した返信"}
        )
        assert status == 200, text
        written = (site / FILE).read_text(encoding="utf-8")
        assert "  edited: " in written and "  body: 管理人が直した返信\n" in written
        assert editor.get("/edit?link=" + quote(LINK.replace("102", "999"), safe=""))[0] == 404
    finally:
        service.stop()
    listed = run_cli("comments", "edits", "--site", site)
    assert listed.returncode == 0
    assert "editor edited articles/2022/09/ceasefire.md 102" in listed.stdout
    assert "  - 前回よりは成長してますし…" in listed.stdout
    assert "  + 管理人が直した返信" in listed.stdout
    assert "editor edited articles/2022/09/ceasefire.md #1" in listed.stdout


def test_an_editor_edits_a_published_comment_from_the_terminal_and_the_page_says_so(site):
    done = run_cli("comments", "edit", LINK, "--site", site, input="端末から直した\n二行目\n")
    assert done.returncode == 0, done.stderr
    page = soup(site / PAGE)  # published: built into public/
    reply = page.select_one("#comment-102")
    assert "端末から直した" in reply.text and reply.select_one(".comment-edited")
    refused = run_cli("comments", "edit", "7", "--site", site, input="x")
    assert refused.returncode == 1 and "there is no comment #7" in refused.stderr
    empty = run_cli("comments", "edit", LINK, "--site", site, input="   \n")
    assert empty.returncode == 1 and "the comment is empty" in empty.stderr
