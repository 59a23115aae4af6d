"""Korean and Cyrillic transliteration and the invariant keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from armswatch.matching.cyrillic import slavic_key, transliterate_cyrillic
from armswatch.matching.korean import korean_key, romanise_hangul, surname_class, syllable_skeleton
from armswatch.matching.normalise import ascii_tokens


@pytest.mark.parametrize(
    "name",
    ["Kim Jong Un", "Kim Jong-un", "Gim Jeong-eun", "김정은", "KIM JONG UN", "Kim Chŏng-ŭn", "Kim Jongun"],
)
def test_kim_jong_un_spellings_share_one_key(name: str) -> None:
    assert korean_key(name) == korean_key("Kim Jong Un")
    assert korean_key(name) is not None


def test_different_given_name_gives_different_key() -> None:
    assert korean_key("Kim Yo Jong") != korean_key("Kim Jong Un")


@pytest.mark.parametrize(
    ("a", "b"), [("Ri", "Rhee"), ("Ri", "Lee"), ("Pak", "Park"), ("Choe", "Choi"), ("리", "Lee")]
)
def test_surname_classes(a: str, b: str) -> None:
    assert surname_class(a) == surname_class(b) is not None


def test_hangul_romanisation_systems() -> None:
    assert romanise_hangul("김정은") == "gim jeong-eun"
    assert romanise_hangul("김정은", "mr") == "kim chŏng-ŭn"
    assert romanise_hangul("리병철", "mr") == "ri pyŏng-ch'ŏl"


def test_not_korean_names_have_no_key() -> None:
    assert korean_key("Vladimir Putin") is None
    assert korean_key("Lee Harvey Oswald") is None


@given(st.sampled_from(["jong", "un", "chol", "song", "ryong", "hae"]), st.sampled_from(["-", " ", ""]))
def test_syllable_split_does_not_change_skeleton(syllable: str, sep: str) -> None:
    assert syllable_skeleton(f"pyong{sep}{syllable}") == syllable_skeleton(f"pyong{syllable}")


@pytest.mark.parametrize("name", ["Sergei", "Sergey", "Serhiy", "Serhii", "Sergej"])
def test_sergey_spellings_share_one_key(name: str) -> None:
    assert slavic_key(name) == slavic_key("Sergey")


def test_cyrillic_russian_and_ukrainian() -> None:
    assert transliterate_cyrillic("Сергей Лавров") == "Sergey Lavrov"
    assert transliterate_cyrillic("Сергій") == "Serhii"
    assert slavic_key(ascii_tokens("Сергей")[0]) == slavic_key("Serhiy")


def test_ascii_tokens() -> None:
    assert ascii_tokens("J.-C. Juncker") == ["j", "c", "juncker"]
    assert ascii_tokens("A.B.C. Company") == ["abc", "company"]
    assert ascii_tokens("Brigade Forty-Four") == ["brigade", "44"]
    assert ascii_tokens("Al-Qa'ida") == ["al", "qaida"]


def test_yo_and_korean_names_in_cyrillic() -> None:
    from armswatch.entities.compare import compare_names_pair

    assert transliterate_cyrillic("Пётр Фёдоров Чёрный Ёлкин") == "Pyotr Fyodorov Chornyy Yolkin"
    # Kontsevich-style Cyrillic for a Korean name: aspiration written with х (Чхоль = Chol).
    assert compare_names_pair("Person", "Ри Пён Чхоль", "Ri Pyong Chol").match


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("KIM, Song", "kim|soN"),  # Song is also a family name: the comma says KIM is the family
        ("KIM, Song Chol", "kim|soNcol"),
        ("RI, Song Hyok", "ri|soNhyok"),
        ("KIM, Jong Un", "kim|coNon"),
    ],
)
def test_family_comma_given_keeps_the_family_name(name: str, key: str) -> None:
    from armswatch.matching.name import NameKind, analyse_name

    assert str(analyse_name(name, NameKind.PERSON).korean) == key


def test_given_name_syllables_are_read_word_by_word() -> None:
    assert syllable_skeleton("Man Gon") == syllable_skeleton("Man Kon") == syllable_skeleton("만건")
