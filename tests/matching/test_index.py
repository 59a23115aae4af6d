"""Candidate search returns the right entities without scoring every pair."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from armswatch.matching.index import CandidateIndex
from armswatch.matching.subject import Subject

PARTS = ["jong", "chol", "song", "ryong", "hyon", "nam", "il", "sik", "hak", "min"]


def _population(n: int = 3000) -> list[Subject]:
    rng = random.Random(5)
    out = []
    for i in range(n):
        name = (
            f"{rng.choice(['Kim', 'Ri', 'Pak', 'Choe'])} {rng.choice(PARTS).title()} {rng.choice(PARTS)}{i}"
        )
        out.append(Subject(f"e{i}", "Person", (name,), caption=name))
    out.append(Subject("target", "Person", ("KIM JONG UN",), caption="KIM JONG UN"))
    out.append(Subject("ship", "Vessel", ("CHON MA SAN",), imo=frozenset({"8660313"}), caption="CHON MA SAN"))
    out.append(Subject("firm", "Company", ("Korea Mining Development Trading Corporation",)))
    return out


def test_index_finds_variants() -> None:
    index = CandidateIndex(_population())
    for query in ["김정은", "Gim Jeong-eun", "Kim Jong-un"]:
        hits = index.screen(Subject("q", "Person", (query,)))
        assert hits and hits[0].subject.id == "target", query
    ship = index.screen(Subject("q", "Vessel", ("unknown",), imo=frozenset({"8660313"})))
    assert [h.subject.id for h in ship] == ["ship"]
    firm = index.screen(Subject("q", "Company", ("KOREA MINING DEVELOPMENT TRADING CORP",)))
    assert firm and firm[0].subject.id == "firm"


def test_candidates_are_limited() -> None:
    index = CandidateIndex(_population())
    cands = index.candidates(Subject("q", "Person", ("Kim Jong Un",)), limit=10)
    assert len(cands) <= 10
    assert index.subjects[cands[0]].id == "target"


def test_unknown_name_has_no_hits() -> None:
    index = CandidateIndex(_population(200))
    assert index.screen(Subject("q", "Person", ("Zbigniew Brzezinski",))) == []


def test_candidates_respect_schema() -> None:
    people = [Subject(f"p{i}", "Person", (f"Victory Person{i}",)) for i in range(40)]
    index = CandidateIndex([*people, Subject("ship", "Vessel", ("VICTORY",))])
    cands = index.candidates(Subject("q", "Vessel", ("Victory",)), limit=5)
    assert [index.subjects[c].id for c in cands] == ["ship"]
    assert all(
        index.subjects[c].schema == "Person" for c in index.candidates(Subject("q", "Person", ("Victory",)))
    )


_INDEX = CandidateIndex(_population(1500))


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=1499), st.sampled_from(["upper", "lower", "dehyphen"]))
def test_any_listed_name_is_found_in_any_case(i: int, style: str) -> None:
    subject = _INDEX.subjects[i]
    name = subject.names[0]
    query = {"upper": name.upper(), "lower": name.lower(), "dehyphen": name.replace("-", " ")}[style]
    hits = _INDEX.screen(Subject("q", "Person", (query,)))
    assert hits and hits[0].subject.id == subject.id and hits[0].result.score == 1.0
