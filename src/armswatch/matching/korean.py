"""Korean names: Hangul romanisation and a romanisation-invariant name key.

The same North Korean name is printed many ways: ``김정은`` (Hangul), ``Gim Jeong-eun`` (Revised
Romanisation, RR, South Korea 2000), ``Kim Chŏng-ŭn`` (McCune–Reischauer, MR, 1939), ``Kim Jong Un``
(DPRK usage: MR without breves, lenis consonants voiced) and ``KIM JONG UN`` / ``Kim Jong-un`` /
``Kim Jongun`` with any syllable split. :func:`korean_key` maps all of these to one key
``surname-class|given-skeleton``:

* the surname is looked up in a table of Korean family names and their usual spellings
  (``Ri``/``Rhee``/``Lee``/``Yi``/``I`` are one class: DPRK keeps the initial ``r`` that South
  Korean spelling drops);
* the given name syllables are joined (hyphens and spaces inside Korean given names are only
  syllable boundaries) and reduced to a skeleton in which the RR/MR/DPRK differences vanish:
  ``eo``/``ŏ``/``o``/``eu``/``ŭ``/``u`` → ``o`` (South Korean spelling writes ``ㅓ`` as ``u``: *Sung*, *Jung*), ``ae``/``e`` → ``e``, lenis/aspirated/tense
  pairs are merged (``g``/``k``/``kk``, ``d``/``t``, ``b``/``p``, ``j``/``ch``/``tch``), ``r``/``l``
  merged, doubled letters collapsed.

Sources: National Institute of Korean Language, *Romanization of Korean* (2000); McCune & Reischauer,
*The Romanization of the Korean Language* (1939); the UN and OFAC DPRK designations use DPRK-style
spellings (``Ri``, ``Ryong``, ``Chol``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_BASE = 0xAC00
_RR_INITIAL = (
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
)
_MR_INITIAL = (
    "k",
    "kk",
    "n",
    "t",
    "tt",
    "r",
    "m",
    "p",
    "pp",
    "s",
    "ss",
    "",
    "ch",
    "tch",
    "ch'",
    "k'",
    "t'",
    "p'",
    "h",
)
_RR_MEDIAL = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
    "yu", "eu", "ui", "i",
)  # fmt: skip
_MR_MEDIAL = (
    "a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae", "oe", "yo", "u", "wŏ", "we", "wi",
    "yu", "ŭ", "ŭi", "i",
)  # fmt: skip
_FINAL = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
    "ng", "t", "t", "k", "t", "p", "t",
)  # fmt: skip

# Family names of two syllables (written as one word).
_DOUBLE_SURNAMES = frozenset({"남궁", "선우", "황보", "제갈", "독고", "사공", "서문", "동방"})

# Korean family-name classes: spellings seen in lists → one class id. RR/MR/DPRK/Western forms.
_SURNAME_CLASSES: dict[str, tuple[str, ...]] = {
    "kim": ("kim", "gim", "keem"),
    "ri": ("ri", "rhee", "lee", "yi", "i", "li", "ree", "rhie", "yie", "rie"),
    "pak": ("pak", "park", "bak", "bahk", "pack"),
    "choe": ("choe", "choi", "chwe", "choy", "chey"),
    "jong": ("jong", "jeong", "jung", "chong", "cheong", "chung", "joung"),
    "kang": ("kang", "gang"),
    "jo": ("jo", "cho", "joe", "chough"),
    "yun": ("yun", "yoon", "youn"),
    "jang": ("jang", "chang"),
    "rim": ("rim", "im", "lim", "yim"),
    "han": ("han", "hahn"),
    "o": ("o", "oh"),
    "so": ("so", "seo", "suh", "sur"),
    "sin": ("sin", "shin", "shinn"),
    "kwon": ("kwon", "gwon", "kwan"),
    "hwang": ("hwang",),
    "an": ("an", "ahn"),
    "song": ("song", "soung"),
    "ryu": ("ryu", "yu", "yoo", "you", "ryoo", "rhyu"),
    "hong": ("hong",),
    "jon": ("jon", "jeon", "chon", "chun", "jun"),
    "ko": ("ko", "go", "koh"),
    "mun": ("mun", "moon"),
    "yang": ("yang", "ryang"),
    "son": ("son", "sohn"),
    "pae": ("pae", "bae"),
    "paek": ("paek", "baek", "paik", "baik"),
    "ho": ("ho", "heo", "hur", "huh"),
    "nam": ("nam",),
    "ro": ("ro", "no", "roh", "noh"),
    "ha": ("ha",),
    "kwak": ("kwak", "gwak"),
    "cha": ("cha",),
    "ju": ("ju", "joo", "chu"),
    "u": ("u", "woo"),
    "ku": ("ku", "koo", "gu"),
    "min": ("min",),
    "ra": ("ra", "na", "rha"),
    "jin": ("jin", "chin"),
    "ji": ("ji", "chi"),
    "om": ("om", "eom", "um"),
    "pyon": ("pyon", "byeon", "byun", "pyun"),
    "ryom": ("ryom", "yeom", "yom"),
    "pang": ("pang", "bang"),
    "hyon": ("hyon", "hyeon", "hyun"),
    "ham": ("ham",),
    "sok": ("sok", "seok", "suk"),
    "myong": ("myong", "myeong", "myung"),
    "thae": ("thae", "tae"),
    "tak": ("tak",),
    "to": ("to", "do"),
    "yon": ("yon", "yeon"),
    "kye": ("kye", "gye"),
    "chae": ("chae",),
    "won": ("won",),
    "chon": ("cheon",),
}
_SURNAME_OF: dict[str, str] = {
    spelling.lower(): cls for cls, spellings in _SURNAME_CLASSES.items() for spelling in spellings
}


def _decompose(syllable: str) -> tuple[int, int, int] | None:
    code = ord(syllable) - _BASE
    if not 0 <= code < 11172:
        return None
    return code // 588, (code % 588) // 28, code % 28


def romanise_syllable(syllable: str, system: str = "rr") -> str:
    """Romanise one Hangul syllable (``"정"`` → RR ``"jeong"``, MR ``"chŏng"``); other text unchanged."""
    parts = _decompose(syllable)
    if parts is None:
        return syllable
    ini, med, fin = parts
    if system == "mr":
        return _MR_INITIAL[ini] + _MR_MEDIAL[med] + _FINAL[fin]
    return _RR_INITIAL[ini] + _RR_MEDIAL[med] + _FINAL[fin]


def _romanise_word(word: str, system: str) -> str:
    syllables = [romanise_syllable(ch, system) for ch in word]
    return "-".join(s for s in syllables if s)


def split_hangul_name(word: str) -> tuple[str, str] | None:
    """Split a Hangul personal name written as one word into (family name, given name)."""
    hangul = "".join(ch for ch in word if _decompose(ch) is not None)
    if len(hangul) < 2 or len(hangul) != len(word):
        return None
    if len(hangul) >= 4 and hangul[:2] in _DOUBLE_SURNAMES:
        return hangul[:2], hangul[2:]
    return hangul[0], hangul[1:]


def romanise_hangul(text: str, system: str = "rr") -> str:
    """Romanise the Hangul in ``text`` (RR by default, ``system="mr"`` for McCune–Reischauer).

    A two-to-four syllable word is read as a personal name: ``김정은`` → ``"gim jeong-eun"`` (RR) or
    ``"kim chŏng-ŭn"`` (MR). Longer words are romanised syllable by syllable; non-Hangul text is kept.
    """
    out: list[str] = []
    for word in re.split(r"(\s+)", text):
        split = split_hangul_name(word) if 2 <= len(word) <= 4 else None
        if split is not None:
            family, given = split
            family_rom = "".join(romanise_syllable(ch, system) for ch in family)
            out.append(f"{family_rom} {_romanise_word(given, system)}")
        elif any(_decompose(ch) is not None for ch in word):
            out.append("".join(romanise_syllable(ch, system) + " " if _decompose(ch) else ch for ch in word))
        else:
            out.append(word)
    return re.sub(r" +", " ", "".join(out)).strip()


_SKELETON_RULES: tuple[tuple[str, str], ...] = (
    ("'", ""),
    # Korean names in Cyrillic (Kontsevich) mark aspiration with х: чх, кх, тх, пх.
    ("chkh", "ch"),
    ("kh", "k"),
    ("th", "t"),
    ("ph", "p"),
    ("rh", "r"),
    ("yeo", "yo"),
    ("eo", "o"),
    ("eu", "u"),
    ("oo", "u"),
    ("ae", "e"),
    ("ee", "i"),
    ("ng", "N"),
    ("tch", "c"),
    ("ch", "c"),
    ("j", "c"),
    ("g", "k"),
    ("d", "t"),
    ("b", "p"),
    ("sh", "s"),
    ("r", "l"),
    ("wo", "o"),
    ("u", "o"),  # South Korean spelling writes ㅓ as u (Sung, Jung): o/u cannot be told apart
)
_DOUBLES = re.compile(r"(.)\1+")
_SYLLABLE = (
    r"(?:chkh|kh|th|ph|ch'?|tch|kk|tt|pp|ss|jj|[kgndtrlmbpsjh]'?)?[yw]?(?:[aeiou]{1,2})(?:ng|n|l|k|m|p|t|g)?"
)
_ROMANISED_WORD = re.compile(rf"^(?:{_SYLLABLE}){{1,3}}$")
_NON_ALPHA = re.compile(r"[^a-zN']")


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def syllable_skeleton(text: str) -> str:
    """Romanisation-invariant skeleton of a Korean given name (``"Jeong-eun"``, ``"Chŏng-ŭn"``,
    ``"jong un"`` → ``"coNon"``). Hyphens and spaces are ignored; Hangul is romanised first."""
    if not text.isascii() and any(_decompose(ch) is not None for ch in text):
        text = romanise_hangul(text, "rr")
    return _DOUBLES.sub(r"\1", "".join(_word_skeleton(w) for w in re.split(r"[\s\-]+", _fold(text))))


def _word_skeleton(word: str) -> str:
    """Rules applied within one written word, so ``Man Gon`` (만건) does not read as ``Mang On``."""
    folded = _NON_ALPHA.sub("", word)
    for old, new in _SKELETON_RULES:
        folded = folded.replace(old, new)
    return folded


def surname_class(token: str) -> str | None:
    """Korean family-name class of a romanised or Hangul token (``"Rhee"`` → ``"ri"``), else None."""
    if token.isascii():
        return _SURNAME_OF.get(token.lower().replace("'", ""))
    if any(_decompose(ch) is not None for ch in token):
        if token in ("이", "리"):
            return "ri"
        if token in ("유", "류"):
            return "ryu"
        if token in ("임", "림"):
            return "rim"
        if token in ("노", "로"):
            return "ro"
        if token in ("나", "라"):
            return "ra"
        if token in ("염", "렴"):
            return "ryom"
        if token in ("양", "량"):
            return "yang"
        token = romanise_hangul(token, "rr")
    return _SURNAME_OF.get(_fold(token).replace("'", ""))


@dataclass(frozen=True)
class KoreanKey:
    """A Korean personal name reduced to family-name class and given-name skeleton."""

    surname: str
    given: str

    def __str__(self) -> str:
        return f"{self.surname}|{self.given}"


def korean_key(text: str) -> KoreanKey | None:
    """Romanisation-invariant key of a Korean personal name, or None when it does not look Korean.

    ``"Kim Jong Un"``, ``"KIM Jong-un"``, ``"Gim Jeong-eun"``, ``"Kim Chŏng-ŭn"`` and ``"김정은"`` all
    give ``KoreanKey("kim", "coNon")``. Family-name-last order (``"Jong Un Kim"``) is accepted when
    only the last token is a Korean family name. Given names of one to three syllables are accepted.
    """
    return _korean_key_cached(text.strip())


@lru_cache(maxsize=65536)
def _korean_key_cached(text: str) -> KoreanKey | None:
    words = text.replace(",", " ").split()
    if len(words) == 1:
        split = split_hangul_name(words[0])
        if split is None:
            return None
        words = [split[0], split[1]]
    if len(words) < 2:
        return None
    first, last = surname_class(words[0]), surname_class(words[-1])
    if first is not None:
        surname, given_words = first, words[1:]
    elif last is not None:
        surname, given_words = last, words[:-1]
    else:
        return None
    given_text = " ".join(given_words)
    syllables = re.split(r"[\s\-]+", given_text.strip())
    if not given_text.isascii() and any(_decompose(ch) is not None for ch in given_text):
        syllables = [ch for ch in given_text if _decompose(ch) is not None]
    if not 1 <= len(syllables) <= 3 or any(len(s) > 14 for s in syllables):
        return None
    if not all(_ROMANISED_WORD.match(_fold(s)) or _decompose(s[:1] or "a") is not None for s in syllables):
        return None
    given = syllable_skeleton(given_text)
    if not given or len(given) > 12:
        return None
    return KoreanKey(surname, given)


@lru_cache(maxsize=1)
def surname_spellings() -> frozenset[str]:
    """All romanised Korean family-name spellings known to :func:`surname_class`."""
    return frozenset(_SURNAME_OF)
