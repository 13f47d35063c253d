"""The documentation and the code agree: every setting blogsmith.yaml takes is in the site
format page and every setting shown there exists; every command and option of the command
line is on the commands page; every page of docs/ is linked from the front page."""

from __future__ import annotations

import argparse
import re

import yaml
from conftest import REPO

from blogsmith.cli import _parser
from blogsmith.core import config

DOCS = REPO / "docs"
SECTIONS = {
    "comments": config.COMMENT_KEYS,
    "comments.mail": config.MAIL_KEYS,
    "images": config.IMAGE_KEYS,
    "feeds": config.FEED_KEYS,
    "deploy": config.DEPLOY_KEYS,
}
FREE = {"categories", "authors"}
"""Sections whose keys are the site's own (category keys, author names)."""


def documented_settings() -> dict:
    page = (DOCS / "site-format.md").read_text(encoding="utf-8")
    part = page[page.index("## blogsmith.yaml") :]
    return yaml.safe_load(part.split("```yaml", 1)[1].split("```", 1)[0])


def test_every_setting_is_documented_and_every_documented_setting_exists():
    shown = documented_settings()
    assert sorted(shown) == sorted(config.KNOWN_KEYS)
    for section, keys in SECTIONS.items():
        found = shown
        for part in section.split("."):
            found = found[part]
        assert sorted(found) == sorted(keys), section
    assert FREE <= set(shown)


def commands(parser: argparse.ArgumentParser, path: str = "blogsmith"):
    """(command, the spellings of each of its options) for every command of the parser."""
    options = [
        tuple(action.option_strings)
        for action in parser._actions
        if action.option_strings and action.dest not in ("help", "version")
    ]
    yield path, options
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, f"{path} {name}")


def test_every_command_and_option_is_on_the_commands_page():
    page = (DOCS / "commands.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| `blogsmith")]
    missing = []
    for command, options in commands(_parser()):
        if command in ("blogsmith", "blogsmith comments", "blogsmith import"):
            continue  # groups, not commands
        last = command.split()[-1]
        row = next(
            (r for r in rows if re.search(rf"`{re.escape(command)}\b", r)
             or (command.startswith("blogsmith comments ") and re.search(rf"`{last} ", r))),
            None,
        )  # fmt: skip
        if row is None:
            missing.append(command)
            continue
        for spellings in options:
            said_once = spellings == ("--site",) and "`blogsmith comments ACTION [--site DIR]`"
            if not any(re.search(rf"{s}\b", row) for s in spellings) and not (
                command.startswith("blogsmith comments ") and said_once and said_once in page
            ):
                missing.append(f"{command} {spellings[-1]}")
    assert missing == []


def test_the_front_page_links_every_page_of_the_documentation_and_each_link_works():
    front = (REPO / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(docs/([\w-]+\.md)", front))
    assert linked == {p.name for p in DOCS.glob("*.md")} - {"README.md"}
    for page in DOCS.glob("*.md"):
        text = re.sub(r"`[^`\n]*`", "", page.read_text("utf-8"))  # examples are not links
        for target in re.findall(r"\]\(([\w-]+\.md)(?:#[\w-]+)?\)", text):
            assert (DOCS / target).exists(), (page.name, target)
    assert len(front) < 12_000  # a front page, not the reference
