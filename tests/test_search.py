"""Full-text search: how text becomes terms (the same in Python and in the page's script),
Japanese queries of every kind, the index following every kind of edit, and the search page
in a real browser, built and served as an editor runs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import DEFAULT_CONFIG, REPO, article, axe_core, packed, run_cli, soup
from hypothesis import given, settings
from hypothesis import strategies as st
from serving import ServeProcess

from blogsmith.output.search.index import bucket_of
from blogsmith.output.search.terms import phrases, required_terms, terms

NODE = shutil.which("node")
HARNESS = Path(__file__).parent / "js/search_node.js"


def need_node() -> None:
    if NODE is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing in CI; .ci/run installs it")
        pytest.skip("node is not installed")


def node(*args: str) -> str:
    need_node()
    run = subprocess.run([NODE, *args], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


def search(output: Path, *queries: str) -> dict[str, list[str]]:
    """Each query's result URLs in order, found by the search page's own script."""
    found = json.loads(node(str(HARNESS), str(output), *queries))
    return {query: [url for url, _title in results] for query, results in found.items()}


# -- terms ---------------------------------------------------------------------------------


def test_japanese_is_cut_into_pairs_and_words_stay_whole():
    assert terms("空母") == ["空母", "空", "母"]
    found = terms("「バイラクタルTB2」")
    assert {"バイ", "タル", "tb2", "ルtb2"} <= set(found)
    assert {"2035", "2035年"} <= set(terms("2035年までに"))
    assert {"f35", "f35a", "f", "35", "a"} <= set(terms("F-35A"))
    assert {"k2", "k2戦", "戦車"} <= set(terms("Ｋ２戦車"))  # full-width made half-width
    assert terms("ﾗﾌｧｰﾙ") == terms("ラファール")  # half-width kana made full-width
    assert terms("1A5") == ["1a5", "1", "a", "5", "1a"]


TEXT = st.text(
    alphabet=st.sampled_from(
        list("空母戦車の年ラファールバイタ々〇ーぁアｱＫ２ＡaZz019-.' 、。「」\n・")
        + ["𠮷", "é", "Ü", "½", "①", "한"]
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=20))
def test_the_search_page_cuts_text_exactly_as_the_index_does(samples):
    script = (
        "const s=require(process.argv[1]);const x=JSON.parse(process.argv[2]);"
        "console.log(JSON.stringify(x.map(t=>{const f=s.terms(t);"
        "return [f,f.map(w=>s.bucketOf(w,4096)),s.plan(t).required,s.plan(t).phrases]})))"
    )
    found = json.loads(
        node("-e", script, str(REPO / "static/assets/search.js"), json.dumps(samples))
    )
    for sample, (script_terms, script_buckets, asked, runs) in zip(samples, found, strict=True):
        assert script_terms == terms(sample), sample
        assert script_buckets == [bucket_of(term, 4096) for term in script_terms], sample
        assert asked == required_terms(sample), sample
        assert set(asked) <= set(terms(sample)), sample  # a query finds the text it is cut from
        assert runs == [[run[i : i + 2] for i in range(len(run) - 1)] for run in phrases(sample)]


# -- the switch ------------------------------------------------------------------------------


def test_search_is_on_by_default_with_its_page_form_and_index(make_site):
    site = make_site({"content/a.md": article("空母の話", body="艦載機の運用。")})
    assert "search" not in (site / "blogsmith.yaml").read_text(encoding="utf-8")
    assert run_cli("build", "--site", site).returncode == 0
    out = site / "public"
    form = soup(out / "index.html").find("form", role="search")
    assert form["action"] == "/search/" and form.find("input")["name"] == "q"
    page = soup(out / "search/index.html")
    box = page.find("input", id="search-query")
    assert page.find("label", attrs={"for": "search-query"}).get_text(strip=True)
    assert box["name"] == "q"
    filters = [label.get_text(" ", strip=True) for label in page.select(".search-filters label")]
    assert filters == ["すべて", "欧州関連", "日本関連"]  # the site's order, not code points
    meta = json.loads((out / "search/meta.json").read_text(encoding="utf-8"))
    assert meta["pages"] == 1 and meta["categories"] == ["欧州関連", "日本関連"]
    assert len(meta["index"]) == meta["buckets"] and meta["buckets"] & (meta["buckets"] - 1) == 0
    text = packed(out / "search/f/0.json.gz")
    assert text == {
        "url": "/europe/a/",
        "title": "空母の話",
        "category": "欧州関連",
        "date": "2022年9月14日",
        "tags": [],
        "text": "艦載機の運用。",
    }
    assert search(out, "艦載機", "空母", "潜水艦") == {
        "艦載機": ["/europe/a/"],
        "空母": ["/europe/a/"],
        "潜水艦": [],
    }


def test_search_off_builds_no_index_page_or_form_and_removes_an_old_index(make_site):
    site = make_site({"content/a.md": article("一")})
    assert run_cli("build", "--site", site).returncode == 0
    assert (site / "public/search/meta.json").is_file()
    config = site / "blogsmith.yaml"
    config.write_text(DEFAULT_CONFIG + "search: false\n", encoding="utf-8")
    assert run_cli("build", "--site", site).returncode == 0
    assert not (site / "public/search").exists()
    assert soup(site / "public/index.html").find("form", role="search") is None
    assert (site / "public/europe/a/index.html").is_file()


# -- Japanese queries --------------------------------------------------------------------------

QUERY_SITE = {
    "content/tb2.md": article(
        "トルコ製無人機「バイラクタルTB2」を追加調達",
        "2024-01-10 09:00",
        "europe",
        body="ウクライナ向けに追加の機体を発注した。",
    ),
    "content/k2.md": article(
        "ポーランド、K2戦車の第2次契約に署名",
        "2024-02-10 09:00",
        "europe",
        body="現地生産も含まれる。",
    ),
    "content/boxer.md": article(
        "ボクサー装輪装甲車の1A5仕様、量産へ",
        "2024-03-10 09:00",
        "europe",
        body="防護力を高めた。",
    ),
    "content/f35.md": article(
        "F-35の稼働率、目標に届かず",
        "2024-04-10 09:00",
        "japan",
        body="部品不足が続いている。",
    ),
    "content/plan.md": article(
        "2035年までに新型護衛艦12隻を建造する計画",
        "2024-05-10 09:00",
        "japan",
        body="建造は二つの造船所で分担する。",
    ),
    "content/rafale.md": article(
        "インドネシア、ラファールを追加発注",
        "2024-06-10 09:00",
        "europe",
        body="既存の契約に上乗せする。",
    ),
    "content/destroyer.md": article(
        "次期防空駆逐艦の設計を公開",
        "2024-07-10 09:00",
        "japan",
        body="艦隊防空を担う。",
    ),
    # Noise: pages that hold single characters or digits of the queries above, many times.
    "content/noise-1.md": article(
        "2年目の年次報告、年年歳歳",
        "2024-08-10 09:00",
        "japan",
        body="2と2と2、年と年と年。ラの音、ラララ。1号機とA型と5番機。K、2、F、35。",
    ),
    "content/noise-2.md": article(
        "ラジオ体操の年表",
        "2024-09-10 09:00",
        "japan",
        body="ラジオ、ラッパ、ラクダ。1月と5月。TBSの番組。戦史。",
    ),
}

EXPECTED = {
    "バイラクタル": "/europe/tb2/",
    "バイラクタルTB2": "/europe/tb2/",
    "TB2": "/europe/tb2/",
    "無人機": "/europe/tb2/",
    "K2": "/europe/k2/",
    "K2戦車": "/europe/k2/",
    "ｋ２": "/europe/k2/",
    "1A5": "/europe/boxer/",
    "装甲車": "/europe/boxer/",
    "F-35": "/japan/f35/",
    "F35": "/japan/f35/",
    "2035年": "/japan/plan/",
    "2035": "/japan/plan/",
    "護衛艦": "/japan/plan/",
    "ラファール": "/europe/rafale/",
    "ﾗﾌｧｰﾙ": "/europe/rafale/",
    "防空駆逐艦": "/japan/destroyer/",
    "駆逐艦 設計": "/japan/destroyer/",
}
NOISE = {"/japan/noise-1/", "/japan/noise-2/"}


def test_every_kind_of_japanese_query_finds_its_article_first(make_site):
    site = make_site(QUERY_SITE)
    assert run_cli("build", "--site", site).returncode == 0
    found = search(site / "public", *EXPECTED)
    for query, url in EXPECTED.items():
        results = found[query]
        assert results[:3].count(url) == 1, (query, results)
        # A page that shares only a character or a digit with the query never ranks above it.
        assert not set(results[: results.index(url)]) & NOISE, (query, results)
    assert NOISE.isdisjoint(found["ラファール"] + found["1A5"] + found["K2"] + found["TB2"])
    assert found["2035年"] == ["/japan/plan/"]


# -- following edits -----------------------------------------------------------------------------

EDIT_QUERIES = ("戦車", "空母", "輸送機", "量産", "試験飛行", "改名", "新設", "第一", "追記")


def clean_results(site: Path, tmp_path: Path) -> dict[str, list[str]]:
    output = tmp_path / f"clean-{time.monotonic_ns()}"
    run = run_cli("build", "--site", site, "--output", output, "--no-cache", "-q")
    assert run.returncode == 0, run.stderr
    return search(output, *EDIT_QUERIES)


def test_the_index_follows_every_kind_of_edit_as_a_clean_build_would(make_site, tmp_path):
    site = make_site(
        {
            "content/tank.md": article("新型戦車の量産", "2023-01-01 09:00", body="第一陣の配備。"),
            "content/carrier.md": article("空母の試験", "2023-02-01 09:00", body="艦載機の運用。"),
            "content/plane.md": article("輸送機の調達", "2023-03-01 09:00", "japan"),
        }
    )
    out = site / "public"

    def rebuilt() -> dict[str, list[str]]:
        run = run_cli("build", "--site", site, "-q")
        assert run.returncode == 0, run.stderr
        incremental = search(out, *EDIT_QUERIES)
        assert incremental == clean_results(site, tmp_path)
        return incremental

    first = rebuilt()
    assert first["戦車"] == ["/europe/tank/"] and first["追記"] == []
    # A body edit: the new words are found, the old ones gone.
    tank = site / "content/tank.md"
    tank.write_text(
        article("新型戦車の量産", "2023-01-01 09:00", body="試験飛行ではなく追記。"),
        encoding="utf-8",
    )
    found = rebuilt()
    assert found["追記"] == ["/europe/tank/"] and found["第一"] == []
    # An addition, then a deletion.
    (site / "content/new.md").write_text(
        article("輸送機部隊を新設", "2023-04-01 09:00", "japan"), encoding="utf-8"
    )
    found = rebuilt()
    assert found["新設"] == ["/japan/new/"]
    assert set(found["輸送機"]) == {"/japan/new/", "/japan/plane/"}
    (site / "content/carrier.md").unlink()
    found = rebuilt()
    assert found["空母"] == []
    # A rename of the file (a new URL), then a slug change in the front matter.
    (site / "content/plane.md").rename(site / "content/transport.md")
    found = rebuilt()
    assert "/japan/transport/" in found["輸送機"] and "/japan/plane/" not in found["輸送機"]
    text = (site / "content/new.md").read_text(encoding="utf-8")
    (site / "content/new.md").write_text(
        text.replace("category: japan", "category: japan\nslug: renamed-unit"), encoding="utf-8"
    )
    found = rebuilt()
    assert found["新設"] == ["/japan/renamed-unit/"]
    # A title edit, and an id freed by the deletion taken by the next addition.
    tank.write_text(article("戦車を改名", "2023-01-01 09:00", body="本文。"), encoding="utf-8")
    (site / "content/late.md").write_text(
        article("空母の改修", "2023-05-01 09:00"), encoding="utf-8"
    )
    found = rebuilt()
    assert found["改名"] == ["/europe/tank/"] and found["空母"] == ["/europe/late/"]
    assert found["量産"] == []
    # A deletion and an addition in one build: the new page takes the id the other frees.
    (site / "content/late.md").unlink()
    (site / "content/later.md").write_text(
        article("空母の改修と戦車の量産", "2023-06-01 09:00"), encoding="utf-8"
    )
    found = rebuilt()
    assert found["空母"] == ["/europe/later/"] and found["量産"] == ["/europe/later/"]


def test_an_index_changed_behind_the_builds_back_is_made_anew(make_site, tmp_path):
    site = make_site(
        {
            "content/a.md": article("空母の試験", "2023-01-01 09:00"),
            "content/b.md": article("戦車の量産", "2023-02-01 09:00"),
        }
    )
    assert run_cli("build", "--site", site, "-q").returncode == 0
    for bucket in (site / "public/search/i").iterdir():
        bucket.write_text("{}", encoding="utf-8")
    (site / "content/a.md").write_text(
        article("空母の試験", "2023-01-01 09:00", body="追記。"), encoding="utf-8"
    )
    assert run_cli("build", "--site", site, "-q").returncode == 0
    assert search(site / "public", *EDIT_QUERIES) == clean_results(site, tmp_path)
    assert search(site / "public", "戦車")["戦車"] == ["/europe/b/"]


# -- in a browser, served as an editor serves it --------------------------------------------------


def results_for(page, base: str, query: str) -> list[str]:
    page.goto(base + "search/?q=" + query)
    page.wait_for_function(
        "() => { const s = document.getElementById('search-status').textContent;"
        " return s && !s.endsWith('…'); }",
        timeout=10_000,
    )
    page.wait_for_selector("#search-results[aria-busy=false]", state="attached")
    return [link.get_attribute("href") for link in page.locator(".search-result-title a").all()]


@pytest.mark.slow
def test_japanese_queries_typed_in_a_browser_on_the_live_preview(browser, make_site):
    site = make_site(QUERY_SITE)
    server = ServeProcess(site)
    try:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        for query in ("バイラクタル", "TB2", "K2戦車", "1A5", "F-35", "2035年", "ラファール"):
            assert results_for(page, server.url, query)[:1] == [EXPECTED[query]], query
        # Typed into the box: results come as the reader types, and every box keeps the query.
        page.fill("#search-query", "防空駆逐艦")
        page.wait_for_function(
            "() => document.getElementById('search-status').textContent.includes('防空駆逐艦')"
        )
        page.wait_for_selector(".search-result-title a")
        assert page.locator(".search-result-title a").first.get_attribute("href") == (
            "/japan/destroyer/"
        )
        assert page.input_value("header input[name=q]") == "防空駆逐艦"
        assert "q=%E9%98%B2" in page.url
        # The excerpt starts at the match and marks it; the filters count per category.
        results_for(page, server.url, "上乗せ")
        excerpt = page.inner_text(".search-result-excerpt")
        assert excerpt.startswith("既存の契約に上乗せ")
        assert page.inner_text(".search-result-excerpt mark") == "上乗せ"
        results_for(page, server.url, "追加")
        counts = page.inner_text(".search-filters")
        assert "すべて (2)" in counts and "欧州関連 (2)" in counts and "日本関連 (0)" in counts
        page.check("input[name=category][value='1']")
        assert page.locator(".search-result").count() == 0
        # An edit is searchable in the preview within seconds of the save.
        source = site / "content/destroyer.md"
        source.write_text(
            source.read_text(encoding="utf-8") + "\n極超音速滑空体の迎撃も担う。\n",
            encoding="utf-8",
        )
        saved = time.monotonic()
        while True:
            if results_for(page, server.url, "極超音速滑空体") == ["/japan/destroyer/"]:
                break
            assert time.monotonic() - saved < 5, "the saved text was not found within 5 s"
            time.sleep(0.2)
        assert errors == []
    finally:
        server.stop()


@pytest.mark.slow
def test_the_readme_serve_command_serves_pages_and_search_on_the_example(browser, tmp_path):
    command = REPO / ".venv/bin/blogsmith"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/blogsmith serve " in readme
    if not command.exists():
        if os.environ.get("CI"):
            pytest.fail("the README's virtualenv is missing in CI")
        pytest.skip("no .venv at the repository root")
    before = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("blogsmith-serve-*"))
    server = ServeProcess(REPO, command=[str(command), "serve"], cwd=REPO)
    try:
        status, _headers, body = server.get("/trivia/ration-history/")
        assert status == 200 and "戦闘糧食の百年" in body.decode()
        page = browser.new_page()
        assert results_for(page, server.url, "レトルト") == ["/trivia/ration-history/"]
        assert results_for(page, server.url, "zqxjvbw") == []
        assert "zqxjvbw" in page.inner_text("#search-status")
    finally:
        server.stop()
    assert not re.search(r"Traceback|Error", "".join(server.stderr)), server.stderr
    left = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("blogsmith-serve-*")) - before
    assert left == set(), "serve left its temporary output behind"


PHONE = {
    "viewport": {"width": 412, "height": 823},
    "device_scale_factor": 1.75,
    "is_mobile": True,
    "has_touch": True,
}
LAYOUT_SHIFTS = """
window.__shifts = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shifts += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""


@pytest.mark.slow
def test_the_search_page_on_a_phone_does_not_jump_when_results_come(browser, example_site):
    context = browser.new_context(**PHONE)
    context.add_init_script(LAYOUT_SHIFTS)
    page = context.new_page()
    # A slow phone on a slow network, as Lighthouse's mobile run has it: what arrives late
    # (the counts, the results' texts) must still not move what is shown.
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 150,
            "downloadThroughput": 200_000,
            "uploadThroughput": 90_000,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    for query in ("戦車", "空", "レトルト"):
        assert results_for(page, example_site, query)
        page.wait_for_timeout(500)
        shifts = page.evaluate("window.__shifts")
        assert shifts <= 0.05, (query, shifts)  # Lighthouse's "good" cumulative layout shift
    context.close()


@pytest.mark.slow
def test_the_search_page_has_no_accessibility_violations(browser, example_site):
    axe = axe_core()
    page = browser.new_page()
    for query in ("", "戦車"):
        if query:
            results_for(page, example_site, query)
        else:
            page.goto(example_site + "search/")
        page.add_script_tag(path=axe)
        violations = page.evaluate("async () => (await axe.run()).violations")
        assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == [], query
