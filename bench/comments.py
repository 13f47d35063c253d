"""Load on the comment service: N clients posting for S seconds on loopback, against SQLite
and (with --postgres URL) PostgreSQL; then every accepted comment is looked for in the database
(none missing, none twice: each client also sends some forms twice, as a double click does),
and the server errors are counted. Then, with --archive DIR (a built bench archive, see
generate.py), the time from approving a comment to its article page holding it.

    python bench/comments.py [--clients 50] [--seconds 60] [--postgres postgresql://...]
    python bench/comments.py --archive /tmp/bench10k   # approve to visible at 10,000 articles

Each client is a reader behind the loopback proxy with an address of its own per comment
(X-Forwarded-For), holding forms opened a while ago (tokens signed with the service's key, as
the service would have given them), so neither the per-address limit nor the "sent too fast"
rule is what is measured.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_site  # noqa: E402

from blogsmith.service.database import TABLES  # noqa: E402

SECRET = "bench-secret"
THREADS_PER_PROCESS = 10


def start_service(site: Path) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "blogsmith", "comments", "serve", "--site", str(site),
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "BLOGSMITH_COMMENTS_SECRET": SECRET},
    )  # fmt: skip
    for line in process.stdout:
        found = re.search(r"comment service on http://[^:]+:(\d+)/", line)
        if found:
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, int(found.group(1))
    raise SystemExit("the service did not start")


def client_process(port: int, keys: list[str], seconds: float, first: int, results) -> None:
    from blogsmith.service.secrets import Signer, signing_key
    from blogsmith.service.submissions import form_token

    os.environ["BLOGSMITH_COMMENTS_SECRET"] = SECRET
    signer = Signer(signing_key(None))  # type: ignore[arg-type]  # the key is the environment's
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    totals = {"accepted": [], "errors": 0, "refused": 0, "requests": 0}

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        sent = 0
        while time.monotonic() < deadline:
            key = keys[(number * 7919 + sent) % len(keys)]
            token = form_token(signer, key, time.time() - 30)
            form = urllib.parse.urlencode(
                {"article": key, "token": token, "author": f"読者{number}", "body":
                 f"負荷試験のコメント {number}-{sent}。", "homepage": ""}
            ).encode()  # fmt: skip
            times = 2 if sent % 20 == 0 else 1  # a double click now and then
            for _ in range(times):
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                    "X-Forwarded-For": f"10.{number % 250}.{sent // 250 % 250}.{sent % 250}",
                }
                try:
                    connection.request("POST", "/comment", body=form, headers=headers)
                    response = connection.getresponse()
                    body = response.read()
                except OSError:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    with lock:
                        totals["errors"] += 1
                    continue
                with lock:
                    totals["requests"] += 1
                    if response.status >= 500:
                        totals["errors"] += 1
                    elif response.status == 200:
                        totals["accepted"].append(token.split("|")[2])
                    else:
                        totals["refused"] += 1
                        print(response.status, body[:200], file=sys.stderr)
            sent += 1

    threads = [
        threading.Thread(target=client, args=(first + n,)) for n in range(THREADS_PER_PROCESS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(totals)


def load(site: Path, clients: int, seconds: float, database: str) -> dict:
    process, port = start_service(site)
    keys = sorted(
        p.relative_to(site / "content").as_posix() for p in (site / "content").rglob("*.md")
    )
    results = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(
            target=client_process, args=(port, keys, seconds, n * THREADS_PER_PROCESS, results)
        )
        for n in range(max(1, clients // THREADS_PER_PROCESS))
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    totals = [results.get() for _ in workers]
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    process.terminate()
    process.wait()
    accepted = [nonce for t in totals for nonce in t["accepted"]]
    stored = stored_nonces(site, database)
    return {
        "requests": sum(t["requests"] for t in totals),
        "seconds": elapsed,
        "accepted forms": len(set(accepted)),
        "stored": len(stored),
        "stored twice": len(stored) - len(set(stored)),
        "accepted, not stored": len(set(accepted) - set(stored)),
        "server errors": sum(t["errors"] for t in totals),
        "refused": sum(t["refused"] for t in totals),
    }


def stored_nonces(site: Path, database: str) -> list[str]:
    if database.startswith("postgresql"):
        import psycopg

        with psycopg.connect(database) as connection:
            return [row[0] for row in connection.execute("SELECT nonce FROM comments")]
    with sqlite3.connect(site / database) as connection:
        return [row[0] for row in connection.execute("SELECT nonce FROM comments")]


def with_database(site: Path, database: str) -> None:
    config = site / "blogsmith.yaml"
    text = re.sub(r"\ncomments:\n(  .*\n)*", "\n", config.read_text(encoding="utf-8"))
    config.write_text(
        text + f"comments:\n  url: http://127.0.0.1:8081/\n  database: {database}\n",
        encoding="utf-8",
    )
    if database.startswith("postgresql"):
        import psycopg

        with psycopg.connect(database, autocommit=True) as connection:
            for table in TABLES:
                connection.execute(f"DROP TABLE IF EXISTS {table}")
    else:
        for suffix in ("", "-wal", "-shm"):
            (site / (database + suffix)).unlink(missing_ok=True)


def approve_to_visible(archive: Path) -> tuple[float, float]:
    """Post one comment; a moderator approves it on the moderation page; the time until its
    article page on disk holds it (the service writes the file and rebuilds), and the same
    approval from the CLI (`blogsmith comments approve`)."""
    with_database(archive, "comments.sqlite3")
    blogsmith = [sys.executable, "-m", "blogsmith"]
    subprocess.run([*blogsmith, "build", "--site", str(archive), "-q"], check=True)
    subprocess.run([*blogsmith, "comments", "moderator", "bench", "--site", str(archive)],
                   input="a long bench passphrase\n", text=True, check=True)  # fmt: skip
    articles = sorted((archive / "content/articles").rglob("*.md"))
    process, port = start_service(archive)
    from blogsmith.service.secrets import Signer, signing_key
    from blogsmith.service.submissions import form_token

    os.environ["BLOGSMITH_COMMENTS_SECRET"] = SECRET
    signer = Signer(signing_key(None))  # type: ignore[arg-type]

    def post(path: str, form: dict, cookie: str = "") -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookie:
            headers["Cookie"] = cookie
        connection.request("POST", path, body=urllib.parse.urlencode(form).encode(),
                           headers=headers)  # fmt: skip
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()

    def comment(article: Path) -> tuple[str, str]:
        key = article.relative_to(archive / "content").as_posix()
        marker = f"承認確認{time.time_ns()}"
        token = form_token(signer, key, time.time() - 30)
        post("/comment", {"article": key, "token": token, "author": "読者", "body": marker})
        return marker, key

    def page_of(article: Path) -> Path:  # the bench's permalink: /{category}/{slug}/
        category = re.search(r"^category: (\S+)$", article.read_text(), re.MULTILINE).group(1)
        return archive / "public" / category / article.stem / "index.html"

    try:
        marker, _ = comment(articles[len(articles) // 2])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/moderate")
        login_page = connection.getresponse().read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', login_page).group(1)
        _, headers, _ = post("/login", {"csrf": csrf, "name": "bench",
                                         "password": "a long bench passphrase"})  # fmt: skip
        cookie = headers["Set-Cookie"].split(";")[0]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/moderate", headers={"Cookie": cookie})
        desk = connection.getresponse().read().decode()
        session_csrf = re.search(r'name="csrf" value="([^"]+)"', desk).group(1)
        row = re.search(r'action="moderate/(\d+)/approve"', desk).group(1)
        page = page_of(articles[len(articles) // 2])
        started = time.perf_counter()
        post(f"/moderate/{row}/approve", {"csrf": session_csrf}, cookie)
        shown = _wait_for(lambda: marker in page.read_text(encoding="utf-8"))
        from_page = time.perf_counter() - started
        marker, _ = comment(articles[len(articles) // 3])
        page = page_of(articles[len(articles) // 3])
    finally:
        process.terminate()
        process.wait()
    pending = subprocess.run([*blogsmith, "comments", "pending", "--site", str(archive)],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    row = re.search(r"^#(\d+) ", pending, re.MULTILINE).group(1)
    started = time.perf_counter()
    subprocess.run([*blogsmith, "comments", "approve", row, "--site", str(archive)],
                   check=True, capture_output=True)  # fmt: skip
    from_cli = time.perf_counter() - started
    assert shown and marker in page.read_text(encoding="utf-8"), "the approved comment is not shown"
    return from_page, from_cli


def _wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--postgres", default=None, metavar="URL")
    parser.add_argument("--archive", type=Path, default=None, metavar="DIR")
    args = parser.parse_args()
    if args.archive:
        from_page, from_cli = approve_to_visible(args.archive)
        print(
            f"approve to visible on {args.archive}: {from_page:.2f} s from the moderation "
            f"page, {from_cli:.2f} s from the CLI"
        )
        return
    work = Path(tempfile.mkdtemp(prefix="blogsmith-comments-"))
    site = work / "site"
    write_site(site, args.articles, comments_per_article=2)
    databases = ["comments.sqlite3"] + ([args.postgres] if args.postgres else [])
    print(f"{args.clients} clients for {args.seconds:.0f} s, {args.articles} articles")
    for database in databases:
        with_database(site, database)
        figures = load(site, args.clients, args.seconds, database)
        name = "PostgreSQL" if database.startswith("postgresql") else "SQLite"
        rate = figures["requests"] / figures["seconds"]
        print(f"{name}: {rate:.0f} requests/s; " + ", ".join(f"{k} {v}" for k, v in
              figures.items() if k != "seconds"))  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
