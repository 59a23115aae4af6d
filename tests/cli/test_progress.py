"""Progress bars: a known total shows done/total, an unknown one a count (never 0/?); off when quiet
or when standard error is not a terminal."""

from __future__ import annotations

import io
import sys

import pytest
from rich.console import Console

from armswatch.cli import common


@pytest.fixture()
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    buf = io.StringIO()
    monkeypatch.setattr(common, "err_console", Console(file=buf, force_terminal=True, width=100))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    return buf


def test_known_total_from_len(terminal: io.StringIO) -> None:
    assert list(common.track([1, 2, 3], "items")) == [1, 2, 3]
    text = terminal.getvalue()
    assert "3/3" in text and "/?" not in text


def test_unknown_total_shows_a_count(terminal: io.StringIO) -> None:
    assert sum(common.track(iter(range(5)), "lines")) == 10
    text = terminal.getvalue()
    assert "5" in text and "/?" not in text and "0/?" not in text


def test_quiet_prints_nothing(terminal: io.StringIO) -> None:
    assert list(common.track([1, 2], "items", quiet=True)) == [1, 2]
    assert terminal.getvalue() == ""


def test_off_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert not common.progress_enabled()
