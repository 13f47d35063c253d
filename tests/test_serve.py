"""`blogsmith serve`: the real server on a free port, real files edited on disk."""

from __future__ import annotations

import os
import socket
import time

import pytest
from bs4 import BeautifulSoup
from conftest import article, outside_search, search_texts
from serving import ServeProcess

from blogsmith.preview.server import LiveState, resolve


@pytest.fixture
def site(make_site):
    return make_site(
        {
            "content/a/first.md": article(
                "最初の記事",
                "2022-09-01 10:00",
                tags="[戦車]",
                summary="固定の要約",
                body="最初の本文です。",
            ),
            "content/a/second.md": article(
                "二番目の記事", "2022-09-02 10:00", category="japan", body="二番目の本文です。"
            ),
            "static/images/dot.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        }
    )


@pytest.fixture
def server(site):
    process = ServeProcess(site)
    yield process
    process.stop()


def test_pages_assets_and_unicode_paths_are_served_with_their_types(server):
    status, headers, body = server.get("/europe/first/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert "最初の本文です。" in body.decode()
    assert body.decode().count('<script src="/__blogsmith/live.js"') == 1
    assert server.get("/assets/site.css")[1]["content-type"] == "text/css; charset=utf-8"
    assert server.get("/images/dot.svg")[1]["content-type"] == "image/svg+xml"
    status, _, body = server.get("/tag/%E6%88%A6%E8%BB%8A/")
    assert status == 200 and "タグ「戦車」の記事" in body.decode()
    status, headers, body = server.get("/europe/first")
    assert (status, headers["location"]) == (301, "/europe/first/")
    status, headers, body = server.get("/europe/first/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    status, _, script = server.get("/__blogsmith/live.js")
    assert status == 200 and b"EventSource" in script


def test_missing_pages_get_the_404_page_with_status_404(server):
    status, headers, body = server.get("/no/such/page/")
    assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
    assert "ページが見つかりません" in body.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/assets/..%2f..%2f..%2fetc%2fpasswd",
        "/..%5c..%5cetc%5cpasswd",
        "//etc/passwd",
        "/%00/etc/passwd",
        "/%ff%fe",
        "/escape/secret.txt",
        "/escape-file.txt",
    ],
)
def test_nothing_outside_the_output_is_served(server, path):
    status, _, body = server.get(path)
    assert status == 404, (path, status)
    assert b"root:" not in body and "ページが見つかりません" in body.decode()


def test_symlinks_out_of_the_output_are_not_followed(make_site, tmp_path):
    site = make_site({"content/a.md": article("一")})
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "secret.txt").write_text("top secret")
    output = tmp_path / "preview"
    process = ServeProcess(site, "--output", str(output))
    try:
        os.symlink(secret, output / "escape")
        os.symlink(secret / "secret.txt", output / "escape-file.txt")
        for path in ("/escape/secret.txt", "/escape-file.txt"):
            status, _, body = process.get(path)
            assert status == 404 and b"top secret" not in body
    finally:
        process.stop()


def test_resolve_refuses_everything_that_leaves_the_root(tmp_path):
    root = tmp_path / "out"
    (root / "sub").mkdir(parents=True)
    (root / "sub/index.html").write_text("x")
    (root / "index.html").write_text("x")
    assert resolve(root, "/", "/sub/") == ("file", (root / "sub/index.html").resolve())
    assert resolve(root, "/", "/sub") == ("redirect", "/sub/")
    assert resolve(root, "/archive/", "/") == ("redirect", "/archive/")
    assert resolve(root, "/archive/", "/archive") == ("redirect", "/archive/")
    assert resolve(root, "/archive/", "/archive/sub/")[0] == "file"
    assert resolve(root, "/archive/", "/sub/") == ("missing", None)
    for bad in [
        "/../x",
        "/sub/../../x",
        "/%2e%2e/x",
        "/sub/%2E%2E/%2E%2E/x",
        "/a\\..\\b",
        "/x%00",
        "/%c0%ae%c0%ae/x",
        "/./index.html",
    ]:
        assert resolve(root, "/", bad) == ("missing", None), bad


def test_live_state_tells_a_tab_what_changed_since_its_build():
    state = LiveState()
    state.published(["index.html", "a/index.html"])
    state.published(["b/index.html"])
    assert state.message(0) == {
        "build": 2,
        "errors": [],
        "changed": ["a/index.html", "b/index.html", "index.html"],
    }
    assert state.message(1)["changed"] == ["b/index.html"]
    assert state.message(2)["changed"] == []
    state.failed(["content/a.md:2: missing required field 'title'"])
    assert state.message(2)["errors"] == ["content/a.md:2: missing required field 'title'"]
    for _ in range(LiveState.HISTORY + 1):
        state.published([])
    assert state.message(1)["changed"] is None


def test_an_edit_is_served_after_its_rebuild_and_tabs_are_told(server, site):
    stream = server.events(since=1)
    assert stream.next()["build"] == 1
    source = site / "content/a/first.md"
    source.write_text(source.read_text().replace("最初の本文です。", "書き換えた本文です。"))
    message = stream.next(where=lambda m: m["build"] >= 2)
    assert message["errors"] == []
    assert "europe/first/index.html" in message["changed"]
    # The summary is fixed, so only the article's own page and the full-content feeds show
    # what changed, besides the search index's files that hold its text.
    assert outside_search(message["changed"]) == [
        "category/europe/feed.xml",
        "europe/first/index.html",
        "feed.xml",
    ]
    assert len(search_texts(message["changed"])) == 1
    assert "書き換えた本文です。" in server.get("/europe/first/")[2].decode()
    line = server.wait_for_line(r"^built in [\d.]+ s: 3 of \d+ pages rendered, \d+ files written")
    assert line
    stream.close()


def test_a_broken_file_shows_errors_and_fixing_it_reloads(server, site):
    stream = server.events(since=1)
    stream.next()
    source = site / "content/a/second.md"
    good = source.read_text()
    source.write_text(good.replace("category: japan", "category: japn"))
    message = stream.next(where=lambda m: m["errors"])
    assert message["errors"] == [
        "content/a/second.md:4: unknown category 'japn'; did you mean 'japan'? declared "
        "categories: europe, japan"
    ]
    assert message["build"] == 1
    status, _, body = server.get("/japan/second/")
    assert status == 200 and "二番目の本文です。" in body.decode()
    source.write_text(good.replace("二番目の本文です。", "直した本文です。"))
    fixed = stream.next(where=lambda m: not m["errors"])
    assert fixed["build"] == 2
    assert "直した本文です。" in server.get("/japan/second/")[2].decode()
    stream.close()


def test_a_template_edit_needs_no_restart(server, site):
    stream = server.events(since=1)
    stream.next()
    templates = site / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("x")  # unrelated template first
    (templates / "404.html").write_text(
        "{% extends 'base.html' %}{% block main %}<h1>独自の見つからないページ</h1>{% endblock %}"
    )
    stream.next(where=lambda m: m["build"] >= 2 and "404.html" in (m["changed"] or []))
    status, _, body = server.get("/missing/")
    assert status == 404 and "独自の見つからないページ" in body.decode()
    (templates / "404.html").write_text("{% if %}")
    message = stream.next(where=lambda m: m["errors"])
    assert message["errors"][0].startswith("templates/404.html:1: template syntax error")
    stream.close()


def test_a_burst_of_changes_gives_one_rebuild(server, site):
    stream = server.events(since=1)
    stream.next()
    for n in range(100):  # like a `git checkout` that brings 100 articles
        (site / f"content/a/burst-{n:03d}.md").write_text(article(f"記事{n}", "2022-09-03"))
    message = stream.next(where=lambda m: m["build"] >= 2)
    assert message["build"] == 2
    assert "europe/burst-000/index.html" in message["changed"]
    assert "europe/burst-099/index.html" in message["changed"]
    time.sleep(1.0)
    assert [line for line in server.stdout if line.startswith("changed:")] == [
        "changed: " + ", ".join(f"content/a/burst-{n:03d}.md" for n in range(100)) + "\n"
    ]
    assert server.get("/europe/burst-099/")[0] == 200
    stream.close()


def test_ctrl_c_stops_cleanly(site):
    process = ServeProcess(site)
    code, out, err = process.stop()
    assert code == 0
    assert "Traceback" not in err and out.rstrip().endswith("stopped")


def test_a_taken_port_moves_to_the_next_free_one(site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = ServeProcess(site, "--port", str(port))
        try:
            assert process.port != port
            assert process.get("/")[0] == 200
        finally:
            _, _, err = process.stop()
    assert f"port {port} is in use; serving on port {process.port} instead" in err


def test_binding_beyond_this_machine_warns(site):
    process = ServeProcess(site, "--host", "127.0.0.2")
    try:
        assert process.url.startswith("http://127.0.0.2:")
        assert process.get("/")[0] == 200
    finally:
        _, _, err = process.stop()
    assert (
        "warning: serving on 127.0.0.2: anyone who can reach this machine can read the "
        "preview, drafts included" in err
    )


def test_build_output_never_contains_the_reload_script(site, tmp_path):
    process = ServeProcess(site, "--output", str(tmp_path / "preview"))
    process.stop()
    from conftest import run_cli

    assert run_cli("build", "--site", site).returncode == 0
    for page in (site / "public").rglob("*.html"):
        assert "__blogsmith" not in page.read_text()
    html = BeautifulSoup((tmp_path / "preview/europe/first/index.html").read_text(), "html5lib")
    assert [script.get("type") for script in html.find_all("script")] == ["application/ld+json"]


def test_requests_for_other_hosts_are_refused_and_redirects_stay_here(server, site):
    import http.client

    def ask(target: str, host: str | None = None) -> tuple[int, dict]:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
        connection.putrequest("GET", target, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}

    # DNS rebinding: a page of evil.example whose name now points here gets nothing.
    assert ask("/europe/first/", "evil.example")[0] == 403
    assert ask("/__blogsmith/events?since=0", "evil.example:80")[0] == 403
    for allowed in ("localhost", f"localhost:{server.port}", f"127.0.0.1:{server.port}"):
        assert ask("/europe/first/", allowed)[0] == 200, allowed
    # A folder redirect names a path on this server, whatever the request target said.
    here = f"127.0.0.1:{server.port}"
    for target in ("http://evil.example/europe/first", "//evil.example/europe/first"):
        status, headers = ask(target, here)
        assert status in (301, 404), target
        if status == 301:
            assert headers["location"].startswith("/"), (target, headers["location"])
            assert not headers["location"].startswith("//"), (target, headers["location"])
    status, headers = ask("http://evil.example/europe/first", here)
    assert status == 301 and headers["location"] == "/europe/first/"


def test_watching_goes_on_after_content_is_removed_and_restored(server, site):
    import shutil

    stream = server.events(since=1)
    stream.next()
    kept = site.parent / "content-kept"
    shutil.copytree(site / "content", kept)
    shutil.rmtree(site / "content")  # as `rm -r content` then `git checkout content` do
    stream.next(where=lambda m: m["build"] >= 2 or m.get("errors"))
    shutil.copytree(kept, site / "content")
    time.sleep(0.5)
    (site / "content/a/first.md").write_text(
        article("復元後の記事", "2022-09-01 10:00", body="復元後の本文です。"), encoding="utf-8"
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        status, _, body = server.get("/europe/first/")
        if status == 200 and "復元後の本文です。" in body.decode():
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the edit after the restore was never rebuilt")
    stream.close()


def test_aborted_connections_head_on_events_and_bursts_are_answered_quietly(server):
    import http.client

    for _ in range(20):  # clients that go away before the answer
        with socket.create_connection((server.host, server.port)) as gone:
            gone.sendall(b"GET /europe/first/ HTTP/1.1\r\nHost: localhost\r\n\r\n")
            gone.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
    connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
    connection.request("HEAD", "/__blogsmith/events?since=0")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/event-stream")
    response.read()  # a HEAD answer ends: this would time out on a stream
    connection.close()
    burst = []
    for _ in range(60):  # a burst of connections, all opened before any is answered
        burst.append(socket.create_connection((server.host, server.port), timeout=5))
    started = time.monotonic()
    for sock in burst:
        sock.sendall(
            b"GET /assets/site.css HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
    for sock in burst:
        assert sock.recv(12).startswith(b"HTTP/1.1 200")
        sock.close()
    assert time.monotonic() - started < 0.9  # none waited for a listen-queue retry (1 s)
    code, _, err = server.stop()
    assert code == 0 and "Traceback" not in err, err


def test_ctrl_c_during_the_first_build_stops_every_process_quietly(make_site):
    import signal
    import subprocess
    import sys

    site = make_site(
        {f"content/a/{n:04d}.md": article(f"記事{n}", "2022-09-01 10:00") for n in range(1500)}
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "blogsmith", "serve", "--site", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "BLOGSMITH_WORKERS": "2"},
    )
    deadline = time.monotonic() + 60
    while not _children(process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _children(process.pid), "the first build never started its workers"
    time.sleep(0.1)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to every process
    out, err = process.communicate(timeout=30)
    assert "Traceback" not in err, err
    assert process.returncode == 0 and out.rstrip().endswith("stopped"), (out, err)
    time.sleep(0.5)
    leftover = subprocess.run(["pgrep", "-s", str(process.pid)], capture_output=True, text=True)
    assert leftover.stdout.strip() == "", "worker processes were left running"


def _children(pid: int) -> list[str]:
    import subprocess

    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return found.stdout.split()
