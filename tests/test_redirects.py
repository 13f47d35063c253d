"""Old feed URLs that still reach the feeds: blogsmith.yaml's `redirects`, an article's
`comment_feed_aliases`, and /_redirects, the file Netlify and Cloudflare Pages answer with a
301 (a feed reader follows neither a redirect page's script nor its refresh)."""

from __future__ import annotations

from pathlib import Path

import feedparser
from conftest import DEFAULT_CONFIG, article, run_cli, soup

from blogsmith.plan.redirects import CLOUDFLARE_LINES

REDIRECTS = """\
redirects:
  /feed/: /feed.xml
  /comments/feed/: /comments/feed.xml
"""
THREAD = """\
- id: 1
  author: 読者
  date: 2022-09-14T10:12:00+09:00
  body: 最初のコメント
"""


def files(**fields: str) -> dict[str, str]:
    return {
        "content/articles/ceasefire.md": article(
            "停戦は破綻",
            slug="ceasefire",
            aliases="[/2022/09/ceasefire/]",
            comment_feed_aliases="[/2022/09/ceasefire/feed/]",
            **fields,
        ),
        "content/articles/ceasefire.comments.yaml": THREAD,
        "content/articles/quiet.md": article(
            "静かな記事",
            "2022-09-12 08:00",
            slug="quiet",
            comment_feed_aliases="[/2022/09/quiet/feed/]",
        ),
    }


def build(site: Path) -> Path:
    done = run_cli("build", "--site", site)
    assert done.returncode == 0, done.stderr
    return site / "public"


def redirect_target(page: Path) -> str:
    """Where a redirect page sends a browser: its refresh, which its script agrees with."""
    html = soup(page)
    refresh = html.find("meta", attrs={"http-equiv": "refresh"})["content"]
    target = refresh.split("url=", 1)[1]
    assert f'location.replace("{target}"' in html.find("script").string
    return target


def host_lines(public: Path) -> list[list[str]]:
    """/_redirects as Cloudflare's parser reads it: each line not a comment is 2 or 3 tokens,
    a site path, where it leads, and a status."""
    lines = [
        line.split()
        for line in (public / "_redirects").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert all(len(tokens) == 3 and tokens[0].startswith("/") for tokens in lines), lines
    assert len({tokens[0] for tokens in lines}) == len(lines), "a source named twice"
    return lines


def test_old_feed_urls_lead_to_the_feeds_by_page_and_by_the_hosts_file(make_site):
    site = make_site(files(), DEFAULT_CONFIG + REDIRECTS + "host_redirects: netlify\n")
    public = build(site)
    assert redirect_target(public / "feed/index.html") == "/feed.xml"
    assert redirect_target(public / "comments/feed/index.html") == "/comments/feed.xml"
    # feeds.comments: site (the default) has one comment feed: old per-article ones lead to it.
    assert redirect_target(public / "2022/09/ceasefire/feed/index.html") == "/comments/feed.xml"
    assert redirect_target(public / "2022/09/ceasefire/index.html") == "/europe/ceasefire/"
    assert sorted(host_lines(public)) == [
        ["/2022/09/ceasefire/feed/", "/comments/feed.xml", "301!"],
        ["/2022/09/quiet/feed/", "/comments/feed.xml", "301!"],
        ["/comments/feed/", "/comments/feed.xml", "301!"],
        ["/feed/", "/feed.xml", "301!"],
    ]
    # The redirect pages stay out of the sitemap; the article's alias stays a page only.
    sitemap = (public / "sitemap.xml").read_text(encoding="utf-8")
    assert "/feed/" not in sitemap and "ceasefire/feed" not in sitemap


def test_with_a_feed_per_article_the_old_one_leads_to_it_even_before_a_comment(make_site):
    config = DEFAULT_CONFIG + "feeds:\n  comments: all\nhost_redirects: cloudflare\n"
    public = build(make_site(files(), config))
    assert redirect_target(public / "2022/09/ceasefire/feed/index.html") == (
        "/europe/ceasefire/feed.xml"
    )
    assert redirect_target(public / "2022/09/quiet/feed/index.html") == "/europe/quiet/feed.xml"
    commented = feedparser.parse((public / "europe/ceasefire/feed.xml").read_bytes())
    assert not commented.bozo
    assert [entry.summary for entry in commented.entries] == ["<p>最初のコメント</p>"]
    empty = feedparser.parse((public / "europe/quiet/feed.xml").read_bytes())
    assert not empty.bozo and empty.entries == [] and "静かな記事" in empty.feed.title
    assert sorted(host_lines(public)) == [
        ["/2022/09/ceasefire/feed/", "/europe/ceasefire/feed.xml", "301"],
        ["/2022/09/quiet/feed/", "/europe/quiet/feed.xml", "301"],
    ]


def test_without_comment_feeds_or_a_host_they_lead_to_the_article(make_site):
    config = DEFAULT_CONFIG + "feeds:\n  comments: none\n"
    public = build(make_site(files(), config))
    assert redirect_target(public / "2022/09/quiet/feed/index.html") == "/europe/quiet/"
    assert not (public / "_redirects").exists()


def test_a_base_path_is_in_every_line(make_site):
    config = (
        DEFAULT_CONFIG.replace("https://news.example.org/", "https://example.org/archive/")
        + REDIRECTS
        + "host_redirects: cloudflare\n"
    )
    public = build(make_site(files(), config))
    assert ["/archive/feed/", "/archive/feed.xml", "301"] in host_lines(public)
    assert redirect_target(public / "feed/index.html") == "/archive/feed.xml"


def test_cloudflare_past_its_limit_is_a_warning(make_site):
    many = "".join(f"  /old/{n}/: /feed.xml\n" for n in range(CLOUDFLARE_LINES + 1))
    config = DEFAULT_CONFIG + "redirects:\n" + many + "host_redirects: cloudflare\n"
    site = make_site(files(), config)
    done = run_cli("build", "--site", site)
    assert done.returncode == 0, done.stderr
    assert "Cloudflare Pages reads the first 2,000 only" in done.stderr
    assert len(host_lines(site / "public")) == CLOUDFLARE_LINES + 3


def test_a_redirect_that_leads_nowhere_or_takes_a_page_is_an_error_at_its_line(make_site):
    config = DEFAULT_CONFIG + (
        "redirects:\n"
        "  /old-feed/: /rss.xml\n"
        "  /europe/ceasefire/: /feed.xml\n"
        "  /ok/: /images/map.png\n"
    )
    site = make_site({**files(), "static/images/map.png": b"\x89PNG"}, config)
    line = len(DEFAULT_CONFIG.splitlines()) + 2
    expected = [
        f"blogsmith.yaml:{line}: redirect /old-feed/ -> /rss.xml leads nowhere",
        f"blogsmith.yaml:{line + 1}: URL /europe/ceasefire/ is also the URL of "
        "content/articles/ceasefire.md",
    ]
    for command in ("build", "check"):
        done = run_cli(command, "--site", site)
        assert done.returncode == 1
        for start in expected:
            assert any(line.startswith(start) for line in done.stderr.splitlines()), (
                command,
                start,
                done.stderr,
            )
        assert "Traceback" not in done.stderr
    assert not (site / "public").exists()


def test_a_redirect_must_be_two_plain_paths(make_site):
    config = DEFAULT_CONFIG + "redirects:\n  /bad path/: /feed.xml\n  /ok/: https://x.org/\n"
    site = make_site(files(), config)
    line = len(DEFAULT_CONFIG.splitlines()) + 2
    for command in ("build", "check"):
        done = run_cli(command, "--site", site)
        assert done.returncode == 1
        assert done.stderr.splitlines()[:2] == [
            f"blogsmith.yaml:{line}: redirect '/bad path/' -> '/feed.xml' must be two paths "
            "of this site, like '/comments/feed/: /comments/feed.xml', without a query, '#', "
            "spaces or '..'",
            f"blogsmith.yaml:{line + 1}: redirect '/ok/' -> 'https://x.org/' must be two paths "
            "of this site, like '/comments/feed/: /comments/feed.xml', without a query, '#', "
            "spaces or '..'",
        ]


def test_a_comment_feed_alias_must_be_a_plain_path(make_site):
    site = make_site(
        {"content/a.md": article(comment_feed_aliases="['/?p=1&feed=rss2', /ok/feed/]")}
    )
    done = run_cli("build", "--site", site)
    assert done.returncode == 1
    assert (
        "content/a.md:5: comment feed alias '/?p=1&feed=rss2' must be a path on this site"
        in done.stderr
    )
