"""``armswatch imagery providers|order``: commercial and authenticated imagery providers."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the provider commands to the ``imagery`` group."""
