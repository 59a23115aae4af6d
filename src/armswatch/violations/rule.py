"""Rules that read one finding against the provisions it may engage (pure: findings and facts in, candidates out).

Each rule names the finding kinds it reads, the provisions, and how each element is judged from the
finding and the case facts. A rule that does not apply to a finding returns ``None``.

| rule | reads | provisions |
|---|---|---|
| ``designated-vessel-port-call`` | ``sanctions.vessel_activity`` about a port call, dark port call or shuttle | 2321 para 12, 2371 (vessels) |
| ``dprk-port-shipment`` | ``ais.shuttle``, ``ais.dark_port_call`` touching a DPRK port | 2270 para 18, 1718 para 8(b), 1874 para 9 |
| ``dprk-linked-encounter`` | ``ais.encounter`` with a DPRK-flagged (MID 445) or designated vessel | 1718 para 8(a)-(b), 1874 paras 9 and 17 |
| ``dprk-origin-munitions`` | ``munitions.*`` findings (items and groups) | 1718 para 8(b), 1874 para 9 |
| ``rail-crossing`` | ``rail.*`` findings at a rail site in the DPRK or Russia | 2321 paras 13 and 21, 2270 para 18 |
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from armswatch.provenance.model import Finding
from armswatch.violations.element import Candidate, Element, met, unknown, unmet

DPRK: Final = "KP"
DPRK_MID: Final = "445"
UN_DATASET: Final = "un_sc"
ALL_ARMS_BAN: Final = date(2009, 6, 12)  # UNSCR 1874 extended the export ban to all arms


@dataclass(frozen=True, slots=True)
class SiteFact:
    id: str
    name: str
    country: str
    kind: str


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the rules may look up beyond the finding itself."""

    sites: Mapping[str, SiteFact] = field(default_factory=dict)
    #: vessel subject (``vessel:mmsi:N``) → ids of ``sanctions.vessel_activity`` findings on UN-designated vessels
    un_designated: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: vessel subject → ids of confirmed findings that tie the vessel to arms cargo (munitions, counts, sightings)
    arms_cargo: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _sites(finding: Finding, facts: CaseFacts) -> list[SiteFact]:
    ids = [s.removeprefix("site:") for s in finding.subjects if s.startswith("site:")]
    return [facts.sites[i] for i in ids if i in facts.sites]


def _vessels(finding: Finding) -> list[str]:
    return [s for s in finding.subjects if s.startswith("vessel:mmsi:")]


def _candidate(
    rule: str, finding: Finding, provisions: Sequence[str], elements: Sequence[Element]
) -> Candidate:
    return Candidate(
        rule=rule,
        finding_id=finding.id,
        finding_title=finding.title,
        finding_kind=finding.kind,
        finding_confidence=finding.confidence,
        provisions=tuple(provisions),
        elements=tuple(elements),
        subjects=finding.subjects,
        start=finding.start,
        end=finding.end,
        geometry=finding.geometry,
        evidence=finding.evidence,
    )


def _arms_cargo(finding: Finding, facts: CaseFacts) -> Element:
    needs = "The cargo was arms or related materiel"
    linked = tuple(f for v in _vessels(finding) for f in facts.arms_cargo.get(v, ()))
    if linked:
        return met("arms-cargo", needs, "confirmed findings tie this vessel to arms cargo", linked)
    return unknown(
        "arms-cargo",
        needs,
        "AIS shows movements, not cargo: corroborate with imagery, manifests or recovered items",
    )


def designated_vessel_port_call(finding: Finding, facts: CaseFacts) -> Candidate | None:
    if finding.kind != "sanctions.vessel_activity":
        return None
    details = finding.details
    activity = str(details.get("activity_kind", ""))
    if activity not in ("ais.port_call", "ais.dark_port_call", "ais.shuttle"):
        return None
    dataset, status = details.get("dataset"), details.get("listing_status")
    needs = "The vessel was designated by the Security Council's 1718 Committee on the day"
    if dataset == UN_DATASET and status == "listed":
        designation = met(
            "un-designation", needs, "listed on the UN consolidated list on the day of the activity"
        )
    elif dataset == UN_DATASET:
        designation = unmet("un-designation", needs, f"UN list status on the day: {status}")
    else:
        designation = unmet(
            "un-designation",
            needs,
            f"designated on the {dataset} list, not by the UN Committee: UN vessel measures follow UN designations",
        )
    strength = details.get("match_strength")
    score = float(details.get("match_score") or 0.0)
    needs_id = "The AIS vessel is the designated vessel"
    if strength == "listed" or (strength is None and score >= 1.0):
        identity = met(
            "identity", needs_id, str(details.get("match_explanation") or "exact identifier match")
        )
    else:
        identity = unknown("identity", needs_id, f"match only at score {score:.2f}: corroborate the identity")
    foreign = [s for s in _sites(finding, facts) if s.country != DPRK]
    needs_port = "The vessel entered a port of a state other than the DPRK"
    if activity == "ais.dark_port_call":
        port = unknown("port-entry", needs_port, "a dark port call is inferred from an AIS gap, not observed")
    elif foreign:
        port = met(
            "port-entry", needs_port, "port call at " + ", ".join(f"{s.name} ({s.country})" for s in foreign)
        )
    else:
        port = unknown("port-entry", needs_port, "no watched port of another state is named by the activity")
    return _candidate(
        "designated-vessel-port-call", finding, ("2321-12", "2371-vessels"), (designation, identity, port)
    )


def dprk_port_shipment(finding: Finding, facts: CaseFacts) -> Candidate | None:
    if finding.kind not in ("ais.shuttle", "ais.dark_port_call"):
        return None
    sites = _sites(finding, facts)
    dprk = [s for s in sites if s.country == DPRK]
    other = [s for s in sites if s.country != DPRK]
    if not dprk:
        return None
    observed = finding.kind == "ais.shuttle"
    needs_dprk = "The vessel called at a DPRK port"
    needs_other = "The vessel also called at a port of another state"
    names = ", ".join(s.name for s in dprk)
    elements = [
        met("dprk-call", needs_dprk, f"port calls observed at {names}")
        if observed
        else unknown("dprk-call", needs_dprk, f"inferred from an AIS gap near {names}, not observed"),
        met("state-call", needs_other, "port calls observed at " + ", ".join(s.name for s in other))
        if observed and other
        else unknown("state-call", needs_other, "this finding names no port of another state"),
        _arms_cargo(finding, facts),
        unknown(
            "inspection",
            "The cargo reached a state's territory, where 2270 para 18 requires its inspection",
            "open sources rarely show whether cargo was inspected",
        ),
    ]
    return _candidate("dprk-port-shipment", finding, ("2270-18", "1718-8b", "1874-9"), elements)


def dprk_linked_encounter(finding: Finding, facts: CaseFacts) -> Candidate | None:
    if finding.kind != "ais.encounter":
        return None
    vessels = _vessels(finding)
    flagged = [v for v in vessels if v.removeprefix("vessel:mmsi:")[:3] == DPRK_MID]
    designated = tuple(f for v in vessels for f in facts.un_designated.get(v, ()))
    if not flagged and not designated:
        return None
    reason = "; ".join(
        [*(f"{v} transmits the DPRK's MID 445 (self-reported)" for v in flagged)]
        + (["a vessel is UN-designated"] if designated else [])
    )
    elements = (
        met("dprk-party", "One vessel is DPRK-flagged or UN-designated", reason, designated),
        unknown(
            "transfer",
            "Cargo passed between the vessels",
            "an encounter shows two vessels close for a time, not a transfer",
        ),
        _arms_cargo(finding, facts),
    )
    return _candidate("dprk-linked-encounter", finding, ("1718-8a", "1718-8b", "1874-9", "1874-17"), elements)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def dprk_origin_munitions(finding: Finding, facts: CaseFacts) -> Candidate | None:
    if not finding.kind.startswith("munitions."):
        return None
    d = finding.details
    origin = str(d.get("origin_country") or "")
    needs_origin = "The items were produced in the DPRK"
    if origin == DPRK:
        origin_el = met(
            "dprk-origin", needs_origin, str(d.get("origin_basis") or "attributed to DPRK production")
        )
    elif origin:
        origin_el = unmet("dprk-origin", needs_origin, f"attributed to {origin}")
    else:
        origin_el = unknown("dprk-origin", needs_origin, "no attribution of origin recorded")
    where = str(d.get("recovered_country") or "")
    needs_abroad = "The items left the DPRK (recovered or used abroad)"
    if where and where != DPRK:
        abroad = met("abroad", needs_abroad, f"recovered in {where}")
    elif where:
        abroad = unmet("abroad", needs_abroad, "recovered in the DPRK")
    else:
        abroad = unknown("abroad", needs_abroad, "no recovery place recorded")
    when = _day(d.get("recovered_at")) or (finding.start.date() if finding.start else None)
    shown = str(d.get("recovered_at") or when)  # a partial date stays partial ("2024-05")
    needs_date = "The export happened after UNSCR 1874 banned all DPRK arms exports (12 Jun 2009)"
    if when and when >= ALL_ARMS_BAN:
        after = met("after-ban", needs_date, f"recovered or used in {shown}, so exported after the ban")
    else:
        after = unknown("after-ban", needs_date, "no date shows when the items left the DPRK")
    shipments = tuple(str(x) for x in d.get("shipment_findings") or ())
    needs_proc = "A state, its nationals, flag vessels or aircraft procured the items from the DPRK"
    procurement = (
        met("procurement", needs_proc, "linked to shipment findings", shipments)
        if shipments
        else unknown("procurement", needs_proc, "no shipment in the case is linked to these items")
    )
    return _candidate(
        "dprk-origin-munitions", finding, ("1718-8b", "1874-9"), (origin_el, abroad, after, procurement)
    )


def rail_crossing(finding: Finding, facts: CaseFacts) -> Candidate | None:
    if not finding.kind.startswith("rail."):
        return None
    border = [s for s in _sites(finding, facts) if s.kind == "rail" and s.country in (DPRK, "RU")]
    if not border:
        return None
    elements = (
        met("rail-cross-border", "Rail freight moved to or from the DPRK", ", ".join(s.name for s in border)),
        _arms_cargo(finding, facts),
        unknown(
            "inspection",
            "The cargo reached a state's territory, where 2321 paras 13 and 21 extend inspection to rail",
            "open sources rarely show whether cargo was inspected",
        ),
    )
    return _candidate("rail-crossing", finding, ("2321-13", "2321-21", "2270-18"), elements)


Rule = Callable[[Finding, CaseFacts], Candidate | None]
RULES: Final[dict[str, Rule]] = {
    "designated-vessel-port-call": designated_vessel_port_call,
    "dprk-port-shipment": dprk_port_shipment,
    "dprk-linked-encounter": dprk_linked_encounter,
    "dprk-origin-munitions": dprk_origin_munitions,
    "rail-crossing": rail_crossing,
}


def map_findings(findings: Sequence[Finding], facts: CaseFacts) -> list[Candidate]:
    """Every candidate that some rule proposes for the findings (rejected findings are left out)."""
    out: list[Candidate] = []
    for finding in findings:
        if finding.status == "rejected":
            continue
        for rule in RULES.values():
            candidate = rule(finding, facts)
            if candidate is not None:
                out.append(candidate)
    return out
