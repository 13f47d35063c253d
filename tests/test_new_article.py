"""`blogsmith new`: an article started with its front matter, never over another."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import yaml
from conftest import DEFAULT_CONFIG, run_cli

from blogsmith.authoring.new_article import new_article, title_slug
from blogsmith.build import build
from blogsmith.graph.content_graph import BuildOptions


def test_a_new_article_has_its_front_matter_filled_in_and_builds(make_site, tmp_path):
    site = make_site({}, DEFAULT_CONFIG)
    now = datetime(2026, 11, 24, 3, 5, tzinfo=ZoneInfo("UTC"))  # 12:05 in Tokyo
    path = new_article(site, "停戦は40分で破綻 (続報)", "europe", now=now)
    assert path == site / "content/articles/2026/11/停戦は40分で破綻-続報.md"
    fields = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert fields == {
        "title": "停戦は40分で破綻 (続報)",
        "date": "2026-11-24 12:05",
        "category": "europe",
        "tags": [],
        "sources": [],
    }
    result = build(site, tmp_path / "out", BuildOptions(now=now))
    assert (tmp_path / "out/europe/停戦は40分で破綻-続報/index.html").is_file()
    assert result.pages


def test_the_command_prints_the_path_and_refuses_what_it_must(make_site):
    site = make_site({}, DEFAULT_CONFIG)
    made = run_cli("new", "国境で砲撃", "--category", "japan", "--slug", "shelling", "--site", site)
    assert made.returncode == 0, made.stderr
    (path,) = (site / "content/articles").rglob("shelling.md")
    assert made.stdout.splitlines()[0] == str(path)
    again = run_cli(
        "new", "国境で砲撃", "--category", "japan", "--slug", "shelling", "--site", site
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    unknown = run_cli("new", "題", "--category", "asia", "--site", site)
    assert unknown.returncode == 1
    assert "unknown category 'asia'" in unknown.stderr
    assert "europe (欧州関連), japan (日本関連)" in unknown.stderr
    bad = run_cli("new", "題", "--category", "japan", "--slug", "a/b", "--site", site)
    assert bad.returncode == 1 and "must not contain '/'" in bad.stderr


def test_titles_become_readable_slugs():
    assert title_slug("F-35 ライトニングII、初飛行") == "f-35-ライトニングii-初飛行"
    long = title_slug("アゼルバイジャンとアルメニアの停戦は40分で破綻、" * 4)
    assert len(long) <= 60 and not long.endswith("-")
    assert title_slug("!!!") == ""
