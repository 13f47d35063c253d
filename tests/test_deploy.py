"""`blogsmith deploy`, through the real command: what reaches the target, in which order, and
what never does (files of others, links out of the output, a planted record)."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DEFAULT_CONFIG, REPO, article, edit, run_cli

from blogsmith.build import default_cache_dir
from blogsmith.cache import persist
from blogsmith.deploy.journal import Journal, replay
from blogsmith.deploy.run import DeployOptions, deploy
from blogsmith.deploy.state import StateFiles, load
from blogsmith.output.writer import OWNED_LIST


@pytest.fixture(autouse=True)
def own_cache_key(tmp_path, monkeypatch):
    """One signing key for these tests and the commands they run."""
    monkeypatch.setenv(persist.KEY_FILE_VARIABLE, str(tmp_path / "cache-key"))
    monkeypatch.setattr(persist, "_KEY", None)


def archive(make_site, articles: int = 6, config: str = DEFAULT_CONFIG) -> tuple[Path, Path]:
    """A built site and its output: each article with a tag of its own, so a few hundred
    articles make a few hundred files."""
    site = make_site(
        {
            f"content/a/s{n}.md": article(
                f"記事{n}",
                f"2022-{n % 12 + 1:02d}-{n % 28 + 1:02d} 10:00",
                "japan" if n % 3 == 0 else "europe",
                tags=f"[タグ{n}, 共通]",
                body=f"本文{n}の段落。" * 20,
            )
            for n in range(articles)
        }
        | {"static/assets/site.css": "body { color: #222; }"},
        config=config,
    )
    build(site)
    return site, site / "public"


def build(site: Path) -> None:
    result = run_cli("build", "--site", site, "-q")
    assert result.returncode == 0, result.stderr


def deploy_cli(site: Path, target: Path, *options: str) -> subprocess.CompletedProcess:
    return run_cli("deploy", "--site", site, "--to", f"file://{target}/", *options)


def listed(output: Path) -> dict[str, bytes]:
    """The files the last build wrote, with their bytes: what the target must hold."""
    names = (output / OWNED_LIST).read_text(encoding="utf-8").split()
    return {name: (output / name).read_bytes() for name in names}


def files_in(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


def identities(root: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: a file sent again gets new ones."""
    return {
        p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def summary(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def counts(result: subprocess.CompletedProcess) -> tuple[int, int, int]:
    """(uploaded, deleted, unchanged) from the summary line."""
    words = summary(result).split(": ", 1)[1].replace(",", "").split()
    return int(words[0]), int(words[2]), int(words[4])


def test_a_first_deploy_to_an_empty_folder_equals_the_output(make_site, tmp_path):
    config = DEFAULT_CONFIG + f"deploy:\n  to: file://{tmp_path}/www/\n"
    site, output = archive(make_site, config=config)
    result = run_cli("deploy", "--site", site, "--changed-urls", tmp_path / "urls")
    assert result.stderr == ""
    line = summary(result)
    assert line.startswith(f"deployed to file://{tmp_path}/www/: {len(listed(output))} uploaded,")
    assert line.endswith(" s") and " 0 deleted, 0 unchanged in " in line
    assert files_in(tmp_path / "www") == listed(output)
    urls = (tmp_path / "urls").read_text().splitlines()
    assert len(urls) == len(listed(output)) and "https://news.example.org/" in urls
    assert "https://news.example.org/tag/%E5%85%B1%E9%80%9A/" in urls  # 共通
    assert counts(run_cli("deploy", "--site", site)) == (0, 0, len(listed(output)))


def test_a_body_edit_sends_only_the_files_that_changed(make_site, tmp_path):
    site, output = archive(make_site)
    target = tmp_path / "www"
    deploy_cli(site, target)
    before, sent_before = listed(output), identities(target)
    source = site / "content/a/s4.md"
    source.write_text(source.read_text() + "\n追記した段落。\n")  # past the excerpt
    build(site)
    after = listed(output)
    changed = sorted(path for path in after if before.get(path) != after[path])
    assert "europe/s4/index.html" in changed and len(changed) < len(after) / 3
    urls = tmp_path / "changed.txt"
    result = deploy_cli(site, target, "--changed-urls", urls)
    assert counts(result) == (len(changed), 0, len(after) - len(changed))
    now = identities(target)
    assert sorted(path for path in now if now[path] != sent_before.get(path)) == changed
    assert files_in(target) == after
    lines = urls.read_text().splitlines()
    assert "https://news.example.org/europe/s4/" in lines
    assert len(lines) == len(changed) and all(
        u.startswith("https://news.example.org/") for u in lines
    )
    assert "https://news.example.org/europe/s4/index.html" not in lines


def test_a_file_put_in_the_target_by_hand_is_kept(make_site, tmp_path):
    site, output = archive(make_site)
    target = tmp_path / "www"
    deploy_cli(site, target)
    (target / "europe/notes.txt").write_text("mine")
    (target / "google1234.html").write_text("verification")
    (site / "content/a/s5.md").unlink()
    build(site)
    uploaded, deleted, _ = counts(deploy_cli(site, target, "--max-deletes", "100"))
    assert deleted > 0 and not (target / "europe/s5").exists()
    assert (target / "europe/notes.txt").read_text() == "mine"
    assert (target / "google1234.html").read_text() == "verification"
    theirs = {"europe/notes.txt", "google1234.html"}
    assert {k: v for k, v in files_in(target).items() if k not in theirs} == listed(output)


def test_a_foreign_file_where_ours_goes_stops_a_first_deploy(make_site, tmp_path):
    site, output = archive(make_site)
    target = tmp_path / "www"
    (target / "europe/s1").mkdir(parents=True)
    (target / "europe/s1/index.html").write_text("someone else's page")
    shutil.copy(output / "assets/site.css", target / "assets.css")
    (target / "assets").mkdir()
    shutil.copy(output / "assets/site.css", target / "assets/site.css")  # the same bytes
    untouched = files_in(target)
    result = deploy_cli(site, target)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"blogsmith deploy: file://{target}/ holds files that blogsmith")
    assert "europe/s1/index.html" in first and "nothing was changed" in first
    assert "remove or move them" in first
    assert "  europe/s1/index.html" in result.stderr.splitlines()
    assert files_in(target) == untouched
    (target / "europe/s1/index.html").unlink()
    result = deploy_cli(site, target)
    assert "(1 already there, adopted)" in summary(result)
    assert counts(result)[0] == len(listed(output)) - 1
    assert (target / "assets.css").exists()


def test_max_deletes_stops_before_anything_changes(make_site, tmp_path):
    site, output = archive(make_site)
    target = tmp_path / "www"
    deploy_cli(site, target)
    sent = files_in(target)
    for n in (1, 2, 4):
        (site / "content/a" / f"s{n}.md").unlink()
    edit(site / "content/a/s5.md", "本文5の段落。", "本文5、直した。")
    build(site)
    result = deploy_cli(site, target, "--max-deletes", "3")
    assert result.returncode == 1 and result.stdout == ""
    message = result.stderr.splitlines()[0]
    assert "more than the 3 allowed; nothing was changed" in message
    assert "deploy again with --max-deletes" in message
    assert files_in(target) == sent
    wanted = message.split("--max-deletes ")[1].split(";")[0]
    assert counts(deploy_cli(site, target, "--max-deletes", wanted))[1] == int(wanted)
    assert files_in(target) == listed(output)


def test_a_dry_run_changes_nothing(make_site, tmp_path):
    site, output = archive(make_site)
    target = tmp_path / "www"
    deploy_cli(site, target)
    edit(site / "content/a/s4.md", "本文4の段落。", "本文4、直した。")
    (site / "content/a/s2.md").unlink()
    build(site)
    cache = default_cache_dir(output) / "deploy"
    before, records = files_in(target), files_in(cache)
    urls = tmp_path / "urls.txt"
    result = deploy_cli(site, target, "--dry-run", "--changed-urls", urls)
    assert result.returncode == 0, result.stderr
    assert "would upload (pages): europe/s4/index.html" in result.stdout
    assert "would delete: europe/s2/index.html" in result.stdout
    assert result.stdout.splitlines()[-1].endswith("nothing was changed")
    assert files_in(target) == before and files_in(cache) == records
    assert not urls.exists()


def test_verify_repairs_files_changed_or_removed_by_hand(make_site, tmp_path):
    site, output = archive(make_site)
    target = tmp_path / "www"
    deploy_cli(site, target)
    (target / "europe/s1/index.html").write_text("vandalised")
    (target / "assets/site.css").unlink()
    assert counts(deploy_cli(site, target)) == (0, 0, len(listed(output)))  # lists nothing
    uploaded, deleted, _ = counts(deploy_cli(site, target, "--verify"))
    assert (uploaded, deleted) == (2, 0)
    assert files_in(target) == listed(output)


def test_a_link_in_the_output_is_never_followed(make_site, tmp_path):
    site, output = archive(make_site)
    assets = sorted(path for path in listed(output) if path.startswith("assets/"))
    secret = tmp_path / "secret.txt"
    secret.write_text("private key")
    (tmp_path / "private").mkdir()
    (tmp_path / "private/site.css").write_text("private css")
    (output / "robots.txt").unlink()
    (output / "robots.txt").symlink_to(secret)
    shutil.rmtree(output / "assets")
    (output / "assets").symlink_to(tmp_path / "private")
    target = tmp_path / "www"
    result = deploy_cli(site, target)
    assert result.returncode == 0
    assert f"left out {len(assets) + 1} listed name(s) that are symbolic links" in result.stderr
    assert f"{', '.join(assets)}, robots.txt" in result.stderr
    sent = files_in(target)
    assert "robots.txt" not in sent and "assets/site.css" not in sent
    assert not any(b"private" in data for data in sent.values())


def test_a_target_that_refuses_writes_fails_with_one_message_and_a_later_deploy_finishes(
    make_site, tmp_path
):
    site, output = archive(make_site)
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    result = run_cli("deploy", "--site", site, "--to", f"file://{a_file}/")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"blogsmith deploy: {a_file} (or a folder above it) is a file")
    target = tmp_path / "www"
    target.mkdir()
    (target / "europe").write_text("a file where the pages' folder goes")
    result = deploy_cli(site, target)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"blogsmith deploy: {target}/europe in the target is a file")
    assets = identities(target / "images") | identities(target / "assets")
    assert assets  # the assets went first, then the pages failed
    (target / "europe").unlink()
    uploaded, _, unchanged = counts(deploy_cli(site, target))
    assert unchanged >= len(assets) and uploaded == len(listed(output)) - unchanged
    assert identities(target / "images") | identities(target / "assets") == assets
    assert files_in(target) == listed(output)


def test_an_interrupted_deploy_is_finished_without_sending_anything_twice(make_site, tmp_path):
    """kill -9 at many moments: whatever a deploy recorded as sent stays as it was sent."""
    site, output = archive(make_site, articles=90)
    assert len(listed(output)) > 250
    target, url = tmp_path / "www", f"file://{tmp_path / 'www'}/"
    files = StateFiles.of(default_cache_dir(output), url)
    first_seen: dict[str, tuple[int, int]] = {}
    cut_short = 0
    chance = random.Random(7)
    for attempt in range(6):
        command = [sys.executable, "-m", "blogsmith", "deploy", "--site", site, "--to", url]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _kill_when_journal_reaches(process, files.journal, chance.randint(1, 80) * 150, attempt)
        recorded = load(files).sent
        cut_short += 0 < len(recorded) < len(listed(output))
        now = identities(target)
        for path in recorded:
            first_seen.setdefault(path, now[path])
    assert cut_short >= 2
    result = deploy_cli(site, target)
    uploaded, _, unchanged = counts(result)
    assert files_in(target) == listed(output)
    now = identities(target)
    assert {path: now[path] for path in first_seen} == first_seen
    assert unchanged >= len(first_seen)
    assert not list(target.rglob(".blogsmith-deploy-*"))


def _kill_when_journal_reaches(process, journal: Path, size: int, attempt: int) -> None:
    deadline = time.monotonic() + (0.4 + attempt * 0.1 if attempt % 3 == 2 else 60)
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if journal.stat().st_size >= size:
                break
        except FileNotFoundError:
            pass
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_a_torn_or_foreign_journal_line_is_ignored(tmp_path):
    path, url = tmp_path / "j", "file:///srv/www"
    journal = Journal(path, url)
    journal.record(["+", "index.html", "0" * 32])
    journal.close()
    with open(path, "ab") as stream:
        stream.write(b"0" * 64 + b' ["-","a.html"]\n')  # not signed here
        stream.write(b"1f2e")  # torn
    assert replay(path, url) == [["+", "index.html", "0" * 32]]
    assert replay(path, "file:///elsewhere") == []


def test_a_planted_state_is_ignored_and_deletes_nothing(make_site, tmp_path):
    site, output = archive(make_site)
    target = tmp_path / "www"
    deploy_cli(site, target)
    (target / "precious.html").write_text("theirs")
    files = StateFiles.of(default_cache_dir(output), f"file://{target}/")
    payload = json.dumps({"url": files.url, "sent": {"precious.html": "0" * 32}, "memo": {}})
    planted = b"blogsmith deploy state 1\n" + b"0" * 64 + b"\n" + payload.encode()
    files.state.write_bytes(planted)
    files.journal.write_text("0" * 64 + ' ["+","precious.html","' + "0" * 32 + '"]\n')
    result = deploy_cli(site, target)
    assert counts(result) == (0, 0, len(listed(output)))
    assert f"({len(listed(output))} already there, adopted)" in summary(result)
    assert (target / "precious.html").read_text() == "theirs"
    assert "precious.html" not in load(files).sent


class RecordingTarget:
    """A target that holds files in memory and records each call in order."""

    url = "memory://site/"

    def __init__(self):
        self.held: dict[str, str] = {}
        self.calls: list[tuple[str, list[str]]] = []

    def holdings(self):
        return dict(self.held)

    def send(self, uploads, done):
        self.calls.append(("send", [u.path for u in uploads]))
        for upload in uploads:
            self.held[upload.path] = upload.digest
            done(upload.path)

    def delete(self, paths, done):
        self.calls.append(("delete", list(paths)))
        for path in paths:
            self.held.pop(path, None)
            done(path)

    def finish(self, message):
        self.calls.append(("finish", [message]))

    def close(self):
        pass


def _kind(path: str) -> str:
    if path.endswith(".html"):
        return "page"
    if path.endswith(".xml") or path in ("robots.txt", "search/meta.json"):
        return "announcement"
    return "asset"


def test_assets_go_before_pages_feeds_after_them_and_deletions_last(make_site, tmp_path):
    site, output = archive(make_site)
    target, cache = RecordingTarget(), default_cache_dir(output)
    deploy(output, cache, target, DeployOptions())
    (site / "content/a/s2.md").unlink()
    edit(site / "content/a/s3.md", "本文3の段落。", "本文3、直した。")
    (site / "static/images").mkdir(parents=True)
    (site / "static/images/new.png").write_bytes(b"\x89PNG new image")
    build(site)
    first = target.calls[:]
    target.calls.clear()
    report = deploy(output, cache, target, DeployOptions())
    assert report.deleted > 0 and report.uploaded > 0
    for calls in (first, target.calls):
        kinds = [_kind(path) for call, paths in calls if call == "send" for path in paths]
        assert kinds == sorted(kinds, key=["asset", "page", "announcement"].index)
        assert [call for call, _ in calls if call == "send"] == ["send"] * 3
        assert calls[-1][0] == "finish"
    assert [call for call, _ in target.calls][-2:] == ["delete", "finish"]
    assert "images/new.png" in target.calls[0][1] and "search/meta.json" in target.calls[2][1]
    wanted = {p: hashlib.md5(data).hexdigest() for p, data in listed(output).items()}
    assert target.held == wanted


def test_the_cdn_is_told_the_changed_paths_and_told_again_after_a_failure(
    make_site, tmp_path, monkeypatch
):
    from blogsmith.deploy import cdn
    from blogsmith.deploy.command import DeployRequest, deploy_command

    config = DEFAULT_CONFIG.replace("https://news.example.org/", "https://example.org/arc/")
    config += f"deploy:\n  to: file://{tmp_path}/www/\n  cloudfront: E2QWRUHAPOMQZL\n"
    site, output = archive(make_site, config=config)
    told: list[list[str]] = []

    def refuse(settings, paths):
        raise cdn.DeployFailed("CloudFront said no")

    def invalidate(settings, paths):
        assert settings.cloudfront == "E2QWRUHAPOMQZL"
        told.append(paths)
        return "told CloudFront"

    request = DeployRequest(site, output, None, DeployOptions(), None)
    monkeypatch.setattr(cdn, "invalidate", refuse)
    assert deploy_command(request) == 1
    monkeypatch.setattr(cdn, "invalidate", invalidate)
    edit(site / "content/a/s1.md", "本文1の段落。", "本文1、直した。")
    build(site)
    assert deploy_command(request) == 0
    assert len(told) == 1 and len(told[0]) == len(listed(output))  # the first deploy's too
    assert "/arc/" in told[0] and "/arc/europe/s1/" in told[0] and "/arc/feed.xml" in told[0]
    assert deploy_command(request) == 0 and len(told) == 1  # nothing changed, nothing told


def test_deploy_settings_are_checked_where_they_are_written(make_site, tmp_path):
    config = DEFAULT_CONFIG + (
        "deploy:\n  to: /srv/www\n  cloudfront: e2qw\n  invalidate_limit: 0\n  cach_control: []\n"
    )
    site = make_site({"content/a/s1.md": article()}, config=config)
    result = run_cli("deploy", "--site", site)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert (
        "blogsmith.yaml:12: 'deploy.to' must be the URL to deploy to, like file:///srv/www/"
        in (lines[1])
    )
    assert lines[2].startswith("blogsmith.yaml:13: 'deploy.cloudfront' must be a CloudFront")
    assert lines[3].startswith("blogsmith.yaml:14: 'deploy.invalidate_limit' must be a whole")
    assert lines[0] == (
        "blogsmith.yaml:15: warning: unknown setting 'deploy.cach_control' is ignored; "
        "did you mean 'cache_control'?"
    )
    assert lines[-1] == "3 errors; nothing was deployed"


def test_without_a_target_the_command_says_how_to_name_one(make_site):
    site, _ = archive(make_site)
    result = run_cli("deploy", "--site", site)
    assert result.returncode == 1
    assert result.stderr.startswith("blogsmith deploy: where to? pass --to URL or set deploy.to")


def test_the_example_archive_builds_and_deploys_end_to_end(tmp_path):
    site = tmp_path / "example"
    site.mkdir()
    for name in ("blogsmith.yaml", "content", "static", "templates"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, site / name)
        elif source.exists():
            shutil.copy(source, site / name)
    build(site)
    target = tmp_path / "x"
    result = run_cli("deploy", "--site", site, "--to", f"file://{target}/")
    output = site / "public"
    assert summary(result).startswith(f"deployed to file://{target}/: {len(listed(output))} up")
    assert files_in(target) == listed(output)
    assert counts(run_cli("deploy", "--site", site, "--to", f"file://{target}/", "--verify")) == (
        0,
        0,
        len(listed(output)),
    )
