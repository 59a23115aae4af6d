"""Counting REAL objects: parked cars in two LEVIR-CD crops (0.5 m, Texas), labelled by us by eye.

The composited benchmark (`benchmarks/count.py`) draws its own objects; this one asks the shipped
counter about cars that are really there. The images stay in ../shared/data/change (research-only,
never copied here); only our centre labels and the drawn search areas are in this file.

How the labels were made (2026-12-07): each crop was viewed at 6-16x with a pixel grid and every car
inside the drawn area marked at its centre; precision about 1-2 px (0.5-1 m), and the count of a
tightly packed row may be off by one. Cars partly outside the image edge are marked too. A detection
matches a car when its centre lies within 3 px (1.5 m) of the car's marked centre, one to one (the
matcher of `armswatch.imagery.count_eval` with a 2.5 m square around each centre).

Usage:
    .venv/bin/python benchmarks/count_real.py                 # the shipped detector, as the CLI runs it
    .venv/bin/python benchmarks/count_real.py --grid          # also contrast x min_fill (NOT a tuning:
                                                              # two scenes, nothing held out; for reading)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from armswatch.imagery.count import Corrections
from armswatch.imagery.count_detect import DetectParams, params_for
from armswatch.imagery.count_eval import Score, match
from armswatch.imagery.count_run import count_image

HERE = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("ARMSWATCH_CHANGE_DATA", HERE.parent / "shared" / "data" / "change"))


@dataclass(frozen=True)
class Car:
    x: float
    y: float
    angle: float = 0.0
    length_m: float = 2.5  # a 2.5 m square: +0.5 px in the matcher gives 3 px around the centre
    width_m: float = 2.5


@dataclass(frozen=True)
class Scene:
    name: str
    image: str  # relative to DATA
    area: list[tuple[float, float]]  # pixel column, row
    cars: tuple[tuple[float, float], ...]
    what: str


SCENES = (
    Scene(
        "car park",
        "levir256/B/train_412_0512_0768.png",
        [(0, 128), (30, 128), (88, 188), (88, 205), (0, 205), (0, 128)],
        (
            (12, 144), (2, 152), (34.5, 151),  # upper left
            (41, 159), (46, 161), (50, 165), (54, 167), (57, 171), (61, 174.5), (65, 179.5),  # along the hall
            (5, 178),  # white car, parked across
            (2.5, 188.5), (10.5, 188.5), (15.5, 192), (23, 191), (30, 193.5), (36, 195), (43.5, 194.5),
            (51, 196.5), (57.5, 198), (78, 197),  # the lower row
        ),
        "a car park beside a hall: 21 cars, most side by side in rows",
    ),
    Scene(
        "street",
        "levir256/B/test_2_0000_0000.png",
        [(0, 181), (256, 181), (256, 196), (0, 196), (0, 181)],
        ((36, 183), (53, 184), (73, 183), (102, 193)),
        "a residential street between its kerbs: 4 cars parked or driving",
    ),
)  # fmt: skip


def run(scene: Scene, tmp: Path, params: DetectParams | None = None) -> tuple[Score, int]:
    """Count cars in the scene's area as `armswatch imagery count --object vehicle` does."""
    area = tmp / f"{scene.name.replace(' ', '_')}.geojson"
    area.write_text(json.dumps({"type": "Polygon", "coordinates": [scene.area]}))
    res = count_image(str(DATA / scene.image), "vehicle", area_path=str(area), coords="pixel",
                      pixel_size_m=0.5, corrections=Corrections((), ()), params=params)  # fmt: skip
    dets = res.count.objects
    return match(dets, [Car(x, y) for x, y in scene.cars], 0.5), len(dets)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    ap.add_argument(
        "--grid", action="store_true", help="also other contrast / min_fill settings (reading only)"
    )
    args = ap.parse_args(argv)
    if not all((DATA / s.image).exists() for s in SCENES):
        print(f"real data not found under {DATA}: nothing measured", file=sys.stderr)
        return 1
    print(f"armswatch real-object counting check, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}; data: {DATA}")  # fmt: skip
    print("REAL cars, labelled by eye (see the module docstring); object 'vehicle' (4.5 x 1.8 m) at 0.5 m")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        total = Score(0, 0, 0)
        for s in SCENES:
            sc, n = run(s, tmp)
            total = total + sc
            print(f"  {s.name:9s} ({s.what}): {n} boxes, {sc.tp} on cars, {sc.fp} not, {sc.fn} cars missed "
                  f"-> P {sc.precision:.2f} R {sc.recall:.2f}")  # fmt: skip
        print(f"  shipped detector, both scenes: P {total.precision:.2f} R {total.recall:.2f} "
              f"({total.tp} of {total.tp + total.fn} cars, {total.fp} false boxes)")  # fmt: skip
        if args.grid:
            base = params_for("vehicle")
            print("  other settings (two scenes, nothing held out: for reading, not for choosing):")
            for contrast in (2.0, 2.5):
                for fill in (0.5, 0.65, 0.75, 0.85):
                    p = replace(base, contrast=contrast, min_fill=fill)
                    parts = [run(s, tmp, p)[0] for s in SCENES]
                    t = parts[0] + parts[1]
                    print(f"    contrast {contrast} min_fill {fill}: car park P {parts[0].precision:.2f} "
                          f"R {parts[0].recall:.2f}, street P {parts[1].precision:.2f} R {parts[1].recall:.2f}, "
                          f"both P {t.precision:.2f} R {t.recall:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
