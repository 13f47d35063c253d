"""50 concurrent clients against the live preview while files change: nothing fails, no half
page. Loopback only, bounded in time."""

from __future__ import annotations

import http.client
import threading
import time

import pytest
from conftest import article
from serving import ServeProcess

pytestmark = pytest.mark.slow

CLIENTS = 50
SECONDS = 10.0


def test_fifty_clients_while_files_change(make_site, capsys):
    files = {
        f"content/a/story-{n:02d}.md": article(
            f"記事{n}", f"2022-09-{n + 1:02d} 10:00", body=f"本文{n}。" * 200
        )
        for n in range(20)
    }
    site = make_site(files)
    server = ServeProcess(site)
    paths = ["/", "/page/1/", "/category/europe/", "/assets/site.css"] + [
        f"/europe/story-{n:02d}/" for n in range(20)
    ]
    stop = threading.Event()
    failures: list[str] = []
    counts = [0] * CLIENTS

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
        i = number
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                failures.append(f"{path}: {exc!r}")
                connection.close()
                connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
                continue
            if response.status != 200:
                failures.append(f"{path}: status {response.status}")
            elif int(response.getheader("Content-Length")) != len(body):
                failures.append(f"{path}: short body")
            elif path.endswith("/") and not body.rstrip().endswith(b"</html>"):
                failures.append(f"{path}: half a page")
            counts[number] += 1
        connection.close()

    def editor() -> None:
        n = 0
        while not stop.is_set():
            source = site / f"content/a/story-{n % 20:02d}.md"
            text = source.read_text()
            source.write_text(
                text.replace("本文", "改稿", 1)
                if "本文" in text
                else text.replace("改稿", "本文", 1)
            )
            n += 1
            stop.wait(0.3)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    threads.append(threading.Thread(target=editor))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    elapsed = time.monotonic() - started
    code, out, err = server.stop()
    rebuilds = out.count("\nbuilt in ")
    with capsys.disabled():
        print(
            f"\nserve load: {sum(counts)} requests from {CLIENTS} clients in {elapsed:.1f} s "
            f"= {sum(counts) / elapsed:.0f} requests/s, {rebuilds} rebuilds meanwhile"
        )
    assert failures == []
    assert rebuilds >= 5
    assert code == 0
