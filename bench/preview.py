"""Save-to-visible in the live preview, measured as a browser tab sees it.

Starts `blogsmith serve` on the archive, listens to the preview's reload events like the
page's script does, then for each edit: writes the file, waits for the event that says the
build is done, fetches the article's page and checks the edit is on it. The time is from the
write to the page's bytes in hand (the watcher's 0.1 s wait for a burst to settle included).
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from find import from_server, search_urls

EVENTS = "/__blogsmith/events"
URL = re.compile(r"serving (http://\S+)")


def save_to_visible(
    site: Path, articles: dict[Path, str], change: Callable[[str, str], str]
) -> tuple[list[float], list[float]]:
    """Seconds from saving `change(text, marker)` into each article (source -> its URL path)
    to seeing it served, and to the preview's search index finding the marker on that page."""
    process = subprocess.Popen(
        [sys.executable, "-m", "blogsmith", "serve", "--site", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        base = _wait_for_url(process)
        host, port = base.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
        events = http.client.HTTPConnection(host, int(port), timeout=120)
        events.request("GET", EVENTS + "?since=1")
        stream = events.getresponse()
        _next_state(stream)
        times, searchable = [], []
        for number, (path, url) in enumerate(articles.items()):
            text = path.read_text(encoding="utf-8")
            page = base.rstrip("/") + url
            marker = f"計測{number}-{time.time_ns()}"
            time.sleep(1.0)  # the previous save has settled
            started = time.perf_counter()
            path.write_text(change(text, marker), encoding="utf-8")
            _next_state(stream)
            body = urllib.request.urlopen(page, timeout=120).read().decode("utf-8")
            times.append(time.perf_counter() - started)
            if marker not in body:
                raise SystemExit(f"the edit of {path} is not on {page}")
            while page.removeprefix(base.rstrip("/")) not in search_urls(from_server(base), marker):
                if time.perf_counter() - started > 60:
                    raise SystemExit(f"the preview's search never found the edit of {path}")
                time.sleep(0.05)
            searchable.append(time.perf_counter() - started)
        return times, searchable
    finally:
        process.terminate()
        process.wait(timeout=60)


def _wait_for_url(process: subprocess.Popen) -> str:
    for line in process.stdout:
        found = URL.search(line)
        if found:
            threading.Thread(target=process.stdout.read, daemon=True).start()  # keep draining
            return found.group(1)
    raise SystemExit("blogsmith serve stopped before serving")


def _next_state(stream) -> dict:
    while True:
        line = stream.readline().decode("utf-8")
        if not line:
            raise SystemExit("the preview closed its event stream")
        if line.startswith("data: "):
            return json.loads(line[6:])
