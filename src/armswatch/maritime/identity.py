"""Vessel identity from AIS: per-MMSI history of names, IMO, call signs, type and size, and checks.

Pure functions over polars frames with the :mod:`armswatch.maritime.schema` columns:

* :func:`identity_history` — one row per run of an unchanged attribute value per MMSI;
* :func:`vessel_table` — one row per MMSI: latest identity, flag from the MID, counts;
* :func:`identity_changes` — attributes (name, IMO, call sign, ship type) that changed;
* :func:`impossible_jumps` / :func:`shared_mmsi` — consecutive positions of one MMSI that no ship
  could connect (implied speed above ``max_speed_knots`` over more than ``min_jump_km``), repeated
  at least ``min_impossible`` times: one MMSI used by two transmitters at once (or spoofing);
* :func:`imo_conflicts` — one IMO broadcast by several MMSIs in overlapping periods;
* :func:`flag_mismatches` — MID flag differs from a declared flag (registry, sanctions list).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import polars as pl

from armswatch.types.imo import clean_imo
from armswatch.types.mmsi import mmsi_problem, parse_mmsi

ATTRIBUTES: Final = ("name", "imo", "callsign", "ship_type", "length", "beam")
FINDING_ATTRIBUTES: Final = ("name", "imo", "callsign", "ship_type")
EARTH_RADIUS_KM: Final = 6371.0088
KM_PER_NM: Final = 1.852


@dataclass(frozen=True)
class IdentityParams:
    """Thresholds of the identity checks (see docs/ais-ingest.md for their reasoning)."""

    max_speed_knots: float = 50.0
    min_jump_km: float = 10.0
    min_impossible: int = 3
    imo_overlap_hours: float = 1.0


@dataclass(frozen=True)
class IdentityFinding:
    """A finding to record through a run (fields follow ``RunRecorder.add_finding``)."""

    kind: str
    title: str
    summary: str
    subjects: tuple[str, ...]
    start: datetime | None
    end: datetime | None
    confidence: str
    details: dict[str, Any] = field(default_factory=dict)
    geometry: dict[str, Any] | None = None


def _norm_text(col: str) -> pl.Expr:
    text = pl.col(col).cast(pl.Utf8).str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _valid_imos(values: pl.Series) -> dict[str, str | None]:
    """IMO check with :func:`clean_imo` over the distinct values only (few per table)."""
    return {
        v: (c if (c := clean_imo(v)) and not c.startswith("0") else None)
        for v in values.drop_nulls().unique()
    }


def identity_long(statics: pl.DataFrame) -> pl.DataFrame:
    """Static reports in long form: ``mmsi``, ``ts``, ``attribute``, ``value`` (nulls dropped)."""
    if statics.height == 0:
        return pl.DataFrame(schema={"mmsi": pl.UInt32, "ts": pl.Datetime("us", "UTC"), "attribute": pl.Utf8,
                                    "value": pl.Utf8})  # fmt: skip
    imo_map = _valid_imos(statics["imo"].cast(pl.Utf8))
    df = statics.select(
        "mmsi",
        "ts",
        _norm_text("name").alias("name"),
        pl.col("imo").cast(pl.Utf8).replace_strict(imo_map, default=None, return_dtype=pl.Utf8).alias("imo"),
        _norm_text("callsign").alias("callsign"),
        pl.col("ship_type").cast(pl.Utf8).alias("ship_type"),
        pl.when(pl.col("to_bow").is_not_null() | pl.col("to_stern").is_not_null())
        .then(pl.col("to_bow").fill_null(0).cast(pl.Int32) + pl.col("to_stern").fill_null(0).cast(pl.Int32))
        .cast(pl.Utf8)
        .alias("length"),
        pl.when(pl.col("to_port").is_not_null() | pl.col("to_starboard").is_not_null())
        .then(
            pl.col("to_port").fill_null(0).cast(pl.Int32) + pl.col("to_starboard").fill_null(0).cast(pl.Int32)
        )
        .cast(pl.Utf8)
        .alias("beam"),
    )
    return (
        df.unpivot(index=["mmsi", "ts"], on=list(ATTRIBUTES), variable_name="attribute", value_name="value")
        .drop_nulls("value")
        .filter(pl.col("value") != "0")
    )


def identity_history(statics: pl.DataFrame) -> pl.DataFrame:
    """Runs of unchanged values: ``mmsi, attribute, value, first_seen, last_seen, reports``.

    Values that differ only in spaces or punctuation (``CHON MA SAN`` / ``CHONMASAN`` / ``CHON-MA SAN``)
    count as one value; the run shows the first spelling seen.
    """
    long = identity_long(statics).sort("mmsi", "attribute", "ts")
    key = ["mmsi", "attribute"]
    same_as = pl.col("value").str.replace_all(r"[^0-9A-Z]", "")
    long = long.with_columns(pl.when(same_as == "").then(pl.col("value")).otherwise(same_as).alias("_cmp"))
    run = (pl.col("_cmp") != pl.col("_cmp").shift(1)).fill_null(True).cum_sum().over(key)
    return (
        long.with_columns(run.alias("run"))
        .group_by([*key, "run"], maintain_order=True)
        .agg(
            pl.col("value").first(),
            pl.col("ts").min().alias("first_seen"),
            pl.col("ts").max().alias("last_seen"),
            pl.len().alias("reports"),
        )
        .drop("run")
    )


def identity_changes(history: pl.DataFrame) -> pl.DataFrame:
    """One row per change: ``mmsi, attribute, old, new, at`` (time of the first report of ``new``)."""
    key = ["mmsi", "attribute"]
    return (
        history.with_columns(pl.col("value").shift(1).over(key).alias("old"))
        .filter(pl.col("old").is_not_null())
        .select("mmsi", "attribute", "old", pl.col("value").alias("new"), pl.col("first_seen").alias("at"))
    )


def _latest(history: pl.DataFrame) -> pl.DataFrame:
    wide = (
        history.sort("last_seen")
        .group_by("mmsi", "attribute")
        .agg(pl.col("value").last())
        .pivot(on="attribute", index="mmsi", values="value")
    )
    for a in ATTRIBUTES:
        if a not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Utf8).alias(a))
    counts = history.group_by("mmsi").agg(
        pl.col("value").filter(pl.col("attribute") == "name").n_unique().alias("names"),
        pl.col("value").filter(pl.col("attribute") == "imo").n_unique().alias("imos"),
    )
    return wide.join(counts, on="mmsi", how="left")


def vessel_table(statics: pl.DataFrame, position_counts: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per MMSI seen in statics or positions (``position_counts``: mmsi, positions,
    first_seen, last_seen) with the latest identity and the flag of its MID."""
    history = identity_history(statics)
    latest = _latest(history) if history.height else pl.DataFrame(schema={"mmsi": pl.UInt32})
    seen = statics.group_by("mmsi").agg(
        pl.col("ts").min().alias("static_first"), pl.col("ts").max().alias("static_last")
    )
    table = seen.join(latest, on="mmsi", how="full", coalesce=True)
    if position_counts is not None and position_counts.height:
        table = table.join(position_counts, on="mmsi", how="full", coalesce=True)
    for col, dtype in (("positions", pl.UInt32), ("first_seen", pl.Datetime("us", "UTC")),
                       ("last_seen", pl.Datetime("us", "UTC"))):  # fmt: skip
        if col not in table.columns:
            table = table.with_columns(pl.lit(None, dtype).alias(col))
    for a in (*ATTRIBUTES, "names", "imos"):
        if a not in table.columns:
            table = table.with_columns(pl.lit(None).alias(a))
    mids = {m: parse_mmsi(m) for m in table["mmsi"].unique().to_list()}
    problems = {m: mmsi_problem(m) for m in mids}
    table = table.with_columns(
        pl.col("mmsi")
        .replace_strict({m: p is None for m, p in problems.items()}, return_dtype=pl.Boolean)
        .alias("mmsi_valid"),
        pl.col("mmsi").replace_strict(problems, return_dtype=pl.Utf8).alias("mmsi_problem"),
    )
    table = table.with_columns(
        pl.col("mmsi")
        .replace_strict({m: p.kind.value for m, p in mids.items()}, return_dtype=pl.Utf8)
        .alias("kind"),
        pl.col("mmsi")
        .replace_strict({m: p.flag for m, p in mids.items()}, return_dtype=pl.Utf8)
        .alias("flag"),
        pl.min_horizontal("first_seen", "static_first").alias("first_seen"),
        pl.max_horizontal("last_seen", "static_last").alias("last_seen"),
        pl.col("positions").fill_null(0),
    )
    cols = ["mmsi", "mmsi_valid", "mmsi_problem", "kind", "flag", *ATTRIBUTES, "names", "imos", "positions",
            "first_seen", "last_seen"]  # fmt: skip
    return table.select(cols).sort("mmsi")


def position_counts(positions: pl.LazyFrame) -> pl.DataFrame:
    """``mmsi, positions, first_seen, last_seen`` of a (lazy) position table."""
    return (
        positions.group_by("mmsi")
        .agg(
            pl.len().cast(pl.UInt32).alias("positions"),
            pl.col("ts").min().alias("first_seen"),
            pl.col("ts").max().alias("last_seen"),
        )
        .collect()
    )


def _haversine_km(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    p1, p2 = lat1.radians(), lat2.radians()
    dlat = p2 - p1
    dlon = (lon2 - lon1).radians()
    a = (dlat / 2).sin().pow(2) + p1.cos() * p2.cos() * (dlon / 2).sin().pow(2)
    return 2 * EARTH_RADIUS_KM * a.sqrt().clip(0.0, 1.0).arcsin()


def impossible_jumps(
    positions: pl.LazyFrame | pl.DataFrame, params: IdentityParams = IdentityParams()
) -> pl.DataFrame:
    """Consecutive positions of one MMSI that imply a speed above ``max_speed_knots``."""
    lf = positions.lazy().select("mmsi", "ts", "lat", "lon").sort("mmsi", "ts")
    same = pl.col("mmsi").shift(1) == pl.col("mmsi")  # sorted: no window needed, streams
    lf = lf.with_columns(
        [pl.when(same).then(pl.col(c).shift(1)).alias(f"prev_{c}") for c in ("ts", "lat", "lon")]
    )
    hours = (pl.col("ts") - pl.col("prev_ts")).dt.total_microseconds() / 3.6e9
    dist = _haversine_km(pl.col("prev_lat"), pl.col("prev_lon"), pl.col("lat"), pl.col("lon"))
    lf = lf.with_columns(dist.alias("km"), hours.alias("hours")).with_columns(
        (pl.col("km") / KM_PER_NM / pl.col("hours")).alias("knots")
    )
    bad = (pl.col("km") > params.min_jump_km) & (
        (pl.col("hours") <= 0) | (pl.col("knots") > params.max_speed_knots)
    )
    return lf.filter(bad).collect(engine="streaming")


def shared_mmsi(jumps: pl.DataFrame, params: IdentityParams = IdentityParams()) -> pl.DataFrame:
    """MMSIs with at least ``min_impossible`` impossible jumps: ``mmsi, jumps, first, last, max_km``."""
    return (
        jumps.group_by("mmsi")
        .agg(
            pl.len().alias("jumps"),
            pl.col("prev_ts").min().alias("first"),
            pl.col("ts").max().alias("last"),
            pl.col("km").max().alias("max_km"),
        )
        .filter(pl.col("jumps") >= params.min_impossible)
        .sort("mmsi")
    )


def imo_conflicts(statics: pl.DataFrame, params: IdentityParams = IdentityParams()) -> pl.DataFrame:
    """Pairs of MMSIs broadcasting the same IMO in periods that overlap by more than the tolerance."""
    hist = identity_history(statics).filter(pl.col("attribute") == "imo")
    spans = hist.group_by("value", "mmsi").agg(pl.col("first_seen").min(), pl.col("last_seen").max())
    pairs = spans.join(spans, on="value", suffix="_b").filter(pl.col("mmsi") < pl.col("mmsi_b"))
    start = pl.max_horizontal("first_seen", "first_seen_b")
    end = pl.min_horizontal("last_seen", "last_seen_b")
    return (
        pairs.with_columns(start.alias("overlap_start"), end.alias("overlap_end"))
        .filter(
            (pl.col("overlap_end") - pl.col("overlap_start")).dt.total_seconds()
            > params.imo_overlap_hours * 3600
        )
        .select(
            pl.col("value").alias("imo"),
            pl.col("mmsi").alias("mmsi_a"),
            "mmsi_b",
            "overlap_start",
            "overlap_end",
        )
        .sort("imo", "mmsi_a", "mmsi_b")
    )


def flag_mismatches(vessels: pl.DataFrame, declared: pl.DataFrame) -> pl.DataFrame:
    """Vessels whose MID flag differs from a declared flag; ``declared`` has ``flag`` and ``imo`` or ``mmsi``."""
    decl = declared.with_columns(pl.col("flag").str.to_uppercase().str.strip_chars())
    parts = []
    for key in ("imo", "mmsi"):
        if key in decl.columns:
            extra = [c for c in ("entity", "declared_by") if c in decl.columns]
            d = decl.select(
                pl.col(key).cast(vessels.schema[key], strict=False),
                pl.col("flag").alias("declared_flag"),
                *extra,
            ).drop_nulls([key, "declared_flag"])
            parts.append(vessels.join(d, on=key, how="inner"))
    if not parts:
        return vessels.clear().with_columns(pl.lit(None, pl.Utf8).alias("declared_flag"))
    both = pl.concat(parts, how="vertical_relaxed").unique(["mmsi", "declared_flag"], maintain_order=True)
    return both.filter(pl.col("flag").is_not_null() & (pl.col("flag") != pl.col("declared_flag")))


def subjects(mmsi: int, imos: Sequence[str | None] = ()) -> tuple[str, ...]:
    return (f"vessel:mmsi:{mmsi}", *(f"vessel:imo:{i}" for i in imos if i))


def _ts(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None


MAX_LISTED_CHANGES: Final = 50
"""A change finding lists at most this many changes (the first ones) in ``details.changes``."""


def change_findings(changes: pl.DataFrame) -> list[IdentityFinding]:
    """One finding per MMSI and attribute that changed: its number of changes in
    ``details.changes_total``, the first :data:`MAX_LISTED_CHANGES` in ``details.changes``."""
    out: list[IdentityFinding] = []
    wanted = changes.filter(pl.col("attribute").is_in(list(FINDING_ATTRIBUTES)))
    for (mmsi, attribute), grp in wanted.sort("at").group_by("mmsi", "attribute", maintain_order=True):
        rows = grp.to_dicts()
        first, last = rows[0], rows[-1]
        values = list(dict.fromkeys([first["old"], *(r["new"] for r in rows)]))
        imos = values if attribute == "imo" else []
        out.append(IdentityFinding(
            kind="ais.identity.change",
            title=f"MMSI {mmsi} changed {attribute}: {first['old']} -> {last['new']}",
            summary=f"AIS static reports of MMSI {mmsi} show {len(rows)} change(s) of {attribute} "
                    f"between {first['at']:%Y-%m-%d} and {last['at']:%Y-%m-%d}: {' / '.join(map(str, values[:8]))}.",
            subjects=subjects(int(str(mmsi)), imos),
            start=_ts(first["at"]), end=_ts(last["at"]), confidence="almost certain",
            details={"attribute": attribute, "changes_total": len(rows), "changes": [
                {"old": r["old"], "new": r["new"], "at": r["at"].isoformat()} for r in rows[:MAX_LISTED_CHANGES]]},
        ))  # fmt: skip
    return out


def shared_findings(
    jumps: pl.DataFrame, shared: pl.DataFrame, params: IdentityParams
) -> list[IdentityFinding]:
    out: list[IdentityFinding] = []
    for row in shared.iter_rows(named=True):
        mine = jumps.filter(pl.col("mmsi") == row["mmsi"]).head(20)
        points = [[r["prev_lon"], r["prev_lat"]] for r in mine.iter_rows(named=True)]
        points += [[r["lon"], r["lat"]] for r in mine.iter_rows(named=True)]
        out.append(IdentityFinding(
            kind="ais.identity.shared-mmsi",
            title=f"MMSI {row['mmsi']} seen in two places at once ({row['jumps']} impossible jumps)",
            summary=f"{row['jumps']} consecutive position pairs of MMSI {row['mmsi']} imply more than "
                    f"{params.max_speed_knots:g} kn over more than {params.min_jump_km:g} km (largest "
                    f"{row['max_km']:.0f} km): two transmitters share the MMSI, or positions are spoofed.",
            subjects=subjects(int(row["mmsi"])), start=_ts(row["first"]), end=_ts(row["last"]),
            confidence="likely", geometry={"type": "MultiPoint", "coordinates": points},
            details={"jumps": int(row["jumps"]), "max_km": float(row["max_km"]),
                     "max_speed_knots": params.max_speed_knots, "min_jump_km": params.min_jump_km},
        ))  # fmt: skip
    return out


def imo_findings(conflicts: pl.DataFrame) -> list[IdentityFinding]:
    out: list[IdentityFinding] = []
    for imo, grp in conflicts.group_by("imo", maintain_order=True):
        mmsis = sorted({int(m) for m in (*grp["mmsi_a"], *grp["mmsi_b"])})
        out.append(IdentityFinding(
            kind="ais.identity.imo-conflict",
            title=f"IMO {imo[0]} broadcast by {len(mmsis)} MMSIs at the same time",
            summary=f"IMO {imo[0]} was broadcast in overlapping periods by MMSIs {', '.join(map(str, mmsis))}; "
                    "one ship cannot carry several MMSIs at once (identity fraud or a data error).",
            subjects=(*tuple(s for m in mmsis for s in subjects(m)), f"vessel:imo:{imo[0]}"),
            start=_ts(grp["overlap_start"].min()), end=_ts(grp["overlap_end"].max()), confidence="likely",
            details={"pairs": [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items()}
                               for r in grp.iter_rows(named=True)]},
        ))  # fmt: skip
    return out


def flag_findings(mismatches: pl.DataFrame) -> list[IdentityFinding]:
    return [
        IdentityFinding(
            kind="ais.identity.flag-mismatch",
            title=f"MMSI {r['mmsi']} names flag {r['flag']}, declared flag is {r['declared_flag']}",
            summary=f"The MID of MMSI {r['mmsi']} belongs to {r['flag']} but the vessel's declared flag is "
            f"{r['declared_flag']}: an MMSI not updated after a flag change, or a false identity.",
            subjects=(
                *subjects(int(r["mmsi"]), [r["imo"]]),
                *([f"entity:{r['entity']}"] if r.get("entity") else []),
            ),
            start=_ts(r["first_seen"]),
            end=_ts(r["last_seen"]),
            confidence="likely",
            details={
                "mid_flag": r["flag"],
                "declared_flag": r["declared_flag"],
                "declared_by": r.get("declared_by"),
            },
        )
        for r in mismatches.iter_rows(named=True)
    ]


def invalid_mmsi_findings(vessels: pl.DataFrame) -> list[IdentityFinding]:
    """One ``ais.identity.invalid-mmsi`` finding per MMSI that is not a valid ITU identity (no ITU
    pattern, or an unallocated MID): what it transmitted was broadcast, so the finding is certain; why
    (a misconfigured transponder or a false identity) is for the analyst."""
    out: list[IdentityFinding] = []
    for r in vessels.filter(~pl.col("mmsi_valid")).iter_rows(named=True):
        name = f" ({r['name']})" if r.get("name") else ""
        out.append(IdentityFinding(
            kind="ais.identity.invalid-mmsi",
            title=f"MMSI {r['mmsi']:09d}{name} is not a valid ITU identity: {r['mmsi_problem']}",
            summary=f"Vessel reports under MMSI {r['mmsi']:09d}{name} ({r['positions']} positions) carry an "
                    f"identity that no administration assigned ({r['mmsi_problem']}): a misconfigured "
                    "transponder, a test or default number, or a false identity.",
            subjects=subjects(int(r["mmsi"]), [r.get("imo")]), start=_ts(r["first_seen"]),
            end=_ts(r["last_seen"]), confidence="almost certain",
            details={"mmsi": f"{r['mmsi']:09d}", "problem": r["mmsi_problem"], "positions": int(r["positions"]),
                     "names": r.get("name")},
        ))  # fmt: skip
    return out


def identity_findings(
    statics: pl.DataFrame,
    positions: pl.LazyFrame,
    declared: pl.DataFrame | None = None,
    params: IdentityParams = IdentityParams(),
) -> tuple[list[IdentityFinding], dict[str, int]]:
    """Run every identity check; returns the findings and counts for the run summary."""
    changes = identity_changes(identity_history(statics))
    jumps = impossible_jumps(positions, params)
    shared = shared_mmsi(jumps, params)
    conflicts = imo_conflicts(statics, params)
    findings = [*change_findings(changes), *shared_findings(jumps, shared, params), *imo_findings(conflicts)]
    vessels = vessel_table(statics, position_counts(positions))
    invalid = invalid_mmsi_findings(vessels)
    findings.extend(invalid)
    mismatches = 0
    if declared is not None and declared.height:
        flagged = flag_mismatches(vessels, declared)
        mismatches = flagged.height
        findings.extend(flag_findings(flagged))
    stats = {"changes": changes.height, "impossible_jumps": jumps.height, "shared_mmsi": shared.height,
             "imo_conflicts": conflicts.height, "flag_mismatches": mismatches, "invalid_mmsi": len(invalid),
             "findings": len(findings)}  # fmt: skip
    return findings, stats
