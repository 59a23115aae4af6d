"""The provisions file: paragraphs only where verified, sources on every provision, clean errors."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armswatch.errors import InputError, NotFoundError
from armswatch.violations.provision import get_provision, parse_provisions, provisions

RESOLUTIONS = {"1718", "1874", "2087", "2094", "2270", "2321", "2371", "2375", "2397"}


def test_every_resolution_of_the_issue_is_covered_and_sourced() -> None:
    provs = provisions()
    assert {p.resolution for p in provs.values()} == RESOLUTIONS
    for p in provs.values():
        assert p.sources and p.document.startswith("https://undocs.org/S/RES/" + p.resolution)
        assert p.paragraph_verified == bool(p.paragraph)


def test_citations_say_when_a_paragraph_is_not_verified() -> None:
    assert get_provision("1718-8b").citation == "UNSCR 1718 (2006), para. 8(b)"
    assert get_provision("2371-vessels").citation == "UNSCR 2371 (2017) (paragraph not verified)"
    # paragraphs the fact base marks "not verified" stay unnumbered
    assert not get_provision("2397-vessels").paragraph_verified
    with pytest.raises(NotFoundError, match="no provision"):
        get_provision("9999-1")


GOOD = """
[[provision]]
id = "1718-8b"
resolution = "1718"
year = 2006
adopted = "2006-10-14"
paragraph = "8(b)"
paragraph_verified = true
topics = ["x"]
summary = "s"
document = "https://undocs.org/S/RES/1718(2006)"
sources = ["https://example.org/a"]
"""


def test_a_paragraph_without_verification_is_refused() -> None:
    assert "1718-8b" in parse_provisions(GOOD)
    with pytest.raises(InputError, match="exactly when it is verified"):
        parse_provisions(GOOD.replace("paragraph_verified = true", "paragraph_verified = false"))
    with pytest.raises(InputError, match="appears twice"):
        parse_provisions(GOOD + GOOD)
    with pytest.raises(InputError, match="https URLs"):
        parse_provisions(GOOD.replace("https://example.org/a", "javascript:alert(1)"))
    with pytest.raises(InputError, match="disagree"):
        parse_provisions(GOOD.replace("year = 2006", "year = 2009"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_parsed_or_refused_cleanly(text: str) -> None:
    with contextlib.suppress(InputError):
        parse_provisions(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(GOOD) - 1), st.text(min_size=1, max_size=8))
def test_mutated_provisions_are_parsed_or_refused_cleanly(pos: int, junk: str) -> None:
    with contextlib.suppress(InputError):
        parse_provisions(GOOD[:pos] + junk + GOOD[pos + 1 :])
