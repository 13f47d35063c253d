"""End to end in chromium, with a real SMTP server on loopback: a reader asks for reply notices
on the article's form, confirms from the mail, hears of a reply and follows its link to it,
unsubscribes from the mail's link; the moderator takes the answered comment down (the
placeholder shows) and blocks a reader, whose next comment goes to spam."""

from __future__ import annotations

import hashlib
import re
import time
import urllib.parse

import pytest
from comment_service import SECRET, live_comment_site
from conftest import article, axe_core
from mail_server import MailServer
from test_comment_mail import body, subject
from test_comment_service import THREAD

pytestmark = pytest.mark.slow
TITLE = "停戦は40分で破綻"


@pytest.fixture
def mailing_site(make_site, tmp_path):
    mail = MailServer(tmp_path).start()
    files = {
        "content/articles/2022/09/ceasefire.md": article(TITLE, slug="ceasefire"),
        "content/articles/2022/09/ceasefire.comments.yaml": THREAD,
    }
    mailing = f"  mail:\n    smtp: {mail.url()}\n    from: comments@news.example.org\n"
    env = {"SSL_CERT_FILE": str(mail.cert)}
    try:
        with live_comment_site(make_site, files, mailing, env) as (site, site_url, service):
            yield site, site_url + "europe/ceasefire/", service, mail
    finally:
        mail.stop()


def mail_to(mail: MailServer, address: str, words: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for to, message, _ in mail.received():
            if to == [address] and words in subject(message):
                return message
        time.sleep(0.2)
    raise AssertionError(f"no mail to {address} about {words}: {mail.received()}")


def link(message, path: str) -> str:
    return re.search(r"https?://\S+/" + path + r"\?token=\S+", body(message)).group(0)


def until_shown(page, url: str, selector: str, present: bool = True) -> None:
    """The page reloaded until the service's rebuild shows (or drops) `selector`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page.goto(url)
        if (page.locator(selector).count() > 0) == present:
            return
        time.sleep(0.5)
    raise AssertionError(f"{selector} {'never shown' if present else 'still shown'} on {url}")


def log_in(browser, service):
    desk = browser.new_context().new_page()
    desk.goto(service.url + "moderate")
    desk.fill("#name", "editor")
    desk.fill("#password", "a long passphrase")
    desk.click("button[type=submit]")
    return desk


def decide(desk, service, row: int, action: str) -> None:
    desk.goto(service.url + "moderate")
    with desk.expect_navigation():
        desk.locator(f"section#pending-{row} button[value={action}]").click()


def test_subscribe_confirm_hear_of_a_reply_unsubscribe_take_down_and_block(browser, mailing_site):
    site, article_url, service, mail = mailing_site
    reader = browser.new_context().new_page()
    reader.goto(article_url)
    reader.fill("#comment-author", "質問者")
    reader.fill("#comment-email", "asker@example.net")
    reader.check("#comment-notify")  # 返信をメールで受け取る
    reader.fill("#comment-body", "停戦はいつまで続くでしょうか。")
    time.sleep(3.2)
    reader.click(".comment-submit")
    reader.wait_for_function(
        "document.querySelector('.comment-status').textContent.includes('承認後')", timeout=20000
    )
    desk = log_in(browser, service)
    decide(desk, service, 1, "approve")

    confirmation = mail_to(mail, "asker@example.net", "返信通知の確認")
    inbox = browser.new_context().new_page()
    inbox.goto(link(confirmation, "subscription"))
    inbox.click("button[type=submit]")
    assert "asker@example.net に、希望したコメントへの返信をお知らせします。" in inbox.content()

    until_shown(reader, article_url, "#comment-103")
    answerer = browser.new_context(java_script_enabled=False).new_page()
    answerer.goto(article_url)
    answerer.click("#comment-103 .comment-reply")
    answerer.fill("#author", "回答者")
    answerer.fill("#body", "おそらく次の選挙までです。")
    time.sleep(3.2)
    answerer.click("button[type=submit]")
    assert "承認後に表示されます" in answerer.text_content("body")
    decide(desk, service, 2, "approve")

    notice = mail_to(mail, "asker@example.net", "回答者さんがあなたのコメントに返信しました")
    read_link = re.search(r"http://\S+#comment-104", body(notice)).group(0)
    until_shown(inbox, read_link, "#comment-104")
    inbox.goto(read_link)
    assert "おそらく次の選挙までです。" in inbox.text_content("#comment-103 #comment-104")
    inbox.goto(link(notice, "unsubscribe"))
    inbox.click("button[type=submit]")
    assert "asker@example.net にはもうコメントサービスからメールを送りません。" in inbox.content()

    # the answered comment taken down: a placeholder keeps the reply in its place
    desk.goto(service.url + "moderate")
    desk.fill("#takedown-link", article_url + "#comment-103")
    with desk.expect_navigation():
        desk.click("form.takedown button[type=submit]")
    until_shown(reader, article_url, "#comment-103 .comment-removed")
    placeholder = reader.text_content("#comment-103")
    assert "このコメントは削除されました。" in placeholder and "停戦はいつまで" not in placeholder
    assert "おそらく次の選挙までです。" in reader.text_content("#comment-103 #comment-104")

    # a reader blocked from the desk: their next comment goes straight to spam
    troll = browser.new_context().new_page()
    troll.goto(article_url)
    for text in ("一通目の荒らし", "二通目の荒らし"):
        troll.fill("#comment-author", "荒らし")
        troll.fill("#comment-email", "troll@example.net")
        troll.fill("#comment-body", text)
        time.sleep(3.2)
        troll.click(".comment-submit")
        troll.wait_for_function(
            "document.querySelector('.comment-status').textContent.includes('承認後')",
            timeout=20000,
        )
        if text.startswith("一"):
            desk.goto(service.url + "moderate")
            with desk.expect_navigation():
                desk.locator("section#pending-3 form[action$='/block'] button").click()
            troll.goto(article_url)
    desk.goto(service.url + "moderate?status=spam")
    assert "一通目の荒らし" in desk.content() and "二通目の荒らし" in desk.content()
    desk.goto(service.url + "moderate")
    assert "荒らし" not in desk.text_content("main")


def test_the_reply_box_and_the_mails_pages_have_no_accessibility_violations(browser, mailing_site):
    from blogsmith.service.secrets import Signer

    site, article_url, service, mail = mailing_site
    signer = Signer(hashlib.sha256(SECRET.encode()).digest())  # as BLOGSMITH_COMMENTS_SECRET
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    pages = [article_url] + [
        f"{service.url}{path}?token={urllib.parse.quote(signer.sign(purpose, 'a@example.net'))}"
        for path, purpose in (("subscription", "confirm"), ("unsubscribe", "unsubscribe"))
    ]
    for url in pages:
        page.goto(url)
        page.add_script_tag(path=axe_core())
        violations = page.evaluate("async () => (await axe.run()).violations")
        assert [v["id"] for v in violations] == [], (url, violations)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, (url, "scrolls sideways on a phone", wide)
    page.goto(pages[1])
    page.keyboard.press("Tab")  # from the keyboard: the button is reached and pressed
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "a@example.net に、希望したコメントへの返信をお知らせします。" in page.content()
