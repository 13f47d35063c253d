"""The CI workflow of docs/publishing.md: every run starts from a fresh clone (every file's
modification time new) and restores only the cache folders the previous run saved (`public/` and
`.public.blogsmith-cache/`, with the deploy state inside), the signing key coming from a
secret. A run with no change then builds nothing and deploys nothing; a pushed edit rebuilds
and deploys only what it changed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import DEFAULT_CONFIG, article

CACHED = ("public", ".public.blogsmith-cache")
"""What the workflow's actions/cache step saves and restores."""


def git(*args: str | Path, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=editor", "-c", "user.email=editor@example.org", *map(str, args)],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def ci_run(repository: Path, cache: Path, work: Path, key: Path) -> tuple[str, str]:
    """One CI run: a fresh clone (in the same place each time, as a CI runner's workspace
    is), the cache restored, build, deploy, the cache saved."""
    if work.exists():
        shutil.rmtree(work)
    git("clone", "-q", repository, work, cwd=repository.parent)
    for name in CACHED:
        if (cache / name).exists():
            shutil.copytree(cache / name, work / name, symlinks=True)  # times kept, as tar does
    env = {**os.environ, "BLOGSMITH_CACHE_KEY_FILE": str(key), "BLOGSMITH_TIMINGS": "1"}
    said = []
    for command in (["build"], ["deploy"]):
        done = subprocess.run(
            [sys.executable, "-m", "blogsmith", *command, "--site", str(work)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        said.append(done.stdout.strip().splitlines()[-1] + "\n" + done.stderr)
    for name in CACHED:
        shutil.rmtree(cache / name, ignore_errors=True)
        shutil.copytree(work / name, cache / name, symlinks=True)
    return said[0], said[1]


def test_a_ci_run_keeping_the_cache_builds_and_deploys_only_what_changed(tmp_path):
    target = tmp_path / "www"
    repository = tmp_path / "repository"
    files = {
        f"content/articles/2022/09/a{n}.md": article(
            f"記事{n}",
            slug=f"a{n}",
            date=f"2022-09-{n + 1:02d} 06:30",
            body="停戦の経緯をまとめる。" * 40 + "\n\n末尾の段落です。",
        )
        for n in range(12)
    }
    files["blogsmith.yaml"] = DEFAULT_CONFIG + f"deploy:\n  to: file://{target}/\n"
    files["static/images/chart.svg"] = '<svg xmlns="http://www.w3.org/2000/svg"/>\n'
    files["static/robots-note.txt"] = "committed with the site\n"
    for relative, text in files.items():
        path = repository / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (repository / ".gitignore").write_text("public/\n.*.blogsmith-cache/\n")
    git("init", "-q", "-b", "main", cwd=repository)
    git("add", ".", cwd=repository)
    git("commit", "-q", "-m", "archive", cwd=repository)
    key = tmp_path / "secret-cache-key"
    key.write_bytes(os.urandom(32))  # the CI secret BLOGSMITH_CACHE_KEY_FILE names
    cache = tmp_path / "actions-cache"

    built, deployed = ci_run(repository, cache, tmp_path / "checkout", key)
    assert re.search(r" [1-9]\d* uploaded", deployed), deployed

    built, deployed = ci_run(repository, cache, tmp_path / "checkout", key)  # a scheduled run
    assert ": 0 written, 0 removed" in built, built
    assert "timing: render" not in built, built  # stopped after reading the sources
    assert " 0 uploaded, 0 deleted" in deployed, deployed

    edited = repository / "content/articles/2022/09/a3.md"
    edited.write_text(edited.read_text().replace("末尾の段落です。", "本文を書き直した。"))
    git("commit", "-q", "-am", "edit", cwd=repository)
    before = {p: p.stat().st_mtime_ns for p in target.rglob("*.html")}
    built, deployed = ci_run(repository, cache, tmp_path / "checkout", key)
    written = int(re.search(r": (\d+) written", built).group(1))
    uploaded = int(re.search(r"(\d+) uploaded", deployed).group(1))
    assert written == uploaded, (built, deployed)
    changed_pages = {p for p, seen in before.items() if p.stat().st_mtime_ns != seen}
    assert changed_pages == {target / "europe/a3/index.html"}, deployed
    page = target / "europe/a3/index.html"
    assert "本文を書き直した。" in page.read_text()
    assert sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file()) == sorted(
        p.relative_to(tmp_path / "checkout/public")
        for p in (tmp_path / "checkout/public").rglob("*")
        if p.is_file() and p.name != ".blogsmith-output"
    )


def test_the_documented_workflow_restores_and_saves_those_folders():
    page = Path(__file__).resolve().parents[1] / "docs/publishing.md"
    readme = page.read_text(encoding="utf-8")
    workflow = readme[readme.index("# .github/workflows/publish.yml") :]
    workflow = workflow[: workflow.index("```")]
    assert "actions/cache@" in workflow and "BLOGSMITH_CACHE_KEY_FILE" in workflow
    for name in CACHED:
        assert name in workflow
    assert "blogsmith deploy" in workflow
