"""Items that share a lot, a factory code or a distinctive marking: groups that point at a plant or shipment.

Two items recovered apart that carry the same lot number or factory code very likely come from the
same production run; a shared marking is weaker evidence (markings such as a calibre stencil repeat
across lots). The confidence a group gets (ICD 203 words) follows that:

| basis | 2 items | 3 or more |
|---|---|---|
| lot or factory code | likely | very likely |
| marking (folded to 3+ characters; Hangul and its romanisations meet) | roughly even chance | likely |

A group whose items do not all cite a source or an evidence artifact is capped at ``unlikely``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from armswatch.munitions.item import MunitionItem
from armswatch.munitions.marking import fold

Basis = Literal["lot", "factory_code", "marking"]
MIN_MARKING: Final = 3
_CONFIDENCE: Final[dict[tuple[bool, bool], str]] = {
    (True, False): "likely",
    (True, True): "very likely",
    (False, False): "roughly even chance",
    (False, True): "likely",
}


@dataclass(frozen=True, slots=True)
class ItemGroup:
    basis: Basis
    key: str
    items: tuple[str, ...]
    sites: tuple[str, ...]
    shipments: tuple[str, ...]
    origin_country: str
    recovered_country: str
    first_recovered: str
    confidence: str

    @property
    def title(self) -> str:
        label = {"lot": "lot", "factory_code": "factory code", "marking": "marking"}[self.basis]
        return f"{len(self.items)} munition items share {label} {self.key!r}"


def _keys(item: MunitionItem) -> list[tuple[Basis, str, str]]:
    out: list[tuple[Basis, str, str]] = []
    if fold(item.lot):
        out.append(("lot", fold(item.lot), item.lot))
    if fold(item.factory_code):
        out.append(("factory_code", fold(item.factory_code), item.factory_code))
    for m in item.markings:
        out.extend(("marking", k, m.text) for k in m.keys if len(k) >= MIN_MARKING)
    return out


def _agreed(values: Sequence[str]) -> str:
    present = {v for v in values if v}
    return present.pop() if len(present) == 1 else ""


def _group(basis: Basis, shown: str, members: Sequence[MunitionItem]) -> ItemGroup:
    strong = basis in ("lot", "factory_code")
    confidence = _CONFIDENCE[(strong, len(members) >= 3)]
    if not all(m.sources or m.evidence for m in members):
        confidence = "unlikely"
    dates = sorted(m.recovered_at for m in members if m.recovered_at)
    return ItemGroup(
        basis=basis,
        key=shown,
        items=tuple(m.id for m in members),
        sites=tuple(dict.fromkeys(s for m in members for s in m.sites)),
        shipments=tuple(dict.fromkeys(s for m in members for s in m.shipments)),
        origin_country=_agreed([m.origin_country for m in members]),
        recovered_country=_agreed([m.recovered_country for m in members]),
        first_recovered=dates[0] if dates else "",
        confidence=confidence,
    )


def group_items(items: Sequence[MunitionItem]) -> list[ItemGroup]:
    """Groups of two or more items sharing a key; one group per (basis, set of items), strongest basis first."""
    by_key: dict[tuple[Basis, str], list[MunitionItem]] = defaultdict(list)
    shown: dict[tuple[Basis, str], str] = {}
    for item in items:
        for basis, key, text in dict.fromkeys(_keys(item)):
            if item not in by_key[(basis, key)]:
                by_key[(basis, key)].append(item)
                shown.setdefault((basis, key), text)
    groups: dict[tuple[Basis, tuple[str, ...]], ItemGroup] = {}
    order: Final = {"lot": 0, "factory_code": 1, "marking": 2}
    for (basis, key), members in sorted(by_key.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
        if len(members) < 2:
            continue
        ids = tuple(sorted(m.id for m in members))
        if (basis, ids) not in groups:
            groups[(basis, ids)] = _group(basis, shown[(basis, key)], sorted(members, key=lambda m: m.id))
    return list(groups.values())
