"""The package's folders are its pipeline: each imports only the folders before it, and
nothing below build.py knows the live preview exists."""

from __future__ import annotations

import ast
from datetime import UTC
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "src/blogsmith"
LAYERS = [
    "core", "content", "graph", "plan", "output", "render", "cache",
    "build",  # build.py: the stages in order; the preview runs builds
    "deploy",  # sends a built output folder to where readers get it
    "preview", "authoring", "service",
    "cli", "__main__",
]  # fmt: skip
"""As docs/development.md lists them."""
TOP = {"build", "cli", "__main__"}
FOLDERS = [name for name in LAYERS if name not in TOP]


def imports(path: Path) -> set[str]:
    """The blogsmith folders or top modules a file imports (at any depth of the file)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("blogsmith.")
        ):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(
                a.name.split(".")[1] for a in node.names if a.name.startswith("blogsmith.")
            )
    return found


def rank(name: str) -> int:
    return LAYERS.index(name)


def test_every_module_lives_in_a_pipeline_folder():
    loose = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", *TOP}
    assert loose == set()
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(FOLDERS)


def test_each_folder_imports_only_the_folders_before_it():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        own = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        if own == "__init__":
            continue
        for other in imports(path):
            if other != own and rank(other) > rank(own):
                wrong.append(f"{relative} imports blogsmith.{other}")
    assert wrong == []


def test_the_build_knows_nothing_of_the_preview():
    for path in [PACKAGE / "build.py", *PACKAGE.rglob("*.py")]:
        relative = path.relative_to(PACKAGE)
        own = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        if own != "__init__" and rank(own) <= rank("build"):
            assert "preview" not in imports(path), path


def test_every_build_option_is_in_the_nothing_changed_check(tmp_path):
    """A new BuildOptions field can never be left out of the digest that skips a build."""
    import dataclasses
    from datetime import datetime

    from blogsmith.cache.inputs import inputs_digest
    from blogsmith.graph.content_graph import BuildOptions
    from blogsmith.render.theme import default_theme

    def digest_of(options: BuildOptions) -> bytes:
        return inputs_digest(tmp_path, tmp_path / "public", default_theme(), [], {}, options)

    plain = BuildOptions()
    other_values = {bool: True, datetime: datetime(2030, 1, 1, tzinfo=UTC)}
    for option in dataclasses.fields(BuildOptions):
        kind = bool if option.type in ("bool", bool) else datetime
        changed = dataclasses.replace(plain, **{option.name: other_values[kind]})
        assert digest_of(changed) != digest_of(plain), option.name


def modules() -> dict[str, Path]:
    """blogsmith.x.y -> its file, for every module of the package."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def module_imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules a file imports, anywhere in it (inside functions, under
    TYPE_CHECKING too: a cycle hidden there is a cycle still)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module in known:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
    return found - {"blogsmith"}


def test_no_module_imports_one_that_imports_it_back():
    known = modules()
    graph = {name: module_imports(path, known) - {name} for name, path in known.items()}
    cycles = []

    def visit(name: str, trail: list[str]) -> None:
        for other in sorted(graph[name]):
            if other in trail:
                cycles.append(" -> ".join(trail[trail.index(other) :] + [other]))
            elif other not in done:
                visit(other, trail + [other])
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    assert cycles == []


LONGEST_FUNCTION = 60
"""A function longer than this is parts without names: give them names."""


def test_no_function_is_longer_than_sixty_lines():
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION:
                    found.setdefault(str(path.relative_to(PACKAGE)), set()).add(node.name)
    assert found == {}
