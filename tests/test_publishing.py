"""Feeds, sitemap, robots.txt, page metadata, scheduling and base_url paths, end to end."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
import xmlschema
from bs4 import BeautifulSoup
from conftest import DEFAULT_CONFIG, FIXTURES, REPO, article, packed, run_cli, soup

from blogsmith.build import build
from blogsmith.plan import sitemap

SCHEMA = FIXTURES / "schemas/sitemap.xsd"
OFFSET_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")
SITE = "https://news.example.org/"


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("published") / "public"
    result = run_cli("build", "--site", REPO, "--output", output)
    assert result.returncode == 0, result.stderr
    return output


ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def xml_of(path: Path) -> ElementTree.Element:
    return ElementTree.parse(path).getroot()


def feed_files(output: Path) -> list[Path]:
    return [output / "feed.xml", *sorted((output / "category").glob("*/feed.xml"))]


def test_feeds_parse_and_have_ids_dates_and_absolute_urls(example):
    assert len(feed_files(example)) == 6
    for path in feed_files(example):
        raw = path.read_text(encoding="utf-8")
        parsed = feedparser.parse(raw)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        feed = xml_of(path)
        assert feed.find(f"{ATOM}id").text.startswith(SITE)
        assert OFFSET_TIME.match(feed.find(f"{ATOM}updated").text)
        links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
        assert links["self"] == SITE + path.relative_to(example).as_posix()
        assert links["alternate"].startswith(SITE)
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) <= 20
        ids = [entry.find(f"{ATOM}id").text for entry in entries]
        assert len(set(ids)) == len(ids)
        for entry, entry_id in zip(entries, ids, strict=True):
            assert re.match(r"^tag:news\.example\.org,\d{4}-\d\d-\d\d:articles/.+\.md$", entry_id)
            assert OFFSET_TIME.match(entry.find(f"{ATOM}updated").text)
            assert OFFSET_TIME.match(entry.find(f"{ATOM}published").text)
            link = entry.find(f"{ATOM}link").get("href")
            assert link.startswith(SITE) and (example / link[len(SITE) :] / "index.html").is_file()
            category = entry.find(f"{ATOM}category[@scheme='{SITE}category/']")
            assert category.get("label") and category.get("term")
            content = BeautifulSoup(entry.find(f"{ATOM}content").text, "html.parser")
            for element in content.find_all(["a", "img"]):
                target = element.get("href") or element.get("src")
                assert urlsplit(target).scheme in ("http", "https"), (path, target)
    site = feedparser.parse((example / "feed.xml").read_text())
    assert len(site.entries) == 20
    first = site.entries[0]
    assert first.link == SITE + "china/china-drone-export/"
    assert [tag.label for tag in first.tags][:1] == ["中国関連"]
    europe = feedparser.parse((example / "category/europe/feed.xml").read_text())
    assert {entry.tags[0].term for entry in europe.entries} == {"europe"}
    assert len(europe.entries) == 6  # the draft is left out


def test_feed_content_has_the_eyecatch_and_absolute_links(example):
    entry = next(
        e
        for e in xml_of(example / "feed.xml").findall(f"{ATOM}entry")
        if "ceasefire-broken" in e.find(f"{ATOM}link").get("href")
    )
    content = BeautifulSoup(entry.find(f"{ATOM}content").text, "html.parser")
    assert content.img["src"] == SITE + "images/2022/09/lachin.png"
    hrefs = [a["href"] for a in content.find_all("a")]
    assert SITE + "europe/sudden-clash/" in hrefs
    assert SITE + "europe/ceasefire-broken/#fn:1" in hrefs
    assert "https://example.com/caucasus/truce-collapses" in hrefs


def test_feed_size_and_summary_only_by_config(make_site):
    config = DEFAULT_CONFIG + "feeds:\n  entries: 2\n  content: summary\n"
    site = make_site(
        {f"content/{n}.md": article(f"記事{n}", f"2022-09-0{n}") for n in range(1, 5)}, config
    )
    assert run_cli("build", "--site", site).returncode == 0
    entries = xml_of(site / "public/feed.xml").findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["記事4", "記事3"]
    assert entries[0].find(f"{ATOM}content") is None
    assert entries[0].find(f"{ATOM}summary").text == "本文です。"


def test_every_page_links_its_feeds_and_canonical_url(example):
    for path in example.rglob("*.html"):
        html = soup(path)
        if html.find("meta", attrs={"http-equiv": "refresh"}):
            continue
        feeds = [link["href"] for link in html.find_all("link", type="application/atom+xml")]
        assert "/feed.xml" in feeds, path
        if path.name != "404.html":
            canonical = html.find("link", rel="canonical")["href"]
            assert canonical.startswith(SITE)
    category = soup(example / "category/japan/index.html")
    assert "/category/japan/feed.xml" in [
        link["href"] for link in category.find_all("link", type="application/atom+xml")
    ]


def test_sitemap_is_valid_absolute_encoded_and_dated(example):
    schema = xmlschema.XMLSchema(str(SCHEMA), allow="local")
    schema.validate(str(example / "sitemap.xml"))
    entries = {}
    for url in xml_of(example / "sitemap.xml").findall(f"{SITEMAP}url"):
        lastmod = url.find(f"{SITEMAP}lastmod")
        entries[url.find(f"{SITEMAP}loc").text] = lastmod.text if lastmod is not None else None
    for loc in entries:
        assert loc.startswith(SITE) and loc.isascii() and " " not in loc
    assert entries[SITE + "europe/ceasefire-broken/"] == "2022-09-14T12:00:00+09:00"
    assert entries[SITE + "europe/sudden-clash/"] == "2022-09-13T08:40:00+09:00"
    assert SITE + "tag/%E6%88%A6%E8%BB%8A/" in entries
    assert SITE + "about/" in entries and SITE in entries
    assert not any("next-tank-draft" in loc or "archives/12345" in loc for loc in entries)
    assert (example / "robots.txt").read_text() == (
        "User-agent: *\nAllow: /\n\nSitemap: https://news.example.org/sitemap.xml\n"
    )


def test_a_large_sitemap_becomes_an_index(make_site, monkeypatch, tmp_path):
    monkeypatch.setattr(sitemap, "LIMIT", 4)
    site = make_site(
        {f"content/{n}.md": article(f"記事{n}", f"2022-09-{n:02d}") for n in range(1, 6)}
    )
    build(site, tmp_path / "out")
    schema = xmlschema.XMLSchema(str(SCHEMA), allow="local")
    index = xml_of(tmp_path / "out/sitemap.xml")
    assert index.tag == f"{SITEMAP}sitemapindex"
    locs = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert locs == [f"{SITE}sitemap-{n}.xml" for n in range(1, len(locs) + 1)]
    total = 0
    for loc in locs:
        part = tmp_path / "out" / loc[len(SITE) :]
        schema.validate(str(part))
        count = len(xml_of(part).findall(f"{SITEMAP}url"))
        assert count <= 4
        total += count
    assert total == 5 + 1 + 2 + 1 + 1  # articles, home, categories, year, month


def test_article_head_for_search_engines_and_link_previews(example):
    html = soup(example / "europe/ceasefire-broken/index.html")

    def meta(**attrs):
        return html.find("meta", attrs=attrs)["content"]

    url = SITE + "europe/ceasefire-broken/"
    assert html.find("link", rel="canonical")["href"] == url
    assert meta(name="description").startswith("仲介によって合意された停戦は")
    assert meta(property="og:type") == "article"
    assert meta(property="og:url") == url
    assert meta(property="og:title") == "発効した停戦はわずか1時間足らずで崩壊、国境の戦闘は2日目に"
    assert meta(property="og:image") == SITE + "images/2022/09/lachin.png"
    assert meta(property="og:locale") == "ja_JP"
    assert meta(property="article:section") == "欧州関連"
    assert meta(name="twitter:card") == "summary_large_image"
    # og:title, og:description and og:image serve Twitter (X) too, not repeated for it
    assert not html.find("meta", attrs={"name": re.compile(r"^twitter:(title|description|image)")})
    data = json.loads(html.find("script", type="application/ld+json").string)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "発効した停戦はわずか1時間足らずで崩壊、国境の戦闘は2日目に"
    assert data["datePublished"] == "2022-09-14T06:30:00+09:00"
    assert data["dateModified"] == "2022-09-14T12:00:00+09:00"
    assert data["author"] == {
        "@type": "Person",
        "name": "管理人",
        "url": "https://news.example.org/about/",  # from the config's authors
    }
    assert data["image"] == [
        {
            "@type": "ImageObject",
            "url": SITE + "images/2022/09/lachin.png",
            "width": 1600,
            "height": 900,
        }
    ]
    assert data["publisher"]["name"] == "軍事ニュースアーカイブ"
    assert data["publisher"]["logo"] == {
        "@type": "ImageObject",
        "url": SITE + "images/logo.png",
        "width": 512,
        "height": 512,
    }
    assert data["articleSection"] == "欧州関連"
    assert data["mainEntityOfPage"] == url


def test_every_json_ld_block_parses_and_is_complete(example):
    """Articles: Google's Article fields; list pages: a CollectionPage of what they list."""
    kinds: dict[str, int] = {}
    descriptions = set()
    for path in example.rglob("*.html"):
        page = soup(path)
        for script in page.find_all("script", type="application/ld+json"):
            data = json.loads(script.string)
            kinds[data["@type"]] = kinds.get(data["@type"], 0) + 1
            if data["@type"] == "NewsArticle":
                assert datetime.fromisoformat(data["datePublished"]).utcoffset() is not None
                assert data["author"]["name"] and data["author"]["url"].startswith("https://")
                [image] = data["image"]  # the eyecatch, or the logo for articles without one
                assert image["width"] * image["height"] >= 50_000, path
                assert data["publisher"]["logo"]["width"] == 512
            else:
                assert data["@type"] == "CollectionPage"
                listed = data["mainEntity"]["itemListElement"]
                shown = page.select(".card-title a, .article-rows .category-label + a")
                cards = [a["href"] for a in shown]
                assert [urlsplit(url).path for url in listed] == cards, path
                description = page.find("meta", attrs={"name": "description"})["content"]
                assert data["description"] == description
                descriptions.add(description)
    assert kinds["NewsArticle"] == 21
    list_pages = [
        p for p in example.rglob("index.html") if soup(p).select(".article-list, .article-rows")
    ]
    assert kinds["CollectionPage"] == len(list_pages)
    assert len(descriptions) == len(list_pages)  # every list page has one of its own


def test_future_articles_wait_for_their_date(make_site):
    site = make_site(
        {
            "content/now.md": article("公開済み", "2022-09-01"),
            "content/later.md": article("予約投稿", "2999-01-01 09:00"),
        }
    )
    assert run_cli("build", "--site", site).returncode == 0
    assert not (site / "public/europe/later").exists()
    assert "予約投稿" not in (site / "public/feed.xml").read_text()
    assert run_cli("build", "--site", site, "--future").returncode == 0
    assert (site / "public/europe/later/index.html").is_file()


def test_a_base_url_with_a_path_keeps_every_link_under_it(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(
        REPO,
        site,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "public", "tests", "src", ".ci", "*.egg-info", "bench"
        ),
    )
    config = site / "blogsmith.yaml"
    config.write_text(
        config.read_text().replace("https://news.example.org/", "https://press.example.test/sub/")
    )
    assert run_cli("build", "--site", site, "-q").returncode == 0
    out = site / "public"
    checked = 0
    for path in [*out.rglob("*.html"), *out.rglob("*.xml")]:
        text = path.read_text(encoding="utf-8")
        for url in (
            re.findall(r'(?:href|src|action|content)="([^"]+)"', text)
            + re.findall(r"<(?:loc|id)>([^<]+)</", text)
            + re.findall(r'"(https?://[^"]+)"', text)
        ):
            parts = urlsplit(url.replace("&amp;", "&"))
            if parts.scheme in ("http", "https") and parts.netloc == "press.example.test":
                assert parts.path.startswith("/sub/"), (path, url)
                checked += 1
            elif not parts.scheme and url.startswith("/"):
                assert url.startswith(("/sub/", "//")), (path, url)
                checked += 1
    assert checked > 1000
    texts = list((out / "search/f").glob("*.json.gz"))
    assert texts and all(packed(text)["url"].startswith("/sub/") for text in texts)
    search_page = soup(out / "search/index.html").find(id="search")
    assert search_page["data-index"] == "/sub/search/meta.json"
    redirect = soup(out / "archives/12345/index.html")
    assert (
        redirect.find("meta", attrs={"http-equiv": "refresh"})["content"]
        == "0; url=/sub/europe/heavy-shelling/"
    )
    assert (
        (out / "robots.txt")
        .read_text()
        .endswith("Sitemap: https://press.example.test/sub/sitemap.xml\n")
    )
