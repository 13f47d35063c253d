import io

from blogsmith.core import progress
from blogsmith.core.progress import ProgressBar


def test_nothing_is_drawn_for_a_quick_build():
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar(1, 10)
    bar.clear()
    assert stream.getvalue() == ""


def test_a_slow_build_draws_a_bar_on_one_line_and_clears_it(monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 0.0)
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar(5, 10)
    assert stream.getvalue() == "\rrendering [###############---------------] 5/10"
    bar.clear()
    assert stream.getvalue().endswith("\r\x1b[K")
