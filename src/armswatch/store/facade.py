"""The part of the workspace that the store mixins rely on."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection, Engine


class Facade:
    """What a store mixin needs from the workspace it is mixed into."""

    engine: Engine
    analyst: str

    def transaction(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _audit(
        self, conn: Connection, action: str, object_type: str, object_id: str, payload: Mapping[str, Any]
    ) -> None:
        raise NotImplementedError
