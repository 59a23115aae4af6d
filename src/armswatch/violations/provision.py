"""Security Council provisions as data: which paragraph of which resolution, in neutral words, with sources.

The provisions live in ``violations/data/provisions.toml`` (built from the project fact base). A
provision's paragraph number is given only where a source confirmed it; otherwise
``paragraph_verified`` is false and the provision is cited by resolution and subject alone.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Final

from armswatch.errors import InputError, NotFoundError

_ID: Final = re.compile(r"^[0-9]{4}-[a-z0-9-]+$")
_URL: Final = re.compile(r"^https://[^\s]+$")
REQUIRED: Final = (
    "id",
    "resolution",
    "year",
    "adopted",
    "paragraph",
    "paragraph_verified",
    "topics",
    "summary",
)


@dataclass(frozen=True, slots=True)
class Provision:
    """One provision of a UN Security Council resolution on the DPRK."""

    id: str
    resolution: str
    year: int
    adopted: date
    paragraph: str
    paragraph_verified: bool
    topics: tuple[str, ...]
    summary: str
    document: str
    sources: tuple[str, ...]

    @property
    def citation(self) -> str:
        """``UNSCR 1718 (2006), para. 8(b)``; ``UNSCR 2371 (2017) (paragraph not verified)``."""
        base = f"UNSCR {self.resolution} ({self.year})"
        return (
            f"{base}, para. {self.paragraph}"
            if self.paragraph_verified
            else f"{base} (paragraph not verified)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "citation": self.citation,
            "resolution": self.resolution,
            "year": self.year,
            "adopted": self.adopted.isoformat(),
            "paragraph": self.paragraph or None,
            "paragraph_verified": self.paragraph_verified,
            "topics": list(self.topics),
            "summary": self.summary,
            "document": self.document,
            "sources": list(self.sources),
        }


def _provision(raw: dict[str, Any], where: str) -> Provision:
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise InputError(f"{where}: provision is missing {', '.join(missing)}")
    pid = raw["id"]
    if not isinstance(pid, str) or not _ID.match(pid):
        raise InputError(f"{where}: provision id {pid!r} must look like '1718-8b'")
    verified = raw["paragraph_verified"]
    paragraph = raw["paragraph"]
    if not isinstance(verified, bool) or not isinstance(paragraph, str):
        raise InputError(f"{where}: {pid}: paragraph must be text and paragraph_verified true or false")
    if verified != bool(paragraph):
        raise InputError(f"{where}: {pid}: a paragraph number is given exactly when it is verified")
    sources = tuple(raw.get("sources", ()))
    document = raw.get("document", "")
    if not sources or not all(isinstance(s, str) and _URL.match(s) for s in (*sources, document)):
        raise InputError(f"{where}: {pid}: document and sources must be https URLs, at least one source")
    adopted = raw["adopted"]
    try:
        adopted_date = adopted if isinstance(adopted, date) else date.fromisoformat(str(adopted))
    except ValueError as exc:
        raise InputError(f"{where}: {pid}: adopted is not a date: {adopted!r}") from exc
    if adopted_date.year != raw["year"] or str(raw["resolution"]) not in pid:
        raise InputError(f"{where}: {pid}: resolution, year and adoption date disagree")
    return Provision(
        id=pid,
        resolution=str(raw["resolution"]),
        year=int(raw["year"]),
        adopted=adopted_date,
        paragraph=paragraph,
        paragraph_verified=verified,
        topics=tuple(str(t) for t in raw["topics"]),
        summary=str(raw["summary"]),
        document=str(document),
        sources=sources,
    )


def parse_provisions(text: str, where: str = "provisions.toml") -> dict[str, Provision]:
    """Parse and check a provisions TOML document (ids unique, paragraphs only where verified)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: not valid TOML: {exc}") from exc
    items = data.get("provision")
    if not isinstance(items, list) or not items:
        raise InputError(f"{where}: no [[provision]] tables")
    out: dict[str, Provision] = {}
    for i, raw in enumerate(items, 1):
        if not isinstance(raw, dict):
            raise InputError(f"{where}: provision {i} is not a table")
        prov = _provision(raw, f"{where} provision {i}")
        if prov.id in out:
            raise InputError(f"{where}: provision id {prov.id} appears twice")
        out[prov.id] = prov
    return out


@cache
def provisions() -> dict[str, Provision]:
    """The shipped provisions, by id."""
    text = resources.files("armswatch.violations").joinpath("data", "provisions.toml").read_text("utf-8")
    return parse_provisions(text, "armswatch/violations/data/provisions.toml")


def get_provision(pid: str) -> Provision:
    try:
        return provisions()[pid]
    except KeyError:
        raise NotFoundError(f"no provision {pid!r}; see 'armswatch violations provisions'") from None
