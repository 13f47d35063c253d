"""The comment service's limits under real parallel clients, readers keyed by their IPv6 /64,
whom auto-approval trusts, and how a moderator's sessions end (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from comment_service import CommentService, Reader, at_once, empty_postgres
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

JSON = {"Accept": "application/json"}
PER_HOUR = 10


def limited_site(make_site, database: str, extra: str = "") -> Path:
    config = service_config(database, extra).replace("per_hour: 5", f"per_hour: {PER_HOUR}")
    return make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            "content/articles/2022/09/ceasefire.comments.yaml": THREAD,
        },
        config=config,
    )


@pytest.fixture
def site(make_site, database):
    return limited_site(make_site, database)


@pytest.fixture
def service(site):
    running = CommentService(site)
    yield running
    running.stop()


def statuses(answers: list) -> Counter:
    return Counter(a[0] if isinstance(a, tuple) else type(a).__name__ for a in answers)


def posting(service: CommentService, address: str, n: int):
    return lambda: Reader(service, address).post(
        "/comment", comment_form(body=f"同時投稿{n}"), headers=JSON
    )


def voting(reader: Reader, comment: str):
    return lambda: reader.post("/vote", {"article": KEY, "comment": comment}, headers=JSON)


def counted(answers: list) -> int:
    return sum(json.loads(a[2])["counted"] for a in answers if a[0] == 200)


def moderation_page_open(reader: Reader) -> bool:
    return 'type="password"' not in reader.get("/moderate")[2]


def test_per_hour_holds_under_simultaneous_posts_from_one_address(site, service, database):
    for address in ("203.0.113.50", "203.0.113.51", "203.0.113.52"):
        answers = at_once([posting(service, address, n) for n in range(30)])
        assert statuses(answers) == {200: PER_HOUR, 429: 30 - PER_HOUR}, address
    assert len(stored_rows(site, database)) == 3 * PER_HOUR


@pytest.mark.parametrize("who", ["40 addresses, one name", "one address, 40 names"])
def test_simultaneous_guesses_check_at_most_five_passwords(site, service, who):
    add_moderator(site, "editor", "correct horse battery")
    csrf = re.search(r'name="csrf" value="([^"]+)"', Reader(service).get("/moderate")[2])[1]
    one_address = who.startswith("one address")

    def guess(n: int):
        reader = Reader(service, "192.0.2.10" if one_address else f"192.0.2.{10 + n}")
        name = f"editor{n}" if one_address else "editor"
        return lambda: reader.post("/login", {"csrf": csrf, "name": name, "password": f"x{n}"})

    answers = at_once([guess(n) for n in range(40)])
    found = statuses(answers)
    assert found[401] <= 5 and found[401] + found[429] == 40, found
    locked = Reader(service, "192.0.2.10" if one_address else "192.0.2.99")
    assert login(locked, "editor", "correct horse battery")[0] == 429


def test_a_moderator_logging_in_often_is_never_locked_out(site, service):
    add_moderator(site, "editor", "correct horse battery")
    for _ in range(7):
        assert login(Reader(service), "editor", "correct horse battery")[0] == 303


MORE = "".join(
    f"- id: {n}\n  author: 読者{n}\n  date: 2022-09-14T11:{n - 100:02}:00+09:00\n  body: 同感\n"
    for n in range(103, 108)
)
"""Five more comments nobody voted for yet: five races for a first vote."""


def test_simultaneous_first_votes_count_once_per_address_and_per_reader(make_site, database):
    site = limited_site(make_site, database)
    (site / "content/articles/2022/09/ceasefire.comments.yaml").write_text(THREAD + MORE)
    running = CommentService(site)
    try:
        fresh = [str(n) for n in range(102, 108)]
        for comment in fresh:
            strangers = [Reader(running, "198.51.100.20") for _ in range(16)]
            answers = at_once([voting(reader, comment) for reader in strangers])
            assert statuses(answers) == {200: 16} and counted(answers) == 1, comment
        one = Reader(running, "198.51.100.21")
        assert counted([voting(one, "101")()]) == 1  # the reader has its cookie now
        for comment in fresh:
            same_reader = [Reader(running, f"198.51.100.{30 + n}") for n in range(16)]
            for reader in same_reader:
                reader.cookies = dict(one.cookies)
            answers = at_once([voting(reader, comment) for reader in same_reader])
            assert statuses(answers) == {200: 16} and counted(answers) == 1, comment
        votes = json.loads(Reader(running).get(f"/votes?article={KEY}")[2])["votes"]
        assert votes == {"101": 55, **{comment: 2 for comment in fresh}}
    finally:
        running.stop()


ONE_HOME = [f"2001:db8:1:2:{n:x}:{n * 7:x}:0:{n + 1:x}" for n in range(20)]
"""Twenty addresses one /64 holds: what one home connection hands its devices."""


def test_every_address_of_one_ipv6_64_is_one_reader(site, service, database):
    votes = [voting(Reader(service, address), "101")() for address in ONE_HOME]
    assert counted(votes) == 1
    next_door = Reader(service, "2001:db8:1:3::1")  # another /64: another home
    assert counted([voting(next_door, "101")()]) == 1
    v4 = Reader(service, "198.51.100.9")
    assert counted([voting(v4, "101")()]) == 1
    assert counted([voting(Reader(service, "::ffff:198.51.100.9"), "101")()]) == 0

    posts = [posting(service, address, n)() for n, address in enumerate(ONE_HOME)]
    assert statuses(posts) == {200: PER_HOUR, 429: 20 - PER_HOUR}
    assert posting(service, "2001:db8:1:3::1", 99)()[0] == 200
    assert len(stored_rows(site, database)) == PER_HOUR + 1

    add_moderator(site, "editor", "correct horse battery")
    for n, address in enumerate(ONE_HOME[:5]):
        assert login(Reader(service, address), f"nobody{n}", "guess")[0] == 401
    assert login(Reader(service, ONE_HOME[5]), "editor", "correct horse battery")[0] == 429
    assert login(next_door, "editor", "correct horse battery")[0] == 303


def test_auto_approve_needs_the_name_and_the_email_of_an_approved_reader(make_site, database):
    site = limited_site(make_site, database, "  auto_approve: true\n")
    running = CommentService(site)
    try:
        reader = Reader(running, "203.0.113.60")

        def post(**fields) -> str:
            answer = reader.post("/comment", comment_form(**fields), headers=JSON)
            return json.loads(answer[2])["status"]

        assert post(body="初めて") == "pending"
        assert post(body="メールなし", author="読者Y", email="") == "pending"
        approved = run_cli("comments", "approve", "1", "2", "--no-publish", "--site", site)
        assert approved.returncode == 0, approved.stderr
        assert post(body="偽物です", author="管理人") == "pending"  # the email alone: no
        assert post(body="またメールなし", author="読者Y", email="") == "pending"
        assert post(body="二度目") == "approved"  # the name and the email
        text = (site / "content/articles/2022/09/ceasefire.comments.yaml").read_text()
        assert "二度目" in text and "管理人" not in text and "またメールなし" not in text
    finally:
        running.stop()


def test_a_password_change_or_ending_sessions_logs_a_moderator_out(site, service):
    add_moderator(site, "editor", "correct horse battery")
    add_moderator(site, "second", "second horse battery")
    editor = Reader(service)
    assert login(editor, "editor", "correct horse battery")[0] == 303
    assert moderation_page_open(editor)
    add_moderator(site, "editor", "a brand new password")  # the old one leaked, say
    assert not moderation_page_open(editor)
    assert login(editor, "editor", "correct horse battery")[0] == 401

    second = Reader(service)
    assert login(editor, "editor", "a brand new password")[0] == 303
    assert login(second, "second", "second horse battery")[0] == 303
    ended = run_cli("comments", "logout", "editor", "--site", site)
    assert ended.returncode == 0 and "1 session of editor ended" in ended.stdout, ended
    assert not moderation_page_open(editor) and moderation_page_open(second)

    assert login(editor, "editor", "a brand new password")[0] == 303
    ended = run_cli("comments", "logout", "--all", "--site", site)
    assert ended.returncode == 0 and "2 sessions ended" in ended.stdout, ended
    assert not moderation_page_open(editor) and not moderation_page_open(second)
    refused = run_cli("comments", "logout", "--site", site)
    assert refused.returncode == 2  # a name or --all: never every session by accident


def test_postgresql_keeps_times_exact_in_a_database_made_before(make_site):
    """REAL is 4 bytes in PostgreSQL: seconds since 1970 rounded to 128 s (a comment's date,
    a session's end, the events limits count). A database made so is widened on start."""
    import psycopg

    from blogsmith.service.database import SCHEMA, SERIAL

    postgres = empty_postgres()
    with psycopg.connect(postgres, autocommit=True) as connection:
        for statement in SCHEMA.format(serial=SERIAL["postgresql"], real="REAL").split(";"):
            connection.execute(statement)
    running = CommentService(limited_site(make_site, postgres))
    try:
        before = time.time()
        assert Reader(running).post("/comment", comment_form(), headers=JSON)[0] == 200
        after = time.time()
    finally:
        running.stop()
    with psycopg.connect(postgres) as connection:
        ((posted,),) = connection.execute("SELECT posted FROM comments").fetchall()
    assert before - 0.01 <= posted <= after + 0.01
