"""One router per domain. Each route depends on a :class:`armswatch.web.deps.Requires` role."""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter

#: Router modules, in the order their routes are matched.
MODULES = (
    "auth",
    "findings",
    "sites",
    "vessels",
    "entities",
    "packages",
    "evidence",
    "munitions",
    "violations",
    "mapping",
    "search",
    "timeline",
    "jobs",
    "admin",
    "docs",
)


def routers() -> list[APIRouter]:
    out = []
    for name in MODULES:
        router = import_module(f"armswatch.web.routes.{name}").router
        assert isinstance(router, APIRouter)
        out.append(router)
    return out
