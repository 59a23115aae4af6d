"""``armswatch munitions``: the registry of recovered munition items, their markings and links."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from armswatch.cli.common import (
    FormatOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    emit,
    open_workspace,
    progress_for,
    say,
    show_record,
)
from armswatch.errors import InputError

app = typer.Typer(
    help=(
        "Munition items: what was recovered, where, its markings (any script), and the plant and shipment it "
        "points to.\n\nExample: armswatch munitions import --template dprk-russia && armswatch munitions list"
    ),
    no_args_is_help=True,
)

ListOpt = Annotated[list[str] | None, typer.Option(help="Repeat for several values.")]


def _row(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "type": item.type,
        "calibre": item.calibre,
        "family": item.family,
        "markings": " | ".join(f"{m.text} ({m.romanised})" if m.romanised else m.text for m in item.markings),
        "recovered_at": item.recovered_at,
        "recovered": ", ".join(x for x in (item.recovered_place, item.recovered_country) if x),
        "origin": item.origin_country,
        "tag": item.confidence_tag,
        "sites": list(item.sites),
        "shipments": list(item.shipments),
    }


@app.command("add")
def add(
    item_type: Annotated[
        str, typer.Option("--type", help="missile, rocket, shell, mortar-bomb, small-arms, …")
    ],
    item_id: Annotated[
        str | None, typer.Option("--id", help="Item id (default: made from family, place, date).")
    ] = None,
    calibre: Annotated[str, typer.Option(help="e.g. '122 mm'.")] = "",
    family: Annotated[str, typer.Option(help="Model or family, e.g. 'Hwasong-11'.")] = "",
    marking: Annotated[
        list[str] | None, typer.Option(help="A marking as written (any script); repeat.")
    ] = None,
    lot: str = "",
    year: Annotated[str, typer.Option(help="Production year as written on the item.")] = "",
    factory_code: str = "",
    colour: str = "",
    recovered_at: Annotated[str, typer.Option(help="YYYY, YYYY-MM or YYYY-MM-DD.")] = "",
    recovered_place: str = "",
    recovered_country: Annotated[str, typer.Option(help="ISO 3166 alpha-2, e.g. UA.")] = "",
    origin_country: Annotated[str, typer.Option(help="Attributed origin, ISO alpha-2 (e.g. KP).")] = "",
    origin_basis: Annotated[str, typer.Option(help="Why it is attributed so.")] = "",
    reported_by: str = "",
    source: Annotated[list[str] | None, typer.Option(help="Source URL; repeat.")] = None,
    evidence: Annotated[
        list[str] | None, typer.Option(help="Artifact id of a photo or document; repeat.")
    ] = None,
    site: Annotated[list[str] | None, typer.Option(help="Site id the item points to; repeat.")] = None,
    note: str = "",
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Add (or update) one munition item.

    Example: armswatch munitions add --type rocket --calibre "122 mm" --marking "방-122" --recovered-country UA
    """
    from armswatch.munitions.item import MunitionItem
    from armswatch.munitions.store import save_items

    data: dict[str, Any] = {
        "id": item_id,
        "type": item_type,
        "calibre": calibre,
        "family": family,
        "markings": list(marking or []),
        "lot": lot,
        "year": year,
        "factory_code": factory_code,
        "colour": colour,
        "recovered_at": recovered_at,
        "recovered_place": recovered_place,
        "recovered_country": recovered_country,
        "origin_country": origin_country,
        "origin_basis": origin_basis,
        "reported_by": reported_by,
        "sources": list(source or []),
        "sites": list(site or []),
        "notes": note,
    }
    with open_workspace(workspace) as ws:
        data["evidence"] = [ws.resolve_artifact_id(a) for a in evidence or []]
        for s in data["sites"]:
            ws.get_site(s)
        item = MunitionItem.from_dict(data)
        counts = save_items(ws, [item])
    say(f"{item.id}: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v), quiet)


@app.command("import")
def import_(
    path: Annotated[Path | None, typer.Argument(help="Items CSV (columns: see docs/munitions.md).")] = None,
    template: Annotated[
        str | None, typer.Option(help="A shipped, sourced template instead: dprk-russia.")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Stop at the first bad row; import nothing.")] = False,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Import items from a CSV file or a shipped template (idempotent: unchanged items are left alone).

    Example: armswatch munitions import items.csv
    """
    from armswatch.munitions.csvfile import read_items_file
    from armswatch.munitions.store import save_items
    from armswatch.munitions.template import load_template

    if (path is None) == (template is None):
        raise InputError("give either a CSV file or --template")
    bad: dict[str, int] = {}
    if template is not None:
        items = load_template(template)
    else:
        assert path is not None
        read = read_items_file(path, strict=strict)
        items, bad = read.items, dict(read.bad)
        for reason, count in bad.items():
            say(f"{path}: {count} bad rows ({reason}; first at line {read.first_bad[reason]})", quiet)
    with open_workspace(workspace) as ws:
        known = {s.id for s in ws.list_sites()}
        missing = sorted({s for i in items for s in i.sites} - known)
        if missing:
            say(f"linked sites not in the watchlist (kept as written): {', '.join(missing)}", quiet)
        with progress_for(quiet) as bar:
            counts = save_items(ws, items, progress=bar)
    say(", ".join(f"{v} {k}" for k, v in counts.items()) + f" ({sum(bad.values())} bad rows)", quiet)


@app.command("list")
def list_(
    marking: Annotated[
        str | None, typer.Option(help="Items whose markings match, in any script (방-122 = bang-122).")
    ] = None,
    item_type: Annotated[str | None, typer.Option("--type", help="Only this type.")] = None,
    site: Annotated[str | None, typer.Option(help="Only items linked to this site.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
) -> None:
    """List items (search markings in Hangul or romanised forms).

    Example: armswatch munitions list --marking "bang 122"
    """
    from armswatch.munitions.store import list_items

    with open_workspace(workspace) as ws:
        items = list_items(ws, marking=marking, item_type=item_type, site=site)
    if not items:
        say(
            "No munition items match. Add some with 'armswatch munitions add' or 'munitions import --template dprk-russia'."
        )
        return
    emit([_row(i) for i in items], fmt=fmt, output=output, title="munition items")


@app.command("show")
def show(
    item_id: Annotated[str, typer.Argument(help="Item id (or unique prefix).")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Show one item with every property, marking, source and link.

    Example: armswatch munitions show grad-122mm
    """
    from armswatch.munitions.store import get_item

    with open_workspace(workspace) as ws:
        item = get_item(ws, item_id)
    show_record(item.to_dict(), fmt)


@app.command("link")
def link(
    item_id: Annotated[str, typer.Argument(help="Item id (or unique prefix).")],
    site: ListOpt = None,
    shipment: Annotated[
        list[str] | None, typer.Option(help="Finding id of a voyage or port call; repeat.")
    ] = None,
    entity: Annotated[list[str] | None, typer.Option(help="Entity id; repeat.")] = None,
    finding: Annotated[list[str] | None, typer.Option(help="Finding id; repeat.")] = None,
    evidence: Annotated[list[str] | None, typer.Option(help="Artifact id; repeat.")] = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Link an item to sites (plants), shipments (findings), entities, findings and evidence.

    Example: armswatch munitions link grad-122mm --site kanggye-general-tractor-plant
    """
    from armswatch.munitions.store import link_item

    with open_workspace(workspace) as ws:
        item = link_item(
            ws,
            item_id,
            sites=site or [],
            shipments=shipment or [],
            entities=entity or [],
            findings=finding or [],
            evidence=evidence or [],
        )
    say(f"{item.id}: linked", quiet)


@app.command("assess")
def assess(workspace: WorkspaceOpt = None, quiet: QuietOpt = False) -> None:
    """Record item and group findings (shared lot, factory code or marking) for review and the violations mapper.

    Example: armswatch munitions assess && armswatch violations map
    """
    from armswatch.munitions.assess import assess_items

    with open_workspace(workspace) as ws:
        counts = assess_items(ws)
    say(
        f"{counts['item findings']} item findings and {counts['groups']} group findings from {counts['items']} items.",
        quiet,
    )
