"""`blogsmith deploy` to a folder, of a site with far more folders than the deploy may hold
open files (`ulimit -n`): the folder target keeps a bounded number of folders open, and
still confirms each file only once its folder is synced and removes the folders it empties."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from test_deploy import archive, build, counts, deploy_cli, files_in, listed

from blogsmith.cache import persist
from blogsmith.deploy.targets import folder as folder_module
from blogsmith.deploy.targets.base import DeploySettings, Upload

LIMIT = 128
"""The deploy's RLIMIT_NOFILE: a few times fewer descriptors than the site has folders."""

LEFTOVER = ".blogsmith-deploy-0123456789abcdef.tmp"
"""A temporary file as an interrupted deploy leaves it behind."""


@pytest.fixture(autouse=True)
def own_cache_key(tmp_path, monkeypatch):
    """One signing key for these tests and the commands they run."""
    monkeypatch.setenv(persist.KEY_FILE_VARIABLE, str(tmp_path / "cache-key"))
    monkeypatch.setattr(persist, "_KEY", None)


def deploy_limited(site: Path, target: Path, *options: str) -> subprocess.CompletedProcess:
    """The real command, allowed only LIMIT open files."""
    command = [sys.executable, "-m", "blogsmith", "deploy", "--site", str(site)]
    return subprocess.run(
        [*command, "--to", f"file://{target}/", *options],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT)),
    )


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def test_a_site_with_more_folders_than_open_files_allowed_is_deployed_whole(make_site, tmp_path):
    site, output = archive(make_site, articles=200)
    assert len(folders(output)) > 3 * LIMIT
    target = tmp_path / "www"
    for planted in ("", "europe/s7", "tag/タグ9"):  # an interrupted deploy's leftovers
        (target / planted).mkdir(parents=True, exist_ok=True)
        (target / planted / LEFTOVER).write_text("half a page")
    result = deploy_limited(site, target)
    assert result.returncode == 0, result.stderr
    assert counts(result) == (len(listed(output)), 0, 0)
    assert files_in(target) == listed(output)
    assert folders(target) == folders(output)
    result = deploy_limited(site, target, "--verify")  # reads every file of the target back
    assert counts(result) == (0, 0, len(listed(output)))


def test_deleting_across_more_folders_than_open_files_allowed_removes_emptied_folders(
    make_site, tmp_path
):
    site, output = archive(make_site, articles=200)
    target = tmp_path / "www"
    assert deploy_cli(site, target).returncode == 0  # no limit: only the deletions are tested
    sent = folders(target)
    for n in range(200):
        if n % 4:
            (site / "content/a" / f"s{n}.md").unlink()
    build(site)
    result = deploy_limited(site, target, "--max-deletes", "100000")
    assert result.returncode == 0, result.stderr
    assert counts(result)[1] > 3 * LIMIT
    assert files_in(target) == listed(output)
    assert folders(target) == folders(output)  # every emptied folder is gone, up to the root
    assert len(sent - folders(target)) > 2 * LIMIT
    assert not (target / "europe/s1").exists() and not (target / "tag/タグ1").exists()
    assert (target / "japan/s0/index.html").exists() and (target / "tag/タグ0").is_dir()


def test_a_reopened_folder_is_not_cleared_of_temporaries_again(tmp_path, monkeypatch):
    """Leftovers are removed once per folder and deploy, however often a folder is reopened
    (a second pass would list a big folder again, for nothing)."""
    monkeypatch.setattr(folder_module, "OPEN_FOLDERS", 4)
    cleared: list[int] = []
    clear = folder_module._remove_temporaries

    def counted(folder: int) -> None:
        cleared.append(folder)
        clear(folder)

    monkeypatch.setattr(folder_module, "_remove_temporaries", counted)
    source = tmp_path / "page.html"
    source.write_bytes(b"<p>page</p>")
    paths = [f"f{n}/d/{turn}.html" for turn in range(3) for n in range(10)]
    uploads = [Upload(path, source, "", source.stat().st_size) for path in paths]
    confirmed: list[str] = []
    target = folder_module.FolderTarget(f"file://{tmp_path}/www/", DeploySettings())
    try:
        target.send(uploads, confirmed.append)
        target.delete(paths, confirmed.append)
    finally:
        target.close()
    assert confirmed == paths + paths
    assert len(cleared) == 1 + 10 + 10  # the root, each f<n> and each f<n>/d, once
    assert folders(tmp_path / "www") == set()
