"""A build prints a few warnings of each kind and how many more; `blogsmith check` prints all
of them, and errors are never left out."""

from __future__ import annotations

import io

import pytest
from conftest import article, run_cli
from PIL import Image

from blogsmith.core.errors import LocatedError, capped_warnings, warning_kind

NARROW = 30
"""Articles whose eyecatch is narrower than the column: one warning of one kind each."""


def picture(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (70, 90, 60)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def warned_site(make_site):
    files: dict[str, str | bytes] = {
        f"content/a/s{n:02d}.md": article(
            f"記事{n}", f"2022-09-{n + 1:02d} 10:00", eyecatch=f"{{image: /images/p{n:02d}.jpg}}"
        )
        for n in range(NARROW)
    }
    # Wide enough for Google, narrower than the 740 px column; each its own size and name.
    files |= {f"static/images/p{n:02d}.jpg": picture(300 + n, 200) for n in range(NARROW)}
    files["content/a/other.md"] = article("別の警告", "2022-10-01 10:00", colour="red")
    return make_site(files)


def warning_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": warning: " in line]


def narrow(line: str) -> bool:
    return "narrower than the 740 px" in line


def test_a_build_prints_five_of_a_kind_and_a_count_check_prints_all(warned_site):
    built = run_cli("build", "--site", warned_site)
    assert built.returncode == 0, built.stderr
    lines = built.stderr.splitlines()
    shown = [line for line in lines if narrow(line)]
    assert shown == [
        f"content/a/s{n:02d}.md:5: warning: eyecatch image /images/p{n:02d}.jpg is "
        f"{300 + n}x200 px, narrower than the 740 px an article shows it at, so it looks "
        "blurred; use one at least that wide"
        for n in range(5)
    ]
    count = f"… and {NARROW - 5} more like this; blogsmith check lists them all"
    assert lines[lines.index(shown[-1]) + 1] == count  # right after the last one shown
    assert lines.count(count) == 1
    assert "content/a/other.md:5: warning: unknown field 'colour' is ignored" in lines
    assert len(warning_lines(built.stderr)) == 6
    assert built.stdout.startswith("built ")

    checked = run_cli("check", "--site", warned_site)
    assert checked.returncode == 0, checked.stderr
    assert len(warning_lines(checked.stderr)) == NARROW + 1
    assert len([line for line in checked.stderr.splitlines() if narrow(line)]) == NARROW
    assert "more like this" not in checked.stderr

    again = run_cli("build", "--site", warned_site)  # nothing changed: the cache's warnings
    assert again.returncode == 0, again.stderr
    assert " 0 written" in again.stdout
    assert again.stderr == built.stderr


def test_quiet_prints_no_warnings_and_no_count(warned_site):
    quiet = run_cli("build", "--site", warned_site, "-q")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_errors_are_never_capped_and_the_warnings_beside_them_are(warned_site):
    for n in range(12):
        (warned_site / f"content/a/bad{n:02d}.md").write_text(
            article(f"誤り{n}", f"2022-08-{n + 1:02d} 10:00", category=f"nowhere{n}"),
            encoding="utf-8",
        )
    failed = run_cli("build", "--site", warned_site)
    assert failed.returncode == 1
    lines = failed.stderr.splitlines()
    errors = [line for line in lines if line.startswith("content/a/bad")]
    assert len(errors) == 12
    assert lines[-1] == "12 errors; nothing was written; the previous output is unchanged"
    assert len(warning_lines(failed.stderr)) <= 6
    checked = run_cli("check", "--site", warned_site)
    assert checked.returncode == 1
    assert len([line for line in checked.stderr.splitlines() if narrow(line)]) == NARROW


def test_a_kind_is_the_message_without_the_names_of_files_and_values():
    small = "eyecatch image /images/{0}.jpg is {1}x{2} px, narrower than the 740 px"
    assert warning_kind(small.format("a", 1, 1)) == warning_kind(small.format("b/c", 640, 480))
    assert warning_kind("unknown field 'colour' is ignored") == warning_kind(
        "unknown field 'tgas' is ignored; did you mean 'tags'?".split(";")[0]
    )
    assert warning_kind("unknown field 'colour' is ignored") != warning_kind(
        "image /images/x.png not found: add static/images/x.png"
    )


def test_the_count_follows_the_last_one_shown_of_its_kind():
    said = [LocatedError(f"a{n}.md", 1, f"image /i/{n}.png is too small") for n in range(7)]
    said.insert(3, LocatedError("b.md", 2, "something else"))
    shown = capped_warnings(said, 5)
    assert [s.warning.path for s in shown] == ["a0.md", "a1.md", "a2.md", "b.md", "a3.md", "a4.md"]
    assert [s.more for s in shown] == [0, 0, 0, 0, 0, 2]
    assert [s.more for s in capped_warnings(said, None)] == [0] * 8
    exactly = capped_warnings(said[:6], 5)  # five of a kind: nothing left out, no count
    assert [s.more for s in exactly] == [0] * 6
