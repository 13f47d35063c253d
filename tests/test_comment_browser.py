"""A reader comments from a real browser, with JavaScript off and on, and a moderator approves
from the moderation page: the comment is then on the rebuilt article, nested under its parent."""

from __future__ import annotations

import time

import pytest
from comment_service import Reader, live_comment_site
from conftest import article, axe_core, run_cli
from test_comment_service import KEY, THREAD, comment_form

pytestmark = pytest.mark.slow


@pytest.fixture
def live_site(make_site):
    """The built site on a plain static server, and the comment service it posts to."""
    files = {
        "content/articles/2022/09/ceasefire.md": article("停戦は40分で破綻", slug="ceasefire"),
        "content/articles/2022/09/ceasefire.comments.yaml": THREAD,
    }
    with live_comment_site(make_site, files) as (site, site_url, service):
        yield site, site_url + "europe/ceasefire/", service


def test_a_comment_posted_without_javascript_is_approved_and_shown_nested(browser, live_site):
    site, article_url, service = live_site
    reader = browser.new_context(java_script_enabled=False)
    page = reader.new_page()
    page.goto(article_url)
    page.click("#comment-102 .comment-reply")  # a link to the service's form, parent set
    assert page.locator("input[name=parent]").get_attribute("value") == "102"
    page.fill("#author", "読者X")
    page.fill("#email", "x@example.net")
    page.fill("#body", "返信のテストです。\n二行目です。")
    time.sleep(3.2)  # a person takes this long; a robot sending at once is refused
    page.click("button[type=submit]")
    assert "承認後に表示されます" in page.text_content("body")
    page.click("text=記事に戻る")
    assert page.url == article_url and page.locator("#comment-103").count() == 0

    # The article's own form works too: the service shows the comment back to be sent.
    page.fill("#comment-author", "読者Y")
    page.fill("#comment-body", "記事への直接のコメント。")
    page.click(".comment-submit")
    assert page.locator("textarea#body").input_value() == "記事への直接のコメント。"
    time.sleep(3.2)
    page.click("button[type=submit]")
    assert "承認後に表示されます" in page.text_content("body")
    reader.close()

    moderator = browser.new_context()
    desk = moderator.new_page()
    desk.goto(service.url + "moderate")
    desk.fill("#name", "editor")
    desk.fill("#password", "a long passphrase")
    desk.click("button[type=submit]")
    first = desk.locator("section#pending-1")  # the desk lists the newest first: it is second
    assert desk.locator("section.desk-comment").nth(1).get_attribute("id") == "pending-1"
    assert "返信のテストです。" in first.text_content() and "x@example.net" in first.text_content()
    with desk.expect_navigation():  # the POST answers with a redirect back to the desk
        first.locator("button[value=approve]").click()
    assert desk.text_content(".notice").strip().startswith("コメント#1: 承認")
    assert desk.locator("section.desk-comment").count() == 1  # 読者Y's still waits

    shown = moderator.new_page()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the service rebuilds in the background
        shown.goto(article_url)
        if shown.locator("#comment-103").count():
            break
        time.sleep(0.5)
    nested = shown.locator("#comment-101 .children #comment-102 .children #comment-103")
    assert nested.count() == 1
    assert "二行目です。" in nested.locator(".comment-content").text_content()
    assert "x@example.net" not in shown.content()
    moderator.close()


def test_with_javascript_a_comment_and_a_vote_are_sent_in_place(browser, live_site):
    site, article_url, service = live_site
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(article_url)
    page.click("#comment-101 .comment-reply")
    assert page.locator("#comment-101 #respond").count() == 1  # the form moved under it
    # the prompt names the author and quotes the start of what they said, never the id
    assert page.text_content(".replying-to") == "AAAさんのコメントに返信:"
    assert page.text_content(".replying-quote") == ">>停戦は40分で破られた い つ も の"
    assert page.get_attribute("#comment-body", "maxlength") == "4000"
    assert page.text_content("#comment-length") == "4000文字まで"
    page.fill("#comment-author", "読者Z")
    page.fill("#comment-body", "   ")  # the browser lets it through; the service refuses it
    page.click(".comment-submit")
    page.wait_for_function(
        "document.querySelector('.comment-status').classList.contains('failed')", timeout=20000
    )
    assert page.text_content(".comment-status") == "送信できませんでした: コメントが空です。"
    page.fill("#comment-body", "その場で送るコメント。")
    assert page.text_content("#comment-length") == "残り3989文字"
    page.click(".comment-submit")
    try:
        page.wait_for_function(
            "document.querySelector('.comment-status').textContent.includes('承認後')",
            timeout=20000,
        )
    except Exception:
        raise AssertionError(page.text_content(".comment-status") + service.stop()) from None
    assert page.url == article_url
    # the confirmation is where the reader looks, focused, and no longer looks like an error
    from playwright.sync_api import expect

    expect(page.locator(".comment-status")).to_be_in_viewport()
    assert page.evaluate("document.activeElement.classList.contains('comment-status')")
    assert "failed" not in page.get_attribute(".comment-status", "class")
    listed = run_cli("comments", "pending", "--site", site).stdout
    assert "replying to 101" in listed and "その場で送るコメント。" in listed
    count = page.locator('.vote-count[data-comment="101"]')
    assert count.text_content() == "54"
    page.click("#comment-101 > .comment-body .vote-button")
    page.wait_for_function(
        "document.querySelector('.vote-count[data-comment=\"101\"]').textContent === '55'",
        timeout=10000,
    )
    page.reload()  # the baked count is 54 until the next publish; the script shows the live one
    page.locator("#comments").scroll_into_view_if_needed()
    page.wait_for_function(
        "document.querySelector('.vote-count[data-comment=\"101\"]').textContent === '55'",
        timeout=10000,
    )
    assert errors == []


def test_the_comment_form_and_the_service_pages_have_no_accessibility_violations(
    browser, live_site
):
    site, article_url, service = live_site
    long_url = "https://example.net/" + "very-long-path-segment-" * 12
    waiting = comment_form(url=long_url, body="長い" * 300, parent="101")
    assert Reader(service).post("/comment", waiting)[0] == 303
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()  # the service's pages allow no script: axe is let in

    def check(url: str) -> None:
        page.add_script_tag(path=axe_core())
        violations = page.evaluate("async () => (await axe.run()).violations")
        assert [v["id"] for v in violations] == [], (url, violations)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, (url, "scrolls sideways on a phone", wide)

    for url in (article_url, service.url + f"comment?article={KEY}", service.url + "moderate"):
        page.goto(url)
        check(url)
    page.fill("#name", "editor")  # the moderation desk itself, logged in, a comment waiting
    page.fill("#password", "a long passphrase")
    page.keyboard.press("Enter")
    page.wait_for_selector("section#pending-1")
    check(service.url + "moderate (logged in)")
    # it looks like the site: the site's own stylesheet, its header
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith('"Hiragino Kaku Gothic ProN"'), font
    header = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert header == "rgb(31, 78, 121)" and page.text_content(".site-title") == "テスト軍事ニュース"
    page.focus("#tick-1")  # from the keyboard: tick it, then the desk's own buttons
    page.keyboard.press("Space")
    assert page.is_checked("#tick-1")


def test_from_an_origin_other_than_base_url_the_forms_post_as_plain_forms(browser, live_site):
    """localhost is not base_url's 127.0.0.1 (as the live preview is not the site): the service
    lets the script read nothing there, so the comment and the vote go as plain forms."""
    site, article_url, service = live_site
    elsewhere = article_url.replace("127.0.0.1", "localhost")
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(elsewhere)
    page.click("#comment-102 .comment-reply")
    page.fill("#comment-author", "読者L")
    page.fill("#comment-body", "別のオリジンから送るコメント。")
    page.click(".comment-submit")
    try:  # the service's page to check it and send it, the comment in it
        page.wait_for_selector("textarea#body", timeout=20000)
    except Exception:
        raise AssertionError(page.text_content(".comment-status")) from None
    assert page.url.startswith(service.url)
    assert page.locator("textarea#body").input_value() == "別のオリジンから送るコメント。"
    assert page.locator("input[name=parent]").get_attribute("value") == "102"
    time.sleep(3.2)
    page.click("button[type=submit]")
    assert "承認後に表示されます" in page.text_content("body"), service.stop()
    listed = run_cli("comments", "pending", "--site", site).stdout
    assert "replying to 102" in listed and "別のオリジンから送るコメント。" in listed

    page.goto(elsewhere)
    assert page.locator('.vote-count[data-comment="101"]').text_content() == "54"
    assert not page.locator("#voted-101").is_visible()
    page.click("#comment-101 > .comment-body .vote-button")
    page.wait_for_function(  # back at the comment, its count with the vote
        "document.querySelector('.vote-count[data-comment=\"101\"]').textContent === '55'",
        timeout=10000,
    )
    assert page.url.endswith("#voted-101")  # the line saying the vote was counted shows
    assert page.locator("#voted-101").is_visible()
    assert page.text_content("#voted-101") == "評価を受け付けました"
    assert "送信できませんでした" not in page.text_content("body")
    assert errors == []


def test_when_the_script_cannot_reach_the_service_the_comment_goes_as_a_plain_form(
    browser, live_site
):
    """On the site's own origin, a request that fails (the network, a proxy, CORS) sends the
    form as a plain one: the comment is never lost, a vote never silent."""
    site, article_url, service = live_site
    page = browser.new_page()

    def no_script_requests(route):
        if route.request.resource_type == "fetch":
            route.abort("connectionfailed")
        else:
            route.continue_()

    page.route(service.url + "**", no_script_requests)
    page.goto(article_url)
    page.fill("#comment-author", "読者N")
    page.fill("#comment-body", "届かないときのコメント。")
    page.click(".comment-submit")
    page.wait_for_selector("textarea#body", timeout=20000)
    assert page.locator("textarea#body").input_value() == "届かないときのコメント。"
    time.sleep(3.2)
    page.click("button[type=submit]")
    assert "承認後に表示されます" in page.text_content("body"), service.stop()
    assert "届かないときのコメント。" in run_cli("comments", "pending", "--site", site).stdout

    page.goto(article_url)
    page.click("#comment-102 > .comment-body .vote-button")
    page.wait_for_url("**#voted-102", timeout=10000)
    assert page.locator("#voted-102").is_visible()
    page.unroute(service.url + "**")
    page.reload()
    page.locator("#comments").scroll_into_view_if_needed()
    page.wait_for_function(
        "document.querySelector('.vote-count[data-comment=\"102\"]').textContent === '1'",
        timeout=10000,
    )


@pytest.mark.parametrize("path", ["moderate", "edit?row=1"])
def test_lighthouse_scores_the_moderation_desk_100_for_accessibility(live_site, path, tmp_path):
    """Logged in (the session's cookie given to Lighthouse), a comment waiting."""
    import json
    import subprocess

    from conftest import CHROMIUM
    from test_comment_service import login
    from test_page_quality import lighthouse

    site, article_url, service = live_site
    long_url = "https://example.net/" + "very-long-path-segment-" * 12
    assert Reader(service).post("/comment", comment_form(url=long_url, parent="101"))[0] == 303
    editor = Reader(service)
    assert login(editor, "editor", "a long passphrase")[0] == 303
    cookie = "; ".join(f"{name}={value}" for name, value in editor.cookies.items())
    report = tmp_path / "report.json"
    subprocess.run(
        [
            lighthouse(), service.url + path, f"--chrome-path={CHROMIUM}",
            "--chrome-flags=--headless=new --no-sandbox", "--only-categories=accessibility",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
            "--output=json", f"--output-path={report}", "--quiet",
        ],
        check=True, timeout=240, capture_output=True,
    )  # fmt: skip
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["finalDisplayedUrl"].endswith(path)  # the desk itself, not the login page
    failed = [a for a, audit in data["audits"].items() if audit.get("score") == 0]
    assert round(data["categories"]["accessibility"]["score"] * 100) == 100, failed
    same = Reader(service)
    same.cookies = dict(editor.cookies)  # what Lighthouse sent: the desk, not the login form
    shown = same.get("/" + path)[2]
    assert 'id="pending-1"' in shown or 'name="which" value="1"' in shown
