"""What in the case corroborates a reconstructed dark voyage, and the confidence that follows.

Pure: a voyage's port fits and the case's items (sightings, port-state / trade / rail records,
imagery counts) in, a :class:`Corroboration` out. An item *supports* a call at port P when it is at
P (its site) at a time the vessel could have been there: between the earliest arrival
``t_off + dist(off,P)/v_max`` and the latest departure ``t_on - dist(P,on)/v_max`` (records are
often dated by day: they get ``record_tolerance_h`` either side). An item naming *this* vessel
somewhere it could not have been during the silence *contradicts* the reconstruction (or is wrong).

Confidence (ICD 203 words), from the strongest support of any one port:

==========================================================================  ======================
corroboration                                                               confidence
==========================================================================  ======================
none, and no reachable port leaves ``min_stay_h`` for a stay                unlikely
none, and the AIS went off and came back on within ``in_port_km`` of the    unlikely
same port (most likely the vessel stayed there)
none (a port is reachable with time for a stay), or only an imagery count   roughly even chance
of a ship-size object (≥ ``ship_min_length_m``) at the port — a count
does not identify the vessel
one identifying item (a sighting of the vessel, or a port-state / trade /   likely
rail record naming it) at a reachable port within its window
two independent identifying items, or one plus a ship-size count, at the    very likely
same port
any contradicting item of this vessel                                       at most roughly even
                                                                            chance
==========================================================================  ======================

"almost certain" is never given: the reconstruction is an inference from a silence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from armswatch.maritime.voyage.ellipse import PortFit


@dataclass(frozen=True)
class CaseItem:
    """One piece of case material about a vessel (or a site) at a time.

    ``kind``: ``sighting``, ``port_state``, ``trade``, ``rail`` (identify the vessel: ``vessel``
    is ``imo:N`` / ``mmsi:N``) or ``count`` (an imagery count at the site: ``vessel`` empty,
    ``length_m`` the counted object's length, ``count`` how many).
    """

    kind: str
    id: str
    site_id: str
    at: datetime
    vessel: str = ""
    length_m: float = 0.0
    count: int = 0
    label: str = ""

    @property
    def identifying(self) -> bool:
        return self.kind != "count"


@dataclass(frozen=True)
class CorroborationParams:
    record_tolerance_h: float = 12.0
    ship_min_length_m: float = 30.0
    min_stay_h: float = 2.0
    in_port_km: float = 5.0


@dataclass(frozen=True)
class Corroboration:
    confidence: str
    basis: str
    supporting: dict[str, list[CaseItem]] = field(default_factory=dict)  # site_id -> items
    contradicting: list[CaseItem] = field(default_factory=list)
    best_port: str | None = None

    def as_dict(self) -> dict[str, Any]:
        def item(i: CaseItem) -> dict[str, Any]:
            return {"kind": i.kind, "id": i.id, "site": i.site_id, "at": i.at.isoformat(), "label": i.label}

        return {
            "confidence": self.confidence,
            "basis": self.basis,
            "best_port": self.best_port,
            "supporting": {k: [item(i) for i in v] for k, v in self.supporting.items()},
            "contradicting": [item(i) for i in self.contradicting],
        }


def _window(fit: PortFit, t_off: datetime, tol_h: float) -> tuple[datetime, datetime]:
    return (
        t_off + timedelta(hours=fit.earliest_arrival_h - tol_h),
        t_off + timedelta(hours=fit.latest_departure_h + tol_h),
    )


def corroborate(
    fits: Sequence[PortFit],
    t_off: datetime,
    t_on: datetime,
    vessel_keys: set[str],
    items: Sequence[CaseItem],
    params: CorroborationParams = CorroborationParams(),
) -> Corroboration:
    """Sort the case's items into support and contradiction and grade the voyage (module table)."""
    reachable = {f.site_id: f for f in fits if f.in_reach}
    supporting: dict[str, list[CaseItem]] = {}
    contradicting: list[CaseItem] = []
    for it in items:
        mine = it.identifying and it.vessel in vessel_keys
        if it.identifying and not mine:
            continue
        tol = params.record_tolerance_h if it.kind in ("port_state", "trade", "rail") else 0.0
        fit = reachable.get(it.site_id)
        if fit is not None:
            lo, hi = _window(fit, t_off, tol)
            if lo <= it.at <= hi:
                if it.kind == "count" and (it.length_m < params.ship_min_length_m or it.count < 1):
                    continue
                supporting.setdefault(it.site_id, []).append(it)
                continue
        # this vessel, during the silence, somewhere (or at a time) the voyage cannot explain
        if mine and t_off <= it.at <= t_on:
            contradicting.append(it)
    return _grade(reachable, supporting, contradicting, params)


def _grade(
    reachable: dict[str, PortFit],
    supporting: dict[str, list[CaseItem]],
    contradicting: list[CaseItem],
    params: CorroborationParams,
) -> Corroboration:
    best_port, best_rank, basis = None, 0, ""
    for site_id, its in supporting.items():
        ident = [i for i in its if i.identifying]
        counts = [i for i in its if not i.identifying]
        independent = len({(i.kind, i.id) for i in ident})
        rank = 3 if independent >= 2 or (ident and counts) else 2 if ident else 1 if counts else 0
        if rank > best_rank:
            best_port, best_rank = site_id, rank
            name = reachable[site_id].name
            basis = {
                3: f"{len(ident)} identifying item(s){' and a ship-size count' if counts else ''} at {name}",
                2: f"{ident[0].kind.replace('_', '-')} of the vessel at {name} within its window"
                if ident
                else "",
                1: f"a ship-size object counted at {name} within the window (does not identify the vessel)",
            }[rank]
    words = {3: "very likely", 2: "likely", 1: "roughly even chance"}
    if best_rank:
        confidence = words[best_rank]
    elif home := min(
        (f for f in reachable.values() if f.off_km <= params.in_port_km and f.on_km <= params.in_port_km),
        key=lambda f: f.via_km,
        default=None,
    ):
        confidence = "unlikely"
        basis = f"no corroboration; off and on within {params.in_port_km:g} km of {home.name}: most likely stayed there"
    elif any(f.max_stay_h >= params.min_stay_h for f in reachable.values()):
        confidence, basis = "roughly even chance", "no corroboration; a watched port is within reach"
    else:
        confidence, basis = (
            "unlikely",
            f"no corroboration; no watched port leaves {params.min_stay_h:g} h for a stay",
        )
    if contradicting and confidence in ("very likely", "likely"):
        confidence = "roughly even chance"
    if contradicting:
        basis += f"; {len(contradicting)} item(s) place the vessel where the voyage cannot explain"
    return Corroboration(confidence, basis, supporting, contradicting, best_port)
