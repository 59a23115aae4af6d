"""Dark-voyage reconstruction on REAL AIS (NOAA, New York harbour) and on SIMULATED tracks.

    .venv/bin/python benchmarks/voyages.py [--data ../shared/data/ais/noaa] [--sample 8] [--seeds 5]

REAL: the December 2020 first-week points (140 vessels) under ``../shared/data/ais/noaa`` (never
copied into the repository; the script says so when it is missing). Gaps are found by the same
detector as ``armswatch ais events`` (default thresholds, coverage from the data), then each silence is
reconstructed twice: against the starter watchlist's ports (Rajin, Vostochny, Dunai, Vladivostok —
half a world away, so nothing should be reachable: a sanity check) and against the World Port Index
ports within 60 km of the Battery (40.70 N, 74.02 W), taken as "watched" (a radius chosen a priori
as "the port region of New York", not tuned on the result). It prints how many silences produced a
voyage (a watched port in reach at ``--vmax-kn``), the mean and median number of reachable ports,
and a fixed-seed sample of voyages to judge by hand.

SIMULATED: ``armswatch.maritime.simulate`` with injected dark legs (half of them dark port calls)
over ``--seeds`` seeds. Recall = share of injected dark port calls whose reconstructed voyage lists
the true port as reachable; "rank" = where the true port sits when reachable ports are ordered by
detour; unreachable-true = dark calls whose port the ellipse excludes (must be 0 when the simulator's
speeds ≤ v_max). Then corroboration: a sighting of the vessel at the true port in the middle of its
stay gives "likely"; a sighting at a random *other* simulated port at that time must not.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "ais" / "noaa"
DEC = "derived_NYHarbor_2020_12_first_week_points.csv"
BATTERY = (40.70, -74.02)


def real(data: Path, vmax: float, sample: int) -> None:
    from armswatch.maritime.event import haversine_m_np, prepare_positions
    from armswatch.maritime.events import Context, EventParams, detect
    from armswatch.maritime.port import DEFAULT_WATCHED_PORTS, world_port_index
    from armswatch.maritime.voyage.corroborate import corroborate
    from armswatch.maritime.voyage.reconstruct import VoyageParams, reconstruct

    path = data / DEC
    if not path.exists():
        print(f"REAL: {path} not found — real-data figures skipped (evaluation data not present)")
        return
    t0 = time.perf_counter()
    raw = pl.read_csv(path, columns=["mmsi", "timestamp_utc", "lon", "lat"])
    pos = prepare_positions(
        raw.with_columns(ts=pl.col("timestamp_utc").str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC"))
    )
    wpi = world_port_index()
    d = haversine_m_np(BATTERY[0], BATTERY[1], wpi["lat"].to_numpy(), wpi["lon"].to_numpy())
    ny = wpi.filter(pl.Series(d <= 60_000)).with_columns(watched=pl.lit(True))
    events = detect(pos, Context.build(ny), EventParams(types=("gap", "port_call"))).events
    gaps = events.filter(pl.col("event_type") == "gap")
    t_detect = time.perf_counter() - t0
    sets = {
        "starter watchlist ports": [(p[0], p[1], p[3], p[4]) for p in DEFAULT_WATCHED_PORTS]
        + [("site:vladivostok", "Vladivostok", 43.116667, 131.9)],
        f"NY WPI ports within 60 km ({ny.height})": [
            (r["port_id"], r["name"], r["lat"], r["lon"]) for r in ny.iter_rows(named=True)
        ],
    }
    print(f"REAL {DEC}: {pos.height:,} positions, {pos['mmsi'].n_unique()} vessels; {gaps.height} gap events")
    print(f"  detection {t_detect:.1f} s")
    for label, ports in sets.items():
        t1 = time.perf_counter()
        voyages = reconstruct(gaps, pos, ports, VoyageParams(vmax_kn=vmax), port_calls=events)
        dt = time.perf_counter() - t1
        n = [len(v.reachable) for v in voyages]
        produced = [v for v in voyages if v.bridgeable and v.reachable]
        print(f"  [{label}] {len(voyages)} silences -> {len(produced)} voyages with a watched port in reach; "
              f"not bridgeable at {vmax:g} kn: {sum(not v.bridgeable for v in voyages)}; "
              f"reachable ports per silence mean {statistics.fmean(n) if n else 0:.2f}, "
              f"median {statistics.median(n) if n else 0:g}, max {max(n, default=0)}; "
              f"legs over land flagged: {sum(p.legs_cross_land for v in voyages for p in v.reachable)}; "
              f"{dt:.1f} s")  # fmt: skip
        sea = [sum(not p.legs_cross_land for p in v.reachable) for v in voyages]
        grades = Counter(corroborate(v.ports, v.off_time, v.on_time, set(), []).confidence for v in produced)
        stationary = sum(v.direct_km < 1 for v in voyages)
        inside = [p for v in voyages for p in v.ports if p.reachable]
        ratios = [p.sea_via_km / p.via_km for p in inside if p.sea_via_km is not None and p.via_km > 1]
        print(f"    sea check: {sum(p.sea_reachable is False for p in inside)} of {len(inside)} port-silences in the "
              f"ellipse out of reach by sea, {sum(p.sea_reachable is None for p in inside)} without a sea figure; "
              f"sea/geodesic distance median {statistics.median(ratios) if ratios else float('nan'):.2f}, "
              f"90th pct {sorted(ratios)[int(0.9 * (len(ratios) - 1))] if ratios else float('nan'):.2f}")  # fmt: skip
        print(f"    reachable with straight legs over water only: mean {statistics.fmean(sea) if sea else 0:.2f}; "
              f"silences with off/on < 1 km apart: {stationary}; uncorroborated grades: {dict(grades)}")  # fmt: skip
        if not produced or "NY" not in label:
            continue
        rng = random.Random(13)
        for v in rng.sample(produced, min(sample, len(produced))):
            near = sorted(v.reachable, key=lambda p: p.via_km)
            print(f"    MMSI {v.mmsi} {v.off_time:%m-%d %H:%M}→{v.on_time:%m-%d %H:%M} ({v.hours:.1f} h) "
                  f"off {v.off[0]:.4f},{v.off[1]:.4f} on {v.on[0]:.4f},{v.on[1]:.4f} direct {v.direct_km:.1f} km "
                  f"budget {v.budget_km:.0f} km; calls before/after: {v.call_before}/{v.call_after}; "
                  f"gap {v.gap['parts']} reception {v.gap['reception']}; {len(near)} ports, nearest: "
                  + ", ".join(f"{p.name} (≥{p.min_speed_kn:.1f} kn, stay ≤{p.max_stay_h:.0f} h)" for p in near[:3]))  # fmt: skip


def simulated(seeds: int, vmax: float) -> None:
    from datetime import timedelta

    from armswatch.maritime.event import prepare_positions
    from armswatch.maritime.events import Context, EventParams, detect
    from armswatch.maritime.simulate import SimConfig, ports_frame, simulate
    from armswatch.maritime.voyage.corroborate import CaseItem, corroborate
    from armswatch.maritime.voyage.reconstruct import VoyageParams, reconstruct

    stats: Counter[str] = Counter()
    reach: list[int] = []
    for seed in range(seeds):
        cfg = SimConfig(n_vessels=20, days=6, seed=100 + seed, p_dark=0.6, p_spoof=0.0)
        sim = simulate(cfg)
        pf = ports_frame(cfg)
        ports = [(r["port_id"], r["name"], r["lat"], r["lon"]) for r in pf.iter_rows(named=True)]
        pos = prepare_positions(sim.positions)
        events = detect(pos, Context.build(pf), EventParams(types=("gap", "port_call"))).events
        voyages = reconstruct(
            events.filter(pl.col("event_type") == "gap"), pos, ports, VoyageParams(vmax_kn=vmax)
        )
        reach += [len(v.reachable) for v in voyages]
        truth = sim.truth.filter(pl.col("event_type") == "gap")
        for g in truth.iter_rows(named=True):
            stats["injected gaps"] += 1
            match = [
                v
                for v in voyages
                if v.mmsi == g["mmsi"] and v.off_time <= g["end_utc"] and v.on_time >= g["start_utc"]
            ]
            if not match:
                stats["injected gaps not reconstructed"] += 1
                continue
            v = match[0]
            if g["dark_port"] is None:
                continue
            stats["dark port calls"] += 1
            pid = f"sim:{g['dark_port'].lower()}"
            names = [p.site_id for p in sorted(v.reachable, key=lambda p: p.via_km)]
            if pid not in names:
                stats["true port NOT reachable"] += 1
                continue
            stats["true port reachable"] += 1
            stats[f"true port rank {names.index(pid) + 1}"] += 1
            # the true stay lies inside the port's feasible window (the simulator sails at <= 14 kn):
            # the sighting is placed in the middle of that window
            fit = next(p for p in v.reachable if p.site_id == pid)
            mid = v.off_time + timedelta(hours=(fit.earliest_arrival_h + fit.latest_departure_h) / 2)
            keys = {f"mmsi:{v.mmsi}"}
            good = corroborate(
                v.ports, v.off_time, v.on_time, keys, [CaseItem("sighting", "s", pid, mid, f"mmsi:{v.mmsi}")]
            )
            stats[f"true-port sighting -> {good.confidence}"] += 1
            other = random.Random(seed).choice([p[0] for p in ports if p[0] != pid])
            bad = corroborate(
                v.ports,
                v.off_time,
                v.on_time,
                keys,
                [CaseItem("sighting", "s", other, mid, f"mmsi:{v.mmsi}")],
            )
            stats[f"wrong-port sighting -> {bad.confidence}"] += 1
    print(f"SIMULATED ({seeds} seeds × 20 vessels × 6 days, v_max {vmax:g} kn, simulator speeds 8–14 kn):")
    for k in sorted(stats):
        print(f"  {k}: {stats[k]}")
    if reach:
        print(f"  reachable ports per silence: mean {statistics.fmean(reach):.2f} of 5 simulated ports")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--vmax-kn", type=float, default=14.0)
    ap.add_argument("--sample", type=int, default=8)
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    real(args.data, args.vmax_kn, args.sample)
    simulated(args.seeds, args.vmax_kn)
    return 0


if __name__ == "__main__":
    sys.exit(main())
