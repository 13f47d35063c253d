"""WordPress markup to Markdown, and comment HTML to the plain text comment files hold."""

from __future__ import annotations

from blogsmith.authoring.wordpress.comment_html import comment_text
from blogsmith.authoring.wordpress.content import Attachment, Context, autop, convert

PHOTOS = {
    "7": Attachment("https://old.example/a.jpg", "国防省提供", "部隊", "a", "5"),
    "8": Attachment("https://old.example/b.jpg", "", "地図", "b", "5"),
    "9": Attachment("https://old.example/c.jpg", "", "", "c", "6"),
}


def markdown(raw: str) -> str:
    return convert(raw, Context("5", PHOTOS, lambda url: None, lambda url: url)).markdown


def test_classic_posts_get_wordpress_paragraphs_around_their_block_elements():
    raw = "一行目\n二行目\n<h2>見出し</h2>\n<table>\n<tr>\n<th>艦名</th>\n<th>就役</th>\n</tr>\n"
    raw += "<tr>\n<td>いずも</td>\n<td>2015</td>\n</tr>\n</table>\n最後の段落"
    assert markdown(raw) == (
        "一行目  \n二行目\n\n## 見出し\n\n| 艦名 | 就役 |\n| --- | --- |\n| いずも | 2015 |\n\n"
        "最後の段落\n"
    )
    assert autop("<pre>a\n\nb</pre>") == "<pre>a\n\nb</pre>"


def test_what_markdown_cannot_say_stays_html_and_is_listed():
    raw = '<table><tr><td colspan="2">結合</td></tr></table>\n\n<iframe src="https://e.example/"></iframe>'
    result = convert(raw, Context("5", {}, lambda url: None, lambda url: url))
    assert '<td colspan="2">結合</td>' in result.markdown
    assert '<iframe src="https://e.example/"></iframe>' in result.markdown
    assert result.kept_html == ["<iframe>", "<table>"]


def test_captions_galleries_embeds_and_media_shortcodes():
    caption = '[caption id="attachment_7" width="300"]<a href="https://old.example/a.jpg">'
    caption += '<img src="https://old.example/a.jpg" alt="部隊" /></a> 撮影: 国防省[/caption]'
    assert markdown(caption) == '![部隊](https://old.example/a.jpg "撮影: 国防省")\n'
    assert markdown("[gallery]") == (  # no ids: the post's own attachments, in order
        '![部隊](https://old.example/a.jpg "国防省提供")\n\n![地図](https://old.example/b.jpg)\n'
    )
    block = (
        '<!-- wp:embed {"url":"https://youtu.be/x"} -->\n<figure class="wp-block-embed">'
        '<div class="wp-block-embed__wrapper">\nhttps://youtu.be/x\n</div></figure>\n'
        "<!-- /wp:embed -->"
    )
    assert markdown(block) == "<https://youtu.be/x>\n"
    assert markdown("[audio https://old.example/s.mp3]") == "<https://old.example/s.mp3>\n"
    assert markdown("本文。\n\n[embed]https://x.example/v[/embed]") == (
        "本文。\n\n<https://x.example/v>\n"
    )


def test_more_marks_the_summary_and_unknown_shortcodes_are_reported():
    result = convert(
        '要約になる段落。\n\n<!--more-->\n\n続き [poll id="3"] と [注記] です。',
        Context("5", {}, lambda url: None, lambda url: url),
    )
    assert result.more == "要約になる段落。"
    assert result.markdown == '要約になる段落。\n\n続き [poll id="3"] と [注記] です。\n'
    assert result.shortcodes == ["[poll]"]


def test_comment_html_becomes_plain_text_with_no_markup():
    raw = (
        "<p>同意します。<br>\n特に<strong>ここ</strong>。</p><blockquote>引用1\n引用2</blockquote>"
        '<a href="https://src.example/x">出典</a> <script>alert(1)</script><img src=x alt="図">'
        "&lt;b&gt;"
    )
    assert comment_text(raw) == (
        "同意します。\n特にここ。\n\n> 引用1\n> 引用2\n\n出典 https://src.example/x 図<b>"
    )
