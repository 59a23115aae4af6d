"""``armswatch imagery providers|order``: configured imagery providers and ordering scenes for a site.

Keys never appear as options: they come from the environment or configuration files (see
``armswatch.connectors.credentials``). Nothing is contacted unless ``order`` is run.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from armswatch.cli.common import FormatOpt, OutputOpt, QuietOpt, WorkspaceOpt, emit, open_workspace, say


def providers_cmd(workspace: WorkspaceOpt = None, fmt: FormatOpt = "table", output: OutputOpt = "-") -> None:
    """List the configured imagery providers and which secrets are set (never their values).

    Configure them in [providers.NAME] tables of armswatch.toml or ~/.config/armswatch/providers.toml,
    or with environment variables (PL_API_KEY, SH_CLIENT_ID/SH_CLIENT_SECRET, ARMSWATCH_<NAME>_TOKEN…).
    Nothing is contacted.

    Example: armswatch imagery providers
    """
    from armswatch.config import find_workspace
    from armswatch.connectors.credentials import load_providers, user_config_path
    from armswatch.errors import WorkspaceError

    try:
        root = workspace or find_workspace()
    except WorkspaceError:
        root = None
    rows = [p.row() for p in load_providers(root).values()]
    if not rows and fmt == "table":
        say(
            f"no imagery providers configured (workspace armswatch.toml, {user_config_path()} or environment)"
        )
        return
    emit(
        rows,
        fmt=fmt,
        output=output,
        columns=["provider", "kind", "url", "collection", "auth", "secrets", "from"],
    )


def order_cmd(
    provider: Annotated[
        str, typer.Option("--provider", help="Configured provider name (see 'imagery providers').")
    ],
    site: Annotated[str, typer.Option("--site", help="Site id: the area searched and clipped to.")],
    date_from: Annotated[str, typer.Option("--from", help="First acquisition date (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Last acquisition date (YYYY-MM-DD).")],
    max_cloud: Annotated[
        float | None, typer.Option("--max-cloud", help="Maximum scene cloud cover, %.")
    ] = None,
    max_scenes: Annotated[
        int, typer.Option("--max-scenes", help="Order at most this many (clearest) scenes.")
    ] = 5,
    resolution: Annotated[
        float | None,
        typer.Option("--resolution", help="Grid pixel size in m (Sentinel Hub 10, STAC 2 by default)."),
    ] = None,
    search_only: Annotated[
        bool, typer.Option("--search-only", help="List what would be ordered; order nothing.")
    ] = False,
    ingest: Annotated[
        bool, typer.Option("--ingest", help="Also ingest the delivered images for the site.")
    ] = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
    quiet: QuietOpt = False,
) -> None:
    """Search a provider over a site and order/download the clearest scenes, clipped to the site.

    Each delivered file becomes an artifact with provider, licence and order id (an 'imagery.order' run);
    --ingest puts the images on the site grid. Planet orders can take minutes to hours to be ready.

    Example: armswatch imagery order --provider planet --site rajin-port --from 2024-05-01 --to 2024-05-31 --max-cloud 10
    """
    from datetime import date

    from armswatch.connectors.credentials import get_provider
    from armswatch.connectors.delivery import store_deliveries
    from armswatch.errors import InputError

    try:
        start, end = date.fromisoformat(date_from), date.fromisoformat(date_to)
    except ValueError as exc:
        raise InputError(f"--from/--to must be dates like 2024-03-02 ({exc})") from exc
    if max_scenes < 1:
        raise InputError("--max-scenes must be at least 1")
    ws = open_workspace(workspace)
    with ws:
        s = ws.get_site(site)
        cfg = get_provider(provider, ws.root)
        area = s.geometry.buffer(0.005) if s.geometry.geom_type == "Point" else s.geometry
        found, fetch = _plan(cfg, area, s.geometry, start, end, max_cloud, max_scenes, resolution, site)
        if search_only or not found:
            emit(found, fmt=fmt, output=output)
            if not found:
                say("nothing found", quiet)
            return
        say(f"ordering {len(found)} scene(s) from {provider}…", quiet)
        stored = store_deliveries(ws, site, provider, cfg.kind, fetch(),
                                  {"from": date_from, "to": date_to, "max_cloud": max_cloud,
                                   "scenes": [r["id"] for r in found]}, ingest=ingest)  # fmt: skip
    emit([x.row() for x in stored], fmt=fmt, output=output)


def _plan(
    cfg: Any, area: Any, site_geom: Any, start: Any, end: Any, max_cloud: float | None, n: int,
    resolution: float | None, site: str,
) -> tuple[list[dict[str, Any]], Any]:  # fmt: skip
    """Search the provider; return rows of the chosen scenes and a function that delivers them."""
    if cfg.kind == "planet":
        from armswatch.connectors import planet

        items = planet.search(cfg, area, start, end, max_cloud=max_cloud)
        chosen = sorted(items, key=lambda i: i.cloud_cover or 0.0)[:n]
        return [i.row() for i in chosen], lambda: planet.order(cfg, chosen, area, name=f"armswatch {site}")
    if cfg.kind == "sentinelhub":
        from armswatch.connectors import sentinelhub

        scenes = sentinelhub.search(cfg, area, start, end, max_cloud=max_cloud)
        picked = sorted(scenes, key=lambda x: x.cloud_cover or 0.0)[:n]
        return [x.row() for x in picked], lambda: sentinelhub.fetch(
            cfg, picked, site_geom, resolution=resolution or 10.0
        )
    from armswatch.connectors import stac_auth

    pairs = stac_auth.search(cfg, area, start, end, max_cloud=max_cloud)
    best = sorted(pairs, key=lambda p: p[0].cloud_cover or 0.0)[:n]
    return [p[0].row() for p in best], lambda: [
        stac_auth.deliver(cfg, p[0], site_geom, resolution=resolution or 2.0) for p in best
    ]


def register(app: typer.Typer) -> None:
    """Add the provider commands to the ``imagery`` group."""
    app.command("providers")(providers_cmd)
    app.command("order")(order_cmd)
