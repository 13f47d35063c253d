"""What readers typed, shown on the comment service's own pages, keeps to its place: a name
ending in a right-to-left override does not turn the email and web site after it around."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from comment_service import CommentService, Reader
from conftest import article
from test_comment_service import THREAD, add_moderator, comment_form, login, service_config

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: what follows it shows backwards, up to an isolate
ANSWERED = f"""\
- id: 103
  author: "読者{RLO}"
  date: 2022-09-14T11:00:00+09:00
  body: "右から左へ{RLO}書かれた返信の元"
"""


@pytest.fixture
def service(make_site):
    site = make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
            "content/articles/2022/09/ceasefire.comments.yaml": THREAD + ANSWERED,
        },
        config=service_config(),
    )
    add_moderator(site, "editor", "correct horse battery")
    running = CommentService(site)
    yield running
    running.stop()


def isolated(scope, text: str):
    """The element of `scope` isolating `text` (a <bdi>, or dir=auto) and holding only it."""
    found = scope.find(string=lambda s: text in s)
    assert found is not None, text
    element = found.parent
    while element is not scope and element is not None:
        if element.name == "bdi" or element.get("dir") == "auto":
            return element if element.get_text() == text else None
        element = element.parent
    return None


def test_a_name_ending_in_an_override_leaves_the_moderation_page_in_order(service):
    name = "読者" + RLO
    fields = {
        "author": name,
        "email": "reader@example.net",
        "url": "https://example.net/blog",
        "body": RLO + "本文もそのまま。",
        "parent": "102",
    }
    assert Reader(service).post("/comment", comment_form(**fields))[0] == 303
    editor = Reader(service)
    assert login(editor, "editor", "correct horse battery")[0] == 303
    status, _, text, _ = editor.get("/moderate")
    assert status == 200
    section = BeautifulSoup(text, "html.parser").select_one("section#pending-1")
    for field in ("author", "email", "url", "body"):
        assert isolated(section, fields[field]) is not None, (field, str(section))
    # The name's isolate closes before the email begins.
    html = str(section)
    assert re.search(r"<bdi>読者\u202e</bdi>.*reader@example\.net", html, re.S), html


def test_a_reply_sent_back_to_be_checked_names_the_comment_it_answers_isolated(service):
    """The page to check a reply and send it names the author of the comment it answers and
    quotes its start (never its id, which the article's page does not show), each isolated:
    the name was typed by a reader too. A parent that is not on the article is named nowhere."""
    form = comment_form(token="", parent="103")
    status, _, text, _ = Reader(service).post("/comment", form)
    assert status == 200
    prompt = BeautifulSoup(text, "html.parser").select_one("main .replying")
    assert isolated(prompt, "読者" + RLO) is not None, str(prompt)
    assert isolated(prompt, "右から左へ" + RLO + "書かれた返信の元") is not None, str(prompt)
    assert "103" not in prompt.get_text()
    status, _, text, _ = Reader(service).post("/comment", comment_form(token="", parent="1" + RLO))
    page = BeautifulSoup(text, "html.parser")
    assert status == 200 and page.select_one("main .replying") is None
    assert "1" + RLO not in page.select_one("main").get_text()
