"""FollowTheMoney / OpenSanctions JSON lines (one entity per line) → :class:`ListSnapshot`.

Each line is an entity dict (``id``, ``schema``, ``properties``); lines in the statement format
(``statements`` list) are read too. Values are re-cleaned (untrusted input). The dataset is the
caller's name (e.g. the OpenSanctions dataset) or the first ``datasets`` entry of the first entity.
Lines that are not JSON or not valid entities are counted in ``problems``, not fatal.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy
from followthemoney.statement import StatementEntity

from armswatch.entities.snapshot import ListSnapshot, ftm_dataset

DEFAULT_DATASET = "ftm"


def parse_ftm_lines(
    lines: Iterable[str], *, dataset: str | None = None, list_date: date | None = None
) -> ListSnapshot:
    """Parse FtM JSON lines; ``dataset`` overrides the name found in the data."""
    problems: Counter[str] = Counter()
    records: list[dict[str, Any]] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            problems["ftm: line is not JSON"] += 1
            continue
        if not isinstance(data, dict) or not data.get("id") or not data.get("schema"):
            problems["ftm: line without id or schema"] += 1
            continue
        records.append(data)
    name = dataset or _dataset_of(records) or DEFAULT_DATASET
    ds = ftm_dataset(name)
    entities: list[EntityProxy] = []
    for data in records:
        clean = {"id": data["id"], "schema": data["schema"], "properties": data.get("properties") or {}}
        try:
            entity = StatementEntity(ds, clean, cleaned=False)
        except (InvalidData, TypeError, ValueError) as exc:
            problems[f"ftm: invalid entity ({type(exc).__name__})"] += 1
            continue
        entities.append(entity)
    return ListSnapshot(name, list_date, entities, problems, name)


def _dataset_of(records: list[dict[str, Any]]) -> str | None:
    for data in records:
        datasets = data.get("datasets")
        if isinstance(datasets, list) and datasets and isinstance(datasets[0], str):
            return datasets[0]
    return None
