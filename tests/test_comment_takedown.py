"""A published comment taken down: out of its file (the rest kept exactly), out of the
database, the page rebuilt with a placeholder where replies hang, from the terminal and from
the moderation page."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from comment_service import CommentService, Reader
from conftest import article, run_cli, soup
from test_comment_service import (
    KEY,
    THREAD,
    add_moderator,
    comment_form,
    login,
    service_config,
    stored_rows,
)

from blogsmith.service.comment_files import CommentFileRefused, remove_comment
from blogsmith.service.messages import say

WHEN = datetime(2026, 12, 4, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
FILE = "content/articles/2022/09/ceasefire.comments.yaml"
PAGE = "public/europe/ceasefire/index.html"
LEAF = """\
- id: 103
  author: 名無し
  date: 2022-09-14T11:00:00+09:00
  body: |
    住所はここだ(消されるべき書き込み)
    二行目
"""


def write_thread(tmp_path, text: str, name: str = "ceasefire.comments.yaml", raw: bytes = b""):
    folder = tmp_path / "content/articles/2022/09"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ceasefire.md").write_text(article("停戦", slug="ceasefire"), encoding="utf-8")
    (folder / name).write_bytes(raw or text.encode("utf-8"))
    return folder / name


def test_a_comment_no_one_answers_leaves_the_file_and_the_rest_stays_exactly(tmp_path):
    path = write_thread(tmp_path, THREAD + LEAF + "# 編集者の注記\n")
    author, placeholder = remove_comment(tmp_path / "content", KEY, "103", WHEN)
    assert (author, placeholder) == ("名無し", False)
    assert path.read_text(encoding="utf-8") == THREAD + "# 編集者の注記\n"


def test_a_comment_others_answer_becomes_a_placeholder_keeping_id_parent_and_date(tmp_path):
    path = write_thread(tmp_path, THREAD + LEAF)
    assert remove_comment(tmp_path / "content", KEY, "101", WHEN) == ("AAA", True)
    text = path.read_text(encoding="utf-8")
    placeholder = (
        "- id: 101\n  date: 2022-09-14T10:12:00+09:00\n  removed: 2026-12-04T09:30:00+09:00\n"
    )
    assert text == THREAD.replace(THREAD[THREAD.index("- id: 101") : THREAD.index("- id: 102")],
                                  placeholder) + LEAF  # fmt: skip
    assert "い つ も の" not in text and "AAA" not in text


def test_a_file_saved_on_windows_keeps_its_bom_and_line_endings(tmp_path):
    raw = ("\ufeff" + THREAD + LEAF).replace("\n", "\r\n").encode("utf-8")
    path = write_thread(tmp_path, "", raw=raw)
    remove_comment(tmp_path / "content", KEY, "103", WHEN)
    assert path.read_bytes() == ("\ufeff" + THREAD).replace("\n", "\r\n").encode("utf-8")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (THREAD, "has no comment 999"),
        ('[{"id": 999, "author": "x", "date": 2022-09-14, "body": "y"}]', "block list"),
        ("- id: 999\n  author: [\n", "invalid YAML"),
    ],
)
def test_a_comment_that_cannot_be_removed_safely_is_refused_and_the_file_untouched(
    tmp_path, text, said
):
    path = write_thread(tmp_path, text)
    with pytest.raises(CommentFileRefused, match=re.escape(said)):
        remove_comment(tmp_path / "content", KEY, "999", WHEN)
    assert path.read_text(encoding="utf-8") == text


def test_the_cli_takes_a_comment_down_by_its_link_and_the_page_shows_the_placeholder(make_site):
    site = make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            FILE: THREAD + LEAF,
        }
    )
    assert run_cli("build", "--site", site).returncode == 0
    assert soup(site / PAGE).select_one(".comment-count").get_text() == "3件"
    done = run_cli(
        "comments", "remove", "https://news.example.org/europe/ceasefire/#comment-101",
        "--site", site,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "comment 101 was taken out of articles/2022/09/ceasefire.comments.yaml" in done.stdout
    page = soup(site / PAGE)
    removed = page.select_one("#comment-101")
    assert removed.select_one(".comment-removed").get_text(strip=True) == (
        "このコメントは削除されました。"
    )
    assert "AAA" not in removed.get_text() and "い つ も の" not in page.get_text()
    assert removed.select_one(".children #comment-102 .comment-author").get_text() == "F-104"
    assert page.select_one(".comment-count").get_text() == "2件"  # what readers can read
    assert run_cli("check", "--site", site).returncode == 0

    leaf = run_cli("comments", "remove", "/europe/ceasefire/#comment-103", "--site", site)
    assert leaf.returncode == 0, leaf.stderr
    assert soup(site / PAGE).select_one("#comment-103") is None
    assert "住所はここだ" not in (site / FILE).read_text(encoding="utf-8")
    by_file = run_cli(
        "comments", "remove", "articles/2022/09/ceasefire.md#comment-102", "--no-publish",
        "--site", site,
    )  # fmt: skip
    assert by_file.returncode == 0, by_file.stderr
    assert "F-104" not in (site / FILE).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("link", "said"),
    [
        ("https://news.example.org/europe/ceasefire/", "give the comment's link"),
        ("https://news.example.org/europe/nowhere/#comment-101", "no article of the site"),
        ("https://news.example.org/europe/ceasefire/#comment-999", "has no comment 999"),
    ],
)
def test_a_link_that_names_no_comment_is_refused_with_what_to_give(make_site, link, said):
    site = make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            FILE: THREAD,
        }
    )
    refused = run_cli("comments", "remove", link, "--site", site)
    assert refused.returncode == 1 and said in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
    assert (site / FILE).read_text(encoding="utf-8") == THREAD


@pytest.fixture
def site(make_site, database):
    return make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            FILE: THREAD,
        },
        config=service_config(database),
    )


def test_a_moderator_takes_a_readers_comment_down_from_the_moderation_page(site, database):
    add_moderator(site, "editor", "correct horse battery")
    running = CommentService(site)
    try:
        Reader(running).post("/comment", comment_form(body="消されるべき書き込み"))
        assert run_cli("comments", "approve", "1", "--site", site).returncode == 0
        assert "消されるべき書き込み" in (site / PAGE).read_text(encoding="utf-8")
        stranger = Reader(running)
        link = {"link": "https://news.example.org/europe/ceasefire/#comment-103"}
        assert stranger.post("/remove", {**link, "csrf": "x"})[0] == 403
        editor = Reader(running)
        assert login(editor, "editor", "correct horse battery")[0] == 303
        text = editor.get("/moderate")[2]
        csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)
        assert editor.post("/remove", {**link, "csrf": "forged"})[0] == 403
        status, _, text, _ = editor.post("/remove", {**link, "csrf": csrf})
        assert status == 200, text
        file = "articles/2022/09/ceasefire.comments.yaml"
        assert say("ja", "removed", comment="103", file=file) in text
        assert (site / FILE).read_text(encoding="utf-8") == THREAD
        row = stored_rows(site, database)[0]
        assert row[:3] == ("", "", "removed")  # what the reader typed is erased
        again = editor.post("/remove", {**link, "csrf": csrf})
        assert again[0] == 409 and "103" in again[2]
    finally:
        running.stop()
