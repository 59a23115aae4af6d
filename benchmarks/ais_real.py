"""All AIS event detectors on REAL AIS (NOAA MarineCadastre, New York harbour), no ground truth.

    .venv/bin/python benchmarks/ais_real.py [--data ../shared/data/ais/noaa] [--plots DIR] [--sample 20]

Reads the evaluation data under ``../shared/data/ais/noaa`` (relative to the repository; it is never
copied into the repository) and says so when it is missing. Three sets: the June 2020 first-hour
file (MarineCadastre CSV, with SOG), the December 2020 first-week points (positions only) and both
together (a five-month hole in the data between them). For each set and event type it reports:
events per 1,000 vessel-days (a vessel-day = a vessel with at least one position on a UTC day), the
share of vessels with any spoofing event, port calls shorter than the minimum stop or from fewer than
two positions (must be 0), events spanning a data outage (must be 0; an event "spans" an outage when
the vessel's own silence of at least ``break_min_h`` inside it overlaps an outage of its area, and
for gaps when the gap overlaps one), and writes the outages found.

With ``--plots DIR`` it renders, per set and type, up to ``--sample`` events (a fixed-seed random
sample) as track plots into contact sheets (PNG, PIL): the vessel's track from 3 h before to 3 h after
the event (blue), the event's positions (red; a gap's off/on positions as red squares), other ships
heard in the box during the event (grey dots), inland cells of the land mask (beige) and ports
(triangles). The judgements of those sheets are recorded by hand in docs/benchmarks/ais-real.md.

Thresholds are the detectors' defaults (GFW definitions, the project brief, and a-priori coverage
settings); none was chosen on these files.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "ais" / "noaa"
JUNE = "NYHarbor_2020_06_30_first_hour.csv"
DEC = "derived_NYHarbor_2020_12_first_week_points.csv"


def read(path: Path, mapping: str | None) -> tuple[pl.DataFrame, Counter[str]]:
    from armswatch.maritime.formats import parse_map
    from armswatch.maritime.ingest import iter_valid_positions

    rejected: Counter[str] = Counter()
    frames = list(iter_valid_positions(path, "auto", parse_map(mapping), path.name, rejected))
    return pl.concat(frames, how="vertical_relaxed"), rejected


def vessel_days(pos: pl.DataFrame) -> int:
    return pos.select(pl.struct("mmsi", pl.col("ts").dt.date()).n_unique()).item()  # type: ignore[no-any-return]


def outage_spans(pos: pl.DataFrame, events: pl.DataFrame, coverage: Any) -> dict[str, int]:
    """Per type: events containing a silence of the vessel that overlaps an outage (gaps: overlap)."""
    from armswatch.maritime.coverage import cell_np
    from armswatch.maritime.event import prepare_positions, with_steps

    out: dict[str, int] = {}
    if coverage.outages.height == 0:
        return {t: 0 for t in events["event_type"].unique().to_list()}
    steps = with_steps(prepare_positions(pos))
    steps = steps.with_columns(coverage.step_breaks(steps)).filter(pl.col("across_outage"))
    for kind in events["event_type"].unique().sort().to_list():
        ev = events.filter(pl.col("event_type") == kind)
        if kind == "gap":
            d = ev["details"].str.json_decode()
            t0 = ev["start_utc"].dt.epoch("s").to_numpy()
            t1 = ev["end_utc"].dt.epoch("s").to_numpy()
            hit = np.zeros(ev.height, dtype=bool)
            for la, lo in (("off_lat", "off_lon"), ("on_lat", "on_lon")):
                cell = cell_np(
                    d.struct.field(la).to_numpy(), d.struct.field(lo).to_numpy(), coverage.params.cell_deg
                )
                first, last = coverage.overlap(cell, t0, t1)
                hit |= last > first
            out[kind] = int(hit.sum())
            continue
        members = [pl.col("mmsi")]
        sides = [ev.select("mmsi", "start_utc", "end_utc")]
        if kind == "encounter":
            sides.append(ev.select(pl.col("other_mmsi").alias("mmsi"), "start_utc", "end_utc"))
        spans = pl.concat(sides).with_row_index("i").join(steps.select("mmsi", "prev_ts", "ts"), on=members)
        inside = spans.filter(
            (pl.col("prev_ts") >= pl.col("start_utc")) & (pl.col("ts") <= pl.col("end_utc"))
        )
        out[kind] = inside["i"].n_unique()
    return out


def analyse(name: str, pos: pl.DataFrame) -> dict[str, Any]:
    from armswatch.maritime.events import Context, detect
    from armswatch.maritime.port_call import PortCallParams

    t0 = time.perf_counter()
    found = detect(pos, Context.default())
    secs = time.perf_counter() - t0
    ev = found.events
    vd = vessel_days(pos)
    vessels = pos["mmsi"].n_unique()
    spoofers = ev.filter(pl.col("event_type") == "spoofing")["mmsi"].n_unique()
    calls = ev.filter(pl.col("event_type") == "port_call")
    minimum = PortCallParams()
    short_calls = calls.filter(
        (pl.col("duration_h") < minimum.min_duration_h)
        | (pl.col("details").str.json_path_match("$.positions").cast(pl.Int64) < minimum.min_positions)
    ).height
    counts = dict(ev["event_type"].value_counts().iter_rows())
    spans = outage_spans(pos, ev, found.coverage)
    types = ["port_call", "gap", "encounter", "loitering", "spoofing"]
    gaps = ev.filter(pl.col("event_type") == "gap")
    reception = (
        dict(gaps["details"].str.json_path_match("$.reception").value_counts().iter_rows())
        if gaps.height
        else {}
    )
    return {
        "set": name,
        "positions": pos.height,
        "vessels": vessels,
        "vessel_days": vd,
        "seconds": secs,
        "events": {t: int(counts.get(t, 0)) for t in types},
        "per_1000_vessel_days": {t: 1000 * counts.get(t, 0) / vd for t in types},
        "spoofing_vessel_share": spoofers / vessels,
        "spoofing_vessels": spoofers,
        "port_calls_below_minimum": short_calls,
        "events_spanning_outage": {t: int(spans.get(t, 0)) for t in types},
        "outages": found.coverage.outages.height,
        "outage_cell_hours": float(found.coverage.outages["duration_h"].sum()),
        "gap_reception": reception,
        "_events": ev,
        "_pos": pos,
        "_coverage": found.coverage,
    }


def one_position_each(pos: pl.DataFrame) -> dict[str, Any]:
    """The issue's case: one position per vessel. Land by the old rule (landmetrics 0.1° grid, > 5 km
    inland) and by the new mask; events from single positions."""
    from armswatch.maritime.event import distance_to_shore_km
    from armswatch.maritime.events import Context, detect_events
    from armswatch.maritime.landmask import inland

    first = pos.sort("mmsi", "ts").unique("mmsi", keep="first")
    lat, lon = first["lat"].to_numpy(), first["lon"].to_numpy()
    ev = detect_events(first, Context.default())
    return {
        "vessels": first.height,
        "old_grid_on_land": int((distance_to_shore_km(lat, lon) < -5.0).sum()),
        "new_mask_inland": int(inland(lat, lon).sum()),
        "events": dict(ev["event_type"].value_counts().iter_rows()) if ev.height else {},
    }


def print_table(results: list[dict[str, Any]]) -> None:
    types = ["port_call", "gap", "encounter", "loitering", "spoofing"]
    print(
        "\n| set | positions | vessels | vessel-days | time | "
        + " | ".join(f"{t} (per 1k vd)" for t in types)
        + " |"
    )
    print("|---|---:|---:|---:|---:|" + "---:|" * len(types))
    for r in results:
        cells = [f"{r['events'][t]} ({r['per_1000_vessel_days'][t]:.0f})" for t in types]
        print(
            f"| {r['set']} | {r['positions']:,} | {r['vessels']} | {r['vessel_days']} | {r['seconds']:.2f} s | "
            + " | ".join(cells)
            + " |"
        )
    print(
        "\n| set | vessels with spoofing | share | port calls < minimum | events spanning an outage | outages (cell-hours) | gap reception |"
    )
    print("|---|---:|---:|---:|---|---|---|")
    for r in results:
        spans = ", ".join(f"{k} {v}" for k, v in r["events_spanning_outage"].items())
        print(
            f"| {r['set']} | {r['spoofing_vessels']} | {100 * r['spoofing_vessel_share']:.2f} % | "
            f"{r['port_calls_below_minimum']} | {spans} | {r['outages']} ({r['outage_cell_hours']:.0f}) | "
            f"{json.dumps(r['gap_reception'])} |"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--plots", type=Path, default=None)
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    if not (args.data / JUNE).exists() or not (args.data / DEC).exists():
        print(f"real AIS not found under {args.data}: nothing measured (see ../shared/data/README.md)")
        return 0
    june, rj = read(args.data / JUNE, None)
    dec, rd = read(args.data / DEC, "ts=timestamp_utc")
    print(f"data: {args.data} (real NOAA MarineCadastre AIS; not copied into the repository)")
    print(
        f"june: {june.height:,} positions, rejected {dict(rj)}; december: {dec.height:,}, rejected {dict(rd)}"
    )
    both = pl.concat([june, dec], how="vertical_relaxed")
    results = [analyse("June hour", june), analyse("December week", dec), analyse("both", both)]
    print_table(results)
    for name, frame in (("June hour", june), ("December week", dec)):
        print(f"\none position per vessel ({name}): {json.dumps(one_position_each(frame))}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [{k: v for k, v in r.items() if not k.startswith("_")} for r in results],
                indent=1,
                default=str,
            )
        )
    if args.plots:
        from plot_events import sheets  # benchmarks/plot_events.py

        for r in results:
            for path in sheets(r["_events"], r["_pos"], r["set"], args.plots, args.sample):
                print(f"plot: {path}")
        # the events the June hour adds to the December week when both are analysed together
        added = results[2]["_events"].join(
            results[1]["_events"], on=["mmsi", "start_utc", "end_utc"], how="anti"
        )
        for path in sheets(added, results[2]["_pos"], "both only", args.plots, args.sample):
            print(f"plot: {path}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    raise SystemExit(main())
