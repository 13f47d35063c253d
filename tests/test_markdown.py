from bs4 import BeautifulSoup

from blogsmith.content.markdown_body import (
    BodyRenderer,
    excerpt,
    is_md_link,
    replace_links,
    shortened,
)


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


def test_a_single_newline_is_a_line_break_by_default_in_japanese(make_site):
    from conftest import DEFAULT_CONFIG, article, soup

    from blogsmith.build import build

    body = "関連記事:[前回](b.md)\n関連記事:[前々回](b.md)"
    for name, config, breaks in (
        ("ja", DEFAULT_CONFIG, 1),
        ("en", DEFAULT_CONFIG.replace("language: ja", "language: en"), 0),
        ("off", DEFAULT_CONFIG + "line_breaks: false\n", 0),
    ):
        site = make_site(
            {"content/a.md": article("一", "2022-09-01", body=body), "content/b.md": article("二")},
            config=config,
            name=name,
        )
        build(site, site / "public")
        content = soup(site / "public/europe/a/index.html").select_one(".entry-content")
        assert len(content.select("p br")) == breaks, name
        assert len(content.select("a")) == 2


def test_the_importers_markdown_builds_the_same_with_either_line_breaks(tmp_path):
    from conftest import soup
    from wxr_samples import export, item

    from blogsmith.authoring.wordpress.importer import import_wordpress
    from blogsmith.build import build

    source = tmp_path / "export.xml"
    source.write_text(
        export(
            [
                item(
                    1,
                    "改行の記事",
                    "一行目\n二行目\n\n次の段落。\n<blockquote>引用\n続き</blockquote>",
                )
            ]
        ),
        encoding="utf-8",
    )
    pages = []
    for breaks in ("true", "false"):
        site = tmp_path / breaks
        import_wordpress(source, site)
        config = site / "blogsmith.yaml"
        config.write_text(config.read_text(encoding="utf-8") + f"line_breaks: {breaks}\n")
        build(site, site / "public")
        page = next((site / "public").glob("*/post-1/index.html"))
        pages.append(str(soup(page).select_one(".entry-content")))
    assert pages[0] == pages[1]
    assert "一行目<br/>" in pages[0].replace("\n", "")


def test_an_excerpt_shortened_is_cut_as_excerpts_are():
    long = excerpt("あ" * 30 + "。" + "い" * 90, 80, "ja")
    assert shortened(long, 40, "ja") == "あ" * 30 + "。" + "い" * 9 + "…"
    assert shortened("短い抜粋…", 40, "ja") == "短い抜粋…"
    assert shortened("a" * 40 + "…", 40, "ja") == "a" * 40 + "…"
    assert shortened("The ceasefire broke within an hour…", 20, "en") == "The ceasefire broke…"
