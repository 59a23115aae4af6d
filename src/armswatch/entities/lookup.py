"""Find stored entities: by IMO/MMSI (the join to AIS), by schema/dataset/text, by designation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import select

from armswatch.entities.history import EntityView, entities_at, entity_at
from armswatch.entities.schema import LOOKUP_PROPS, entity_statement
from armswatch.errors import InputError
from armswatch.types.imo import clean_imo
from armswatch.workspace import Workspace


def ids_by_value(ws: Workspace, prop: str, values: Sequence[str]) -> list[str]:
    """Entity ids having ``prop`` equal to one of ``values`` (``prop`` must be a lookup property)."""
    if prop not in LOOKUP_PROPS:
        raise InputError(f"{prop} is not an indexed lookup property ({', '.join(LOOKUP_PROPS)})")
    st = entity_statement
    query = (
        select(st.c.entity_id)
        .where(st.c.prop.in_(LOOKUP_PROPS), st.c.prop == prop, st.c.value.in_(list(values)))
        .distinct()
    )
    with ws.engine.connect() as conn:
        return sorted(str(r) for r in conn.execute(query).scalars())


def find_vessels(
    ws: Workspace, *, imo: str | None = None, mmsi: str | None = None, as_of: date | None = None
) -> list[EntityView]:
    """Stored vessels with this IMO number and/or MMSI, each as of ``as_of`` (default: latest).

    Delisted vessels are returned too (check ``view.listings``): a vessel that *was* sanctioned matters
    to an AIS analysis. An IMO number with a bad check digit raises :class:`InputError`.
    """
    if imo is None and mmsi is None:
        raise InputError("find_vessels needs imo= or mmsi=")
    ids: set[str] = set()
    if imo is not None:
        clean = clean_imo(imo)
        if clean is None:
            raise InputError(f"not a valid IMO number: {imo!r}")
        # the OFAC, UN and CSV readers store the seven digits; FollowTheMoney data (OpenSanctions)
        # keeps the value as published: "IMO9123453", "IMO 9123453"
        ids.update(ids_by_value(ws, "imoNumber", [clean, f"IMO{clean}", f"IMO {clean}"]))
    if mmsi is not None:
        ids.update(ids_by_value(ws, "mmsi", [str(mmsi).strip()]))
    views = [entity_at(ws, i, as_of) for i in sorted(ids)]
    return [v for v in views if v.entity is None or v.entity.schema.is_a("Vessel")]


def designations_of(ws: Workspace, entity_id: str) -> list[str]:
    """Ids of the Sanction entities that designate ``entity_id`` (any dataset, any date)."""
    return ids_by_value(ws, "entity", [entity_id])


def search(
    entities: Sequence[EntityProxy],
    *,
    schema: str | None = None,
    query: str | None = None,
) -> list[EntityProxy]:
    """Filter entities by schema (including descendants) and a case-insensitive text in names/ids."""
    sc = model.get(schema) if schema else None
    if schema and sc is None:
        raise InputError(f"unknown FtM schema {schema!r}")
    needle = query.casefold().strip() if query else None
    out = []
    for entity in entities:
        if sc is not None and not entity.schema.is_a(sc):
            continue
        if needle:
            hay = [entity.id or "", *entity.get_type_values(_NAME), *entity.get_type_values(_IDENT)]
            if not any(needle in h.casefold() for h in hay):
                continue
        out.append(entity)
    return out


def list_entities(
    ws: Workspace,
    *,
    schema: str | None = None,
    dataset: str | None = None,
    query: str | None = None,
    as_of: date | None = None,
) -> list[EntityProxy]:
    """Entities listed on ``as_of`` (default latest), filtered like :func:`search`."""
    if schema and model.get(schema) is None:
        raise InputError(f"unknown FtM schema {schema!r}")
    entities = entities_at(ws, as_of, [dataset] if dataset else None, schema=schema)
    return search(entities, schema=schema, query=query)


_NAME = model.get("Thing").properties["name"].type  # type: ignore[union-attr]
_IDENT = model.get("Vessel").properties["imoNumber"].type  # type: ignore[union-attr]
