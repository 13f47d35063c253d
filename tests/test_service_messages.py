"""What the comment service says is in the site's language: every message in every language,
with the same values, and a site in English answered in English."""

from __future__ import annotations

import json
import string

from comment_service import CommentService, Reader
from conftest import article
from test_comment_service import KEY, THREAD, comment_form, service_config

from blogsmith.core.i18n import LANGUAGES
from blogsmith.service import store
from blogsmith.service.messages import FIELDS, MESSAGES, STATUS_WORDS, Said, say


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_is_in_every_language_with_the_same_values():
    assert set(MESSAGES) == set(FIELDS) == set(STATUS_WORDS) == set(LANGUAGES)
    english = MESSAGES["en"]
    for language, messages in MESSAGES.items():
        assert set(messages) == set(english), language
        for key, text in messages.items():
            assert placeholders(text) == placeholders(english[key]), (language, key)
        assert set(FIELDS[language]) == set(FIELDS["en"])
    statuses = {store.PENDING, store.APPROVING, store.APPROVED, store.REJECTED, store.SPAM}
    statuses.add(store.REMOVED)
    for language, words in STATUS_WORDS.items():
        assert set(words) == statuses, language


def test_a_message_says_its_field_and_status_in_the_language_asked():
    said = say("ja", "field_too_long", field="author", limit=80)
    assert said == "名前は80文字以内にしてください。"
    assert say("en", "field_too_long", field="author", limit=80) == (
        "the name is longer than 80 characters"
    )
    refused = Said("decided_meanwhile", row=7, status=store.SPAM)
    assert refused.words("ja") == "コメント#7はその間にスパムになりました。承認はされていません。"
    assert str(refused) == "comment #7 was marked as spam meanwhile; it is not approved"
    assert say("fr", "body_empty") == "the comment is empty"  # a language not known: English


def test_a_site_in_english_is_answered_in_english(make_site):
    site = make_site(
        {
            "content/articles/2022/09/ceasefire.md": article("Ceasefire broken", slug="ceasefire"),
            "content/articles/2022/09/ceasefire.comments.yaml": THREAD,
        },
        config=service_config().replace("language: ja", "language: en"),
    )
    running = CommentService(site)
    try:
        reader = Reader(running)
        status, _, text, _ = reader.post(
            "/comment", comment_form(email="nobody"), headers={"Accept": "application/json"}
        )
        assert status == 400 and json.loads(text) == {"error": say("en", "email_invalid")}
        status, _, text, _ = reader.post("/comment", comment_form(token="", parent="101"))
        assert status == 200 and "Replying to <bdi>AAA</bdi>:" in text
        status, _, text, _ = reader.get("/nowhere")
        assert status == 404 and "<h1>Page not found</h1>" in text
        assert say("en", "not_found") in text
        assert KEY in reader.get(f"/comment?article={KEY}")[2]
    finally:
        running.stop()
