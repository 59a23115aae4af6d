"""SIMULATED AIS tracks with injected events and their ground truth.

Everything produced here is simulated: vessel names start with "SIM ", MMSIs are drawn from
999 000 000 – 999 999 999 (MID 999 is not allocated by the ITU, so they cannot collide with a real
station), and ``Simulation.simulated`` is always True. Ships sail straight legs at 8–14 kn between
ports and open-sea points of the Sea of Japan (real coastline, so shore distances are meaningful),
report every ~``report_s`` seconds with jitter and GPS noise, and perform injected activities:
port calls, loitering at sea, ship-to-ship encounters between pairs, dark legs (AIS off, including
dark port calls) and spoofed positions (teleports and positions on land).

Per-vessel plans are a handful of waypoints (a short Python loop per vessel); the reports themselves
are generated with vectorised numpy (``np.interp`` over waypoint times).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import polars as pl

from armswatch.maritime.event import KNOT_MPS, UTC_US, haversine_m_np

SIM_MMSI_BASE = 999_000_000

#: (name, lat, lon) of the simulated ports (real coordinates; Rajin/Vostochny/Dunai as in the brief).
SIM_PORTS: tuple[tuple[str, float, float], ...] = (
    ("Rajin", 42.34, 130.39),
    ("Vostochny", 42.7333, 133.0667),
    ("Dunai", 42.88, 132.3375),
    ("Chongjin", 41.78, 129.83),
    ("Wonsan", 39.17, 127.48),
)
#: Open-sea box (lat_min, lat_max, lon_min, lon_max): > 50 nm from any coast.
SEA_BOX = (39.6, 41.4, 131.0, 135.0)
#: A point well inland (north-east China) used for on-land spoofing.
INLAND = (43.9, 127.6)


@dataclass(frozen=True)
class SimConfig:
    """Simulation parameters."""

    n_vessels: int = 12
    start: datetime = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    days: float = 4.0
    report_s: float = 120.0
    seed: int = 7
    p_encounter: float = 0.5
    p_loiter: float = 0.5
    p_dark: float = 0.4
    p_spoof: float = 0.3
    ports: tuple[tuple[str, float, float], ...] = SIM_PORTS


@dataclass(frozen=True)
class Simulation:
    """Simulated positions (positions layout), ground-truth events and vessel names."""

    positions: pl.DataFrame
    truth: pl.DataFrame
    vessels: pl.DataFrame
    simulated: bool = field(default=True)


@dataclass
class _Plan:
    mmsi: int
    t: list[float]
    lat: list[float]
    lon: list[float]
    dark: list[tuple[float, float]]
    truth: list[dict[str, object]]

    @property
    def now(self) -> float:
        return self.t[-1]

    def add(self, t: float, lat: float, lon: float) -> None:
        self.t.append(t)
        self.lat.append(lat)
        self.lon.append(lon)

    def sail(self, lat: float, lon: float, knots: float) -> None:
        d = float(haversine_m_np(self.lat[-1], self.lon[-1], lat, lon))
        self.add(self.now + d / (knots * KNOT_MPS), lat, lon)

    def stay(self, hours: float, drift_m: float, rng: np.random.Generator) -> None:
        ang = rng.uniform(0, 2 * np.pi)
        dlat = drift_m * np.cos(ang) / 111_000
        dlon = drift_m * np.sin(ang) / (111_000 * np.cos(np.radians(self.lat[-1])))
        self.add(self.now + hours * 3600, self.lat[-1] + dlat, self.lon[-1] + dlon)

    def note(self, event_type: str, start: float, end: float, **extra: object) -> None:
        self.truth.append({"event_type": event_type, "mmsi": self.mmsi, "start": start, "end": end, **extra})


def _sea_point(rng: np.random.Generator) -> tuple[float, float]:
    return float(rng.uniform(SEA_BOX[0], SEA_BOX[1])), float(rng.uniform(SEA_BOX[2], SEA_BOX[3]))


def _berth(port: tuple[str, float, float], rng: np.random.Generator) -> tuple[float, float]:
    r = rng.uniform(0, 1200)
    a = rng.uniform(0, 2 * np.pi)
    return port[1] + r * np.cos(a) / 111_000, port[2] + r * np.sin(a) / (
        111_000 * np.cos(np.radians(port[1]))
    )


def _port_call(p: _Plan, port: tuple[str, float, float], rng: np.random.Generator, hours: float) -> None:
    lat, lon = _berth(port, rng)
    p.sail(lat, lon, rng.uniform(8, 14))
    arrive = p.now
    p.stay(hours, 30, rng)
    p.note("port_call", arrive, p.now, port=port[0])


def _start_vessel(i: int, cfg: SimConfig, rng: np.random.Generator, t0: float) -> _Plan:
    home = cfg.ports[i % len(cfg.ports)]
    lat, lon = _berth(home, rng)
    p = _Plan(SIM_MMSI_BASE + 1000 + i, [t0], [lat], [lon], [], [])
    p.stay(rng.uniform(3, 10), 30, rng)
    p.note("port_call", t0, p.now, port=home[0])
    return p


def _continue_vessel(p: _Plan, cfg: SimConfig, rng: np.random.Generator, t_end: float) -> None:
    while p.now < t_end:
        port = cfg.ports[int(rng.integers(len(cfg.ports)))]
        p.sail(*_sea_point(rng), knots=rng.uniform(8, 14))
        roll = rng.uniform()
        if roll < cfg.p_loiter:
            start = p.now
            p.stay(rng.uniform(5, 9), rng.uniform(500, 3000), rng)
            p.note("loitering", start, p.now)
        elif roll < cfg.p_loiter + cfg.p_dark:
            off = p.now
            dark_port = rng.uniform() < 0.5
            if dark_port:  # a dark port call: AIS off from the sea, into port and back out
                _port_call(p, port, rng, rng.uniform(6, 14))
                p.truth.pop()
            p.sail(*_sea_point(rng), knots=rng.uniform(8, 14))
            while p.now - off < 8 * 3600:  # dark legs last at least 8 h
                p.sail(*_sea_point(rng), knots=rng.uniform(8, 14))
            p.dark.append((off, p.now))
            p.note("gap", off, p.now, dark_port=port[0] if dark_port else None)
        p.sail(*_sea_point(rng), knots=rng.uniform(8, 14))
        _port_call(p, port, rng, rng.uniform(4, 16))


def _encounter(a: _Plan, b: _Plan, rng: np.random.Generator) -> None:
    """Both vessels sail from their last waypoints to a sea point, arriving together, and meet."""
    lat, lon = _sea_point(rng)
    va, vb = rng.uniform(9, 13, size=2)
    da = float(haversine_m_np(a.lat[-1], a.lon[-1], lat, lon)) / (va * KNOT_MPS)
    db = float(haversine_m_np(b.lat[-1], b.lon[-1], lat, lon)) / (vb * KNOT_MPS)
    meet = max(a.now + da, b.now + db)
    for plan, dur in ((a, da), (b, db)):  # wait in port (extends the port call) so both arrive at `meet`
        plan.add(meet - dur, plan.lat[-1], plan.lon[-1])
        plan.truth[-1]["end"] = meet - dur
    off = 150.0 / 111_000
    a.add(meet, lat, lon)
    b.add(meet, lat + off, lon)
    hours = rng.uniform(2.6, 3.5)
    drift = rng.uniform(-1, 1, size=2) * 1500 / 111_000
    a.add(meet + hours * 3600, lat + drift[0], lon + drift[1])
    b.add(meet + hours * 3600, lat + off + drift[0], lon + drift[1])
    a.note("encounter", meet, meet + hours * 3600, other_mmsi=b.mmsi)
    port = SIM_PORTS[int(rng.integers(len(SIM_PORTS)))]
    for plan in (a, b):
        _port_call(plan, port, rng, rng.uniform(4, 10))


def _reports(p: _Plan, cfg: SimConfig, rng: np.random.Generator, t_end: float) -> pl.DataFrame:
    wt = np.asarray(p.t)
    n = int((min(wt[-1], t_end) - wt[0]) / cfg.report_s * 1.2) + 10
    ts = wt[0] + np.cumsum(rng.uniform(0.5, 1.5, size=n) * cfg.report_s)
    ts = ts[ts < min(wt[-1], t_end)]
    keep = np.ones(ts.size, dtype=bool)
    for off, on in p.dark:
        keep &= ~((ts > off) & (ts < on))
    ts = ts[keep]
    lat = np.interp(ts, wt, p.lat) + rng.normal(0, 8e-5, ts.size)
    lon = np.interp(ts, wt, p.lon) + rng.normal(0, 1e-4, ts.size)
    seg = np.clip(np.searchsorted(wt, ts, side="right") - 1, 0, wt.size - 2)
    seg_kn = haversine_m_np(np.asarray(p.lat)[:-1], np.asarray(p.lon)[:-1], p.lat[1:], p.lon[1:]) / (
        np.maximum(np.diff(wt), 1e-3) * KNOT_MPS
    )
    sog = np.clip(seg_kn[seg] + rng.normal(0, 0.15, ts.size), 0, None)
    return pl.DataFrame(
        {"mmsi": np.full(ts.size, p.mmsi, dtype=np.uint32), "t": ts, "lat": lat, "lon": lon, "sog": sog}
    )


def _spoof(rep: pl.DataFrame, p: _Plan, rng: np.random.Generator) -> pl.DataFrame:
    """Displace one report by 60–120 km (teleport) or five consecutive reports to land."""
    fast = np.flatnonzero(rep["sog"].to_numpy() > 6)
    if fast.size < 20:
        return rep
    k = int(fast[rng.integers(5, fast.size - 10)])
    lat = rep["lat"].to_numpy().copy()
    lon = rep["lon"].to_numpy().copy()
    t = rep["t"].to_numpy()
    if rng.uniform() < 0.5:
        lat[k] += rng.choice([-1, 1]) * rng.uniform(0.55, 1.1)
        p.note("spoofing", float(t[k - 1]), float(t[k + 1]), kind="teleport")
    else:
        lat[k : k + 5] = INLAND[0] + rng.normal(0, 0.01, 5)
        lon[k : k + 5] = INLAND[1] + rng.normal(0, 0.01, 5)
        p.note("spoofing", float(t[k - 1]), float(t[k + 5]), kind="on_land")
    return rep.with_columns(pl.Series("lat", lat), pl.Series("lon", lon))


def simulate(cfg: SimConfig = SimConfig()) -> Simulation:
    """Generate a SIMULATED scenario: positions, ground truth and vessels."""
    rng = np.random.default_rng(cfg.seed)
    t0 = cfg.start.timestamp()
    t_end = t0 + cfg.days * 86400
    plans = [_start_vessel(i, cfg, rng, t0) for i in range(cfg.n_vessels)]
    for j in range(int(cfg.n_vessels * cfg.p_encounter / 2)):
        _encounter(plans[2 * j], plans[2 * j + 1], rng)
    for p in plans:
        _continue_vessel(p, cfg, rng, t_end - 86400 * 0.5)
    frames = []
    for p in plans:
        rep = _reports(p, cfg, rng, t_end)
        if rng.uniform() < cfg.p_spoof:
            rep = _spoof(rep, p, rng)
        frames.append(rep)
    positions = (
        pl.concat(frames)
        .with_columns(ts=pl.from_epoch((pl.col("t") * 1e6).cast(pl.Int64), "us").dt.replace_time_zone("UTC"))
        .select(
            "mmsi",
            "ts",
            "lat",
            "lon",
            pl.col("sog").cast(pl.Float32),
            pl.lit(None, pl.Float32).alias("cog"),
            pl.lit(None, pl.Float32).alias("heading"),
            pl.lit(0, pl.UInt8).alias("nav_status"),
            pl.lit(1, pl.UInt8).alias("msg_type"),
            pl.lit("simulated").alias("source"),
            pl.int_range(pl.len(), dtype=pl.UInt64).alias("line"),
        )
        .sort("mmsi", "ts")
    )
    last = positions.group_by("mmsi").agg(pl.col("ts").max().dt.epoch("us") / 1e6)
    last_report = dict(zip(last["mmsi"].to_list(), last["ts"].to_list(), strict=True))
    return Simulation(positions, _truth_frame(plans, last_report), _vessels(plans))


#: Minimum duration (h) an event clipped at the end of the simulation must keep to stay in the truth.
_CLIPPED_MIN_H = {"port_call": 0.0, "loitering": 4.0, "encounter": 2.0}


def _truth_frame(plans: list[_Plan], last_report: dict[int, float]) -> pl.DataFrame:
    """Ground truth. Events still running at a vessel's last report are clipped there and kept only
    while still detectable (long enough); gaps and spoofs need a report after them."""
    rows = []
    for p in plans:
        last = last_report.get(p.mmsi, float("-inf"))
        for r in p.truth:
            start, end = float(str(r["start"])), float(str(r["end"]))
            kind = str(r["event_type"])
            if end > last and (kind not in _CLIPPED_MIN_H or last - start < _CLIPPED_MIN_H[kind] * 3600):
                continue
            rows.append({**r, "end": min(end, last)})
    cols = ("event_type", "mmsi", "other_mmsi", "start", "end", "port", "kind", "dark_port")
    frame = pl.DataFrame(
        [{c: r.get(c) for c in cols} for r in rows],
        schema_overrides={"other_mmsi": pl.UInt32, "port": pl.Utf8, "kind": pl.Utf8, "dark_port": pl.Utf8},
        infer_schema_length=None,
    )
    return frame.with_columns(
        pl.col("mmsi").cast(pl.UInt32),
        pl.from_epoch((pl.col("start") * 1e6).cast(pl.Int64), "us").cast(UTC_US).alias("start_utc"),
        pl.from_epoch((pl.col("end") * 1e6).cast(pl.Int64), "us").cast(UTC_US).alias("end_utc"),
    ).drop("start", "end")


def _vessels(plans: list[_Plan]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "mmsi": [p.mmsi for p in plans],
            "name": [f"SIM VESSEL {i + 1:03d}" for i in range(len(plans))],
            "simulated": [True] * len(plans),
        },
        schema_overrides={"mmsi": pl.UInt32},
    )


@dataclass(frozen=True)
class Score:
    """Precision/recall of detected events against injected ground truth, per event type."""

    event_type: str
    detected: int
    truth: int
    true_positive_detections: int
    found_truth: int

    @property
    def precision(self) -> float:
        return self.true_positive_detections / self.detected if self.detected else 1.0

    @property
    def recall(self) -> float:
        return self.found_truth / self.truth if self.truth else 1.0


def score(detected: pl.DataFrame, truth: pl.DataFrame, tolerance_min: float = 30.0) -> list[Score]:
    """Match detections to truth by type, vessel (pair, unordered) and time overlap ± tolerance."""
    tol = pl.duration(minutes=tolerance_min)

    def norm(f: pl.DataFrame) -> pl.DataFrame:
        other = pl.col("other_mmsi").cast(pl.UInt32)
        return f.with_row_index("rid").select(
            "rid",
            "event_type",
            pl.min_horizontal("mmsi", other).fill_null(pl.col("mmsi")).cast(pl.UInt32).alias("a"),
            pl.when(other.is_null()).then(None).otherwise(pl.max_horizontal("mmsi", other)).alias("b"),
            "start_utc",
            "end_utc",
        )

    d, t = norm(detected), norm(truth)
    pairs = d.join(t, on=["event_type", "a"], suffix="_t", nulls_equal=True).filter(
        ((pl.col("b") == pl.col("b_t")) | (pl.col("b").is_null() & pl.col("b_t").is_null()))
        & (pl.col("start_utc") <= pl.col("end_utc_t") + tol)
        & (pl.col("start_utc_t") <= pl.col("end_utc") + tol)
    )
    out = []
    for kind in sorted(set(d["event_type"].to_list()) | set(t["event_type"].to_list())):
        p = pairs.filter(pl.col("event_type") == kind)
        out.append(
            Score(
                kind,
                d.filter(pl.col("event_type") == kind).height,
                t.filter(pl.col("event_type") == kind).height,
                p["rid"].n_unique(),
                p["rid_t"].n_unique(),
            )
        )
    return out


def ports_frame(cfg: SimConfig = SimConfig()) -> pl.DataFrame:
    """The simulation's ports as a watched port frame (pass to ``events.Context.build``)."""
    from armswatch.maritime.port import watched_ports_frame

    return watched_ports_frame((f"sim:{n.lower()}", n, "", la, lo) for n, la, lo in cfg.ports)


def track(
    mmsi: int,
    waypoints: list[tuple[float, float, float]],
    *,
    start: datetime = datetime(2026, 3, 1, tzinfo=UTC),
    interval_s: float = 120.0,
    silent: tuple[tuple[float, float], ...] = (),
) -> pl.DataFrame:
    """A deterministic SIMULATED track through ``(hours_from_start, lat, lon)`` waypoints.

    Reports every ``interval_s`` seconds, none inside the ``silent`` (from_h, to_h) windows; SOG is
    the leg speed. Used by tests and the demo to build exact scenarios.
    """
    wt = np.asarray([w[0] for w in waypoints]) * 3600.0
    wlat = np.asarray([w[1] for w in waypoints])
    wlon = np.asarray([w[2] for w in waypoints])
    t = np.arange(wt[0], wt[-1] + 1e-9, interval_s)
    for a, b in silent:
        t = t[(t <= a * 3600) | (t >= b * 3600)]
    seg = np.clip(np.searchsorted(wt, t, side="right") - 1, 0, wt.size - 2)
    leg_kn = haversine_m_np(wlat[:-1], wlon[:-1], wlat[1:], wlon[1:]) / (
        np.maximum(np.diff(wt), 1e-3) * KNOT_MPS
    )
    t0 = start.timestamp()
    return pl.DataFrame(
        {
            "mmsi": np.full(t.size, mmsi, dtype=np.uint32),
            "ts": ((t0 + t) * 1e6).astype(np.int64),
            "lat": np.interp(t, wt, wlat),
            "lon": np.interp(t, wt, wlon),
            "sog": leg_kn[seg].astype(np.float32),
        }
    ).with_columns(pl.from_epoch("ts", "us").dt.replace_time_zone("UTC"))
