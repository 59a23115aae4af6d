"""Jinja2 templates (autoescape on for every template) and the page renderer."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from armswatch import __version__


def _thumbnailable(artifact: Any) -> bool:
    from armswatch.web.query.evidence import thumbnailable

    return thumbnailable(artifact)


def ship_type(code: int | None) -> str:
    """``70`` → ``70 (cargo)`` (ITU-R M.1371 ship and cargo type), ``None`` → ``–``."""
    if code is None:
        return "–"
    from armswatch.dossier.vessel_ais import ship_type_text

    return ship_type_text(str(code))


def filesize(n: int | None) -> str:
    """``1.2 MB``, ``34 kB``, ``512 B`` (decimal units)."""
    if n is None:
        return "–"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("armswatch.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    env.filters["short"] = lambda s, n=12: (s[: n - 1] + "…") if s and len(s) > n else s
    env.filters["when"] = lambda d: d.strftime("%Y-%m-%d %H:%M") if d else "–"
    env.filters["filesize"] = filesize
    env.filters["ship_type"] = ship_type
    env.tests["thumbnailable"] = _thumbnailable
    return env


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    ws = request.app.state.workspace
    ctx = {
        "request": request,
        "me": principal,
        "csrf_token": principal.session.csrf_token
        if principal is not None and principal.via == "cookie"
        else "",
        "case_name": ws.name,
        **context,
    }
    html = environment().get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code, headers=headers)
