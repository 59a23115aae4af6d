"""Pair scoring: the behaviours analysts rely on, including the ones that must NOT match."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armswatch.entities.compare import compare_names_pair
from armswatch.matching.score import DEFAULT_THRESHOLD, score_pair
from armswatch.matching.subject import Subject

MATCHES = [
    ("Person", "Kim Jong Un", "김정은"),
    ("Person", "Kim Jong-un", "KIM JONG UN"),
    ("Person", "Gim Jeong-eun", "Kim Jong Un"),
    ("Person", "Ri Pyong Chol", "Rhee Pyong-chol"),
    ("Person", "Lee Byeong-cheol", "Ri Pyong Chol"),
    ("Person", "Pak Yong Sik", "Park Yong-sik"),
    ("Person", "Sergei Lavrov", "Сергей Лавров"),
    ("Person", "Serhiy Lavrov", "Sergey Lavrov"),
    ("Person", "Sergej Lavrov", "Sergey Viktorovich LAVROV"),
    ("Person", "Володимир Зеленський", "Volodymyr Oleksandrovych Zelenskyy"),
    ("Person", "PUTIN, Vladimir", "Vladimir Putin"),
    ("Person", "Mr. Vladimir Putin", "Vladimir Putin"),
    ("Person", "Hans J Friedrich", "Hans Joachim Friedrich"),
    ("Person", "Xi Jinping", "习近平"),
    ("Company", "ООО Ромашка", "Romashka LLC"),
    ("Company", "OOO Romashka", "Romashka Limited Liability Company"),
    ("Company", "Samsung Electronics Co., Ltd.", "Samsung Electronics Company Limited"),
    ("Company", "Siemens AG", "Siemens Aktiengesellschaft"),
    ("Person", "Choe Ryong Hae", "Choe Yong Hae"),  # DPRK vs South Korean initial r
    ("Person", "Ri Man Gon", "Ri Man Kon"),  # g/k, with n ending the syllable before
    ("Person", "Ri Man Gon", "리만건"),
    ("Company", "OAO Gazprom", "Open Joint Stock Company Gazprom"),
]
NON_MATCHES = [
    ("Person", "Kim Yo Jong", "Kim Jong Un"),
    ("Person", "Kim Jong Un", "Kim Jong Nam"),
    ("Person", "김종은", "김정은"),
    ("Person", "Sergey Ivanov", "Sergey Viktorovich LAVROV"),
    ("Person", "Hans O Friedrich", "Hans Joachim Friedrich"),
    ("Person", "A. Nazarbayev", "Nursultan Nazarbayev"),
    ("Person", "Salman bin Muhammad Al-Rawi", "Muhammad bin Salman Al-Rawi"),
    ("Company", "Deutsche Bank AG", "Deutsche Bank GmbH"),
    ("Company", "ANO Iskusstvo Krasoty", "OOO Iskusstvo Krasoty"),
    ("Company", "Management Company 23", "Management Company"),
    # A Korean given name is one unit: an extra syllable makes another name (철 vs 철호).
    ("Person", "Ri Chol", "Ri Chol Ho"),
    ("Person", "Pak Chol Su", "Pak Chol"),
    ("Person", "Kim Il", "Kim Il Sung"),
    ("Person", "Ri Chol", "Ri Ho Chol"),
    ("Person", "KIM SONG CHOL", "KIM, Song"),
    # Once romanisation is folded away, another syllable is another name (용 / 송 / 동).
    ("Person", "KIM YONG CHOL", "KIM, Song Chol"),
    ("Person", "Kim Yong Chol", "Kim Tong-chol"),
    ("Person", "Ri Su Yong", "Ri Su Yon"),
]


@pytest.mark.parametrize(("schema", "a", "b"), MATCHES)
def test_variants_match(schema: str, a: str, b: str) -> None:
    result = compare_names_pair(schema, a, b)
    assert result.match, (a, b, result)
    assert result.explanation


@pytest.mark.parametrize(("schema", "a", "b"), NON_MATCHES)
def test_different_names_do_not_match(schema: str, a: str, b: str) -> None:
    result = compare_names_pair(schema, a, b)
    assert not result.match, (a, b, result)


def test_explanations_in_words() -> None:
    assert "Korean romanisation" in compare_names_pair("Person", "Gim Jeong-eun", "Kim Jong Un").explanation
    assert "legal forms" in compare_names_pair("Company", "ООО Ромашка", "Romashka LLC").explanation
    assert "yo" in compare_names_pair("Person", "Kim Yo Jong", "Kim Jong Un").explanation


def test_birth_year_and_country_adjust_score() -> None:
    base = Subject("q", "Person", ("Kim Jong Un",))
    listed = Subject(
        "e", "Person", ("Kim Jong Un",), birth_dates=("1984-01-08",), countries=frozenset({"kp"})
    )
    older = Subject("q2", "Person", ("Kim Jong Un",), birth_dates=("1950",))
    assert score_pair(base, listed).score == 1.0
    result = score_pair(older, listed)
    assert result.score < 1.0
    assert "birth year differs (1950 vs 1984)" in result.explanation


def test_vessel_imo_and_mmsi() -> None:
    listed = Subject(
        "v", "Vessel", ("CHONG CHON GANG",), former_names=("MOONLIGHT",), imo=frozenset({"7937317"})
    )
    renamed = Subject("q", "Vessel", ("Some New Name",), imo=frozenset({"7937317"}))
    assert score_pair(renamed, listed).score >= 0.95
    assert "IMO 7937317 identical" in score_pair(renamed, listed).explanation
    other_hull = Subject("q", "Vessel", ("CHONG CHON GANG",), imo=frozenset({"9161003"}))
    assert not score_pair(other_hull, listed).match
    former = Subject("q", "Vessel", ("Moonlight",))
    assert "former name" in score_pair(former, listed).explanation
    by_mmsi = Subject("q", "Vessel", ("X",), mmsi=frozenset({"445114000"}))
    assert score_pair(by_mmsi, Subject("v", "Vessel", ("Y",), mmsi=frozenset({"445114000"}))).match


def test_person_never_matches_vessel() -> None:
    assert score_pair(Subject("q", "Person", ("Victory",)), Subject("v", "Vessel", ("Victory",))).score == 0.0


names = st.lists(
    st.sampled_from(["kim", "jong", "un", "sergey", "lavrov", "ali", "hassan", "maria"]),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(names, names)
def test_scores_bounded_and_identity_is_perfect(a: list[str], b: list[str]) -> None:
    left, right = " ".join(a), " ".join(b)
    score = compare_names_pair("Person", left, right).score
    assert 0.0 <= score <= 1.0
    assert compare_names_pair("Person", left, left).score == 1.0
    assert compare_names_pair("Person", left, right).match == (score >= DEFAULT_THRESHOLD)


@settings(max_examples=40, deadline=None)
@given(names, st.sampled_from(["zzyzx", "quentin", "bartholomew"]))
def test_every_query_token_must_be_matched(a: list[str], extra: str) -> None:
    # A query with a distinctive extra name part never matches a name lacking it while the list
    # name has its own unmatched part.
    query = " ".join([*a, extra])
    listed = " ".join([*a, "ordinary"])
    assert not compare_names_pair("Person", query, listed).match


def test_query_rows_normalise_countries_and_dates() -> None:
    from armswatch.matching.subject import subject_from_row

    row = {
        "id": "1",
        "name": "Kim Jong Un",
        "schema": "Person",
        "country": "North Korea",
        "birth_date": "1984-01-08",
    }
    query = subject_from_row(row)
    assert query.countries == frozenset({"kp"})
    listed = Subject(
        "e", "Person", ("KIM JONG UN",), birth_dates=("1984-01-08",), countries=frozenset({"kp"})
    )
    result = score_pair(query, listed)
    assert "country identical (kp)" in result.explanation
    assert "birth date identical" in result.explanation
    unreadable = subject_from_row({**row, "country": "Atlantis", "birth_date": "sometime"})
    assert unreadable.countries == frozenset() and unreadable.birth_dates == ()


def test_feature_docs_and_evidence_functions() -> None:
    from armswatch.matching.score import birth_date_evidence, country_evidence, feature_docs

    docs = feature_docs()
    assert docs["imo_evidence"].startswith("IMO numbers identical")
    assert all(docs.values())
    a = Subject("a", "Person", ("x",), birth_dates=("1950",), countries=frozenset({"kp"}))
    b = Subject("b", "Person", ("x",), birth_dates=("1984-01-08",), countries=frozenset({"ru"}))
    assert birth_date_evidence(a, b) == -0.2
    assert country_evidence(a, b) == -0.1
    assert country_evidence(a, a) == 0.0


def test_imo_company_numbers_are_kept_for_companies_without_a_ship_check_digit() -> None:
    """IMO company numbers (UN and OFAC quote them) have no ship check digit; a ship's IMO does."""
    from followthemoney import model

    from armswatch.matching.subject import subject_from_entity, subject_from_row

    org = model.make_entity("Organization")
    org.id = "unsc-1"
    org.add("name", "KOREA YUJONG SHIPPING CO LTD")
    org.add("imoNumber", "5434358")
    listed = subject_from_entity(org)
    assert listed.imo == frozenset({"5434358"})
    query = subject_from_row({"id": "q", "name": "Yujong Shipping", "schema": "Company", "imo": "5434358"})
    assert query.imo == frozenset({"5434358"})
    result = score_pair(query, listed)
    assert "IMO 5434358 identical" in result.explanation
    ship = subject_from_row({"id": "v", "name": "X", "schema": "Vessel", "imo": "5434358"})
    assert ship.imo == frozenset()  # not a valid ship IMO number


@settings(max_examples=40, deadline=None)
@given(
    st.permutations(
        [
            "KIM IL",
            "KIM IL SONG",
            "KIM IRU",
            "KIM ILL",
            "IL KIM",
            "KIM I",
            "KIMIL",
            "KIM YIL",
            "KIM IL S",
            "KIM ILSUNG",
            "K IL",
            "KIM",
        ]
    ),
    st.permutations(["KIM IL SUNG", "KIM IL-SONG", "KIM ILSONG", "IL SUNG KIM", "KIM IR SEN", "KIM", "SUNG"]),
)
def test_alias_order_does_not_change_the_result(left: list[str], right: list[str]) -> None:
    # Parsers give aliases in set-iteration order, which varies between runs: same names, same answer.
    q = Subject(id="q", schema="Person", names=tuple(left[:-2]), former_names=tuple(left[-2:]))
    c = Subject(id="c", schema="Person", names=tuple(right[:-2]), former_names=tuple(right[-2:]))
    canon_q = Subject(
        id="q", schema="Person", names=tuple(sorted(left[:-2])), former_names=tuple(sorted(left[-2:]))
    )
    canon_c = Subject(
        id="c", schema="Person", names=tuple(sorted(right[:-2])), former_names=tuple(sorted(right[-2:]))
    )
    assert score_pair(q, c) == score_pair(canon_q, canon_c)
