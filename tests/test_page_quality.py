"""The built example archive in a real browser on a phone: no accessibility violations on
any kind of page, images that fit where they are shown, and no layout shift from them."""

from __future__ import annotations

import pytest
from conftest import axe_core, npm_tool

PHONE = {"viewport": {"width": 412, "height": 823}, "device_scale_factor": 1.75}
PAGES = {
    "article": "europe/ceasefire-broken/",
    "home": "",
    "category": "category/europe/",
    "tag": "tag/%E6%88%A6%E8%BB%8A/",
    "page": "about/",
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", PAGES)
def test_every_kind_of_page_has_no_accessibility_violations(browser, example_site, kind):
    page = browser.new_page(**PHONE)
    response = page.goto(example_site + PAGES[kind])
    assert response.status == 200
    page.add_script_tag(path=axe_core())
    violations = page.evaluate("async () => (await axe.run()).violations")
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
    page.close()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["article", "home", "category"])
def test_a_phone_loads_images_that_fit_and_they_never_shift_the_page(browser, example_site, kind):
    page = browser.new_page(**PHONE)
    page.add_init_script(
        "window.__shifts = 0; new PerformanceObserver(l => l.getEntries().forEach("
        "e => { if (!e.hadRecentInput) window.__shifts += e.value; })).observe("
        "{type: 'layout-shift', buffered: true});"
    )
    page.goto(example_site + PAGES[kind], wait_until="networkidle")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    # What the scroll brought in, the shared sidebar's lazy frame with it (Playwright reports
    # no network idle for a frame that navigates lazily, so that is not waited for).
    page.wait_for_function(
        "() => [...document.images].every(i => i.complete) && [...document.querySelectorAll("
        "'iframe')].every(f => f.contentDocument && f.contentDocument.URL !== 'about:blank'"
        " && f.contentDocument.readyState === 'complete')"
    )
    page.wait_for_timeout(300)
    images = page.evaluate(
        """() => [...document.images].filter(i => i.complete && i.naturalWidth).map(i => ({
            src: i.currentSrc, natural: i.naturalWidth, shown: i.getBoundingClientRect().width,
            width: +i.getAttribute('width'), height: +i.getAttribute('height'),
            ratio: i.naturalWidth / i.naturalHeight}))"""
    )
    photos = [i for i in images if "/images/" in i["src"]]
    assert photos, kind
    for image in photos:
        assert image["src"].endswith(".webp"), image  # a copy, in WebP
        assert image["natural"] <= max(image["shown"] * 1.75 * 2.2, 210), image  # not the original
        assert abs(image["width"] / image["height"] - image["ratio"]) < 0.02, image
    assert page.evaluate("window.__shifts") <= 0.01
    page.close()


def lighthouse() -> str:
    return npm_tool("BLOGSMITH_LIGHTHOUSE", ".bin/lighthouse", "Lighthouse 12.2.3")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["article", "home", "category", "tag"])
@pytest.mark.parametrize("form", ["mobile", "desktop"])
def test_lighthouse_scores_the_built_example(browser, example_site, kind, form, tmp_path):
    """Performance 98 or more, accessibility, best practices and SEO 100 (the two audits a
    plain static file server fails, caching headers and compression, are the host's).
    Mobile performance is the median of five runs, as Lighthouse's variability guide advises:
    on a shared 2-core machine a run's layout time varies fourfold (92 to 100 for one page).

    Two artefacts of the lab browser, traced here, are taken out; the page, the throttling
    and the scoring stay Lighthouse's. Paint holding is off: with it, viz withholds the
    page's BeginFrames while the held frame waits, so in about half the runs a page that had
    finished loading at 0.3 s, main thread idle, was first painted at 1.2 or 2.2 s (whole
    seconds), and Lantern scaled that into the speed index (GoogleChrome/lighthouse#17148,
    open). And the phone is a phone-sized window, not an emulated screen: emulation applies
    its viewport asynchronously, so in four runs of ten the page was first laid out 980 px
    wide and then again at 412 px, a layout no phone does (the meta viewport is read first)
    that alone cost ten points."""
    import json
    import statistics
    import subprocess

    from conftest import CHROMIUM

    phone = PHONE["viewport"]
    chrome = "--headless=new --no-sandbox --disable-features=PaintHolding"
    if form == "mobile":
        chrome += f" --window-size={phone['width']},{phone['height']}"
        chrome += f" --force-device-scale-factor={PHONE['device_scale_factor']}"
    performance = []
    for run in range(5 if form == "mobile" else 1):
        report = tmp_path / f"report-{run}.json"
        subprocess.run(
            [
                lighthouse(), example_site + PAGES[kind], f"--chrome-path={CHROMIUM}",
                f"--chrome-flags={chrome}",
                "--only-categories=performance,accessibility,best-practices,seo",
                "--output=json", f"--output-path={report}", "--quiet",
                *(["--preset=desktop"] if form == "desktop" else ["--screenEmulation.disabled"]),
            ],
            check=True, timeout=240, capture_output=True,
        )  # fmt: skip
        data = json.loads(report.read_text(encoding="utf-8"))
        scores = {name: round(c["score"] * 100) for name, c in data["categories"].items()}
        performance.append(scores.pop("performance"))
        assert scores == {"accessibility": 100, "best-practices": 100, "seo": 100}
        audits = data["audits"]
        for audit in ("unsized-images", "uses-responsive-images", "modern-image-formats"):
            assert audits[audit]["score"] in (1, None), (audit, audits[audit].get("displayValue"))
        assert audits["cumulative-layout-shift"]["numericValue"] <= 0.01
    assert statistics.median(performance) >= 98, performance
