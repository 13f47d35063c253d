"""The comment body renderer against hostile input, checked by parsing as a browser would."""

import pytest
from bs4 import BeautifulSoup
from conftest import assert_only_own_markup

from blogsmith.content.comment_text import FORBIDDEN, clean, render_body, safe_url


def parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(f"<div id='body'>{html}</div>", "html5lib").find(id="body")


def visible_text(body) -> str:
    """Text as a reader sees it: <br> as a line break, paragraphs apart by a blank line."""
    for br in body.find_all("br"):
        br.replace_with("\n")
    return "\n\n".join(block.get_text() for block in body.find_all("p"))


def test_paragraphs_line_breaks_and_spaces_are_kept():
    body = parse(render_body("一行目\n二行目\n\n\n   い   つ   も   の  \n"))
    assert [str(p) for p in body.find_all("p")] == [
        "<p>一行目<br/>二行目</p>",
        "<p>   い   つ   も   の  </p>",
    ]


def test_lines_starting_with_gt_are_quotes():
    body = parse(render_body(">>しかし40分後には\n>>停戦が破られ\n本文\n> また引用"))
    assert [(b.name, b.get_text("|")) for b in body.children] == [
        ("blockquote", ">>しかし40分後には|>>停戦が破られ"),
        ("p", "本文"),
        ("blockquote", "> また引用"),
    ]


def test_urls_become_safe_links_and_punctuation_stays_outside():
    body = parse(render_body("見て(https://example.com/a_(b)?x=1&y=2)。続き https://e.org/x. 終"))
    links = body.find_all("a")
    assert [(a["href"], a.get_text()) for a in links] == [
        ("https://example.com/a_(b)?x=1&y=2", "https://example.com/a_(b)?x=1&y=2"),
        ("https://e.org/x", "https://e.org/x"),
    ]
    assert visible_text(body) == "見て(https://example.com/a_(b)?x=1&y=2)。続き https://e.org/x. 終"
    assert links[0]["rel"] == ["nofollow", "ugc", "noopener"]


def test_a_url_ends_where_japanese_text_begins():
    body = parse(render_body("http://example.com/pathの記事"))
    assert body.a["href"] == "http://example.com/path"
    assert visible_text(body) == "http://example.com/pathの記事"


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(document.cookie)",
    "[link](javascript:alert(1)) **bold** # heading <b>b</b>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<svg onload="alert(1)"><circle/></svg>',
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/?q=<script>alert(1)</script>",
    "https://example.com/'><img src=x onerror=alert(1)>",
    "http://e.com/a&quot;onclick=&quot;alert(1)",
    "<!-- hidden --><![CDATA[ x ]]>",
    "</p></div></article></li></ol><p>escaped",
    "&amp &lt;script&gt; &#x3C;b&#x3E; &#0; &#xD800; &#x110000; &bogus;",
    "<style>body{display:none}</style><iframe src=//evil.example></iframe>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "\u202eevil RTL override\u202c and \u200b zero\u200d width \ufeff chars",
    "الأسلحة <b>עברית</b>",
    "null\x00byte and \x07bell and \x1b[31m escape and \x85 next-line",
    "x" * 10_000,
    ("ほ" * 3000 + " https://example.com/" + "a" * 5000),
    "<<script>script>alert(1)<</script>/script>",
    "<p onclick=alert(1)>p</p><blockquote cite=javascript:x>q</blockquote>",
    "<a href=https://ok.example rel=opener target=_blank>x</a>",
    "https://[ and http://[::1 and https://:80/",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_bodies_show_as_text_with_no_markup_of_their_own(text):
    body = parse(render_body(text))
    assert_only_own_markup(body)
    assert visible_text(body) == "\n\n".join(
        part.strip("\n") for part in clean(text).split("\n\n") if part.strip()
    )


def test_no_link_to_anything_but_http():
    body = parse(render_body(" ".join(HOSTILE)))
    assert all(a["href"].startswith(("http://", "https://")) for a in body.find_all("a"))
    assert "javascript:" not in " ".join(a["href"] for a in body.find_all("a"))


def test_forbidden_characters_are_dropped():
    assert clean("a\x00b\x07c\ufffed\U0010ffff\r\ne\rf") == "abcd\ne\nf"


def test_the_forbidden_characters_are_exactly_controls_surrogates_and_noncharacters():
    """FORBIDDEN is written as what HTML allows; every code point is checked against the
    rule it stands for."""
    every = "".join(chr(point) for point in range(0x110000))
    expected = [
        point
        for point in range(0x110000)
        if (point < 0x20 and point not in (0x09, 0x0A, 0x0D))
        or 0x7F <= point <= 0x9F
        or 0xD800 <= point <= 0xDFFF
        or 0xFDD0 <= point <= 0xFDEF
        or point & 0xFFFE == 0xFFFE
    ]
    assert [found.start() for found in FORBIDDEN.finditer(every)] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://ok.example/page", "https://ok.example/page"),
        (" http://ok.example ", "http://ok.example"),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("//evil.example", None),
        ("https://", None),
        ('https://ok.example/"onmouseover=x', None),
        ("https://例え.jp/", None),
        ("https://[", None),
        (42, None),
    ],
)
def test_author_urls_are_linked_only_when_plain_http(value, expected):
    assert safe_url(value) == expected
