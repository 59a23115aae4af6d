"""Cross-referencing lists on small hand-made records (pure: no workspace)."""

from __future__ import annotations

from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from armswatch.entities.identifier import (
    address_key,
    cited_references,
    entity_identifiers,
    identifier_values,
    note_identifiers,
)
from armswatch.entities.xref import (
    DEFAULT_THRESHOLD,
    Candidate,
    XrefRecord,
    pair_compatible,
    score_records,
    xref,
    xref_records,
)


def _entity(schema: str, entity_id: str, **props: Any) -> EntityProxy:
    entity = model.make_entity(schema)
    entity.id = entity_id
    for prop, values in props.items():
        for value in values if isinstance(values, list) else [values]:
            entity.add(prop, value)
    return entity


def _sanction(entity_id: str, ref: str) -> EntityProxy:
    return _entity("Sanction", f"{entity_id}-sanction", entity=entity_id, unscId=ref, authority="UN")


def _records(*groups: tuple[str, list[EntityProxy]]) -> list[XrefRecord]:
    out: list[XrefRecord] = []
    for dataset, entities in groups:
        out.extend(xref_records(entities, dataset))
    return out


def _pairs(cands: list[Candidate]) -> dict[frozenset[str], Candidate]:
    return {frozenset((c.left_id, c.right_id)): c for c in cands}


# A few dozen unrelated records so the name index has something to choose among.
FILLER = [
    _entity("Person", f"filler-{i}", name=f"{first} {last}")
    for i, (first, last) in enumerate(
        (f, surname)
        for f in ("Ahmad", "Maria", "Ivan", "Chen", "Omar", "Pak")
        for surname in ("Haddad", "Petrova", "Wong", "Osei", "Lindqvist")
    )
]


def test_identifier_values_keep_the_number_and_its_words() -> None:
    assert identifier_values("OB 0243318") == {"OB0243318", "0243318"}
    assert "D00000898" in identifier_values("CAR diplomatic passport no. D00000898")
    assert identifier_values("265") == set()  # too short to identify anyone
    assert identifier_values("Pyongyang") == set()  # no digits


def test_note_identifiers_read_labelled_numbers() -> None:
    note = (
        "DOB 24 Apr 1969; Cedula No. 10049353 (Venezuela); Passport 064906043 (Venezuela) expires "
        "12 Jan 2016; National ID No. 4839651760 (Iran); Registration ID 1027700003891 (Russia)."
    )
    keys = note_identifiers(note)
    assert {
        "national-id:10049353",
        "passport:064906043",
        "national-id:4839651760",
        "registration:1027700003891",
    } <= keys
    assert not any("1969" in k for k in keys)  # a birth date is not an identifier


def test_cited_references_tell_identity_from_relation() -> None:
    related = ["Longtime member of the ADF (CDe.001), second in command to Jamil Mukulu (CDi.015)."]
    assert cited_references(related) == (frozenset({"CDe.001", "CDi.015"}), frozenset())
    same = ["Also listed as KPi.066 under an older spelling."]
    assert cited_references(same) == (frozenset({"KPi.066"}), frozenset({"KPi.066"}))


def test_address_key_only_for_street_addresses() -> None:
    assert address_key("Pyongyang, North Korea") is None
    assert (
        address_key("Gulistan-e-Jauhar, Block 12, Karachi, Pakistan")
        == "gulistan e jauhar block 12 karachi pakistan"
    )


def test_shared_company_imo_number_pairs_records_with_different_names() -> None:
    un = _entity("Organization", "unsc-1", name="GREEN PINE ASSOCIATED CORPORATION", imoNumber="5342883")
    ofac = _entity("Organization", "ofac-1", name="CHONGSONG YONHAP", imoNumber="5342883")
    cands = _pairs(xref(_records(("un_sc", [un, *FILLER]), ("us_ofac_sdn", [ofac]))))
    cand = cands[frozenset({"unsc-1", "ofac-1"})]
    assert cand.score >= 0.95
    assert any("IMO 5342883 identical" in r for r in cand.reasons)


def test_shared_vessel_imo_and_different_imo_rules_out() -> None:
    a = _entity("Vessel", "ofac-10", name="CHON MA SAN", imoNumber="8660313")
    b = _entity("Vessel", "user-1", name="CHONMA", imoNumber="8660313")
    c = _entity("Vessel", "user-2", name="CHON MA SAN", imoNumber="9191503")  # another hull
    cands = _pairs(xref(_records(("us_ofac_sdn", [a]), ("mylist", [b, c]))))
    assert cands[frozenset({"ofac-10", "user-1"})].score >= 0.95
    assert frozenset({"ofac-10", "user-2"}) not in cands  # same name, different IMO: capped at 0.3


def test_shared_passport_from_the_remarks() -> None:
    un = _entity(
        "Person", "unsc-2", name="KIM YONG CHOL", passportNumber="PS 472310168", birthDate="1962-02-18"
    )
    twin = _entity("Person", "unsc-3", name="KIM YONG CHOL", birthDate="1962-02-18")  # no passport
    ofac = _entity(
        "Person",
        "ofac-2",
        name="KIM, Yong-chol",
        notes="DOB 18 Feb 1962; Passport 472310168 (Korea, North) expires 2020.",
    )
    records = _records(("un_sc", [un, twin, *FILLER]), ("us_ofac_sdn", [ofac]))
    assert "passport:472310168" in entity_identifiers(ofac)
    cand = _pairs(xref(records, across_only=True))[frozenset({"unsc-2", "ofac-2"})]
    assert cand.score == 1.0
    assert any(r.startswith("passport 472310168 identical") for r in cand.reasons)


def test_remark_stating_identity_pairs_two_records_of_one_list() -> None:
    first = _entity(
        "Person", "unsc-10", name="RI CHE SON", notes="Also listed as KPi.066 under another spelling."
    )
    second = _entity("Person", "unsc-11", name="Ri Je-son")
    entities = [first, second, _sanction("unsc-10", "KPi.001"), _sanction("unsc-11", "KPi.066"), *FILLER]
    cand = _pairs(xref(_records(("un_sc", entities))))[frozenset({"unsc-10", "unsc-11"})]
    assert cand.score >= 0.95
    assert "remarks say it is the record KPi.066" in cand.reasons


def test_remark_citing_a_related_party_is_not_a_match() -> None:
    deputy = _entity(
        "Person",
        "unsc-20",
        name="JAMIL MUKULU BALUKU",
        notes="Used to be the second in command to Jamil Mukulu (CDi.015).",
    )
    leader = _entity("Person", "unsc-21", name="JAMIL MUKULU")
    entities = [deputy, leader, _sanction("unsc-20", "CDi.036"), _sanction("unsc-21", "CDi.015")]
    records = _records(("un_sc", entities))
    cand = score_records(records[0], records[1])
    assert cand.score <= 0.6
    assert any("related party" in r for r in cand.reasons)
    assert frozenset({"unsc-20", "unsc-21"}) not in _pairs(xref(records))


def test_transliterated_names_hangul_and_cyrillic() -> None:
    un = [
        _entity("Person", "unsc-30", name="리제선", nationality="kp", birthDate="1938"),
        _entity("Person", "unsc-31", name="Сергей Викторович Лавров", birthDate="1950-03-21"),
    ]
    ofac = [
        _entity("Person", "ofac-30", name="RI, Je-Son", nationality="kp", birthDate="1938"),
        _entity("Person", "ofac-31", name="LAVROV, Sergei Viktorovich", birthDate="1950-03-21"),
    ]
    cands = _pairs(xref(_records(("un_sc", [*un, *FILLER]), ("us_ofac_sdn", ofac)), across_only=True))
    assert cands[frozenset({"unsc-30", "ofac-30"})].score >= DEFAULT_THRESHOLD
    assert cands[frozenset({"unsc-31", "ofac-31"})].score >= DEFAULT_THRESHOLD


def test_father_and_son_are_not_proposed() -> None:
    son = _entity(
        "Person", "unsc-40", name="MOHAMMAD BARZAN IBRAHIM HASAN AL-TIKRITI", birthDate="1972-11-02"
    )
    father = _entity("Person", "ofac-40", name="AL-TIKRITI, Barzan Ibrahim Hassan", birthDate="1951-02-17")
    records = _records(("un_sc", [son]), ("us_ofac_sdn", [father]))
    cand = score_records(records[0], records[1])
    assert cand.score <= 0.5
    assert any("21 years apart" in r for r in cand.reasons)
    assert xref(records) == []


def test_a_person_never_pairs_with_an_organisation() -> None:
    assert not pair_compatible("Person", "LegalEntity")
    assert pair_compatible("Organization", "LegalEntity")
    person = _entity("Person", "unsc-50", name="MOHAMMED ARMY")
    org = _entity("LegalEntity", "ofac-50", name="MOHAMMED ARMY")
    assert xref(_records(("un_sc", [person]), ("us_ofac_sdn", [org]))) == []


def test_top_keeps_the_best_candidates_and_across_only_drops_same_list_pairs() -> None:
    query = _entity("Organization", "unsc-60", name="KOREA TANGUN TRADING CORPORATION")
    others = [
        _entity("LegalEntity", f"ofac-6{i}", name=f"KOREA TANGUN TRADING CORPORATION {suffix}")
        for i, suffix in enumerate(("", "LTD", "CO", "GROUP"))
    ]
    same_list = _entity("Organization", "unsc-61", name="KOREA TANGUN TRADING CORPORATION")
    records = _records(("un_sc", [query, same_list]), ("us_ofac_sdn", others))
    everything = xref(records, threshold=0.5, top=0)
    one_each = xref(records, threshold=0.5, top=1)
    assert len(one_each) < len(everything)
    per_record = {c.left_id for c in one_each} | {c.right_id for c in one_each}
    assert per_record <= {r.id for r in records}
    across = xref(records, threshold=0.5, top=0, across_only=True)
    assert frozenset({"unsc-60", "unsc-61"}) in _pairs(everything)
    assert all(c.left_dataset != c.right_dataset for c in across)


def test_candidate_row_has_the_documented_columns() -> None:
    cand = Candidate("a", "A", "x", "b", "B", "y", 0.9, ("one", "two"))
    assert list(cand.as_row()) == [
        "left_id",
        "left_name",
        "left_dataset",
        "right_id",
        "right_name",
        "right_dataset",
        "score",
        "reasons",
    ]
    assert cand.as_row()["reasons"] == "one; two"


def test_a_pairs_score_does_not_depend_on_the_threshold() -> None:
    """Both directions are always tried and the matcher's own threshold words the reasons."""
    un = _entity("Person", "unsc-70", name="AIMAN MUHAMMED RABI AL-ZAWAHIRI", birthDate="1951-06-19")
    ofac = _entity("Person", "ofac-70", name="AL ZAWAHIRI, Dr. Ayman", birthDate="1951-06-19")
    records = _records(("un_sc", [un, *FILLER]), ("us_ofac_sdn", [ofac]))
    low = _pairs(xref(records, threshold=0.0, top=0))[frozenset({"unsc-70", "ofac-70"})]
    default = _pairs(xref(records))[frozenset({"unsc-70", "ofac-70"})]
    assert low == default and low.score >= DEFAULT_THRESHOLD
