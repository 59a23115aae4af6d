"""FollowTheMoney / OpenSanctions JSON lines (one entity per line) → :class:`ListSnapshot`.

Each line is an entity dict (``id``, ``schema``, ``properties``). Values are re-cleaned (untrusted
input). The dataset is the caller's name (e.g. the OpenSanctions dataset) or the first ``datasets``
entry of the first entity.

Every line is untrusted: a line that is not JSON, nests too deep for the decoder, is longer than
:data:`MAX_LINE_CHARS`, or is not an entity (``id`` and ``schema`` must be text, the schema one
FtM knows, ``properties`` an object of text values) is counted in ``problems`` by reason with its
first line number, never fatal. Numbers are kept as their text (no integer-size limit is reached,
``1e400`` stays ``"1e400"``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any, Final

from followthemoney import model
from followthemoney.dataset.util import dataset_name_check
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy
from followthemoney.statement import StatementEntity

from armswatch.entities.problem import Problems
from armswatch.entities.snapshot import ListSnapshot, ftm_dataset
from armswatch.errors import InputError

DEFAULT_DATASET = "ftm"
MAX_LINE_CHARS: Final = 16 * 1024 * 1024
MAX_ID_CHARS: Final = 1024


def is_dataset_name(name: str) -> bool:
    """True for a name FtM accepts as a dataset name (lower-case slug: ``un_sc``, ``us_ofac_sdn``)."""
    try:
        dataset_name_check(name)
    except ValueError:
        return False
    return True


def check_dataset_name(name: str, source: str | None = None) -> str:
    """``name`` when FtM accepts it as a dataset name, else an InputError naming ``source``."""
    if not is_dataset_name(name):
        raise InputError(
            f"dataset name {name[:60]!r} is not valid: use lower-case letters, digits and _ (e.g. my_list)",
            path=source,
        )
    return name


def _load(line: str) -> object:
    return json.loads(line, parse_int=str, parse_float=str, parse_constant=str)


def _entity_dict(data: object) -> tuple[dict[str, Any] | None, str | None]:
    """The cleaned ``{id, schema, properties}`` of a decoded line, or the reason it is not one."""
    if not isinstance(data, dict):
        return None, "ftm: line is not a JSON object"
    eid, schema, props = data.get("id"), data.get("schema"), data.get("properties")
    if not eid or not schema:
        return None, "ftm: line without id or schema"
    if not isinstance(eid, str) or len(eid) > MAX_ID_CHARS:
        return None, "ftm: id is not text (or too long)"
    if not isinstance(schema, str) or model.get(schema) is None:
        return None, "ftm: unknown schema"
    if props is None:
        props = {}
    if not isinstance(props, dict):
        return None, "ftm: properties is not an object"
    clean: dict[str, list[str]] = {}
    for prop, values in props.items():
        items = values if isinstance(values, list) else [values]
        texts = [v for v in items if isinstance(v, str)]
        if len(texts) != len(items):
            return None, "ftm: property value is not text"
        clean[prop] = texts
    return {"id": eid, "schema": schema, "properties": clean, "datasets": data.get("datasets")}, None


def parse_ftm_lines(
    lines: Iterable[str], *, dataset: str | None = None, list_date: date | None = None
) -> ListSnapshot:
    """Parse FtM JSON lines; ``dataset`` overrides the name found in the data."""
    counter: Counter[str] = Counter()
    problems = Problems(counter)
    records: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if len(line) > MAX_LINE_CHARS:
            problems.add(f"ftm: line longer than {MAX_LINE_CHARS} characters", number)
            continue
        try:
            data = _load(line)
        except RecursionError:
            problems.add("ftm: JSON nested too deep", number)
            continue
        except ValueError:  # json.JSONDecodeError is a ValueError
            problems.add("ftm: line is not JSON", number)
            continue
        record, reason = _entity_dict(data)
        if record is None:
            problems.add(reason or "ftm: not an entity", number)
            continue
        records.append((number, record))
    if dataset is not None:
        check_dataset_name(dataset)
    where, found = _dataset_of(records)
    if found is not None and not is_dataset_name(found):
        problems.add("ftm: datasets[0] is not a valid dataset name (ignored)", where)
        found = None
    name = dataset or found or DEFAULT_DATASET
    ds = ftm_dataset(name)
    entities: list[EntityProxy] = []
    for number, data in records:
        clean = {"id": data["id"], "schema": data["schema"], "properties": data["properties"]}
        try:
            entity = StatementEntity(ds, clean, cleaned=False)
        except (InvalidData, TypeError, ValueError) as exc:
            problems.add(f"ftm: invalid entity ({type(exc).__name__})", number)
            continue
        entities.append(entity)
    return ListSnapshot(name, list_date, entities, counter, name)


def _dataset_of(records: list[tuple[int, dict[str, Any]]]) -> tuple[int, str | None]:
    """The first entity's first ``datasets`` entry, with its line."""
    for number, data in records:
        datasets = data.get("datasets")
        if isinstance(datasets, list) and datasets and isinstance(datasets[0], str) and datasets[0].strip():
            return number, datasets[0][:200]
    return 0, None
