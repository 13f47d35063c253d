"""Deploying to a branch of a git repository (GitHub Pages, Codeberg Pages): one commit per
deploy on top of the branch, its history and others' files kept, against a bare repository
each test makes (git+file://), on a machine with no git identity configured."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from conftest import article, edit, run_cli

from blogsmith.deploy.targets import open_target
from blogsmith.deploy.targets.base import DeployFailed, DeploySettings, Upload
from blogsmith.deploy.targets.git import GitTarget, split_url

SOMEONE = ["-c", "user.name=Someone Else", "-c", "user.email=someone@example.org"]


@pytest.fixture(autouse=True)
def plain_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user.name or other settings of whoever runs the tests; a cache folder of its own."""
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for role in ("AUTHOR", "COMMITTER"):
        for part in ("NAME", "EMAIL", "DATE"):
            monkeypatch.delenv(f"GIT_{role}_{part}", raising=False)


def git(*args: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run(["git", *map(str, args)], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "repo.git"
    git("init", "--bare", "--quiet", bare)
    return bare


def url_of(bare: Path, branch: str = "gh-pages") -> str:
    return f"git+file://{bare}#{branch}"


def deploy(
    url: str,
    folder: Path,
    files: dict[str, bytes],
    deleted: tuple[str, ...] = (),
    message: str = "Deploy",
) -> list[str]:
    """One deploy as the core makes it: the files sent, the paths deleted; what `done` got."""
    done: list[str] = []
    target = GitTarget(url, DeploySettings())
    try:
        target.send(uploads(folder, files), done.append)
        target.delete(list(deleted), done.append)
        target.finish(message)
    finally:
        target.close()
    return done


def uploads(folder: Path, files: dict[str, bytes]) -> list[Upload]:
    made = []
    for path, content in files.items():
        source = folder / path
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(content)
        digest = hashlib.md5(content).hexdigest()
        made.append(Upload(path=path, source=source, digest=digest, size=len(content)))
    return made


def branch_files(bare: Path, ref: str = "gh-pages") -> dict[str, bytes]:
    """Every file of the branch's tip with its bytes (names as git stores them, -z)."""
    listing = subprocess.run(
        ["git", "--git-dir", bare, "ls-tree", "-r", "-z", "--full-tree", ref],
        capture_output=True,
        check=True,
    ).stdout
    files = {}
    for record in filter(None, listing.split(b"\0")):
        meta, _, path = record.partition(b"\t")
        blob = meta.split()[2].decode()
        content = subprocess.run(
            ["git", "--git-dir", bare, "cat-file", "blob", blob], capture_output=True, check=True
        ).stdout
        files[path.decode()] = content
    return files


def history(bare: Path, ref: str = "gh-pages") -> list[str]:
    """The branch's commits, newest first."""
    return git("--git-dir", bare, "rev-list", ref).split()


def changed_in(bare: Path, commit: str) -> set[str]:
    output = git("--git-dir", bare, "diff-tree", "-r", "-z", "--name-only", "--root", commit)
    return set(filter(None, output.split("\0")[1:]))


def test_the_url_names_the_remote_for_git_and_the_branch():
    assert split_url("git+file:///srv/site.git") == ("file:///srv/site.git", "gh-pages")
    assert split_url("git+ssh://deploy@example.org:2222/news/site.git#pages") == (
        "ssh://deploy@example.org:2222/news/site.git",
        "pages",
    )
    with pytest.raises(DeployFailed, match="not a branch name"):
        GitTarget("git+file:///srv/site.git#bad..name", DeploySettings())


def test_open_target_dispatches_git_urls(remote: Path):
    target = open_target(url_of(remote), DeploySettings())
    assert isinstance(target, GitTarget)
    target.close()


def test_a_first_deploy_makes_the_branch_with_one_commit_of_exactly_the_files(
    remote: Path, tmp_path: Path
):
    files = {"index.html": b"<p>top</p>", "europe/a/index.html": b"<p>a</p>", "feed.xml": b"<x/>"}
    done = deploy(url_of(remote), tmp_path / "out", files, message="Deploy 3 files")
    assert branch_files(remote) == files
    (commit,) = history(remote)
    assert git("--git-dir", remote, "log", "-1", "gh-pages", "--format=%an <%ae>|%cn <%ce>|%s") == (
        "blogsmith <blogsmith@localhost>|blogsmith <blogsmith@localhost>|Deploy 3 files\n"
    )
    assert sorted(done) == sorted(files)


def test_a_second_deploy_commits_only_the_changed_and_deleted_files_on_the_first(
    remote: Path, tmp_path: Path
):
    first = {"index.html": b"<p>top</p>", "a.html": b"a", "b.html": b"b", "c.html": b"c"}
    deploy(url_of(remote), tmp_path / "out1", first)
    (first_commit,) = history(remote)

    deploy(url_of(remote), tmp_path / "out2", {"a.html": b"a, edited"}, deleted=("b.html",))

    second_commit, parent = history(remote)
    assert parent == first_commit
    assert git("--git-dir", remote, "rev-parse", f"{second_commit}^").strip() == first_commit
    assert changed_in(remote, second_commit) == {"a.html", "b.html"}
    assert branch_files(remote) == {
        "index.html": b"<p>top</p>",
        "a.html": b"a, edited",
        "c.html": b"c",
    }


def test_a_cname_someone_committed_is_kept_and_the_deploy_builds_on_their_commit(
    remote: Path, tmp_path: Path
):
    deploy(url_of(remote), tmp_path / "out1", {"index.html": b"one"})
    clone = tmp_path / "clone"
    git("clone", "--quiet", "--branch", "gh-pages", remote, clone)
    (clone / "CNAME").write_text("news.example.org\n")
    git("add", "CNAME", cwd=clone)
    git(*SOMEONE, "commit", "--quiet", "-m", "Custom domain", cwd=clone)
    git("push", "--quiet", "origin", "gh-pages", cwd=clone)
    theirs = history(remote)[0]

    deploy(url_of(remote), tmp_path / "out2", {"index.html": b"two"})

    ours, parent, _ = history(remote)
    assert parent == theirs
    assert changed_in(remote, ours) == {"index.html"}
    assert branch_files(remote) == {"index.html": b"two", "CNAME": b"news.example.org\n"}


def test_a_deploy_that_changes_nothing_makes_no_commit(remote: Path, tmp_path: Path):
    files = {"index.html": b"same", "a.html": b"same too"}
    deploy(url_of(remote), tmp_path / "out1", files)
    before = history(remote)
    done = deploy(url_of(remote), tmp_path / "out2", {"a.html": b"same too"})
    assert history(remote) == before
    assert done == ["a.html"]


def test_a_gone_remote_fails_clearly_and_the_next_deploy_finishes(remote: Path, tmp_path: Path):
    deploy(url_of(remote), tmp_path / "out1", {"index.html": b"one"})
    moved = remote.with_name("elsewhere.git")
    remote.rename(moved)
    with pytest.raises(DeployFailed) as failed:
        deploy(url_of(remote), tmp_path / "out2", {"index.html": b"two"})
    message = str(failed.value)
    assert url_of(remote) in message and "does not appear to be a git repository" in message
    assert "git ls-remote file://" in message and "deploy again" in message

    moved.rename(remote)
    deploy(url_of(remote), tmp_path / "out3", {"index.html": b"two"})
    assert branch_files(remote) == {"index.html": b"two"}
    assert len(history(remote)) == 2


def test_a_refused_push_fails_with_gits_reason(remote: Path, tmp_path: Path):
    hook = remote / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushing here is closed' >&2\nexit 1\n")
    hook.chmod(0o755)
    done: list[str] = []
    target = GitTarget(url_of(remote), DeploySettings())
    target.send(uploads(tmp_path / "out", {"index.html": b"one"}), done.append)
    with pytest.raises(DeployFailed, match="pre-receive hook declined.*may push"):
        target.finish("Deploy")
    target.close()
    assert done == []


def test_japanese_names_and_spaces_survive(remote: Path, tmp_path: Path):
    files = {
        "ウクライナ/停戦 交渉/index.html": "<p>停戦</p>".encode(),
        "assets/写真 1.jpg": b"\xff\xd8\xff",
        "a file\nwith a newline.txt": b"odd",
    }
    deploy(url_of(remote), tmp_path / "out", files)
    assert branch_files(remote) == files
    deploy(url_of(remote), tmp_path / "out2", {}, deleted=("assets/写真 1.jpg",))
    assert set(branch_files(remote)) == set(files) - {"assets/写真 1.jpg"}


def test_holdings_are_the_branch_files_with_their_md5(remote: Path, tmp_path: Path):
    target = GitTarget(url_of(remote), DeploySettings())
    assert target.holdings() == {}
    target.close()
    files = {"index.html": b"top", "日本/index.html": b"x" * 3_000_000, "same.html": b"top"}
    deploy(url_of(remote), tmp_path / "out", files)
    target = GitTarget(url_of(remote), DeploySettings())
    assert target.holdings() == {path: hashlib.md5(b).hexdigest() for path, b in files.items()}
    target.close()


def test_done_is_called_only_once_the_push_is_made(remote: Path, tmp_path: Path):
    done: list[str] = []
    target = GitTarget(url_of(remote), DeploySettings())
    target.send(uploads(tmp_path / "out", {"index.html": b"one"}), done.append)
    target.delete(["old.html"], done.append)
    assert done == []
    target.finish("Deploy")
    target.close()
    assert done == ["index.html", "old.html"]


def test_a_branch_moved_during_the_deploy_gets_the_changes_replayed_on_it(
    remote: Path, tmp_path: Path
):
    deploy(url_of(remote), tmp_path / "out1", {"index.html": b"one", "old.html": b"old"})
    target = GitTarget(url_of(remote), DeploySettings())
    target.send(uploads(tmp_path / "out2", {"index.html": b"two"}), lambda path: None)
    target.delete(["old.html"], lambda path: None)

    clone = tmp_path / "clone"
    git("clone", "--quiet", "--branch", "gh-pages", remote, clone)
    (clone / ".nojekyll").write_text("")
    git("add", ".nojekyll", cwd=clone)
    git(*SOMEONE, "commit", "--quiet", "-m", "No Jekyll", cwd=clone)
    git("push", "--quiet", "origin", "gh-pages", cwd=clone)
    theirs = history(remote)[0]

    target.finish("Deploy")
    target.close()
    ours, parent, _ = history(remote)
    assert parent == theirs
    assert changed_in(remote, ours) == {"index.html", "old.html"}
    assert branch_files(remote) == {"index.html": b"two", ".nojekyll": b""}


def test_an_identity_from_the_environment_is_used(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("GIT_AUTHOR_NAME", "編集部")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "desk@news.example.org")
    deploy(url_of(remote), tmp_path / "out", {"index.html": b"one"})
    assert git("--git-dir", remote, "log", "-1", "gh-pages", "--format=%an <%ae>|%cn").strip() == (
        "編集部 <desk@news.example.org>|blogsmith"
    )


def test_other_branches_of_the_remote_are_left_alone(remote: Path, tmp_path: Path):
    deploy(url_of(remote, "main"), tmp_path / "out1", {"README.md": b"source"})
    deploy(url_of(remote, "pages"), tmp_path / "out2", {"index.html": b"site"})
    assert branch_files(remote, "main") == {"README.md": b"source"}
    assert branch_files(remote, "pages") == {"index.html": b"site"}


def deployed_files(output: Path) -> dict[str, bytes]:
    """What a deploy sends: every file of the output but blogsmith's own list of them."""
    return {
        path.relative_to(output).as_posix(): path.read_bytes()
        for path in output.rglob("*")
        if path.is_file() and path.name != ".blogsmith-output"
    }


def test_blogsmith_deploy_to_a_git_branch_commits_only_what_the_rebuild_changed(
    remote: Path, tmp_path: Path, make_site
):
    site = make_site({"content/europe/truce.md": article("停戦", body="交渉が始まった。")})
    output = tmp_path / "public"
    to = url_of(remote)

    def build_and_deploy() -> None:
        assert run_cli("build", "--site", site, "--output", output, "-q").returncode == 0
        deployed = run_cli("deploy", "--site", site, "--output", output, "--to", to)
        assert deployed.returncode == 0, deployed.stderr

    build_and_deploy()
    (first,) = history(remote)
    assert branch_files(remote) == deployed_files(output)

    edit(site / "content/europe/truce.md", "交渉が始まった。", "交渉は決裂した。")
    before = deployed_files(output)
    build_and_deploy()
    second, parent = history(remote)
    assert parent == first
    after = deployed_files(output)
    assert branch_files(remote) == after
    changed = changed_in(remote, second)
    assert changed == {path for path in after if before.get(path) != after[path]}
    assert "europe/truce/index.html" in changed and "assets/site.css" not in changed

    build_and_deploy()  # nothing rebuilt: nothing committed
    assert history(remote) == [second, first]


def test_a_git_ssh_url_deploys_through_ssh(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Through an `ssh` that runs git's remote command here (host and port ignored)."""
    ssh = tmp_path / "fake-ssh"
    ssh.write_text('#!/bin/sh\nfor last; do :; done\nexec sh -c "$last"\n')
    ssh.chmod(0o755)
    monkeypatch.setenv("GIT_SSH_COMMAND", str(ssh))
    monkeypatch.setenv("GIT_SSH_VARIANT", "ssh")
    url = f"git+ssh://deploy@news.example.org:2222{remote}#pages"
    deploy(url, tmp_path / "out", {"index.html": b"one"})
    deploy(url, tmp_path / "out2", {"index.html": b"two"})
    assert branch_files(remote, "pages") == {"index.html": b"two"}
    assert len(history(remote, "pages")) == 2


def test_blogsmith_deploy_to_a_missing_repository_says_what_to_do(tmp_path: Path, make_site):
    site = make_site({"content/europe/truce.md": article()})
    assert run_cli("build", "--site", site, "-q").returncode == 0
    missing = f"git+file://{tmp_path}/missing.git#gh-pages"
    failed = run_cli("deploy", "--site", site, "--to", missing)
    assert failed.returncode != 0
    assert "does not appear to be a git repository" in failed.stderr
    assert "git ls-remote" in failed.stderr and "Traceback" not in failed.stderr
