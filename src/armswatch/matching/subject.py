"""The matchable facts of an entity or a screening query: names, dates, countries, identifiers.

Both sides of a comparison are reduced to a frozen :class:`Subject`, from an FtM entity
(:func:`subject_from_entity`) or from a query row (:func:`subject_from_row`). IMO numbers are kept only
when their check digit holds (:func:`armswatch.types.imo.clean_imo`), MMSIs only when valid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

from armswatch.matching.name import NameForm, NameKind, analyse_name, kind_of_schema
from armswatch.types.imo import clean_imo
from armswatch.types.mmsi import is_valid_mmsi

_SPLIT_ALIASES = re.compile(r"\s*[/;]\s*")


@dataclass(frozen=True)
class Subject:
    """One thing to match: a list entity or a query."""

    id: str
    schema: str
    names: tuple[str, ...]
    former_names: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    countries: frozenset[str] = frozenset()
    imo: frozenset[str] = frozenset()
    mmsi: frozenset[str] = frozenset()
    registration: frozenset[str] = frozenset()
    dataset: str = ""
    caption: str = ""
    forms_cache: dict[str, tuple[NameForm, ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @property
    def kind(self) -> NameKind:
        """How names of this subject are analysed."""
        return kind_of_schema(self.schema)

    @cached_property
    def birth_years(self) -> frozenset[str]:
        """Four-digit birth years."""
        return frozenset(d[:4] for d in self.birth_dates if d[:4].isdigit())

    def forms(self, kind: NameKind | None = None) -> tuple[NameForm, ...]:
        """Analysed current names (then former names), deduplicated by tokens."""
        kind = kind or self.kind
        cached = self.forms_cache.get(kind.value)
        if cached is None:
            seen: set[tuple[str, ...]] = set()
            out: list[NameForm] = []
            for name in _with_slash_parts(self.names + self.former_names):
                form = analyse_name(name, kind)
                if form.tokens and form.tokens not in seen:
                    seen.add(form.tokens)
                    out.append(form)
            cached = tuple(out)
            self.forms_cache[kind.value] = cached
        return cached


def _with_slash_parts(names: tuple[str, ...]) -> list[str]:
    """Names plus the alternatives of names written ``A/B`` (``Al-Qa'ida/Islamic Army``)."""
    out = list(names)
    for name in names:
        if "/" in name and not name.lower().startswith(("m/v", "s/s")):
            out.extend(part.strip() for part in name.split("/") if len(part.strip()) > 2)
    return out


def _clean_names(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        value = value.strip()
        if value and value not in out:
            out.append(value)
    return tuple(out)


def _countries(values: list[str]) -> frozenset[str]:
    """ISO codes of country names or codes (``North Korea``, ``KP``, ``DPRK`` → ``kp``); unknown dropped."""
    return frozenset(code for v in values if v.strip() and (code := registry.country.clean(v.strip())))


def _dates(values: list[str]) -> tuple[str, ...]:
    """ISO dates or partial dates (``1938``, ``1984-01-08``); values FtM cannot read are dropped."""
    return tuple(d for v in values if v.strip() and (d := registry.date.clean(v.strip())))


def _mmsis(values: list[str]) -> frozenset[str]:
    return frozenset(v.strip() for v in values if v and is_valid_mmsi(v))


_COMPANY_NUMBER = re.compile(r"(?<!\d)(\d{7})(?!\d)")


def _imos(values: list[str], schema: str) -> frozenset[str]:
    """Ship IMO numbers (check digit verified) for vessels; 7-digit IMO company numbers, which carry
    no ship check digit, for everything else."""
    if _is_vessel(schema):
        return frozenset(i for i in (clean_imo(v) for v in values) if i)
    return frozenset(m.group(1) for v in values if v and (m := _COMPANY_NUMBER.search(v)))


def _is_vessel(schema: str) -> bool:
    sc = model.get(schema)
    return sc is not None and sc.is_a("Vessel")


def subject_from_entity(entity: EntityProxy, dataset: str = "") -> Subject:
    """Reduce an FtM entity to a :class:`Subject` (names, aliases, former names, dates, identifiers)."""
    names = entity.get("name", quiet=True) + entity.get("alias", quiet=True)
    former = entity.get("previousName", quiet=True) + entity.get("formerName", quiet=True)
    countries = set(entity.get("nationality", quiet=True) + entity.get("country", quiet=True))
    countries |= set(entity.get("flag", quiet=True) + entity.get("jurisdiction", quiet=True))
    datasets = getattr(entity, "datasets", None)
    ds = dataset or (sorted(datasets)[0] if datasets else "")
    return Subject(
        id=str(entity.id),
        schema=entity.schema.name,
        names=_clean_names(names),
        former_names=_clean_names([f for f in former if f not in names]),
        birth_dates=tuple(entity.get("birthDate", quiet=True)),
        countries=frozenset(c.lower() for c in countries if c),
        imo=_imos(entity.get("imoNumber", quiet=True), entity.schema.name),
        mmsi=_mmsis(entity.get("mmsi", quiet=True)),
        registration=frozenset(entity.get("registrationNumber", quiet=True)),
        dataset=ds,
        caption=entity.caption,
    )


def subject_from_row(row: Mapping[str, str | None]) -> Subject:
    """A query from a CSV row: ``id, name, schema`` and optional ``birth_date, country, imo, mmsi,
    registration``. Several names may be given separated by ``;``."""

    def get(key: str) -> str:
        return (row.get(key) or "").strip()

    names = _clean_names(_SPLIT_ALIASES.split(get("name")) if ";" in get("name") else [get("name")])
    return Subject(
        id=get("id"),
        schema=get("schema") or "LegalEntity",
        names=names,
        birth_dates=_dates([get("birth_date")]),
        countries=_countries(get("country").split(";")),
        imo=_imos([get("imo")], get("schema") or "LegalEntity"),
        mmsi=_mmsis([get("mmsi")]),
        registration=frozenset([get("registration")]) if get("registration") else frozenset(),
        caption=names[0] if names else "",
    )
