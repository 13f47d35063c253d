"""The output folder: blogsmith replaces and removes only files it wrote there itself."""

from __future__ import annotations

import os
import re

import pytest
from conftest import article, run_cli

REFUSED = "is not empty and was not made by blogsmith, so nothing in it is changed"


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_folder_blogsmith_did_not_make_is_refused_and_left_as_it_was(make_site, tmp_path):
    site = make_site({"content/a.md": article("一", "2022-08-01")})
    for name, files in {
        "notes": {"notes.txt": b"mine"},
        "other-site": {"index.html": b"<p>another site</p>", "css/x.css": b"a{}"},
    }.items():
        folder = tmp_path / name
        for relative, data in files.items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_bytes(data)
        before = snapshot(folder)
        for command in ("build", "serve"):
            port = ["--port", "0"] if command == "serve" else []
            run = run_cli(command, "--site", site, "--output", folder, *port)
            assert run.returncode == 1, (command, run.stdout, run.stderr)
            assert REFUSED in run.stderr and "Traceback" not in run.stderr
            assert snapshot(folder) == before
    # The site's own folders too (the old check), and a file given as the folder.
    assert run_cli("build", "--site", site, "--output", site / "content").returncode == 1
    assert (site / "content/a.md").is_file()
    lone = tmp_path / "file.txt"
    lone.write_text("x")
    run = run_cli("build", "--site", site, "--output", lone)
    assert run.returncode == 1 and "is a file, not a folder" in run.stderr
    assert "Traceback" not in run.stderr and lone.read_text() == "x"


def test_a_marked_checkout_keeps_everything_blogsmith_did_not_write(make_site, tmp_path):
    site = make_site(
        {
            "content/a.md": article("一", "2022-08-01"),
            "content/b.md": article("二", "2022-08-02"),
        }
    )
    pages = tmp_path / "gh-pages"
    (pages / ".git/objects").mkdir(parents=True)
    (pages / ".git/HEAD").write_text("ref: refs/heads/gh-pages\n")
    (pages / "CNAME").write_text("news.example.org\n")
    (pages / ".blogsmith-output").write_text("")  # the owner says blogsmith may write here
    assert run_cli("build", "--site", site, "--output", pages).returncode == 0
    assert (pages / "europe/b/index.html").is_file()
    owned = set((pages / ".blogsmith-output").read_text().splitlines())
    assert "europe/b/index.html" in owned and "CNAME" not in owned
    assert not any(path.startswith(".git") for path in owned)
    (site / "content/b.md").unlink()
    assert run_cli("build", "--site", site, "--output", pages, "--no-cache").returncode == 0
    assert not (pages / "europe/b").exists()
    assert (pages / "CNAME").read_text() == "news.example.org\n"
    assert (pages / ".git/HEAD").is_file() and (pages / ".git/objects").is_dir()


def test_a_file_blogsmith_did_not_write_is_never_replaced(make_site, tmp_path):
    site = make_site({"content/a.md": article("一", "2022-08-01")})
    out = tmp_path / "out"
    out.mkdir()
    (out / ".blogsmith-output").write_text("")
    (out / "index.html").write_text("someone else's page")
    (out / "europe").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, out / "europe/a")  # a folder that leads out of the output
    run = run_cli("build", "--site", site, "--output", out)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "holds files blogsmith did not write where it would write: " in run.stderr
    assert "index.html" in run.stderr and "europe/a/index.html" in run.stderr
    assert (out / "index.html").read_text() == "someone else's page"
    assert list(elsewhere.iterdir()) == []
    assert not (out / "europe/a/index.html").exists()


def test_its_own_output_is_rebuilt_and_cleaned_as_before(make_site, tmp_path):
    site = make_site({"content/a.md": article("一", "2022-08-01")})
    out = tmp_path / "public"
    assert run_cli("build", "--site", site, "--output", out).returncode == 0
    (out / "stray.txt").write_text("left by hand")  # not blogsmith's: kept
    (site / "content/b.md").write_text(article("二", "2022-08-02"))
    assert run_cli("build", "--site", site, "--output", out, "--no-cache").returncode == 0
    assert (out / "europe/b/index.html").is_file() and (out / "stray.txt").is_file()
    (site / "content/b.md").unlink()
    assert run_cli("build", "--site", site, "--output", out).returncode == 0
    assert not (out / "europe/b").exists() and (out / "stray.txt").read_text() == "left by hand"


def test_a_second_build_of_the_same_output_at_once_is_refused(make_site):
    from blogsmith.output.writer import writing

    site = make_site({"content/a.md": article("一", "2022-08-01")})
    assert run_cli("build", "--site", site).returncode == 0
    before = snapshot(site / "public")
    (site / "content/b.md").write_text(article("二", "2022-08-02"))
    with writing(site / "public"):  # as a build running now holds it
        run = run_cli("build", "--site", site)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "another blogsmith build is writing it right now" in run.stderr
    assert snapshot(site / "public") == before
    assert run_cli("build", "--site", site).returncode == 0  # once it is done, it builds
    assert (site / "public/europe/b/index.html").is_file()


def test_a_build_stopped_while_indexing_leaves_no_stale_index(make_site, tmp_path, monkeypatch):
    """The index is written with the pages, in one commit: a build that dies while making it
    changes nothing, and the next build's index equals a clean build's."""
    import pytest
    from conftest import tree

    import blogsmith.output.search.index as index
    from blogsmith.build import build

    site = make_site(
        {
            "content/a.md": article("空母の試験", "2022-08-01"),
            "content/b.md": article("戦車の量産", "2022-08-02"),
        }
    )
    out, cache = site / "public", site / ".public.blogsmith-cache"
    build(site, out, cache_dir=cache)
    before = snapshot(out)
    (site / "content/a.md").write_text(article("空母の改修", "2022-08-01"))
    staged = index._Update._put

    def dies_midway(self, name, data):
        staged(self, name, data)
        raise KeyboardInterrupt  # as a Ctrl-C, or a kill, in the middle of the index

    monkeypatch.setattr(index._Update, "_put", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        build(site, out, cache_dir=cache)
    assert snapshot(out) == before
    monkeypatch.undo()
    build(site, out, cache_dir=cache)
    build(site, tmp_path / "clean")
    assert tree(out) == tree(tmp_path / "clean")
    assert not (site / ".public.staging").exists()


KILLS_A_WORKER = """
import os, signal, sys
from pathlib import Path
import blogsmith.render.batch as build
parent = os.getpid()
render = build._render_slice
def dies(start, stop):
    if os.getpid() != parent:  # in a worker: killed, as the system kills for lack of memory
        os.kill(os.getpid(), signal.SIGKILL)
    return render(start, stop)
build._render_slice = dies
sys.argv[1:] = ["build", "--site", sys.argv[1]]
from blogsmith.cli import run
run()
"""


def test_a_killed_worker_stops_the_build_with_a_message_instead_of_hanging(make_site):
    import subprocess
    import sys

    site = make_site(
        {f"content/a{n}.md": article(f"記事{n}", f"2022-08-{n % 28 + 1:02d}") for n in range(420)}
    )
    run = subprocess.run(
        [sys.executable, "-c", KILLS_A_WORKER, str(site)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "BLOGSMITH_WORKERS": "2"},
    )
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert "a worker process stopped without finishing its work" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (site / "public").exists() and not (site / ".public.staging").exists()


def test_links_out_of_the_site_and_devices_are_never_read_or_published(make_site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("machine secret")
    site = make_site(
        {
            "content/a.md": article("一", "2022-08-01"),
            "static/images/real.png": b"\x89PNG real",
        }
    )
    os.symlink(secret, site / "static/leak.txt")
    os.symlink("/dev/zero", site / "static/zero.bin")
    os.symlink(secret, site / "content/leak.md")
    os.symlink(site / "static/images/real.png", site / "static/alias.png")  # inside: fine
    for command in ("check", "build"):
        run = run_cli(command, "--site", site)
        assert run.returncode == 1 and "Traceback" not in run.stderr, command
        lines = run.stderr.splitlines()
        outside = "outside the site; blogsmith does not follow links out of the site: copy the "
        assert lines == [
            f"content/leak.md: is a symbolic link to {secret}, {outside}file here instead",
            f"static/leak.txt: is a symbolic link to {secret}, {outside}file here instead",
            f"static/zero.bin: is a symbolic link to /dev/zero, {outside}file here instead",
            lines[-1],
        ], command
    assert not (site / "public").exists()
    for name in ("leak.txt", "zero.bin", "leak.md"):
        ((site / "static" / name) if name != "leak.md" else (site / "content" / name)).unlink()
    os.mkfifo(site / "static/pipe")  # reading a pipe would wait for ever
    run = run_cli("build", "--site", site)
    assert run.returncode == 1
    assert run.stderr.splitlines()[0] == (
        "static/pipe: is not a regular file (a device, pipe or socket); remove it"
    )
    (site / "static/pipe").unlink()
    assert run_cli("build", "--site", site).returncode == 0
    assert (site / "public/alias.png").read_bytes() == b"\x89PNG real"
    assert "machine secret" not in "".join(
        p.read_text(errors="replace") for p in (site / "public").rglob("*") if p.is_file()
    )


def test_control_characters_pasted_into_an_article_never_reach_its_pages_or_feeds(make_site):
    import xml.etree.ElementTree as ElementTree

    site = make_site(
        {
            "content/a.md": "---\ntitle: 停戦\x0b合意\ndate: 2022-08-01 10:00\ncategory: europe\n"
            'summary: "要約\\vです"\n---\n\n本文に\x00制御\x0c文字。\n',
        }
    )
    run = run_cli("build", "--site", site)
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines()[0] == (
        "content/a.md:2: warning: control character U+000B removed (3 in this file): HTML and "
        "feeds cannot hold such characters; delete them from the file"
    )
    out = site / "public"
    feed = ElementTree.parse(out / "feed.xml")  # well-formed XML
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.find(f"{atom}entry/{atom}title").text == "停戦合意"
    for path in out.rglob("*"):
        if path.suffix in (".html", ".xml"):
            text = path.read_text(encoding="utf-8")
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text), path
    assert "要約です" in (out / "feed.xml").read_text(encoding="utf-8")


def test_printed_values_lose_forbidden_characters_beside_rare_plane_ones():
    from markupsafe import Markup

    from blogsmith.render.pages import _allowed_characters as shown

    assert shown("𠮷野家\x0bの\U0002fffe牛丼") == "𠮷野家の牛丼"  # a rare plane kept, its end not
    assert shown("𠮷野家") == "𠮷野家"
    assert shown(Markup("<b>\x00</b>")) == Markup("<b></b>")
    assert type(shown(Markup("<b>\x00</b>"))) is Markup
    assert shown(7) == 7


class Text(str):
    """A str of another kind: escaped the long way, as Jinja would."""


class Html:
    """An object that says its own HTML."""

    def __html__(self) -> str:
        return "<em>own</em>"


def test_printed_values_are_cleaned_and_escaped_as_jinja_would_in_one_call(tmp_path):
    import datetime

    import jinja2
    from markupsafe import Markup, escape

    from blogsmith.render.pages import _allowed_characters, _environment, _printed

    class Shown(Markup):
        """Markup of another kind."""

    values = [
        "a & b < c > d ' e \" f",
        "行\n\x0b<改行>",
        "𠮷\x00&",
        Markup("<b>\x07&amp;</b>"),
        Markup(""),
        42,
        -7,
        True,
        None,
        datetime.date(2022, 8, 1),
        ["<x>", "\x0c"],
        Text("<t>\x0b"),
        Shown("<s>\x0b"),
        Html(),
    ]
    for value in values:
        assert _printed(value) == str(escape(_allowed_characters(value))), value
    env = _environment(tmp_path, tmp_path)
    page = env.from_string(
        "{{ a }}|{% autoescape false %}{{ a }}{% endautoescape %}|"
        "{% autoescape flag %}{{ a }}{% endautoescape %}|{{ m }}"
    )
    shown = page.render(a="<\x0b>", m=Markup("<i>\x0c</i>"), flag=True)
    assert shown == "&lt;&gt;|<>|&lt;&gt;|<i></i>"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_interface_strings_read_as_keys_and_attributes_alike(tmp_path):
    from blogsmith.core.i18n import STRINGS
    from blogsmith.render.pages import _environment, _Strings

    strings = _Strings({**STRINGS["en"], "items": "Items"})
    assert strings == {**STRINGS["en"], "items": "Items"}
    page = _environment(tmp_path, tmp_path).from_string(
        "{{ t.comments }}|{{ t['comments'] }}|{{ t[kind] }}|"
        "{{ t['items'] }}|{{ t.items is callable }}"
    )
    comments = STRINGS["en"]["comments"]
    assert page.render(t=strings, kind="comments") == f"{comments}|{comments}|{comments}|Items|True"


BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 10) if previous else 'x, x, x, x, x'}]\n"
    for previous, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


def test_yaml_alias_bombs_are_located_errors_not_hangs(make_site):
    import time

    from conftest import DEFAULT_CONFIG

    front = "---\ntitle: 爆弾\ndate: 2022-08-01 10:00\n" + BOMB + "category: *i\n---\n\n本文。\n"
    levels = "".join(f"- {line.split(': ', 1)[1]}\n" for line in BOMB.splitlines())
    thread = levels + "- id: *i\n  author: 読者\n  date: 2022-08-01 10:00\n  body: *i\n"
    site = make_site(
        {
            "content/a.md": front,
            "content/b.md": article("二", "2022-08-02"),
            "content/b.comments.yaml": thread,
        }
    )
    for command in ("check", "build"):
        started = time.monotonic()
        run = run_cli(command, "--site", site)
        assert time.monotonic() - started < 20, command
        assert run.returncode == 1 and "Traceback" not in run.stderr
        lines = run.stderr.splitlines()
        assert lines[0].startswith("content/a.md:2: ") and "aliases (*name)" in lines[0], lines
        assert lines[1].startswith("content/b.comments.yaml:1: "), lines
        assert "aliases (*name) repeat values so often" in lines[1], lines
    (site / "blogsmith.yaml").write_text(DEFAULT_CONFIG + BOMB + "description: *i\n")
    run = run_cli("build", "--site", site)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.splitlines()[0].startswith("blogsmith.yaml:1: ")


def flow_bomb(item: str) -> str:
    """BOMB's nine levels in flow style, each written as `item` names it (no space before
    an anchor)."""
    return ",".join(
        item.format(name=name, values=",".join([f"*{previous}"] * 10) if previous else "x,x,x,x,x")
        for previous, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
    )


FLOW_BOMB = "[" + flow_bomb("&{name} [{values}]") + "]"


def test_a_flow_style_alias_bomb_is_found_too():
    """Anchors right after '[', ',' or a quoted key's ':' (no space) are anchors all the
    same."""
    from blogsmith.core.yamlread import YamlSyntaxError, parse

    assert "&" in FLOW_BOMB and " &" not in FLOW_BOMB
    with pytest.raises(YamlSyntaxError, match="repeat values so often"):
        parse(FLOW_BOMB)
    with pytest.raises(YamlSyntaxError, match="repeat values so often"):
        parse("key: {one: " + FLOW_BOMB + "}")
    keyed = "{" + flow_bomb('"{name}":&{name} [{values}]') + "}"
    assert " &" not in keyed and "[&" not in keyed and ",&" not in keyed
    with pytest.raises(YamlSyntaxError, match="repeat values so often"):
        parse(keyed)
    assert parse("title: Q&A, R&D\nbody: 'a &b'\n").data == {"title": "Q&A, R&D", "body": "a &b"}


def test_hidden_files_hosts_need_are_published_and_others_are_named(make_site):
    site = make_site(
        {
            "content/a.md": article("一", "2022-08-01"),
            "static/.well-known/security.txt": "Contact: mailto:security@example.org\n",
            "static/.nojekyll": "",
            "static/.htaccess": "ErrorDocument 404 /404.html\n",
            "static/.notes.txt": "draft notes",
            "static/.DS_Store": "junk",
        }
    )
    run = run_cli("build", "--site", site)
    assert run.returncode == 0, run.stderr
    out = site / "public"
    assert (out / ".well-known/security.txt").read_text().startswith("Contact:")
    assert (out / ".nojekyll").is_file() and (out / ".htaccess").is_file()
    assert not (out / ".notes.txt").exists() and not (out / ".DS_Store").exists()
    assert run.stderr.splitlines() == [
        "static/.notes.txt: warning: not published: a hidden file (only .well-known/, .nojekyll "
        "and .htaccess are); rename it if it belongs on the site"
    ]
