"""The comment service, started for real on loopback (SQLite, and PostgreSQL when CI has
started one): posting, moderation, votes, and the defences of what faces the internet."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from datetime import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from comment_service import POSTGRES, CommentService, Reader, empty_postgres, signed_token
from conftest import DEFAULT_CONFIG, article, run_cli, soup

from blogsmith.service.messages import say

KEY = "articles/2022/09/ceasefire.md"
THREAD = """\
# 読者のコメント(編集者の注記はそのまま残る)
- id: 101
  author: AAA
  date: 2022-09-14T10:12:00+09:00
  votes: 54
  body: |
    >>停戦は40分で破られた

    い つ も の
- id: 102
  parent: 101
  author: F-104
  date: 2022-09-14T10:40:00+09:00
  body: 前回よりは成長してますし…
"""


def service_config(database: str = "comments.sqlite3", extra: str = "") -> str:
    return DEFAULT_CONFIG.replace(
        "related_count: 6\n",
        "related_count: 6\ncomments:\n  url: https://comments.example.org/\n"
        f"  database: {database}\n  per_hour: 5\n{extra}",
    )


@pytest.fixture
def site(make_site, database):
    return make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            "content/articles/2022/09/ceasefire.comments.yaml": THREAD,
        },
        config=service_config(database),
    )


@pytest.fixture
def service(site):
    running = CommentService(site)
    yield running
    running.stop()


def comment_form(**fields) -> dict:
    form = {
        "article": KEY,
        "token": signed_token(KEY, 10),
        "author": "読者X",
        "email": "reader@example.net",
        "url": "",
        "body": "その通りだと思います。\n二行目。",
        "parent": "",
        "homepage": "",
    }
    form.update(fields)
    return form


def stored_rows(site: Path, database: str) -> list[tuple]:
    query = "SELECT author, body, status, parent FROM comments ORDER BY id"
    if database.startswith("postgresql"):
        import psycopg

        with psycopg.connect(database) as connection:
            return connection.execute(query).fetchall()
    with sqlite3.connect(site / database) as connection:
        return connection.execute(query).fetchall()


def test_a_posted_comment_waits_then_an_approval_writes_it_into_the_file_and_the_page(
    site, service, database
):
    run_cli("build", "--site", site)
    page = soup(site / "public/europe/ceasefire/index.html")
    form = page.select_one("form#comment-form")
    assert form["action"] == "https://comments.example.org/comment" and form["method"] == "post"
    assert form.select_one("input[name=article]")["value"] == KEY
    reply = page.select_one("#comment-102 .comment-reply")
    assert reply["href"] == (
        "https://comments.example.org/comment?article=articles/2022/09/ceasefire.md&parent=102"
    )
    reader = Reader(service)
    status, _, text, _ = reader.get(f"/comment?article={KEY}&parent=102")
    assert status == 200 and 'name="parent" value="102"' in text and 'name="token"' in text
    assert 'maxlength="4000"' in text and "4000文字まで" in text

    # The static form has no token: the reader gets the comment back to check and send.
    status, _, text, _ = reader.post("/comment", comment_form(token="", parent="102"))
    assert (
        status == 200
        and "その通りだと思います。" in text
        and re.search(r'name="token" value="[^"]+"', text)
    )
    assert stored_rows(site, database) == []

    status, headers, _, _ = reader.post("/comment", comment_form(parent="102"))
    assert status == 303 and headers["location"].startswith("thanks?article=")
    status, _, text, _ = reader.get("/" + headers["location"])
    assert status == 200 and "承認後に表示されます" in text
    assert 'href="https://news.example.org/europe/ceasefire/"' in text
    assert stored_rows(site, database) == [
        ("読者X", "その通りだと思います。\n二行目。", "pending", "102")
    ]

    listed = run_cli("comments", "pending", "--site", site)
    assert "#1 articles/2022/09/ceasefire.md replying to 102 [pending]" in listed.stdout
    assert "reader@example.net" in listed.stdout  # moderators see emails; pages never do
    approved = run_cli("comments", "approve", "1", "--site", site)
    assert approved.returncode == 0, approved.stderr
    assert "#1: approved as id 103" in approved.stdout
    text = (site / "content/articles/2022/09/ceasefire.comments.yaml").read_text()
    assert text.startswith(THREAD)  # the file's own text kept exactly
    added = text[len(THREAD) :]
    assert added.startswith("- id: 103\n  parent: 102\n  author: 読者X\n  date: 20")
    assert re.search(r"date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00\n  votes: 0\n", added)
    page = soup(site / "public/europe/ceasefire/index.html")
    nested = page.select_one("#comment-101 #comment-102 #comment-103")
    assert nested is not None and "二行目" in nested.get_text()
    assert "reader@example.net" not in (site / "public/europe/ceasefire/index.html").read_text()
    assert run_cli("comments", "pending", "--site", site).stdout.strip() == (
        "no comment awaits moderation"
    )


def test_a_form_sent_twice_is_one_comment_and_a_retried_approval_is_written_once(
    site, service, database
):
    reader = Reader(service)
    form = comment_form()
    for _ in range(3):
        status, _, _, _ = reader.post("/comment", form, headers={"Accept": "application/json"})
        assert status == 200
    assert len(stored_rows(site, database)) == 1
    # A crash after the file was written, before the database said so: approving again
    # finds the comment in the file and does not add it twice.
    from blogsmith.service.comment_files import NewComment, append_comment
    from blogsmith.service.run import open_site
    from blogsmith.service.store import APPROVING

    opened = open_site(site)
    stored = opened.store.get(1)
    assert opened.store.transition(1, "pending", APPROVING)  # what an approval records first
    moment = datetime.fromtimestamp(stored.posted, opened.config.zone).replace(microsecond=0)
    append_comment(  # the id recorded, the file written, then the crash: still "approving"
        site / "content",
        KEY,
        NewComment(stored.author, moment, stored.body),
        lambda file_id: opened.store.transition(1, APPROVING, APPROVING, file_id),
    )
    assert "#1 " in run_cli("comments", "pending", "--site", site).stdout
    again = run_cli("comments", "approve", "1", "--no-publish", "--site", site)
    assert again.returncode == 0, again.stderr
    text = (site / "content/articles/2022/09/ceasefire.comments.yaml").read_text()
    assert text.count("読者X") == 1


@pytest.mark.parametrize(
    ("fields", "status", "said"),
    [
        ({"homepage": "http://spam.example/"}, 400, ("honeypot_filled",)),
        ({"token": "forged|1|x|AAAA"}, 400, ("form_expired",)),
        ({"token": lambda: signed_token("articles/other.md", 10)}, 400, ("form_expired",)),
        ({"token": lambda: signed_token(KEY, 0)}, 429, ("too_fast", {"seconds": 3})),
        ({"token": lambda: signed_token(KEY, 7 * 3600)}, 400, ("form_too_old",)),
        ({"body": " ".join(f"http://{n}.example/" for n in "abcd")}, 400,
         ("too_many_links", {"links": 4, "limit": 3})),
        ({"body": "長" * 4001}, 413, ("body_too_long", {"length": 4001, "limit": 4000})),
        ({"body": "  \n "}, 400, ("body_empty",)),
        ({"author": ""}, 400, ("name_missing",)),
        ({"author": "名\x00前"}, 400, ("field_control", {"field": "author"})),
        ({"email": "not-an-address"}, 400, ("email_invalid",)),
        ({"url": "javascript:alert(1)"}, 400, ("url_invalid",)),
        ({"parent": "999"}, 400, ("parent_unknown",)),
        ({"article": "../../blogsmith.yaml"}, 404, ("article_unknown",)),
    ],
)  # fmt: skip
def test_hostile_or_broken_forms_get_a_clear_4xx_and_store_nothing(
    site, service, database, fields, status, said
):
    """Refused in the site's language (ja here), with what to do."""
    made_now = {name: value() if callable(value) else value for name, value in fields.items()}
    answer = Reader(service).post(
        "/comment", comment_form(**made_now), headers={"Accept": "application/json"}
    )
    key, values = said[0], said[1] if len(said) > 1 else {}
    assert answer[0] == status, answer[2]
    assert json.loads(answer[2]) == {"error": say("ja", key, **values)}
    assert stored_rows(site, database) == []


def test_markup_in_a_comment_never_reaches_a_page(site, service):
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> [a](javascript:x)"
    reader = Reader(service)
    reader.post("/comment", comment_form(body=hostile, author="<b>名前</b>"))
    status, _, text, _ = reader.get(f"/comment?article={KEY}")
    assert "<script>alert" not in text
    run_cli("comments", "approve", "1", "--site", site)
    page = soup(site / "public/europe/ceasefire/index.html")
    assert not page.select("[onerror]") and not page.select('a[href^="javascript"]')
    assert all("alert" not in (script.string or "") for script in page.select("script"))
    shown = page.select_one("#comment-103")
    assert hostile in shown.select_one(".comment-content").get_text()  # as text, whole
    assert shown.select_one(".comment-author").get_text() == "<b>名前</b>"
    assert shown.select_one(".comment-author b") is None


def test_an_address_is_limited_and_oversized_requests_are_refused(site, service, database):
    reader = Reader(service, address="203.0.113.7")
    for n in range(5):
        assert reader.post("/comment", comment_form(body=f"{n}回目"))[0] == 303
    status, _, text, _ = reader.post("/comment", comment_form(body="6回目"))
    assert status == 429 and say("ja", "too_many_comments") in text
    other = Reader(service, address="203.0.113.8")  # another reader behind the same proxy
    assert other.post("/comment", comment_form(body="別の人"))[0] == 303
    huge = Reader(service).request(
        "POST",
        "/comment",
        body=b"body=" + b"x" * 70_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge[0] == 413
    assert len(stored_rows(site, database)) == 6


def test_votes_count_once_and_fold_into_the_file_keeping_its_text(site, service):
    one, two = Reader(service, "198.51.100.1"), Reader(service, "198.51.100.2")
    json_please = {"Accept": "application/json"}
    first = one.post("/vote", {"article": KEY, "comment": "101"}, headers=json_please)
    assert first[0] == 200 and '"votes":55' in first[2].replace(" ", "")
    assert "HttpOnly" in first[3][0]
    again = one.post("/vote", {"article": KEY, "comment": "101"}, headers=json_please)
    assert '"counted":false' in again[2].replace(" ", "")
    one.cookies.clear()  # a new cookie from the same address, the same day: not again
    assert '"counted":false' in one.post("/vote", {"article": KEY, "comment": "101"},
                                         headers=json_please)[2].replace(" ", "")  # fmt: skip
    two.post("/vote", {"article": KEY, "comment": "102"}, headers=json_please)
    assert two.post("/vote", {"article": KEY, "comment": "nope"}, headers=json_please)[0] == 404
    status, headers, text, _ = two.get(f"/votes?article={KEY}")
    assert status == 200 and headers["access-control-allow-origin"] == "https://news.example.org"
    assert text.replace(" ", "").replace("\n", "") == '{"votes":{"101":55,"102":1}}'
    without_js = Reader(service, "198.51.100.3").post("/vote", {"article": KEY, "comment": "102"})
    assert without_js[0] == 303  # back at the comment, where its "counted" line is the target
    assert without_js[1]["location"] == "https://news.example.org/europe/ceasefire/#voted-102"
    for _ in range(2):  # folding twice gives the same file
        assert run_cli("comments", "publish", "--site", site).returncode == 0
    text = (site / "content/articles/2022/09/ceasefire.comments.yaml").read_text()
    expected = THREAD.replace("votes: 54", "votes: 55")
    assert text == expected.replace("- id: 102\n", "- id: 102\n  votes: 2\n")
    page = soup(site / "public/europe/ceasefire/index.html")
    assert page.select_one('#comment-101 .vote-count[data-comment="101"]').get_text() == "55"


def login(reader: Reader, name: str, password: str):
    status, _, text, _ = reader.get("/moderate")
    csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)
    return reader.post("/login", {"csrf": csrf, "name": name, "password": password})


def add_moderator(site: Path, name: str, password: str) -> None:
    made = run_cli("comments", "moderator", name, "--site", site, input=password + "\n")
    assert made.returncode == 0, made.stderr


def test_the_moderation_page_is_behind_a_login_with_csrf_and_a_lock_out(site, service, database):
    add_moderator(site, "editor", "correct horse battery")
    Reader(service).post("/comment", comment_form())
    stranger = Reader(service)
    status, _, text, _ = stranger.get("/moderate")
    assert status == 200 and "reader@example.net" not in text and 'type="password"' in text
    assert stranger.post("/moderate/1/approve", {"csrf": "x"})[0] == 403
    refused = login(stranger, "editor", "wrong")
    assert refused[0] == 401 and say("ja", "login_wrong") in refused[2]
    assert login(stranger, "nobody", "wrong")[0] == 401

    editor = Reader(service)
    status, headers, _, cookies = login(editor, "editor", "correct horse battery")
    assert status == 303 and headers["location"] == "moderate"
    assert re.search(r"HttpOnly", cookies[0]) and "SameSite=Strict" in cookies[0]
    assert "Secure" not in cookies[0]  # plain http on loopback; Secure behind https below
    status, _, text, _ = editor.get("/moderate")
    assert "reader@example.net" in text and "停戦は40分で破綻" in text
    assert "承認待ち" in text and "pending" not in BeautifulSoup(text, "html.parser").get_text()
    assert editor.post("/moderate/1/approve", {"csrf": "forged"})[0] == 403
    csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)
    status, headers, _, _ = editor.post("/moderate/1/approve", {"csrf": csrf})
    assert status == 303
    assert stored_rows(site, database)[0][2] == "approved"

    behind_https = Reader(service)
    status, _, _, cookies = login_with(behind_https, {"X-Forwarded-Proto": "https"})
    assert status == 303 and "Secure" in cookies[0]

    attacker = Reader(service, address="192.0.2.66")
    for _ in range(4):  # the stranger's wrong password above was the first for this name
        assert login(attacker, "editor", "guess")[0] == 401
    locked = login(attacker, "editor", "correct horse battery")
    assert locked[0] == 429 and say("ja", "login_locked", minutes=15) in locked[2]  # locked out
    from_elsewhere = Reader(service, address="192.0.2.67")  # the name is locked, not one address
    assert login(from_elsewhere, "editor", "correct horse battery")[0] == 429


def login_with(reader: Reader, headers: dict):
    status, _, text, _ = reader.get("/moderate")
    csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)
    form = {"csrf": csrf, "name": "editor", "password": "correct horse battery"}
    return reader.post("/login", form, headers=headers)


def test_after_posting_the_reader_is_sent_only_to_the_sites_own_pages(site, service):
    reader = Reader(service)
    status, headers, _, _ = reader.post(
        "/comment", comment_form(next="https://evil.example/", redirect="//evil.example/")
    )
    assert status == 303 and headers["location"].startswith("thanks?article=")
    status, _, text, _ = reader.get("/thanks?article=https://evil.example/&status=pending")
    assert status == 404
    status, _, text, _ = reader.get(f"/thanks?article={KEY}")
    assert "evil.example" not in text


def test_the_service_never_writes_outside_the_content_folder(site, service):
    outside = site.parent / "outside.comments.yaml"
    link = site / "content/articles/2022/09/ceasefire.comments.yaml"
    link.unlink()
    outside.write_text(THREAD)
    link.symlink_to(outside)
    reader = Reader(service)
    reader.post("/comment", comment_form())
    refused = run_cli("comments", "approve", "1", "--site", site)
    assert refused.returncode == 1 and "symbolic link" in refused.stderr
    assert outside.read_text() == THREAD
    assert "#1 " in run_cli("comments", "pending", "--site", site).stdout  # still waiting


def test_untrusted_clients_cannot_choose_their_address(site):
    """X-Forwarded-For counts only from the trusted proxy; without one, no header counts."""
    running = CommentService(site, "--trusted-proxy", "192.0.2.1")
    try:
        for n in range(5):
            spoofing = Reader(running, address=f"203.0.113.{n}")
            assert spoofing.post("/comment", comment_form(body=f"{n}"))[0] == 303
        assert Reader(running, address="203.0.113.99").post("/comment", comment_form())[0] == 429
    finally:
        running.stop()


def test_a_reader_approved_before_is_approved_at_once_when_asked(make_site, database):
    site = make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            "content/articles/2022/09/ceasefire.comments.yaml": THREAD,
        },
        config=service_config(database, "  auto_approve: true\n"),
    )
    running = CommentService(site)
    try:
        reader = Reader(running)
        json_please = {"Accept": "application/json"}
        first = reader.post("/comment", comment_form(body="初めて"), headers=json_please)
        assert '"status":"pending"' in first[2].replace(" ", "")
        assert run_cli("comments", "approve", "1", "--no-publish", "--site", site).returncode == 0
        second = reader.post("/comment", comment_form(body="二度目"), headers=json_please)
        assert '"status":"approved"' in second[2].replace(" ", "")
        stranger = reader.post(
            "/comment", comment_form(body="別人", email="other@example.net"), headers=json_please
        )
        assert '"status":"pending"' in stranger[2].replace(" ", "")
        text = (site / "content/articles/2022/09/ceasefire.comments.yaml").read_text()
        assert "初めて" in text and "二度目" in text and "別人" not in text
    finally:
        running.stop()


def test_without_a_service_url_pages_have_no_form_and_bad_settings_are_located(make_site):
    plain = make_site({"content/a.md": article("記事", slug="a")}, name="plain")
    run_cli("build", "--site", plain)
    page = soup(plain / "public/europe/a/index.html")
    assert page.select_one("#comments") is not None and page.select_one("#comment-form") is None
    assert page.select_one(".comment-reply, .vote-form, script[src*=comments]") is None
    broken = make_site(
        {"content/a.md": article("記事", slug="a")},
        config=DEFAULT_CONFIG.replace(
            "related_count: 6\n",
            "related_count: 6\ncomments:\n  url: comments.example.org\n  per_hour: 0\n"
            "  moderate: true\n",
        ),
        name="broken",
    )
    checked = run_cli("check", "--site", broken)
    assert checked.returncode == 1
    assert "blogsmith.yaml:8: 'comments.url' must be the comment service's absolute" in (
        checked.stderr
    )
    assert "blogsmith.yaml:9: 'comments.per_hour' must be a whole number from 1" in checked.stderr
    assert "blogsmith.yaml:10: warning: unknown setting 'comments.moderate'" in checked.stderr
    assert checked.stderr == run_cli("build", "--site", broken).stderr.replace(
        "nothing was written; the previous output is unchanged", "found by blogsmith check"
    )


def test_a_failing_database_is_a_503_with_a_message_never_a_traceback(make_site):
    site = make_site(
        {"content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire")},
        config=service_config(),
    )
    running = CommentService(site)
    try:
        with sqlite3.connect(site / "comments.sqlite3") as connection:
            connection.execute("DROP TABLE events")  # what a broken disk or a bad migration does
        reader = Reader(running)
        status, _, text, _ = reader.post(
            "/comment", comment_form(), headers={"Accept": "application/json"}
        )
        assert status == 503 and json.loads(text) == {"error": say("ja", "service_failed")}
        status, _, text, _ = reader.post("/comment", comment_form())
        assert status == 503 and "Traceback" not in text and say("ja", "service_failed") in text
        assert "<h1>受け付けられませんでした</h1>" in text
    finally:
        log = running.stop()
    assert "request failed: POST /comment" in log  # the operator's log has the cause


def test_a_crash_while_writing_the_file_leaves_the_comment_waiting_and_the_file_whole(
    site, service, monkeypatch
):
    from blogsmith.service import comment_files
    from blogsmith.service.moderation import ModerationRefused, decide
    from blogsmith.service.run import open_site

    Reader(service).post("/comment", comment_form())
    opened = open_site(site)
    path = site / "content/articles/2022/09/ceasefire.comments.yaml"

    def power_cut(source, target, **folders):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(comment_files.os, "replace", power_cut)
    with pytest.raises(ModerationRefused, match="still waits"):
        decide(opened.store, site, opened.config, 1, "approve")
    assert path.read_text() == THREAD
    assert [c.row for c in opened.store.waiting()] == [1]
    monkeypatch.undo()
    assert decide(opened.store, site, opened.config, 1, "approve").status == "approved"
    assert path.read_text().count("読者X") == 1


def test_an_editors_change_between_two_approvals_is_kept(site, service):
    reader = Reader(service)
    reader.post("/comment", comment_form(body="一つ目"))
    reader.post("/comment", comment_form(body="二つ目"))
    assert run_cli("comments", "approve", "1", "--no-publish", "--site", site).returncode == 0
    path = site / "content/articles/2022/09/ceasefire.comments.yaml"
    edited = path.read_text().replace("い つ も の", "いつもの(編集者が直した)")
    edited += "- id: 104\n  author: 編集者\n  date: 2022-09-15T09:00:00+09:00\n  body: 追記\n"
    path.write_text(edited)  # an editor's commit, pulled onto the server
    approved = run_cli("comments", "approve", "2", "--no-publish", "--site", site)
    assert "#2: approved as id 105" in approved.stdout
    text = path.read_text()
    assert text.startswith(edited) and "二つ目" in text[len(edited) :]


def test_two_service_instances_share_one_postgresql(make_site):
    empty_postgres()
    site = make_site(
        {"content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire")},
        config=service_config(POSTGRES),
    )
    no_shared_secret = {
        "BLOGSMITH_COMMENTS_SECRET": ""
    }  # each instance finds the key in the database
    first = CommentService(site, env=no_shared_secret)
    second = CommentService(site, env=no_shared_secret)
    try:
        status, _, text, _ = Reader(first).get(f"/comment?article={KEY}")
        token = re.search(r'name="token" value="([^"]+)"', text).group(1)
        time.sleep(3.1)
        form = comment_form(token=token.replace("&#34;", '"'))
        assert Reader(second).post("/comment", form)[0] == 303  # signed by the other instance
        assert Reader(first).post("/comment", form)[0] == 303  # the same form again
    finally:
        first.stop()
        second.stop()
    assert len(stored_rows(site, POSTGRES)) == 1


def test_the_service_folds_votes_into_the_files_in_batches_and_akismet_can_refuse(site, database):
    import http.server
    import threading

    class Akismet(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            form = self.rfile.read(int(self.headers["Content-Length"])).decode()
            answer = b"true" if "viagra" in form else b"false"
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    akismet = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Akismet)
    threading.Thread(target=akismet.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{akismet.server_address[1]}/1.1/comment-check"
    run_cli("build", "--site", site)
    running = CommentService(
        site, "--fold-every", "1", env={"AKISMET_KEY": "k", "AKISMET_ENDPOINT": endpoint}
    )
    try:
        reader = Reader(running)
        reader.post("/vote", {"article": KEY, "comment": "101"})
        path = site / "content/articles/2022/09/ceasefire.comments.yaml"
        deadline = time.monotonic() + 30
        while "votes: 55" not in path.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert path.read_text() == THREAD.replace("votes: 54", "votes: 55")
        page = site / "public/europe/ceasefire/index.html"
        while 'data-comment="101">55<' not in page.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert 'data-comment="101">55<' in page.read_text()  # rebuilt by the same step
        reader.post("/comment", comment_form(body="buy viagra now"))
        reader.post("/comment", comment_form(body="まともなコメント"))
    finally:
        running.stop()
        akismet.shutdown()
    assert [(body, status) for _, body, status, _ in stored_rows(site, database)] == [
        ("buy viagra now", "spam"),
        ("まともなコメント", "pending"),
    ]
    assert "viagra" not in run_cli("comments", "pending", "--site", site).stdout


def test_an_article_published_after_the_service_started_takes_comments(site, service):
    reader = Reader(service)
    new_key = "articles/2022/09/new-one.md"
    assert reader.get(f"/comment?article={new_key}")[0] == 404
    (site / "content" / new_key).write_text(article("新しい記事", "2022-09-20 10:00", slug="new"))
    status, _, text, _ = reader.get(f"/comment?article={new_key}")
    assert status == 200 and "新しい記事" in text
    for hostile in ("../../blogsmith.yaml.md", "/etc/passwd.md", "articles//x.md"):
        assert reader.get(f"/comment?article={hostile}")[0] == 404
