"""``armswatch serve``: the analyst workbench in a browser (FastAPI and uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from armswatch.cli.common import WorkspaceOpt, open_workspace, say

HELP = "Serve the analyst workbench (map, review queue, findings, vessels, entities) over HTTP."


def register(root: typer.Typer) -> None:
    root.command("serve", help=None)(serve)


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (keep 127.0.0.1 behind a reverse proxy).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            "--forwarded-allow-ips",
            help="Proxies whose X-Forwarded-Proto/For headers are trusted (comma-separated; '*' for any).",
        ),
    ] = "127.0.0.1",
    workspace: WorkspaceOpt = None,
) -> None:
    """Serve the analyst workbench (map, review queue, findings, vessels, entities) over HTTP.

    One process serves a small team; create accounts first with 'armswatch users add'.

    Run it behind a reverse proxy that terminates TLS (docs/web.md); cookies are Secure on HTTPS.

    Example: armswatch users add alice --role admin && armswatch serve --port 8000
    """
    import threading

    import uvicorn

    from armswatch.auth.users import list_users
    from armswatch.web.app import create_app
    from armswatch.web.warmup import warm_up

    if not 0 < port < 65536:
        from armswatch.errors import InputError

        raise InputError(f"--port must be 1-65535 (got {port})")
    ws = open_workspace(workspace)
    if not list_users(ws):
        say("no accounts yet: add one with 'armswatch users add NAME --role admin' (nobody can log in)")
    app = create_app(ws)
    threading.Thread(target=warm_up, args=(ws,), daemon=True).start()  # base map, name index, entity graph
    say(f"armswatch workbench for {ws.name} on http://{host}:{port}/ (Ctrl-C stops it)")
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips,
            log_level="warning",
            server_header=False,
            timeout_keep_alive=30,  # fewer idle-connection races with clients and proxies that keep connections
        )
    finally:
        ws.close()
