"""An approved comment reaches the deploy target by itself: the publish step builds
incrementally and deploys just what that changed (`deploy.to`)."""

from __future__ import annotations

import time

from comment_service import CommentService, Reader, signed_token
from conftest import DEFAULT_CONFIG, article, run_cli, tree

KEY = "articles/2022/09/ceasefire.md"


def test_an_approval_is_built_and_deployed_to_the_target(make_site, tmp_path):
    target = tmp_path / "www"
    files = {
        f"content/articles/2022/09/other{n}.md": article(f"別の記事{n}", slug=f"other{n}")
        for n in range(20)
    }
    files["content/articles/2022/09/ceasefire.md"] = article("停戦は40分で破綻", slug="ceasefire")
    site = make_site(
        files,
        config=DEFAULT_CONFIG
        + "comments:\n  url: https://comments.example.org/\n  database: comments.sqlite3\n"
        + f"deploy:\n  to: file://{target}/\n",
    )
    assert run_cli("build", "--site", site).returncode == 0
    first = run_cli("deploy", "--site", site)
    assert first.returncode == 0, first.stderr
    assert tree(target) == tree(site / "public")
    service = CommentService(site)
    try:
        form = {
            "article": KEY,
            "token": signed_token(KEY, 10),
            "author": "読者X",
            "email": "",
            "url": "",
            "body": "配備先に届くコメント",
            "parent": "",
            "homepage": "",
        }
        status, _, _, _ = Reader(service).post("/comment", form)
        assert status == 303
    finally:
        service.stop()
    started = time.monotonic()
    approved = run_cli("comments", "approve", "1", "--site", site)
    seconds = time.monotonic() - started
    assert approved.returncode == 0, approved.stdout + approved.stderr
    page = (target / "europe/ceasefire/index.html").read_text()
    assert "配備先に届くコメント" in page
    assert tree(target) == tree(site / "public")
    uploaded = int(approved.stdout.split(" uploaded")[0].rsplit(" ", 1)[-1])
    assert 0 < uploaded <= 20, approved.stdout
    assert seconds < 30
    print(f"approve to visible on the target: {seconds:.1f} s, {uploaded} files")
