"""Scripts that need their own comparison: Han/Hangul (syllabic) and Arabic/Hebrew (abjad).

Two names both written in Han characters or Hangul are compared character by character (one
character is one syllable; transliterations would blur ``종`` and ``정``). Arabic and Hebrew script
write no short vowels, so their transliterations are compared with the other name on consonants only.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

from armswatch.matching.name import NameForm

_SYLLABIC = re.compile(r"^[\u3400-\u9fff\uac00-\ud7a3\uf900-\ufaff\s\u00b7\u30fb.,-]+$")


def syllabic_text(text: str) -> str | None:
    """The name's characters when it is written only in Han characters or Hangul, else None."""
    if _SYLLABIC.match(text):
        return re.sub(r"[\s\u00b7\u30fb.,-]", "", text)
    return None


_ABJAD = re.compile(r"[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f]")
_NOT_CONSONANT = re.compile(r"[aeiouwyv]")
_DOUBLE = re.compile(r"(.)\1+")


def consonant_skeleton(form: NameForm) -> str:
    """Consonants of a name in order (``Mohamed Ali`` → ``mhmdl``): Arabic and Hebrew script write no
    short vowels, so their transliterations can only be compared on consonants."""
    text = _NOT_CONSONANT.sub("", form.joined.replace("p", "b"))
    return _DOUBLE.sub(r"\1", text)


def abjad_score(query: NameForm, candidate: NameForm) -> tuple[float, str] | None:
    """Consonants match when one name is in Arabic or Hebrew script (at most 0.85)."""
    if not (_ABJAD.search(query.original) or _ABJAD.search(candidate.original)):
        return None
    if _ABJAD.search(query.original) and _ABJAD.search(candidate.original):
        return None
    qs, cs = consonant_skeleton(query), consonant_skeleton(candidate)
    if not qs or not cs:
        return None
    sim = OSA.normalized_similarity(qs, cs)
    if sim < 0.85:
        return None
    score = 0.85 * sim if len(qs) >= 3 else 0.72
    return score, f"consonants match ({qs} ~ {cs}; Arabic/Hebrew script writes no short vowels)"
