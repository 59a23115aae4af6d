"""armswatch: an open-source workbench for monitoring weapons production and arms transfers."""

from __future__ import annotations

import sys
from pathlib import Path


def _installed_version() -> str:
    """The installed distribution's version, read from its ``METADATA`` on ``sys.path`` (a few file
    look-ups; ``importlib.metadata`` costs ~0.1 s of imports on every command start)."""
    for entry in sys.path:
        folder = Path(entry or ".")
        try:
            candidates = sorted(folder.glob("armswatch-*.dist-info"))
        except OSError:
            continue
        for dist in candidates:
            try:
                with (dist / "METADATA").open(encoding="utf-8") as fh:
                    for line in fh:
                        if line.startswith("Version:"):
                            return line.split(":", 1)[1].strip()
                        if not line.strip():
                            break
            except OSError:
                continue
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("armswatch")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0.0.0+unknown"


__version__ = _installed_version()

__all__ = ["__version__"]
