"""Munition items: validated on construction, markings searchable in Hangul and romanised forms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armswatch.errors import InputError
from armswatch.munitions.csvfile import read_items_csv
from armswatch.munitions.group import group_items
from armswatch.munitions.item import MunitionItem
from armswatch.munitions.marking import Marking, marking_keys, matches
from armswatch.munitions.template import load_template


def item(**kw: object) -> MunitionItem:
    base: dict[str, object] = {"type": "rocket", "sources": ["https://example.org/report"]}
    return MunitionItem.from_dict(base | kw)


def test_hangul_marking_is_found_by_its_romanisations() -> None:
    m = Marking("방-122")
    assert m.script == "Hang" and m.romanised == "bang-122"
    for query in ("방-122", "bang 122", "BANG-122", "pang-122", "방"):
        assert matches(query, (m,)), query
    assert not matches("kn-23", (m,))
    assert marking_keys("Бан-122") >= {"бан122", "ban122"}


def test_item_validation_names_the_record() -> None:
    with pytest.raises(InputError, match="type must be one of"):
        item(type="banana", id="x")
    with pytest.raises(InputError, match="not a real date"):
        item(recovered_at="2024-02-30")
    with pytest.raises(InputError, match="http"):
        item(sources=["javascript:alert(1)"])
    with pytest.raises(InputError, match="ISO 3166"):
        item(recovered_country="Ukraine")
    with pytest.raises(InputError, match="both lat and lon"):
        item(lat=50.0)
    with pytest.raises(InputError, match="unknown item properties"):
        item(colour_of_sky="blue")
    made = item(family="Grad", recovered_place="Bakhmut", recovered_at="2024-05")
    assert made.id == "grad-rocket-bakhmut-2024-05"
    assert MunitionItem.from_dict(made.to_dict()) == made


def test_shared_lot_is_stronger_than_a_shared_marking() -> None:
    a = item(id="a", lot="L-17", markings=["방-122"], recovered_at="2024-03")
    b = item(id="b", lot="l 17", markings=["bang-122"], recovered_at="2023-11")
    c = item(id="c", markings=["방-122"])
    groups = {(g.basis, g.items): g for g in group_items([a, b, c])}
    lot = groups[("lot", ("a", "b"))]
    assert lot.confidence == "likely" and lot.first_recovered == "2023-11"
    marking = groups[("marking", ("a", "b", "c"))]
    assert marking.confidence == "likely"  # three items, weak basis
    unsourced = item(id="d", markings=["방-122"], sources=[])
    [weak] = group_items([unsourced, item(id="e", markings=["bang-122"])])
    assert weak.confidence == "unlikely"


def test_template_keeps_sources_and_no_invented_markings() -> None:
    items = {i.id: i for i in load_template("dprk-russia")}
    assert all(i.sources and i.confidence_tag for i in items.values())
    rockets = items["grad-122mm-rockets-bang-122"]
    assert [m.text for m in rockets.markings] == ["방-122"]
    kharkiv = items["kharkiv-hwasong-11-debris-2024-01-02"]
    assert kharkiv.origin_country == "KP" and kharkiv.recovered_country == "UA"
    assert "not transcribed" in kharkiv.notes  # the handwritten consonant is not invented


def test_csv_bad_rows_are_counted_with_lines() -> None:
    data = "type,markings,recovered_at,sources\nrocket,방-122 | KN,2024,https://x.org\nshell,,2024-02-30,\n".encode()
    read = read_items_csv(data, "items.csv")
    assert [m.text for m in read.items[0].markings] == ["방-122", "KN"]
    [(reason, count)] = read.bad.items()
    assert count == 1 and read.first_bad[reason] == 3
    with pytest.raises(InputError, match=r"items.csv:line 3"):
        read_items_csv(data, "items.csv", strict=True)
    with pytest.raises(InputError, match="not UTF-8"):
        read_items_csv(b"type\n\xff\n", "bad.csv")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_csv_reader_never_crashes(data: bytes) -> None:
    try:
        read = read_items_csv(b"type,markings,lat,lon,recovered_at\n" + data, "fuzz.csv")
    except InputError:
        return
    assert all(isinstance(i, MunitionItem) for i in read.items)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_marking_text_is_keyed_or_refused(text: str) -> None:
    try:
        m = Marking(text)
    except InputError:
        return
    assert matches(m.text, (m,)) or not marking_keys(m.text)


def test_regressions_from_the_fuzz_campaign() -> None:
    # a row whose type cell is empty (the header has the column) was a TypeError
    read = read_items_csv(b"type,markings\n,abc\n", "items.csv")
    assert read.items == [] and sum(read.bad.values()) == 1
    with pytest.raises(InputError, match="lat, lon must be numbers"):
        MunitionItem.from_dict({"type": "shell", "lat": "north", "lon": "east"})
