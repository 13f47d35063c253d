"""The comment service's mail, against a real SMTP server on loopback (STARTTLS with a
checked certificate and a login, as the default asks): reply notices a reader confirmed,
one-click unsubscription, one confirmation request per address at most, moderators' batched
notices and the webhook, the TLS modes and their errors."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from email.header import decode_header, make_header

import pytest
from comment_service import CommentService, Reader
from conftest import article, run_cli, soup
from mail_server import MailServer, WebhookReceiver
from test_comment_service import THREAD, add_moderator, comment_form

from blogsmith.service.messages import say

SITE_TITLE = "テスト軍事ニュース"


def mail_config(database: str, smtp: str, extra: str = "", per_hour: int = 100) -> str:
    from conftest import DEFAULT_CONFIG

    return DEFAULT_CONFIG.replace(
        "related_count: 6\n",
        "related_count: 6\ncomments:\n  url: https://comments.example.org/\n"
        f"  database: {database}\n  per_hour: {per_hour}\n"
        f"  mail:\n    smtp: {smtp}\n    from: comments@news.example.org\n{extra}",
    )


@pytest.fixture
def mail_server(tmp_path):
    server = MailServer(tmp_path).start()
    yield server
    server.stop()


def mail_site(make_site, database, server: MailServer, extra: str = "", per_hour: int = 100):
    return make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            "content/articles/2022/09/ceasefire.comments.yaml": THREAD,
        },
        config=mail_config(database, server.url(), extra, per_hour),
    )


def start_service(site, server: MailServer) -> CommentService:
    return CommentService(site, env={"SSL_CERT_FILE": str(server.cert)})


def query(site, database: str, sql: str, params: tuple = ()) -> list[tuple]:
    if database.startswith("postgresql"):
        import psycopg

        with psycopg.connect(database) as connection:
            cursor = connection.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []
    with sqlite3.connect(site / database) as connection:
        return connection.execute(sql, params).fetchall()


def settled(site, database: str, seconds: float = 30.0) -> None:
    """Returns once the outbox holds nothing left to send."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not query(site, database, "SELECT 1 FROM outbox WHERE state = 'queued'"):
            return
        time.sleep(0.2)
    raise AssertionError(query(site, database, "SELECT kind, recipient, failure FROM outbox"))


def approve(site, *rows: int) -> None:
    done = run_cli("comments", "approve", *map(str, rows), "--no-publish", "--site", site)
    assert done.returncode == 0, done.stderr


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def link_in(message, path: str) -> str:
    found = re.search(r"https://comments\.example\.org/" + path + r"\?token=\S+", body(message))
    assert found, body(message)
    return found.group(0)


def body(message) -> str:
    return message.get_content()


def local(service: CommentService, link: str) -> str:
    """A link of a mail, asked of the service under test (the mail names its public URL)."""
    parts = urllib.parse.urlsplit(link)
    return f"{parts.path}?{parts.query}"


def token_of(link: str) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["token"][0]


def test_a_reader_confirms_hears_of_a_reply_and_unsubscribes_in_one_click(
    make_site, database, mail_server
):
    site = mail_site(make_site, database, mail_server)
    assert run_cli("build", "--site", site).returncode == 0
    box = soup(site / "public/europe/ceasefire/index.html").select_one("#comment-notify")
    assert box["type"] == "checkbox" and box["name"] == "notify"
    service = start_service(site, mail_server)
    try:
        asker = Reader(service)
        status, *_ = asker.post(
            "/comment", comment_form(author="質問者", email="Q@Example.net", notify="1")
        )
        assert status == 303
        time.sleep(3)
        assert mail_server.received() == []  # nothing is mailed before an approval
        approve(site, 1)
        ((to, confirm, raw),) = mail_server.wait_for(1)
        assert to == ["q@example.net"]
        assert subject(confirm) == f"[{SITE_TITLE}] 返信通知の確認"
        assert b"Subject: =?utf-8?" in raw  # MIME-encoded, as mail programs expect
        assert confirm["From"] == "comments@news.example.org"
        assert confirm["Auto-Submitted"] == "auto-generated"
        assert re.fullmatch(
            r"<confirm\.\d+\.[0-9a-f]{16}@comments\.example\.org>", confirm["Message-ID"]
        )
        confirm_link = link_in(confirm, "subscription")

        # opening the link (a mail scanner does) confirms nothing; its button does
        status, _, page, _ = Reader(service).get(local(service, confirm_link))
        assert status == 200 and "q@example.net" in page and 'method="post"' in page
        assert query(site, database, "SELECT state FROM subscribers") == [("asked",)]
        status, _, page, _ = Reader(service).post(
            "/subscription", {"token": token_of(confirm_link)}
        )
        assert status == 200 and say("ja", "confirmed", email="q@example.net") in page
        assert query(site, database, "SELECT state FROM subscribers") == [("confirmed",)]

        file_id = query(site, database, "SELECT file_id FROM comments WHERE id = 1")[0][0]
        Reader(service).post(
            "/comment",
            comment_form(
                author="回答者", email="a@example.org", parent=file_id, body="返信です。\nよろしく"
            ),
        )
        approve(site, 2)
        _, (to, reply, _) = mail_server.wait_for(2)
        assert to == ["q@example.net"]
        assert subject(reply) == f"[{SITE_TITLE}] 回答者さんがあなたのコメントに返信しました"
        text = body(reply)
        assert "返信です。 よろしく" in text and "「停戦は40分で破綻」" in text
        reply_id = query(site, database, "SELECT file_id FROM comments WHERE id = 2")[0][0]
        assert f"https://news.example.org/europe/ceasefire/#comment-{reply_id}" in text
        assert reply["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        one_click = reply["List-Unsubscribe"].strip("<>")
        assert one_click == link_in(reply, "unsubscribe")

        # the mail program's own button: a POST with nothing but the RFC 8058 body
        status, _, page, _ = Reader(service).request(
            "POST",
            local(service, one_click),
            body=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 200 and say("ja", "unsubscribed", email="q@example.net") in page
        third = comment_form(author="三人目", email="c@example.org", parent=file_id)
        assert Reader(service).post("/comment", third)[0] == 303, service.stop()[-3000:]
        approve(site, 3)
        settled(site, database)
        assert len(mail_server.received()) == 2  # no notice after the unsubscription

        # forged and cut links change nothing
        forged = token_of(one_click).replace("q@example.net", "x@example.net")
        assert Reader(service).post("/subscription", {"token": forged})[0] == 400
        assert Reader(service).post("/subscription", {"token": token_of(one_click)})[0] == 400
        assert Reader(service).get("/unsubscribe?token=" + token_of(one_click)[:-3])[0] == 400
    finally:
        service.stop()


def test_an_address_someone_else_typed_gets_one_confirmation_request_and_never_another(
    make_site, database, mail_server
):
    site = mail_site(make_site, database, mail_server)
    service = start_service(site, mail_server)
    try:
        for name in ("甲", "乙", "丙"):
            form = comment_form(
                author=name, email="victim@example.net", notify="1", body=f"{name}です"
            )
            assert Reader(service).post("/comment", form)[0] == 303
        Reader(service).post(
            "/comment",
            comment_form(author="丁", email="victim@example.net", notify="1", body="却下される"),
        )
        approve(site, 1, 2, 3)
        assert run_cli("comments", "reject", "4", "--site", site).returncode == 0
        settled(site, database)
        got = mail_server.received()
        assert [to for to, _, _ in got] == [["victim@example.net"]]
        # unsubscribing from that one mail, then being typed again: still nothing
        unsubscribe = got[0][1]["List-Unsubscribe"].strip("<>")
        Reader(service).post(local(service, unsubscribe), {"List-Unsubscribe": "One-Click"})
        Reader(service).post(
            "/comment", comment_form(author="戊", email="victim@example.net", notify="1")
        )
        approve(site, 5)
        settled(site, database)
        assert len(mail_server.received()) == 1
        # a reader who asked the editor by other means
        done = run_cli("comments", "unsubscribe", "Other@Example.net", "--site", site)
        assert done.returncode == 0 and "other@example.net: no more mail" in done.stdout
        form = comment_form(author="己", email="other@example.net", notify="1")
        Reader(service).post("/comment", form)
        approve(site, 6)
        settled(site, database)
        assert len(mail_server.received()) == 1
        # a box ticked without an address is refused with words that say so
        status, _, text, _ = Reader(service).request(
            "POST",
            "/comment",
            form=comment_form(email="", notify="1"),
            headers={"Accept": "application/json"},
        )
        assert status == 400 and json.loads(text)["error"] == say("ja", "notify_needs_email")
    finally:
        service.stop()


def test_moderators_hear_of_waiting_comments_in_batches_and_the_webhook_too(
    make_site, database, mail_server
):
    hook = WebhookReceiver()
    site = mail_site(
        make_site, database, mail_server, f"    batch_minutes: 5\n  webhook: {hook.url}\n"
    )
    add_moderator(site, "editor", "correct horse battery")
    made = run_cli("comments", "moderator", "editor", "--email", "ed@example.org", "--site", site)
    assert made.returncode == 0 and "ed@example.org" in made.stdout, made.stderr
    add_moderator(site, "quiet", "another long password")  # no address: no mail
    service = start_service(site, mail_server)
    try:
        Reader(service).post("/comment", comment_form(author="一番目", body="最初の\nコメント"))
        ((to, notice, _),) = mail_server.wait_for(1)
        assert to == ["ed@example.org"]
        assert subject(notice) == f"[{SITE_TITLE}] 承認待ちのコメントが1件あります"
        text = body(notice)
        assert "一番目さん「停戦は40分で破綻」" in text and "最初の コメント" in text
        assert "https://comments.example.org/moderate" in text
        assert "List-Unsubscribe" not in notice
        deadline = time.monotonic() + 10
        while not hook.posted and time.monotonic() < deadline:
            time.sleep(0.1)
        ((kind, payload),) = hook.posted
        assert kind.startswith("application/json") and "一番目さん" in payload["text"]

        for n in range(3):
            Reader(service).post("/comment", comment_form(author=f"続き{n}"))
        time.sleep(6)
        assert len(mail_server.received()) == 1 and len(hook.posted) == 1  # one per batch

        # the batch interval passes (moved back rather than waited for)
        query(site, database, "UPDATE notice_batches SET at = at - 300")
        (_, second, _) = mail_server.wait_for(2)[1]
        assert subject(second) == f"[{SITE_TITLE}] 承認待ちのコメントが4件あります"
        assert all(f"続き{n}さん" in body(second) for n in range(3))
    finally:
        service.stop()
        hook.stop()


def mail_cli(site, server: MailServer, *args: str):
    """`blogsmith comments mail ARGS` trusting the test server's certificate."""
    return subprocess.run(
        [sys.executable, "-m", "blogsmith", "comments", "mail", *args, "--site", str(site)],
        capture_output=True,
        text=True,
        env={**os.environ, "SSL_CERT_FILE": str(server.cert)},
        timeout=120,
    )


@pytest.mark.parametrize("mode", ["tls", "none"])
def test_tls_from_the_start_and_a_plain_local_relay_deliver_too(make_site, tmp_path, mode):
    server = MailServer(tmp_path, mode).start()
    try:
        extra = "    tls: none\n" if mode == "none" else ""
        site = mail_site(make_site, "comments.sqlite3", server, extra)
        done = mail_cli(site, server, "--test", "ed@example.org")
        assert done.returncode == 0 and "sent a test mail to ed@example.org" in done.stdout, (
            done.stderr
        )
        ((to, message, _),) = server.wait_for(1)
        assert to == ["ed@example.org"] and "127.0.0.1" in body(message)
    finally:
        server.stop()


def test_a_wrong_password_or_a_server_without_starttls_is_said_and_nothing_sent_in_clear(
    make_site, tmp_path
):
    plain = MailServer(tmp_path, "none").start()
    try:
        site = mail_site(make_site, "comments.sqlite3", plain)  # the default: STARTTLS required
        done = mail_cli(site, plain, "--test", "ed@example.org")
        assert done.returncode == 1 and "STARTTLS" in done.stderr, done.stderr
        assert plain.received() == []
    finally:
        plain.stop()
    server = MailServer(tmp_path).start()
    try:
        url = server.url().replace("mail-secret", "wrong")
        config = mail_config("comments.sqlite3", url)
        (site / "blogsmith.yaml").write_text(config, encoding="utf-8")
        done = mail_cli(site, server, "--test", "ed@example.org")
        assert done.returncode == 1 and "535" in done.stderr, done.stderr
        assert "wrong" not in done.stderr  # never the password
        done = mail_cli(site, server)
        assert done.returncode == 0 and "0 waiting to be sent" in done.stdout
    finally:
        server.stop()


CLIENTS, SECONDS = 50, 60


@pytest.mark.slow
def test_fifty_clients_post_for_a_minute_with_the_mail_server_down_and_no_mail_is_lost(
    make_site, database, tmp_path
):
    """Every comment kept while the server is down; once it is back, every mail sent, none
    twice."""
    server = MailServer(tmp_path).start()
    site = mail_site(make_site, database, server, per_hour=100_000)
    add_moderator(site, "editor", "correct horse battery")
    service = start_service(site, server)
    try:
        Reader(service).post(
            "/comment", comment_form(author="購読者", email="sub@example.net", notify="1")
        )
        approve(site, 1)
        server.wait_for(1)
        settled(site, database)
        confirm = next(m for to, m, _ in server.received() if to == ["sub@example.net"])
        Reader(service).post("/subscription", {"token": token_of(link_in(confirm, "subscription"))})
        parent = query(site, database, "SELECT file_id FROM comments WHERE id = 1")[0][0]
        settled(site, database)
        # The moderator's address only now: a notice of the first comment (a race with its
        # approval above) would hold back the batch below for its interval.
        made = run_cli(
            "comments", "moderator", "editor", "--email", "ed@example.org", "--site", site
        )
        assert made.returncode == 0, made.stderr
        before = len(server.received())
        server.stop()

        answers: list[list[int]] = [[] for _ in range(CLIENTS)]
        end = time.monotonic() + SECONDS

        def client(n: int) -> None:
            reader, sent = Reader(service), 0
            while time.monotonic() < end:
                form = comment_form(author=f"読者{n}", email=f"r{n}@example.net", notify="1",
                                    parent=parent, body=f"{n}番の{sent}通目")  # fmt: skip
                answers[n].append(reader.post("/comment", form)[0])
                sent += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        posted = sum(len(a) for a in answers)
        assert {status for a in answers for status in a} == {303}, service.stop()[-3000:]
        ((kept,),) = query(site, database, "SELECT COUNT(*) FROM comments WHERE id > 1")
        assert kept == posted and posted >= CLIENTS * 5
        firsts = query(site, database, "SELECT MIN(id) FROM comments WHERE id > 1 GROUP BY author")
        approve(site, *sorted(row for (row,) in firsts))
        time.sleep(5)
        assert len(server.received()) == before  # down: nothing sent, nothing lost

        server.start()
        settled(site, database, seconds=180)
        after = server.received()[before:]
        ids = [message["Message-ID"] for _, message, _ in after]
        assert len(ids) == len(set(ids))  # none twice
        confirms = sorted(to[0] for to, m, _ in after if "返信通知の確認" in subject(m))
        assert confirms == sorted(f"r{n}@example.net" for n in range(CLIENTS))
        replies = [to for to, m, _ in after if "あなたのコメントに返信しました" in subject(m)]
        assert replies == [["sub@example.net"]] * CLIENTS
        waiting = [to for to, m, _ in after if "承認待ち" in subject(m)]
        assert waiting == [["ed@example.org"]]  # one batch: its interval has not passed
        ((unsent,),) = query(site, database, "SELECT COUNT(*) FROM outbox WHERE state <> 'sent'")
        assert unsent == 0
    finally:
        service.stop()
        server.stop()


def test_mail_settings_are_checked_with_their_lines_and_without_them_nothing_is_offered(
    make_site,
):
    from conftest import DEFAULT_CONFIG

    bad = DEFAULT_CONFIG + (
        "comments:\n  url: https://comments.example.org/\n  webhook: ftp://hooks.example\n"
        "  mail:\n    smtp: http://mail.example.org\n    from: nobody\n    tls: maybe\n"
        "    batch_minute: 3\n"
    )
    site = make_site({"content/articles/2022/09/a.md": article("記事")}, config=bad)
    checked = run_cli("check", "--site", site)
    assert checked.returncode == 1
    lines = bad.splitlines()

    def line(start: str) -> int:
        return next(n for n, text in enumerate(lines, 1) if text.strip().startswith(start))

    for key, said in (
        ("webhook", "'comments.webhook' must be an absolute http(s) URL"),
        ("smtp", "'comments.mail.smtp' must be the SMTP server's URL"),
        ("from", "'comments.mail.from' must be the address notices are sent from"),
        ("tls", "'comments.mail.tls' must be starttls, tls or none, got 'maybe'"),
        ("batch_minute", "did you mean 'batch_minutes'?"),
    ):
        assert f"blogsmith.yaml:{line(key + ':')}: " in checked.stderr
        assert said in checked.stderr, checked.stderr
    served = run_cli("comments", "pending", "--site", site)
    assert served.returncode == 1 and "Traceback" not in served.stderr
    assert "'comments.mail.tls' must be" in served.stderr

    quiet = make_site(
        {"content/articles/2022/09/a.md": article("記事", slug="a")},
        config=DEFAULT_CONFIG + "comments:\n  url: https://comments.example.org/\n",
        name="quiet",
    )
    assert run_cli("build", "--site", quiet).returncode == 0
    page = soup(quiet / "public/europe/a/index.html")
    assert page.select_one("form#comment-form") and not page.select_one("#comment-notify")


def test_sent_and_dropped_notices_are_erased_after_thirty_days_and_waiting_ones_kept(tmp_path):
    from blogsmith.service.database import Database
    from blogsmith.service.outbox import KEPT, Outbox, queue

    database = Database("comments.sqlite3", tmp_path)
    database.create()
    with database.transaction() as run:
        for n, state in enumerate(("sent", "dropped", "queued", "sent")):
            queue(run, "reply", f"r{n}@example.net", str(n))
            old = time.time() - KEPT - 60 if n < 3 else time.time()
            run("UPDATE outbox SET state = ?, due = ? WHERE about = ?", (state, old, str(n)))
    assert Outbox(database).prune() == 2
    with database.transaction() as run:
        kept = run("SELECT recipient FROM outbox ORDER BY id")
    assert kept == [("r2@example.net",), ("r3@example.net",)]  # waiting, and sent lately
