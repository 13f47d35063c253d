"""Templates are read without their lines' indentation, but where spaces are content."""

from __future__ import annotations

import re

from conftest import article, run_cli

from blogsmith.render.unindented import unindented


def test_leading_spaces_and_tabs_go_and_lines_keep_their_numbers():
    source = "<ul>\n    <li>{{ a }}</li>\n\t\t<li>b  c</li>\n</ul>\n"
    assert unindented(source) == "<ul>\n<li>{{ a }}</li>\n<li>b  c</li>\n</ul>\n"


def test_what_is_inside_pre_textarea_script_and_style_is_kept():
    source = (
        "<div>\n"
        '  <pre class="x">one\n'
        "    two\n"
        "  </pre>\n"
        "  <textarea>\n"
        "    typed\n"
        "  </textarea><p>\n"
        "    after\n"
        "  <SCRIPT>\n"
        "    if (a) {\n"
        "      b();\n"
        "    }\n"
        "  </script >\n"
        "  <style>\n"
        "    p { margin: 0 }\n"
        "  </style>\n"
        "</div>\n"
    )
    assert unindented(source) == (
        "<div>\n"
        '<pre class="x">one\n'
        "    two\n"
        "  </pre>\n"
        "<textarea>\n"
        "    typed\n"
        "  </textarea><p>\n"
        "after\n"
        "<SCRIPT>\n"
        "    if (a) {\n"
        "      b();\n"
        "    }\n"
        "  </script >\n"
        "<style>\n"
        "    p { margin: 0 }\n"
        "  </style>\n"
        "</div>\n"
    )


def test_an_element_opened_and_closed_on_one_line_ends_there():
    source = "  <pre>x</pre>\n    <p>y</p>\n"
    assert unindented(source) == "<pre>x</pre>\n<p>y</p>\n"


def test_built_pages_carry_no_indentation_but_code_keeps_its_own(make_site, tmp_path):
    body = "前文です。\n\n```\ndef f():\n    return 1\n```\n"
    site = make_site({"content/europe/a.md": article(title="コード", body=body)})
    output = tmp_path / "public"
    result = run_cli("build", "--site", site, "--output", output, "-q")
    assert result.returncode == 0, result.stderr
    html = (output / "europe/a/index.html").read_text(encoding="utf-8")
    assert "def f():\n    return 1" in html
    outside = re.sub(r"<(pre|script|style|textarea)\b.*?</\1>", "", html, flags=re.S)
    indented = [line for line in outside.split("\n") if line[:1] in (" ", "\t")]
    assert indented == []
