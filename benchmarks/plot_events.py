"""Track plots of AIS events for judging by eye (PIL; used by benchmarks/ais_real.py).

Each panel: the vessel's track from ``pad_h`` before to ``pad_h`` after the event (blue line and
dots), the event's own positions (red), other ships heard in the panel during the event (grey dots),
inland cells of the bundled land mask (beige: land at least one arcminute from any water), World
Port Index ports (black triangles) and a title with the event's index, vessel, time and key figures.
Panels are tiled 4 × 5 per contact sheet.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import polars as pl
from PIL import Image, ImageDraw, ImageFont

PANEL = 380
COLS, ROWS = 4, 5


def _summary(row: dict[str, object]) -> str:
    d = json.loads(str(row["details"])) if row["details"] else {}
    kind = row["event_type"]
    if kind == "spoofing":
        return f"{d.get('kind')} {d.get('implied_speed_kn', 0) or 0:.0f} kn {d.get('distance_km', 0) or 0:.1f} km"
    if kind == "gap":
        return f"{d.get('part')} rec={d.get('reception')} {d.get('distance_km', 0):.1f} km"
    if kind == "port_call":
        return f"{row['port']} n={d.get('positions')} stop {d.get('stop_h', 0) or 0:.1f} h"
    if kind == "encounter":
        return f"with {row['other_mmsi']} {d.get('median_distance_m', 0):.0f} m"
    return f"{d.get('median_speed_kn', 0):.1f} kn n={d.get('positions')}"


def panel(ev: dict[str, object], pos: pl.DataFrame, idx: int, pad_h: float = 3.0) -> Image.Image:
    from armswatch.maritime.landmask import inland
    from armswatch.maritime.port import world_port_index

    font = ImageFont.load_default()
    img = Image.new("RGB", (PANEL, PANEL), "white")
    draw = ImageDraw.Draw(img)
    start, end = ev["start_utc"], ev["end_utc"]
    pad = timedelta(hours=pad_h)
    mmsis = [ev["mmsi"]] + ([ev["other_mmsi"]] if ev.get("other_mmsi") is not None else [])
    near = pos.filter(pl.col("ts").is_between(start - pad, end + pad))  # type: ignore[operator]
    own = near.filter(pl.col("mmsi").is_in(mmsis)).sort("mmsi", "ts")
    during = own.filter(pl.col("ts").is_between(start, end))
    pts = own if own.height else pl.DataFrame({"lat": [ev["lat"]], "lon": [ev["lon"]]})
    lat0, lat1 = float(pts["lat"].min()), float(pts["lat"].max())  # type: ignore[arg-type]
    lon0, lon1 = float(pts["lon"].min()), float(pts["lon"].max())  # type: ignore[arg-type]
    span = max(lat1 - lat0, (lon1 - lon0) * np.cos(np.radians(lat0)), 0.02) * 1.2
    clat, clon = (lat0 + lat1) / 2, (lon0 + lon1) / 2
    kx = np.cos(np.radians(clat))

    def xy(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = (np.asarray(lon) - clon) * kx / span * (PANEL - 20) + PANEL / 2
        y = PANEL / 2 - (np.asarray(lat) - clat) / span * (PANEL - 20)
        return x, y

    # land mask background (inland cells)
    g = 90
    gy, gx = np.meshgrid(np.arange(g), np.arange(g), indexing="ij")
    glat = clat + (PANEL / 2 - (gy + 0.5) * PANEL / g) / (PANEL - 20) * span
    glon = clon + ((gx + 0.5) * PANEL / g - PANEL / 2) / (PANEL - 20) * span / kx
    land = inland(glat.ravel(), glon.ravel()).reshape(g, g)
    cell = PANEL / g
    for yy, xx in zip(*np.nonzero(land), strict=True):
        draw.rectangle([xx * cell, yy * cell, (xx + 1) * cell, (yy + 1) * cell], fill=(235, 222, 190))
    others = near.filter(~pl.col("mmsi").is_in(mmsis) & pl.col("ts").is_between(start, end))
    if others.height:
        ox, oy = xy(others["lat"].to_numpy(), others["lon"].to_numpy())
        for x, y in zip(ox, oy, strict=True):
            draw.point((float(x), float(y)), fill=(150, 150, 150))
    wpi = world_port_index()
    px, py = xy(wpi["lat"].to_numpy(), wpi["lon"].to_numpy())
    for x, y in zip(px, py, strict=True):
        if 0 <= x < PANEL and 0 <= y < PANEL:
            draw.polygon([(x, y - 5), (x - 4, y + 3), (x + 4, y + 3)], fill="black")
    for m, colour in zip(mmsis, [(30, 90, 200), (0, 150, 80)], strict=False):
        trk = own.filter(pl.col("mmsi") == m)
        if trk.height:
            tx, ty = xy(trk["lat"].to_numpy(), trk["lon"].to_numpy())
            draw.line(list(zip(tx.tolist(), ty.tolist(), strict=True)), fill=colour, width=1)
            for x, y in zip(tx, ty, strict=True):
                draw.ellipse([x - 1.5, y - 1.5, x + 1.5, y + 1.5], fill=colour)
    if during.height:
        dx, dy = xy(during["lat"].to_numpy(), during["lon"].to_numpy())
        for x, y in zip(dx, dy, strict=True):
            draw.ellipse([x - 3, y - 3, x + 3, y + 3], outline=(220, 0, 0))
    ex, ey = xy(np.array([ev["lat"]]), np.array([ev["lon"]]))
    draw.rectangle([ex[0] - 5, ey[0] - 5, ex[0] + 5, ey[0] + 5], outline=(220, 0, 0), width=2)
    km = span * 111.2
    draw.rectangle([0, 0, PANEL, 30], fill=(255, 255, 255))
    title = f"#{idx} {ev['mmsi']} {start:%m-%d %H:%M} {float(ev['duration_h']):.1f}h"  # type: ignore[str-format]
    draw.text((3, 2), title, fill="black", font=font)
    draw.text((3, 15), f"{_summary(ev)}  [{km:.1f} km]", fill="black", font=font)
    draw.rectangle([0, 0, PANEL - 1, PANEL - 1], outline="black")
    return img


def sheets(events: pl.DataFrame, pos: pl.DataFrame, label: str, folder: Path, sample: int) -> list[Path]:
    """Contact sheets of up to ``sample`` events per type (fixed-seed sample); returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    pos = pos.select("mmsi", "ts", "lat", "lon")
    out: list[Path] = []
    for kind in events["event_type"].unique().sort().to_list():
        ev = events.filter(pl.col("event_type") == kind).with_row_index("idx")
        if ev.height > sample:
            ev = ev.sample(sample, seed=8, shuffle=False).sort("idx")
        panels = [panel(r, pos, int(r["idx"])) for r in ev.iter_rows(named=True)]
        rows = max(1, min(ROWS, -(-len(panels) // COLS)))
        sheet = Image.new("RGB", (COLS * PANEL, rows * PANEL), "white")
        for i, p in enumerate(panels[: COLS * ROWS]):
            sheet.paste(p, ((i % COLS) * PANEL, (i // COLS) * PANEL))
        path = folder / f"{label.replace(' ', '_').lower()}_{kind}.png"
        sheet.save(path)
        out.append(path)
    return out
