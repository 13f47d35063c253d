import threading
import time

from blogsmith.preview.watch import SiteWatcher


def test_changes_are_batched_and_a_failing_callback_does_not_stop_watching(tmp_path, capsys):
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "public").mkdir()
    calls: list[set[str]] = []
    arrived = threading.Event()

    def on_change(changed: set[str]) -> None:
        calls.append(changed)
        arrived.set()
        if len(calls) == 1:
            raise RuntimeError("boom")

    watcher = SiteWatcher(site, [site / "public"], on_change)
    watcher.start()
    try:
        for n in range(20):
            (site / f"content/{n}.md").write_text("x")
        (site / "content/.draft.md.swp").write_text("x")
        (site / "public/index.html").write_text("x")
        (site / "notes.txt").write_text("x")
        assert arrived.wait(5)
        time.sleep(0.3)
        assert calls == [{f"content/{n}.md" for n in range(20)}]
        arrived.clear()
        (site / "blogsmith.yaml").write_text("title: t")
        (site / "templates").mkdir()
        time.sleep(0.3)
        (site / "templates/base.html").write_text("x")
        assert arrived.wait(5)
        deadline = time.monotonic() + 5
        while "templates/base.html" not in set().union(*calls[1:]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert {"blogsmith.yaml", "templates", "templates/base.html"} <= set().union(*calls[1:])
    finally:
        watcher.stop()
    err = capsys.readouterr().err
    assert "the rebuild failed unexpectedly; still watching" in err
    assert "RuntimeError: boom" in err
