"""Confidence in estimative language (US ICD 203, *Analytic Standards*, 2015).

The seven expressions of likelihood and the probability ranges ICD 203 attaches to them.
"""

from __future__ import annotations

from armswatch.errors import InputError

#: (word, lower bound, upper bound) of the probability range, in ICD 203's order.
SCALE: tuple[tuple[str, float, float], ...] = (
    ("almost no chance", 0.01, 0.05),
    ("very unlikely", 0.05, 0.20),
    ("unlikely", 0.20, 0.45),
    ("roughly even chance", 0.45, 0.55),
    ("likely", 0.55, 0.80),
    ("very likely", 0.80, 0.95),
    ("almost certain", 0.95, 0.99),
)
WORDS: tuple[str, ...] = tuple(word for word, _, _ in SCALE)


def clean_confidence(word: str) -> str:
    """Return the canonical ICD 203 word, accepting case and hyphen/underscore variants."""
    canonical = " ".join(word.strip().lower().replace("_", " ").replace("-", " ").split())
    if canonical not in WORDS:
        raise InputError(f"confidence must be one of: {', '.join(WORDS)} (got {word!r})")
    return canonical


def confidence_from_probability(p: float) -> str:
    """The ICD 203 word whose range contains probability ``p`` (clamped to the scale)."""
    for word, _low, high in SCALE:
        if p <= high:
            return word
    return SCALE[-1][0]
