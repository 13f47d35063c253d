from bs4 import BeautifulSoup

from blogsmith.content.markdown_body import BodyRenderer, excerpt, is_md_link, replace_links


def render(text: str, base: str = "/"):
    return BodyRenderer(base).render(text)


def test_an_image_with_a_title_becomes_a_linked_figure_with_its_credit():
    body = render('![地図](/images/2022/09/map.png "出典:Google Map 管理人作成")')
    html = BeautifulSoup(body.html, "html.parser")
    figure = html.find("figure")
    assert figure.a["href"] == "/images/2022/09/map.png"
    assert figure.a.img["src"] == "/images/2022/09/map.png"
    assert figure.a.img["alt"] == "地図"
    assert not figure.a.img.has_attr("title")
    assert figure.figcaption.get_text() == "出典:Google Map 管理人作成"
    assert html.find("p") is None


def test_an_image_without_a_title_or_inside_text_stays_inline():
    html = BeautifulSoup(render('文中の ![a](/a.png "t") 画像\n\n![b](/b.png)').html, "html.parser")
    assert html.find("figure") is None
    assert len(html.find_all("img")) == 2


def test_links_to_md_files_are_collected_not_resolved():
    body = render(
        "[前](../08/sudden-clash.md#map) と [外](https://example.com/a.md) と [site](/x.md)"
    )
    assert body.md_links == ("../08/sudden-clash.md#map",)
    resolved = replace_links(body.html, {"../08/sudden-clash.md#map": "/europe/sudden-clash/#map"})
    assert '<a href="/europe/sudden-clash/#map">前</a>' in resolved


def test_is_md_link():
    assert is_md_link("a.md") and is_md_link("../a.md#x")
    assert not is_md_link("https://e.com/a.md") and not is_md_link("/a.md")
    assert not is_md_link("a.mdx") and not is_md_link("mailto:a.md")


def test_site_paths_get_the_base_path():
    html = render(
        "[about](/about/) ![p](/images/p.png) [ext](https://e.com/) [proto](//e.com/)",
        base="/archive/",
    ).html
    assert 'href="/archive/about/"' in html
    assert 'src="/archive/images/p.png"' in html
    assert 'href="https://e.com/"' in html and 'href="//e.com/"' in html


def test_body_h1_becomes_h2_so_the_title_stays_the_only_h1():
    html = render("# 見出し\n\n## 小見出し").html
    assert "<h1" not in html
    assert '<h2 id="見出し">見出し</h2>' in html


def test_tables_footnotes_and_quotes_render():
    html = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n> 引用\n\n注[^1]\n\n[^1]: 脚注").html
    parsed = BeautifulSoup(html, "html.parser")
    assert parsed.find("table") and parsed.find("blockquote")
    assert parsed.find("div", class_="footnote")
    assert parsed.find("a", class_="footnote-backref")["title"] == "本文へ戻る"


def test_text_for_excerpts_skips_figures_and_footnote_markers():
    body = render('一段落目です[^1]。\n\n![x](/x.png "出典")\n\n二段落目 & 記号。\n\n[^1]: 注')
    assert body.text == "一段落目です。\n二段落目 & 記号。"


def test_japanese_excerpts_are_cut_by_characters_and_end_with_an_ellipsis():
    text = (
        "アゼルバイジャン軍とアルメニア軍の衝突は13日午前9時に停戦が発効した。\n"
        "しかし40分後には破られた。"
    )
    assert excerpt(text, 20, "ja") == "アゼルバイジャン軍とアルメニア軍の衝突は…"
    assert excerpt(text, 200, "ja") == (
        "アゼルバイジャン軍とアルメニア軍の衝突は13日午前9時に停戦が"
        "発効した。しかし40分後には破られた。"
    )


def test_english_excerpts_are_cut_at_a_word():
    assert excerpt("The ceasefire broke within forty minutes.", 20, "en") == "The ceasefire broke…"
