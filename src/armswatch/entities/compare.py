"""Pair scoring for evaluation: ``schema, name1, name2`` rows in, ``score`` and ``match`` added."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followthemoney import model

from armswatch.entities.csvfile import csv_rows
from armswatch.errors import InputError
from armswatch.matching.score import DEFAULT_THRESHOLD, MatchScore, score_pair
from armswatch.matching.subject import subject_from_row

PAIR_COLUMNS = ("schema", "name1", "name2")


def compare_names_pair(
    schema: str, name1: str, name2: str, threshold: float = DEFAULT_THRESHOLD
) -> MatchScore:
    """Score two names of the given FtM schema (``name1`` is the query, ``name2`` the list entry)."""
    left = subject_from_row({"id": "1", "name": name1, "schema": schema})
    right = subject_from_row({"id": "2", "name": name2, "schema": schema})
    return score_pair(left, right, threshold)


@dataclass(frozen=True)
class PairResults:
    """Scored rows and per-row problems by reason."""

    rows: list[dict[str, Any]]
    problems: Counter[str]


def compare_pairs_file(
    path: Path, threshold: float = DEFAULT_THRESHOLD, *, strict: bool = False
) -> PairResults:
    """Read a pairs CSV and score every row; rows keep their columns and gain ``score``, ``match``,
    ``explanation``."""
    rows: list[dict[str, Any]] = []
    problems: Counter[str] = Counter()
    for line, row in csv_rows(path, PAIR_COLUMNS):
        schema, n1, n2 = ((row.get(c) or "").strip() for c in PAIR_COLUMNS)
        if not (schema and n1 and n2):
            if strict:
                raise InputError("empty schema or name", path=str(path), record=line)
            problems["empty schema or name"] += 1
            continue
        if model.get(schema) is None:  # e.g. "person": every pair would silently score 0
            if strict:
                raise InputError(f"unknown schema {schema!r}", path=str(path), record=line)
            problems[f"unknown schema {schema!r}"] += 1
            continue
        result = compare_names_pair(schema, n1, n2, threshold)
        rows.append({**row, "score": result.score, "match": result.match, "explanation": result.explanation})
    return PairResults(rows, problems)
