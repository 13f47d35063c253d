"""`blogsmith comments ...`: the service started with waitress (a production WSGI server in
pure Python), and the moderator's commands for a terminal."""

from __future__ import annotations

import ipaddress
import smtplib
import sys
from dataclasses import dataclass
from pathlib import Path

from blogsmith.core.config import Config, require_config
from blogsmith.core.signals import stop_on_interrupt_or_term
from blogsmith.service.database import Database
from blogsmith.service.letters import Letters
from blogsmith.service.moderation import (
    SEEN_SHOWN,
    ModerationRefused,
    SiteRepublisher,
    decide,
    publish,
    text_digest,
)
from blogsmith.service.outbox import MAX_TRIES, Outbox
from blogsmith.service.postman import Postman
from blogsmith.service.secrets import Signer, hash_password, signing_key
from blogsmith.service.store import Store

LOOPBACK = ("127.0.0.1", "::1")


@dataclass
class Opened:
    config: Config
    database: Database
    store: Store


def open_site(site_dir: Path) -> Opened:
    config = require_config(site_dir)
    database = Database(config.comments.database, site_dir)
    database.create()
    return Opened(config, database, Store(database))


def make_service(
    site_dir: Path,
    output: Path | None = None,
    fold_every: float = 3600.0,
):
    from blogsmith.service.articles import Articles
    from blogsmith.service.web import Service

    opened = open_site(site_dir)
    publisher = SiteRepublisher(
        opened.store, site_dir, opened.config, output=output, fold_every=fold_every
    )
    publisher.start()
    signer = Signer(signing_key(opened.database))
    articles = Articles(site_dir)
    postman = make_postman(opened, signer, articles)
    postman.start()
    return Service(site_dir, opened.config, opened.store, signer, articles, publisher, postman)


def make_postman(opened: Opened, signer: Signer, articles) -> Postman:
    return Postman(
        opened.config,
        Outbox(opened.database),
        Letters(opened.config, opened.store, signer, articles),
    )


def serve(
    site_dir: Path,
    host: str,
    port: int,
    output: Path | None,
    proxies: list[str],
    fold_every: float = 3600.0,
) -> int:
    try:
        import waitress  # noqa: F401
    except ImportError:
        print(
            "blogsmith comments serve needs the comment service's packages: "
            "pip install 'blogsmith[comments]'",
            file=sys.stderr,
        )
        return 1
    from waitress import create_server

    from blogsmith.service.app import make_app
    from blogsmith.service.proxies import behind
    from blogsmith.service.slow_clients import bound_slow_clients, server_settings

    service = make_service(site_dir.resolve(), output, fold_every=fold_every)
    app = behind(make_app(service), [ipaddress.ip_network(p, strict=False) for p in proxies])
    stop_on_interrupt_or_term()  # before serving: the postman and builder then stop cleanly
    server = create_server(
        app,
        host=host,
        port=port,
        threads=8,
        ident="blogsmith",
        max_request_body_size=64 * 1024,
        connection_limit=500,
        clear_untrusted_proxy_headers=False,  # the proxy middleware decides whom to trust
        **server_settings(),
    )
    try:  # from here a stop may come at any moment, even while the address is printed
        bound_slow_clients(server)
        _announce(service, host, server.effective_port)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if service.postman:
            service.postman.stop()
    return 0


def _announce(service, host: str, port: int) -> None:
    """The line a script waits for (the address), after the note on a missing comments.url."""
    if not service.config.comments.url:
        print(
            "note: 'comments.url' is not set in blogsmith.yaml, so pages have no comment form; "
            "set it to this service's public URL and build",
            flush=True,
        )
    shown = f"[{host}]" if ":" in host else host
    print(
        f"comment service on http://{shown}:{port}/ for {service.config.title} "
        f"(database {service.store.database.where}; moderation at /moderate)",
        flush=True,
    )


def pending(site_dir: Path) -> int:
    opened = open_site(site_dir)
    waiting = opened.store.waiting()
    for comment in waiting:
        parent = f" replying to {comment.parent}" if comment.parent else ""
        email = f" <{comment.email}>" if comment.email else ""
        seen = text_digest(comment.body)[:SEEN_SHOWN]  # approving N@seen approves this text
        print(f"#{comment.row} {comment.article}{parent} [{comment.status}] ({comment.row}@{seen})")
        print(f"  {comment.author}{email}{' ' + comment.url if comment.url else ''}")
        for line in comment.body.splitlines() or [""]:
            print(f"  | {line}")
    if not waiting:
        print("no comment awaits moderation")
    return 0


def decide_many(
    site_dir: Path, rows: list[tuple[int, str]], action: str, publish_after: bool
) -> int:
    """Each (number, start of the digest of the text read, or "") decided."""
    opened = open_site(site_dir)
    failed = 0
    for row, seen in rows:
        try:
            stored = decide(opened.store, site_dir, opened.config, row, action, seen)
            print(
                f"#{row}: {stored.status}" + (f" as id {stored.file_id}" if stored.file_id else "")
            )
        except ModerationRefused as refused:
            print(f"blogsmith comments {action}: {refused}", file=sys.stderr)
            failed += 1
    if action == "approve" and publish_after and failed < len(rows):
        return publish_site(site_dir, opened) or (1 if failed else 0)
    return 1 if failed else 0


def remove(site_dir: Path, link: str, publish_after: bool) -> int:
    """`blogsmith comments remove LINK`: the comment out of its file and the database, then
    the site rebuilt and published as after an approval."""
    from blogsmith.service.articles import Articles
    from blogsmith.service.takedowns import TakedownRefused, take_down

    opened = open_site(site_dir)
    try:
        done = take_down(opened.store, site_dir, opened.config, Articles(site_dir).by_path(), link)
    except TakedownRefused as refused:
        print(f"blogsmith comments remove: {refused}", file=sys.stderr)
        return 1
    print(done.said())
    return publish_site(site_dir, opened) if publish_after else 0


def edit_comment(site_dir: Path, which: str, body: str, publish_after: bool) -> int:
    """`blogsmith comments edit NUMBER|LINK` with the new text from stdin: recorded as the
    terminal's user's edit; a published comment's site rebuilt and published."""
    import getpass

    from blogsmith.service.articles import Articles
    from blogsmith.service.moderator_edits import EditRefused, edit

    opened = open_site(site_dir)
    try:
        done = edit(
            opened.store,
            site_dir,
            opened.config,
            Articles(site_dir).by_path(),
            which,
            body,
            f"terminal:{getpass.getuser()}",
        )
    except EditRefused as refused:
        print(f"blogsmith comments edit: {refused}", file=sys.stderr)
        return 1
    print(done.said)
    return publish_site(site_dir, opened) if done.published and publish_after else 0


def unsubscribe(site_dir: Path, addresses: list[str]) -> int:
    """`blogsmith comments unsubscribe ADDRESS...`: a reader who asked by other means."""
    from blogsmith.service.notices import Subscribers

    subscribers = Subscribers(open_site(site_dir).database)
    for address in addresses:
        subscribers.unsubscribe(address.strip().lower())
        print(f"{address.strip().lower()}: no more mail from the comment service")
    return 0


def list_edits(site_dir: Path) -> int:
    """`blogsmith comments edits`: who changed which comment when, from what to what."""
    from datetime import datetime

    opened = open_site(site_dir)
    edits = opened.store.edits()
    for article, comment, moderator, at, before, after in edits:
        when = datetime.fromtimestamp(at, opened.config.zone).strftime("%Y-%m-%d %H:%M")
        print(f"{when} {moderator} edited {article} {comment}")
        for mark, text in (("-", before), ("+", after)):
            for line in text.splitlines() or [""]:
                print(f"  {mark} {line}")
    if not edits:
        print("no comment was edited")
    return 0


def block(site_dir: Path, rows: list[int], blocking: bool) -> int:
    """`blogsmith comments block|unblock NUMBER...`: by the email and address of each."""
    store = open_site(site_dir).store
    missing = [row for row in rows if not (store.block if blocking else store.unblock)(row)]
    for row in rows:
        if row not in missing:
            done = "blocked: what they send goes to spam" if blocking else "no longer blocked"
            print(f"#{row}: its reader (email and address) {done}")
    for row in missing:
        verb = "block" if blocking else "unblock"
        print(f"blogsmith comments {verb}: there is no comment #{row}", file=sys.stderr)
    return 1 if missing else 0


def publish_site(site_dir: Path, opened: Opened | None = None) -> int:
    opened = opened or open_site(site_dir)
    result = publish(opened.store, site_dir, opened.config)
    print(result.message)
    return 0 if result.built and result.published else 1


def add_moderator(site_dir: Path, name: str, password: str) -> int:
    if len(password) < 12:
        print(
            "blogsmith comments moderator: use a password of 12 characters or more", file=sys.stderr
        )
        return 1
    opened = open_site(site_dir)
    opened.store.add_moderator(name, hash_password(password))
    print(f"moderator {name} can log in at the service's /moderate (earlier sessions ended)")
    return 0


def moderator_email(site_dir: Path, name: str, email: str | None) -> int | None:
    """`blogsmith comments moderator NAME --email ADDR` (or --no-email) for a moderator who
    exists; None when there is none by that name (then one is added, with a password)."""
    from blogsmith.service.submissions import is_email

    if email is not None and not is_email(email):
        print(
            f"blogsmith comments moderator: {email!r} is not an email address "
            "(like name@example.com)",
            file=sys.stderr,
        )
        return 1
    opened = open_site(site_dir)
    if not opened.store.set_moderator_email(name, email):
        return None
    if email is None:
        print(f"moderator {name} gets no mail about waiting comments")
    elif not opened.config.comments.sends_mail:
        print(
            f"moderator {name} will hear of waiting comments at {email} once 'comments.mail' "
            "is set in blogsmith.yaml (nothing is mailed without it)"
        )
    else:
        minutes = opened.config.comments.mail.batch_minutes
        print(
            f"moderator {name} hears of waiting comments at {email} "
            f"(one mail in {minutes} minutes at most)"
        )
    return 0


def mail_report(site_dir: Path, test_to: str | None) -> int:
    """`blogsmith comments mail`: what the outbox holds and why the last failures failed;
    with --test ADDR, a mail sent at once through the configured server (its error said)."""
    from blogsmith.service.articles import Articles
    from blogsmith.service.postman import Unreachable, connect

    opened = open_site(site_dir)
    if not opened.config.comments.sends_mail:
        print(
            "blogsmith comments mail: nothing is mailed: set 'comments.mail' (smtp, from) and "
            "'comments.url' in blogsmith.yaml",
            file=sys.stderr,
        )
        return 1
    if test_to is not None:
        letters = Letters(
            opened.config, opened.store, Signer(signing_key(opened.database)), Articles(site_dir)
        )
        try:
            with connect(opened.config) as smtp:
                smtp.send_message(letters.test_mail(test_to))
        except Unreachable as exc:
            print(f"blogsmith comments mail: the server refused: {exc}", file=sys.stderr)
            return 1
        except (OSError, ValueError, smtplib.SMTPException) as exc:
            print(f"blogsmith comments mail: {test_to} was refused: {exc}", file=sys.stderr)
            return 1
        print(f"sent a test mail to {test_to}")
        return 0
    outbox = Outbox(opened.database)
    counts = outbox.counts()
    print(
        f"{counts.get('queued', 0)} waiting to be sent, {counts.get('sent', 0)} sent, "
        f"{counts.get('dropped', 0)} dropped (refused {MAX_TRIES} times)"
    )
    for kind, recipient, tries, failure in outbox.failures():
        print(f"  {kind} to {recipient}: refused {tries} times, last: {failure}")
    return 0


def end_sessions(site_dir: Path, names: list[str]) -> int:
    """Logs moderators out everywhere (all of them when no name is given): a lost laptop, a
    password that leaked, someone who left."""
    store = open_site(site_dir).store
    for name in names or [None]:
        ended = store.end_sessions(name)
        whose = f" of {name}" if name else ""
        print(f"{ended} session{'' if ended == 1 else 's'}{whose} ended")
    return 0
