"""A violations annex in the style of the Panel of Experts' annexes: one row per candidate, with its evidence.

Columns: the fact (what was seen), vessels, dates, places, items, the provisions it may engage with the
elements met/unmet/unknown, the review status, and the evidence references (artifact ids and the fact's
own finding id), so that every row can be traced back to what the case holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from markupsafe import Markup, escape

from armswatch.provenance.model import Finding

COLUMNS: Final = (
    "no",
    "candidate",
    "fact",
    "vessels",
    "dates",
    "places",
    "items",
    "provisions",
    "elements",
    "status",
    "confidence",
    "evidence",
)


def _dates(f: Finding) -> str:
    if f.start is None:
        return ""
    start = f.start.date().isoformat()
    end = f.end.date().isoformat() if f.end else start
    return start if end == start else f"{start} to {end}"


def annex_rows(
    candidates: Sequence[Finding], site_names: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Annex rows for candidate findings (``violations.candidate``), in the order given."""
    names = site_names or {}
    rows = []
    for no, c in enumerate(candidates, 1):
        d = c.details
        sites = [s.removeprefix("site:") for s in c.subjects if s.startswith("site:")]
        elements = d.get("elements") or []
        rows.append(
            {
                "no": no,
                "candidate": c.id,
                "fact": f"{d.get('fact_kind', '')} {d.get('fact_finding', '')}".strip(),
                "vessels": "; ".join(
                    s.removeprefix("vessel:") for s in c.subjects if s.startswith("vessel:")
                ),
                "dates": str(d.get("fact_when") or _dates(c)),
                "places": "; ".join(names.get(s, s) for s in sites),
                "items": "; ".join(
                    s.removeprefix("munition:") for s in c.subjects if s.startswith("munition:")
                ),
                "provisions": "; ".join(
                    str(p.get("citation", p.get("id"))) for p in d.get("provisions") or []
                ),
                "elements": "; ".join(f"{e.get('needs')}: {e.get('status')}" for e in elements),
                "status": c.status,
                "confidence": c.confidence,
                "evidence": "; ".join([*c.evidence, str(d.get("fact_finding", ""))]).strip("; "),
            }
        )
    return rows


def annex_html(
    rows: Sequence[Mapping[str, Any]], title: str = "Annex: facts and the provisions they may engage"
) -> str:
    """A standalone HTML table (every value escaped; no scripts, no remote resources)."""
    head = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(r.get(c, '')))}</td>" for c in COLUMNS) + "</tr>" for r in rows
    )
    note = (
        "Each row is proposed by a rule from the facts in the case and shows which elements of the provision "
        "the evidence meets. A row is not a legal conclusion; its status shows whether an analyst confirmed it."
    )
    return str(
        Markup(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{t}</title>"
            "<style>body{{font-family:'Noto Sans','Noto Sans KR','DejaVu Sans',sans-serif;margin:2em}}"
            "table{{border-collapse:collapse;font-size:12px}}td,th{{border:1px solid #999;padding:4px;"
            "vertical-align:top;text-align:left}}th{{background:#eee}}</style></head>"
            "<body><h1>{t}</h1><p>{n}</p><table><thead><tr>{h}</tr></thead><tbody>{b}</tbody></table>"
            "</body></html>\n"
        ).format(t=title, n=note, h=Markup(head), b=Markup(body))
    )
