from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.connectors.recorded import Recorded, serve


@pytest.fixture()
def recorded() -> Iterator[Recorded]:
    yield from serve()
