"""Property test: as-of views over random list editions agree with a brute-force reading."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from armswatch.entities.history import entities_at, entity_at
from armswatch.entities.snapshot import ListSnapshot, new_entity
from armswatch.entities.statement import snapshot_id, store_snapshot
from armswatch.workspace import Workspace

ALIASES = ("A1", "A2", "A3")
START = date(2024, 1, 1)


def _edition(aliases: frozenset[str], listed: bool, day: date) -> ListSnapshot:
    entities = []
    if listed:
        entity = new_entity("ds", "Person", "p1")
        entity.add("name", "Person One")
        entity.add("alias", sorted(aliases))
        entities.append(entity)
    filler = new_entity("ds", "Person", "p2")  # keeps every edition non-empty
    filler.add("name", "Always There")
    entities.append(filler)
    return ListSnapshot("ds", day, entities)


editions = st.lists(st.tuples(st.frozensets(st.sampled_from(ALIASES)), st.booleans()), min_size=1, max_size=5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(editions, st.randoms(use_true_random=False))
def test_as_of_matches_brute_force(eds: list[tuple[frozenset[str], bool]], rnd: object) -> None:
    days = [START + timedelta(days=10 * i) for i in range(len(eds))]
    order = list(range(len(eds)))
    rnd.shuffle(order)  # type: ignore[attr-defined]  # import editions in any order
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.init(Path(tmp) / "ws", analyst="prop")
        try:
            for i in order:
                snap = _edition(eds[i][0], eds[i][1], days[i])
                with ws.transaction() as conn:
                    store_snapshot(
                        conn,
                        snap,
                        snap_id=snapshot_id("ds", [f"a{i}"]),
                        seen=days[i],
                        date_source="list",
                        run_id="r",
                        artifact_ids=[f"a{i}"],
                        imported_at="now",
                    )
            for i, day in enumerate(days):
                listed_then = eds[i][1]
                ever_before = any(listed for _, listed in eds[: i + 1])
                view = entity_at(ws, "p1", day + timedelta(days=1)) if any(e[1] for e in eds) else None
                if view is None:
                    continue
                status = view.listings[0].status
                assert status == ("listed" if listed_then else "delisted" if ever_before else "not listed")
                if listed_then:
                    assert view.entity is not None
                    assert set(view.entity.get("alias")) == set(eds[i][0])  # exact, gaps included
                    (bulk,) = [e for e in entities_at(ws, day) if e.id == "p1"]
                    assert set(bulk.get("alias")) == set(eds[i][0])
        finally:
            ws.close()


def test_value_gap_is_exact_in_any_import_order() -> None:
    eds = [(frozenset({"A1"}), True), (frozenset(), True), (frozenset({"A1"}), True)]
    days = [START + timedelta(days=10 * i) for i in range(3)]
    for order in ([0, 1, 2], [0, 2, 1], [2, 1, 0], [1, 0, 2]):
        with tempfile.TemporaryDirectory() as tmp:
            ws = Workspace.init(Path(tmp) / "ws", analyst="prop")
            try:
                for i in order:
                    with ws.transaction() as conn:
                        store_snapshot(
                            conn,
                            _edition(eds[i][0], True, days[i]),
                            snap_id=f"s{i}",
                            seen=days[i],
                            date_source="list",
                            run_id="r",
                            artifact_ids=[f"a{i}"],
                            imported_at=f"t{i}",
                        )
                shown = [entity_at(ws, "p1", d).entity.get("alias") for d in days]  # type: ignore[union-attr]
                assert shown == [["A1"], [], ["A1"]], order
            finally:
                ws.close()
