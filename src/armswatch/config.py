"""The workspace file ``armswatch.toml``: what it holds and how a workspace is found."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from armswatch.errors import WorkspaceError
from armswatch.io.atomic import write_text_atomic

CONFIG_NAME = "armswatch.toml"
FORMAT = "armswatch-workspace/1"
DEFAULT_DB_URL = "sqlite:///armswatch.db"


@dataclass(frozen=True, slots=True)
class WorkspaceConfig:
    name: str
    created: str
    database_url: str
    blobs: str | None = None  # a shared blob store (path or s3://bucket/prefix); None: blobs/ here

    def to_toml(self) -> str:
        data: dict[str, dict[str, str]] = {
            "workspace": {"format": FORMAT, "name": self.name, "created": self.created},
            "database": {"url": self.database_url},
        }
        if self.blobs is not None:
            data["blobs"] = {"location": self.blobs}
        return tomli_w.dumps(data)


def read_config(root: Path) -> WorkspaceConfig:
    path = root / CONFIG_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise WorkspaceError(f"not an armswatch workspace (no {CONFIG_NAME})", path=str(root)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(f"malformed workspace file: {exc}", path=str(path)) from exc
    ws = data.get("workspace", {})
    fmt = ws.get("format", FORMAT)
    if fmt != FORMAT:
        raise WorkspaceError(
            f"unsupported workspace format {fmt!r} (this armswatch reads {FORMAT})", path=str(path)
        )
    return WorkspaceConfig(
        name=str(ws.get("name", root.name)),
        created=str(ws.get("created", "")),
        database_url=str(data.get("database", {}).get("url", DEFAULT_DB_URL)),
        blobs=str(data["blobs"]["location"]) if "location" in data.get("blobs", {}) else None,
    )


def write_config(root: Path, config: WorkspaceConfig) -> None:
    write_text_atomic(root / CONFIG_NAME, config.to_toml())


def resolve_database_url(root: Path, configured: str) -> str:
    """``ARMSWATCH_DATABASE_URL`` wins; a relative SQLite path is taken inside the workspace."""
    url = os.environ.get("ARMSWATCH_DATABASE_URL") or configured
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        relative = url[len(prefix) :]
        target = (root / relative).resolve()
        if not target.is_relative_to(root.resolve()):
            raise WorkspaceError(f"database path {relative!r} points outside the workspace", path=str(root))
        url = prefix + str(target)
    return url


def find_workspace(start: Path | None = None) -> Path:
    """The workspace named by ``ARMSWATCH_WORKSPACE``, else the nearest ``armswatch.toml`` upwards."""
    env = os.environ.get("ARMSWATCH_WORKSPACE")
    if env:
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise WorkspaceError(
        f"no workspace here: no {CONFIG_NAME} in {here} or above; run 'armswatch init DIR' "
        "or pass --workspace / set ARMSWATCH_WORKSPACE"
    )
