"""The part of the workspace that the store mixins rely on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine


class Facade:
    """What a store mixin needs from the workspace it is mixed into."""

    engine: Engine
    analyst: str
    root: Path

    def transaction(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _audit(
        self,
        conn: Connection,
        action: str,
        object_type: str,
        object_id: str,
        payload: Mapping[str, Any],
        seal: Iterable[tuple[str, Sequence[tuple[Any, ...]]]] | None = None,
    ) -> int:
        raise NotImplementedError
