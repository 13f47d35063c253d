"""The comment service's builder process keeps its last build and patches approved comments
into it; whatever else changed meanwhile (an edit, a template, another process's build) it
builds as `blogsmith build` would, and the output and the cache on disk are always what a
clean build and a fresh process would make."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import DEFAULT_CONFIG, article, edit, run_cli, tree
from test_comment_service import THREAD

from blogsmith.build import default_cache_dir
from blogsmith.cache.persist import CacheFolder
from blogsmith.service.builder import Builder
from blogsmith.service.comment_files import NewComment, append_comment

TOKYO = ZoneInfo("Asia/Tokyo")
KEY = "articles/2022/09/ceasefire.md"


@pytest.fixture
def site(make_site, tmp_path):
    target = tmp_path / "www"
    files = {
        f"content/articles/2022/09/other{n}.md": article(
            f"別の記事{n}", date=f"2022-09-{n + 1:02d} 09:00", slug=f"other{n}"
        )
        for n in range(14)
    }
    files["content/articles/2022/09/ceasefire.md"] = article("停戦は40分で破綻", slug="ceasefire")
    files["content/articles/2022/09/ceasefire.comments.yaml"] = THREAD
    made = make_site(files, config=DEFAULT_CONFIG + f"deploy:\n  to: file://{target}/\n")
    assert run_cli("build", "--site", made).returncode == 0
    return made


@pytest.fixture
def builder(site):
    running = Builder(site, None)
    yield running
    running.close()


def approve(site: Path, text: str, parent: str | None = None) -> None:
    """A comment written into the thread as an approval writes it."""
    comment = NewComment(
        author="読者", date=datetime(2022, 9, 15, 8, 0, tzinfo=TOKYO), body=text, parent=parent
    )
    append_comment(site / "content", KEY, comment, lambda _id: True)


def clean_build(site: Path, tmp_path: Path) -> dict[str, object]:
    clean = tmp_path / "clean"
    made = run_cli("build", "--site", site, "--output", clean, "--no-cache")
    assert made.returncode == 0, made.stderr
    return tree(clean)


def test_an_approval_is_patched_into_the_kept_build_and_equals_a_clean_build(
    site, builder, tmp_path
):
    first = builder.run(False, 300)
    assert first["build"][0] == 0 and not first["patched"]
    assert "0 written" in first["build"][1]  # nothing had changed; the build is kept
    folder = CacheFolder(default_cache_dir(site / "public"))
    statics = folder.load_cache().output.statics
    assert statics
    for number in range(2):
        approve(site, f"承認されたコメント{number}", parent="102")
        answer = builder.run(False, 300)
        assert answer["build"][0] == 0, answer
        assert answer["patched"], answer
        page = (site / "public/europe/ceasefire/index.html").read_text()
        assert f"承認されたコメント{number}" in page
        assert tree(site / "public") == clean_build(site, tmp_path / str(number))
        assert folder.load_cache().output.statics == statics  # a patch copies none, forgets none
    again = run_cli("build", "--site", site)  # the cache it saved: a fresh process has no work
    assert again.returncode == 0 and " 0 written, 0 removed" in again.stdout, again.stdout


def test_the_builder_deploys_what_it_built(site, builder, tmp_path):
    assert run_cli("deploy", "--site", site).returncode == 0
    approve(site, "配備先に届くコメント")
    answer = builder.run(True, 300)
    assert answer["build"][0] == 0 and answer["deploy"][0] == 0, answer
    assert "deployed to file://" in answer["deploy"][1]
    assert "配備先に届くコメント" in (tmp_path / "www/europe/ceasefire/index.html").read_text()
    assert tree(tmp_path / "www") == tree(site / "public")


@pytest.mark.parametrize(
    "change", ["another build", "an edit", "a date", "a template", "a new article"]
)
def test_what_else_changed_is_built_as_a_build_would(site, builder, tmp_path, change):
    assert builder.run(False, 300)["build"][0] == 0
    approve(site, "最初のコメント")
    assert builder.run(False, 300)["patched"]
    other = site / "content/articles/2022/09/other3.md"
    if change == "another build":  # a fresh process builds an edit; the kept build is stale
        edit(other, "本文です。", "別のプロセスが書いた本文。")
        assert run_cli("build", "--site", site).returncode == 0
    elif change == "an edit":
        edit(other, "本文です。", "同時に直された本文。")
    elif change == "a date":  # it moves to another month and between other neighbours
        edit(other, "date: 2022-09-04 09:00", "date: 2022-08-20 09:00")
    elif change == "a template":
        (site / "templates").mkdir()
        (site / "templates/404.html").write_text(
            "{% extends 'base.html' %}{% block main %}<h1>独自の404</h1>{% endblock %}",
            encoding="utf-8",
        )
    else:
        (site / "content/articles/2022/09/added.md").write_text(
            article("追加された記事", date="2022-09-20 09:00", slug="added"), encoding="utf-8"
        )
    approve(site, "二つ目のコメント")
    answer = builder.run(False, 300)
    assert answer["build"][0] == 0, answer
    assert tree(site / "public") == clean_build(site, tmp_path)
    approve(site, "三つ目のコメント")  # and the build it made is kept for the next approval
    answer = builder.run(False, 300)
    assert answer["patched"] and answer["build"][0] == 0, answer
    assert tree(site / "public") == clean_build(site, tmp_path / "again")


def test_a_failed_build_is_reported_and_the_next_one_starts_over(site, builder, tmp_path):
    assert builder.run(False, 300)["build"][0] == 0
    broken = site / "content/articles/2022/09/other5.md"
    edit(broken, "category: europe", "category: [unclosed")
    approve(site, "壊れたときのコメント")
    answer = builder.run(False, 300)
    assert answer["build"][0] == 1 and "other5.md" in answer["build"][1], answer
    assert "壊れたときのコメント" not in (site / "public/europe/ceasefire/index.html").read_text()
    edit(broken, "category: [unclosed", "category: europe")
    answer = builder.run(False, 300)
    assert answer["build"][0] == 0, answer
    assert tree(site / "public") == clean_build(site, tmp_path)


def test_a_builder_that_does_not_answer_in_time_is_ended_and_started_again(site, builder):
    answer = builder.run(False, 0.001)
    assert answer["build"][0] is None and "no answer after" in answer["build"][1]
    assert builder.run(False, 300)["build"][0] == 0
