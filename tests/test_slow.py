"""Slow end-to-end checks with real external tools; CI runs them, `pytest -m "not slow"` skips."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, run_cli, soup

pytestmark = pytest.mark.slow


def tool_or_fail(path: str | None, what: str) -> str:
    """CI must have the tool (its absence fails); a developer's machine may skip."""
    if path and Path(path).is_file():
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI; .ci/run installs it")
    pytest.skip(f"{what} not available here (set BLOGSMITH_VNU_JAR, or run .ci/run)")


@pytest.mark.parametrize("site", [REPO, FIXTURES / "minimal"], ids=["example", "minimal"])
def test_built_pages_are_valid_html5(tmp_path, site):
    jar = tool_or_fail(os.environ.get("BLOGSMITH_VNU_JAR"), "the Nu HTML validator (vnu.jar)")
    if not shutil.which("java"):
        tool_or_fail(None, "java")
    output = tmp_path / "public"
    assert run_cli("build", "--site", site, "--output", output, "--drafts").returncode == 0
    result = subprocess.run(
        ["java", "-jar", jar, "--skip-non-html", "--format", "gnu", str(output)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = (result.stdout + result.stderr).strip()
    assert messages == "" and result.returncode == 0, messages


def test_the_wheel_ships_the_default_theme(tmp_path):
    """Built and installed like a user would (not editable), away from the checkout."""
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
        check=True,
        timeout=600,
    )
    wheel = next(dist.glob("blogsmith-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=600)
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "minimal", site)
    assert not (site / "templates").exists() and not (site / "static" / "assets").exists()
    result = subprocess.run(
        [str(env_dir / "bin" / "blogsmith"), "build"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    out = site / "public"
    assert (out / "assets/site.css").read_bytes() == (REPO / "static/assets/site.css").read_bytes()
    first = soup(out / "2023/01/first/index.html")
    assert first.h1.get_text() == "First report"
    assert first.find("link", rel="stylesheet")["href"] == "/assets/site.css"
    located = subprocess.run(
        [
            str(python),
            "-c",
            "import blogsmith.render.theme as t; print(t.default_theme().templates)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert "site-packages/blogsmith/theme/templates" in located.stdout
