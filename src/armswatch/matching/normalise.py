"""Text normalisation for name matching: scripts, transliteration, tokens, number words.

Every name is reduced to lowercase ASCII tokens before comparison. Latin text is folded with ICU
(``Any-Latin; Latin-ASCII``); Cyrillic and Hangul are transliterated by :mod:`.cyrillic` and
:mod:`.korean` because those two scripts matter most here and ICU's scholarly forms (``sergej``,
``gimjeong-eun``) are not what sanctions lists print. Initialisms written with dots (``A.B.C.``) are
joined, apostrophes are dropped (``Qa'ida`` → ``qaida``) and number words become digits
(``forty-four`` → ``44``, ``1st``/``first`` → ``1``) using rigour's ordinal tables.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from rigour._core import ordinals_dict, text_scripts

_APOSTROPHES = re.compile(r"[\u0027\u2018\u2019\u02bb\u02bc\u02bf\u02be\u0060\u00b4\u2032]")
_INITIALISM = re.compile(r"\b(?:[a-z]\.){2,}(?:[a-z]\b\.?)?")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_ASCII_ONLY = re.compile(r"^[\x00-\x7f]*$")


@lru_cache(maxsize=1)
def _transliterator() -> Any:
    import icu  # type: ignore[import-untyped,import-not-found,unused-ignore]

    return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


def scripts_of(text: str) -> set[str]:
    """Unicode scripts used by the letters of ``text`` (e.g. ``{"Latin", "Hangul"}``)."""
    return set(text_scripts(text))


def has_hangul(text: str) -> bool:
    """True when ``text`` contains Hangul syllables or jamo."""
    return any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" for ch in text)


def has_cyrillic(text: str) -> bool:
    """True when ``text`` contains Cyrillic letters."""
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def to_ascii(text: str) -> str:
    """Transliterate any script to ASCII (ICU ``Any-Latin; Latin-ASCII``); ASCII passes through."""
    if _ASCII_ONLY.match(text):
        return text
    from armswatch.matching.cyrillic import transliterate_cyrillic
    from armswatch.matching.korean import romanise_hangul

    text = unicodedata.normalize("NFKC", text)
    if has_hangul(text):
        text = romanise_hangul(text, system="rr")
    if has_cyrillic(text):
        text = transliterate_cyrillic(text)
    out = str(_transliterator().transliterate(text))
    return out


@lru_cache(maxsize=1)
def _number_words() -> dict[tuple[str, ...], str]:
    """Map token sequences of English number/ordinal words (``("forty", "four")``) to digits."""
    table: dict[tuple[str, ...], str] = {}
    for number, forms in ordinals_dict().items():
        if number > 100:
            continue
        for form in forms:
            if not _ASCII_ONLY.match(form):
                continue
            words = tuple(_NON_WORD.sub(" ", form.lower()).split())
            if not words or len(words) > 3 or words == (str(number),):
                continue
            if any(w.startswith("no") and w != "nono" for w in words[:1]) and len(words) > 1:
                continue  # "No 55" style forms are handled as plain digits
            table.setdefault(words, str(number))
    # A bare roman numeral like "i" or "v" is far more often an initial in names.
    for single in [w for w in list(table) if len(w) == 1 and len(w[0]) <= 4 and w[0].isalpha()]:
        if set(single[0]) <= set("ivxlc"):
            del table[single]
    return table


@lru_cache(maxsize=1)
def _number_starts() -> frozenset[str]:
    return frozenset(words[0] for words in _number_words())


def replace_number_words(tokens: list[str]) -> list[str]:
    """Replace English number words and ordinals in a token list by digits (longest match first)."""
    table = _number_words()
    if not _number_starts().intersection(tokens):
        return tokens
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in (3, 2, 1):
            key = tuple(tokens[i : i + size])
            if len(key) == size and key in table:
                out.append(table[key])
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def ascii_tokens(text: str) -> list[str]:
    """Lowercase ASCII tokens of a name in any script, punctuation removed, number words as digits.

    ``"J.-C. Juncker"`` → ``["j", "c", "juncker"]``; ``"A.B.C. Company"`` → ``["abc", "company"]``;
    ``"Brigade Forty-Four"`` → ``["brigade", "44"]``.
    """
    latin = to_ascii(text).lower()
    latin = _APOSTROPHES.sub("", latin)
    latin = _INITIALISM.sub(lambda m: m.group(0).replace(".", "") + " ", latin)
    tokens = _NON_WORD.sub(" ", latin).split()
    return replace_number_words(tokens)
