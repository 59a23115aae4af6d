"""One parsed sanctions list (or other entity source): its dataset, its own date and its entities."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from followthemoney.dataset import Dataset
from followthemoney.proxy import EntityProxy
from followthemoney.statement import StatementEntity


@dataclass(frozen=True)
class ListSnapshot:
    """A list as published on ``list_date``.

    ``entities`` are FollowTheMoney entity proxies (``StatementEntity``, a subclass of
    ``EntityProxy`` that also keeps each value's language and original text). ``problems`` counts
    records that could not be read fully, by reason (e.g. ``"ofac: alias for unknown ent_num"``).
    """

    dataset: str
    list_date: date | None
    entities: list[EntityProxy]
    problems: Counter[str] = field(default_factory=Counter)
    title: str = ""

    def by_schema(self) -> Counter[str]:
        """Number of entities per FtM schema name."""
        return Counter(e.schema.name for e in self.entities)


@lru_cache(maxsize=64)
def ftm_dataset(name: str, title: str = "") -> Dataset:
    """The FtM ``Dataset`` object used as the default dataset of new statements."""
    return Dataset.make({"name": name, "title": title or name})


def new_entity(dataset: str, schema: str, entity_id: str) -> StatementEntity:
    """An empty entity of ``schema`` whose statements belong to ``dataset``."""
    return StatementEntity(ftm_dataset(dataset), {"schema": schema, "id": entity_id})


MAX_YEAR_SPAN = 10


def years_between(first: str, last: str) -> list[str]:
    """The years strictly between two dates' years (``"1955"``, ``"1957"`` → ``["1956"]``).

    A birth date given as a range ("1955 to 1957") stands for every year in it; keeping only the
    ends would make a 1956 birth year look like a contradiction. Spans over ``MAX_YEAR_SPAN`` years
    are not filled (they say little).
    """
    start, end = int(first[:4]), int(last[:4])
    if end - start > MAX_YEAR_SPAN:
        return []
    return [str(year) for year in range(start + 1, end)]
