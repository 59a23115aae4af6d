"""Cyrillic names: Russian and Ukrainian transliteration and a spelling-invariant Latin key.

``Сергей`` is printed ``Sergei`` (BGN/PCGN), ``Sergey`` (passports before 2010, OFAC), ``Sergej``
(German/ISO 9 style) and, for the Ukrainian ``Сергій``, ``Serhiy``/``Serhii``. :func:`transliterate_cyrillic`
gives the common English form (Russian BGN/PCGN-style, or the Ukrainian national system of 2010 when
the text has Ukrainian-only letters ``і ї є ґ``). :func:`slavic_key` then folds the remaining spelling
differences of any Latin token so that all of the above become one key (``sergi``):
``y``/``j``/``i`` merged, Ukrainian ``h`` = Russian ``g``, ``kh``/``ch``/``zh``/``ts`` digraphs
unified, ``x`` = ``ks``, ``w`` = ``v``, doubled letters collapsed and ``-ey``/``-ei``/``-iy``/``-ii``
endings merged.
"""

from __future__ import annotations

import re
from functools import lru_cache

_RU: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # other Cyrillic alphabets, approximately
    "ў": "u", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "g", "ќ": "k",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ѕ": "dz", "ә": "a", "ғ": "g", "қ": "q", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
}  # fmt: skip
_UK: dict[str, str] = {
    **_RU,
    "г": "h", "ґ": "g", "е": "e", "є": "ie", "и": "y", "і": "i", "ї": "i", "й": "i", "щ": "shch",
    "ю": "iu", "я": "ia", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
_UK_INITIAL: dict[str, str] = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_UK_LETTERS = frozenset("іїєґІЇЄҐ")


def is_ukrainian(text: str) -> bool:
    """True when ``text`` has letters used in Ukrainian but not in Russian (і ї є ґ)."""
    return any(ch in _UK_LETTERS for ch in text)


def _translit_word(word: str, table: dict[str, str], initial: dict[str, str], ru: bool) -> str:
    out: list[str] = []
    for i, ch in enumerate(word):
        low = ch.lower()
        if low not in table:
            out.append(ch)
            continue
        prev = word[i - 1].lower() if i else ""
        if i == 0 and low in initial:
            rep = initial[low]
        elif ru and low == "е" and (i == 0 or prev in "аеёиоуыэюяьъ"):
            rep = "ye"
        elif ru and low == "ё" and prev and prev in "жчшщ":
            rep = "o"
        else:
            rep = table[low]
        if ch.isupper() and rep:
            rep = rep.upper() if (i + 1 < len(word) and word[i + 1].isupper()) else rep.capitalize()
        out.append(rep)
    return "".join(out)


def transliterate_cyrillic(text: str, language: str | None = None) -> str:
    """Transliterate Cyrillic to Latin: ``"Сергей Лавров"`` → ``"Sergey Lavrov"``,
    ``"Сергій"`` → ``"Serhii"``. ``language`` is ``"ru"``, ``"uk"`` or None (detect)."""
    lang = language or ("uk" if is_ukrainian(text) else "ru")
    table, initial = (_UK, _UK_INITIAL) if lang == "uk" else (_RU, {})
    words = re.split(r"(\W+)", text)
    return "".join(_translit_word(w, table, initial, lang == "ru") if w else w for w in words)


def cyrillic_variants(text: str) -> list[str]:
    """Both the Russian-style and the Ukrainian-style transliteration (duplicates removed)."""
    out = [transliterate_cyrillic(text, "ru"), transliterate_cyrillic(text, "uk")]
    return list(dict.fromkeys(out))


_KEY_RULES: tuple[tuple[str, str], ...] = (
    ("shch", "S"),
    ("sch", "S"),
    ("tsch", "C"),
    ("tch", "C"),
    ("zh", "Z"),
    ("kh", "h"),
    ("ch", "C"),
    ("ts", "C"),
    ("tz", "C"),
    ("sh", "S"),
    ("ph", "f"),
    ("x", "ks"),
    ("ck", "k"),
    ("q", "k"),
    ("w", "v"),
    ("h", "g"),
    ("j", "i"),
    ("y", "i"),
)
_DOUBLE = re.compile(r"(.)\1+")
_ENDING = re.compile(r"(?:ei|ii|ie|ij)$")
_YE_START = re.compile(r"^ie")


@lru_cache(maxsize=200_000)
def slavic_key(token: str) -> str:
    """Spelling-invariant key of a Latin name token (``Sergey``/``Sergei``/``Serhiy`` → ``sergi``).

    Meant for transliterated Slavic names but harmless elsewhere: it only merges spellings that a
    transliteration table could have produced from the same Cyrillic letters.
    """
    key = token.lower()
    for old, new in _KEY_RULES:
        key = key.replace(old, new)
    key = _DOUBLE.sub(r"\1", key)
    key = _YE_START.sub("e", key)
    key = _ENDING.sub("i", key)
    return key.lower()
