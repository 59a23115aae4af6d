"""Markings as written and as searched: Hangul, Cyrillic and Latin transcriptions meet on one key.

A marking is kept exactly as transcribed (``방-122``). For search and grouping it is reduced to keys:
the text itself folded (case, width, separators removed), plus its Revised Romanization and
McCune–Reischauer readings when it holds Hangul (``bang122``, ``pang122``), plus a Latin reading
when it holds Cyrillic. A query matches an item when any key of the query equals, or is contained
in, a key of one of the item's markings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Final

from armswatch.errors import InputError
from armswatch.matching.korean import romanise_hangul

_SEP: Final = re.compile(r"[\s\-_.,/\\:;'\"`´‘’“”()\[\]{}·]+")
_HANGUL: Final = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_CYRILLIC: Final = re.compile(r"[\u0400-\u04ff]")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_MARKING: Final = 200

# ISO 9-like Latin reading of Russian/Ukrainian Cyrillic for matching only (not a display transliteration).
_CYR: Final = dict(
    zip(
        "абвгґдеєёжзиіїйклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "g",
            "d",
            "e",
            "ie",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "iu",
            "ia",
        ],
        strict=True,
    )
)


def script_of(text: str) -> str:
    """ISO 15924 code of the text's main non-Latin script: ``Hang``, ``Cyrl``, else ``Latn`` (or ``Zyyy``)."""
    if _HANGUL.search(text):
        return "Hang"
    if _CYRILLIC.search(text):
        return "Cyrl"
    return "Latn" if any(ch.isalpha() for ch in text) else "Zyyy"


def fold(text: str) -> str:
    """Case, width and separators folded: ``"방-122"`` → ``"방122"``, ``"KN 23"`` → ``"kn23"``."""
    return _SEP.sub("", unicodedata.normalize("NFKC", text).casefold())


def _cyrillic_latin(text: str) -> str:
    return "".join(_CYR.get(ch, ch) for ch in text)


def marking_keys(text: str) -> frozenset[str]:
    """Every search key of a marking or a query (its folded text and its romanised readings)."""
    keys = {fold(text)}
    if _HANGUL.search(text):
        keys.add(fold(romanise_hangul(text, "rr")))
        keys.add(
            fold(
                unicodedata.normalize("NFKD", romanise_hangul(text, "mr")).encode("ascii", "ignore").decode()
            )
        )
    if _CYRILLIC.search(text):
        keys.add(fold(_cyrillic_latin(fold(text))))
    return frozenset(k for k in keys if k)


@dataclass(frozen=True, slots=True)
class Marking:
    """A marking as transcribed from the item, in its own script, with where it is on the item."""

    text: str
    script: str = ""
    romanised: str = ""
    location: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise InputError("a marking needs its text as transcribed")
        if len(self.text) > MAX_MARKING or _CONTROL.search(self.text):
            raise InputError(f"marking {self.text[:40]!r} is too long or holds control characters")
        object.__setattr__(self, "text", self.text.strip())
        if not self.script:
            object.__setattr__(self, "script", script_of(self.text))
        if not self.romanised and self.script == "Hang":
            reading = re.sub(r"\s*([-/.])\s*", r"\1", romanise_hangul(self.text, "rr"))
            object.__setattr__(self, "romanised", " ".join(reading.split()))

    @property
    def keys(self) -> frozenset[str]:
        return marking_keys(self.text) | (marking_keys(self.romanised) if self.romanised else frozenset())

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "script": self.script,
            "romanised": self.romanised,
            "location": self.location,
        }

    @classmethod
    def from_value(cls, value: object) -> Marking:
        if isinstance(value, str):
            return cls(value)
        if isinstance(value, dict):
            fields = {k: value.get(k, "") for k in ("text", "script", "romanised", "location")}
            if not all(isinstance(v, str) for v in fields.values()):
                raise InputError("marking fields must be text")
            return cls(**fields)
        raise InputError(f"a marking must be text or an object, got {type(value).__name__}")


def matches(query: str, markings: tuple[Marking, ...]) -> bool:
    """True when the query (any script) equals or is contained in a key of one of the markings."""
    wanted = marking_keys(query)
    return any(q and any(q in k for k in m.keys) for q in wanted for m in markings)
