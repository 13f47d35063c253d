from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

DEFAULT_CONFIG = """\
title: テスト軍事ニュース
base_url: https://news.example.org/
language: ja
timezone: Asia/Tokyo
per_page: 10
related_count: 6
search: false
categories:
  europe: 欧州関連
  japan: 日本関連
"""


def article(
    title: str = "記事",
    date: str = "2022-09-14 06:30",
    category: str = "europe",
    body: str = "本文です。",
    **fields: str,
) -> str:
    """A source file: front matter from the arguments (extra fields as raw YAML values)."""
    lines = ["---", f"title: {title}", f"date: {date}", f"category: {category}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "\n".join(lines) + "\n---\n\n" + textwrap.dedent(body).strip() + "\n"


@pytest.fixture
def make_site(tmp_path: Path):
    """Write a site from {relative path: text}; blogsmith.yaml defaults to DEFAULT_CONFIG."""

    def make(
        files: dict[str, str | bytes], config: str | None = DEFAULT_CONFIG, name: str = "site"
    ) -> Path:
        site = tmp_path / name
        site.mkdir()
        if config is not None:
            (site / "blogsmith.yaml").write_text(config, encoding="utf-8")
        for relative, content in files.items():
            path = site / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return site

    return make


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real command, in a subprocess, as an editor would run it (not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "blogsmith", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def tree_snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under root with its bytes and modification time in nanoseconds."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
