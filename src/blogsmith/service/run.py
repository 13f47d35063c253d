"""`blogsmith comments ...`: the service started with waitress (a production WSGI server in
pure Python), and the moderator's commands for a terminal."""

from __future__ import annotations

import ipaddress
import sys
from dataclasses import dataclass
from pathlib import Path

from blogsmith.core.config import Config, require_config
from blogsmith.service.database import Database
from blogsmith.service.moderation import ModerationRefused, Publisher, decide, publish
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
    database = Database(config.comments_database, site_dir)
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
    publisher = Publisher(
        opened.store, site_dir, opened.config, output=output, fold_every=fold_every
    )
    publisher.start()
    return Service(
        site_dir,
        opened.config,
        opened.store,
        Signer(signing_key(opened.database)),
        Articles(site_dir),
        publisher,
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

    from blogsmith.service.proxies import behind
    from blogsmith.service.slow_clients import bound_slow_clients, server_settings
    from blogsmith.service.web import make_app

    service = make_service(site_dir.resolve(), output, fold_every=fold_every)
    app = behind(make_app(service), [ipaddress.ip_network(p, strict=False) for p in proxies])
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
    bound_slow_clients(server)
    if not service.config.comments_url:
        print(
            "note: 'comments.url' is not set in blogsmith.yaml, so pages have no comment form; "
            "set it to this service's public URL and build",
            flush=True,
        )
    shown = f"[{host}]" if ":" in host else host
    print(
        f"comment service on http://{shown}:{server.effective_port}/ for {service.config.title} "
        f"(database {service.store.database.where}; moderation at /moderate)",
        flush=True,
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


def pending(site_dir: Path) -> int:
    opened = open_site(site_dir)
    waiting = opened.store.waiting()
    for comment in waiting:
        parent = f" replying to {comment.parent}" if comment.parent else ""
        email = f" <{comment.email}>" if comment.email else ""
        print(f"#{comment.row} {comment.article}{parent} [{comment.status}]")
        print(f"  {comment.author}{email}{' ' + comment.url if comment.url else ''}")
        for line in comment.body.splitlines() or [""]:
            print(f"  | {line}")
    if not waiting:
        print("no comment awaits moderation")
    return 0


def decide_many(site_dir: Path, rows: list[int], action: str, publish_after: bool) -> int:
    opened = open_site(site_dir)
    failed = 0
    for row in rows:
        try:
            stored = decide(opened.store, site_dir, opened.config, row, action)
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


def end_sessions(site_dir: Path, names: list[str]) -> int:
    """Logs moderators out everywhere (all of them when no name is given): a lost laptop, a
    password that leaked, someone who left."""
    store = open_site(site_dir).store
    for name in names or [None]:
        ended = store.end_sessions(name)
        whose = f" of {name}" if name else ""
        print(f"{ended} session{'' if ended == 1 else 's'}{whose} ended")
    return 0
