"""Object-counting benchmark: SIMULATED containers, rail wagons and cars composited into REAL aerial
backgrounds (LEVIR-CD and DSIFN-CD crops from ../shared/data/change, generated here at run time and never
stored in the repository).

Usage:
    .venv/bin/python benchmarks/count.py            # tune on one set, test on the other, both ways
    .venv/bin/python benchmarks/count.py --quick    # fewer backgrounds (A/ only)
    .venv/bin/python benchmarks/count.py --per-class            # per-class contrast/fill/edge choice
    .venv/bin/python benchmarks/count.py --per-class --only railcar --fill soft   # wagons, graded fill
    .venv/bin/python benchmarks/count.py --per-class --only railcar --hue 2.5,4,6 --objective both
    .venv/bin/python benchmarks/count.py --per-class --only railcar --chain 0.5,1 --objective both   # coupled trains
    .venv/bin/python benchmarks/count.py --context --seeds 4    # per-class shadow test choice (+3 more layouts)
    .venv/bin/python benchmarks/count.py --shipped --seeds 4    # the shipped settings, both sets, real crops
    .venv/bin/python benchmarks/count.py --trained              # trained model vs training-free, held out
    .venv/bin/python benchmarks/count.py --trained --only railcar --train-style standard --train-area crop

How the set is built (see armswatch.imagery.count_synth): each 256x256 crop (0.5 m) gets a paved yard
(60 % of the crop, the crop's own texture at a third of its contrast, painted lines) holding 4 groups of
one object class: 40 ft containers (12.2x2.4 m) side by side with 0.2-0.6 m seams and end to end,
wagons (14-16 x 3 m) coupled on one or two tracks, or cars (4.5x1.8 m) in parking rows with empty bays;
10 container colours, varied orientation, ribbed roofs, per-object brightness, cast shadows, PSF blur and
noise. The analyst's search area is the yard. The 1 m and 3 m images are the same composites block-averaged
from the 0.125 m canvas. A stress run puts the objects on the crop without paving and searches the whole
crop.

Scoring: a detection matches an object when its centre falls inside the object's rectangle (+0.5 px),
one-to-one. Parameters (GRID) are chosen on one background set's A/ crops at 0.5 m (best mean F1 over the
three classes) and scored on the other set's A/ and B/ crops (leave-one-set-out), then applied unchanged
at 1 m and 3 m. "tuning set itself" scores the chosen parameters on the tuning set's A/ and B/ crops.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from armswatch.imagery.count import OBJECTS
from armswatch.imagery.count_detect import DetectParams, detect, params_for
from armswatch.imagery.count_eval import Score, match
from armswatch.imagery.count_model import TrainImage, train
from armswatch.imagery.count_synth import STANDARD, VARIED, Composite, composite

HERE = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("ARMSWATCH_CHANGE_DATA", HERE.parent / "shared" / "data" / "change"))
SETS = ("levir256", "dsifn256")
CLASSES = {"container": "container", "railcar": "railcar", "vehicle": "vehicle"}
GRID = {"contrast": (1.5, 2.0, 2.5), "min_fill": (0.6, 0.75)}


def backgrounds(name: str, quick: bool) -> list[np.ndarray]:
    folder = DATA / name
    files = sorted((folder / "A").glob("*.png")) + ([] if quick else sorted((folder / "B").glob("*.png")))
    return [np.asarray(Image.open(f).convert("RGB"), dtype=np.float32).transpose(2, 0, 1) for f in files]


def yard_mask(c: Composite, shape: tuple[int, int], px: float) -> np.ndarray:
    y0, x0, y1, x1 = c.yard
    s = c.pixel_size_m / px
    area = np.zeros(shape, dtype=bool)
    area[round(y0 * s) : round(y1 * s), round(x0 * s) : round(x1 * s)] = True
    return area


def build(bgs: list[np.ndarray], kind: str, paved: bool = True) -> list[Composite]:
    return [composite(bg, kind, seed=1000 * i + len(kind), paved=paved) for i, bg in enumerate(bgs)]


def score(scenes: list[Composite], kind: str, px: float, params: DetectParams, whole: bool = False) -> Score:
    length, width = OBJECTS[CLASSES[kind]]
    total = Score(0, 0, 0)
    for c in scenes:
        img, objs, p = c.render(px)
        area = None if whole else yard_mask(c, img.shape[1:], p)
        total = total + match(detect(img, p, length, width, area=area, params=params), objs, p)
    return total


def f1(s: Score) -> float:
    return 2 * s.tp / (2 * s.tp + s.fp + s.fn) if s.tp else 0.0


def tune(scenes: dict[str, list[Composite]]) -> DetectParams:
    best, best_f1 = DetectParams(), -1.0
    for values in itertools.product(*GRID.values()):
        params = replace(DetectParams(), **dict(zip(GRID, values, strict=True)))
        mean = float(np.mean([f1(score(scenes[k], k, 0.5, params)) for k in CLASSES]))
        if mean > best_f1:
            best, best_f1 = params, mean
    print(f"    chosen: contrast={best.contrast} min_fill={best.min_fill} "
          f"(mean F1 {best_f1:.3f} on the tuning set)")  # fmt: skip
    return best


CLASS_GRID: dict[str, tuple[float, ...]] = {
    "contrast": (2.5, 3.0, 3.5),
    "min_fill": (0.75, 0.85),
    "min_edge": (0.3, 0.6),
    "spacing_widths": (0.0, 7 / 6),
    "hue_contrast": (0.0,),  # --hue adds values: the separate hue test (0 = off)
    "chain": (-1.0,),  # --chain adds 0 and the gap shares: faint boxes in line with found ones (count_chain)
}


def real_boxes(bgs: list[np.ndarray], kind: str, params: DetectParams) -> int:
    """Boxes found on REAL crops without objects (central 80 %, 0.5 m): every one is a false object."""
    length, width = OBJECTS[CLASSES[kind]]
    return sum(
        len(detect(bg, 0.5, length, width, area=empty_area(bg.shape[1:]), params=params)) for bg in bgs
    )


def per_class(
    scenes: dict[str, dict[str, list[Composite]]],
    n_tune: dict[str, int],
    fill: str = "shipped",
    bgs: dict[str, list[np.ndarray]] | None = None,
    objective: str = "f1",
) -> None:
    """Parameters chosen per object class (the analyst names the class, so its settings can differ) on
    one set's A/ crops at 0.5 m over a grid that extends past the shared defaults, scored on the other
    set's A/ and B/ crops (leave-one-set-out). ``fill``: the class's shipped fill test, or ``hard`` (0/1)
    / ``soft`` (graded) for every class: a detector form, not a grid value. With ``bgs`` the boxes found
    on the real crops without objects are reported for the chosen and the shipped settings; with
    ``objective`` ``f1-real`` the boxes found on the tuning set's real A/ crops count as false detections
    when choosing (the held-out set's real crops are never looked at while choosing; ``both``: each
    choice is reported)."""
    print(
        f"\nper-class parameters, grid {CLASS_GRID}, chosen by {objective} at 0.5 m (spacing: the shadow test)"
    )
    for kind in CLASSES:
        width = OBJECTS[CLASSES[kind]][1]
        soft = params_for(kind).soft_fill if fill == "shipped" else fill == "soft"
        print(f"  {kind}: {'graded (soft)' if soft else 'hard'} fill")
        grid = [replace(DetectParams(), contrast=c, min_fill=f, min_edge=e, min_spacing=round(k * width, 2),
                        soft_fill=soft, hue_contrast=h, chain=ch >= 0, chain_gap=max(ch, 0.0))
                for c, f, e, k, h, ch in itertools.product(*CLASS_GRID.values())]  # fmt: skip
        for tune_set, test_set in itertools.permutations(SETS):
            tuning = scenes[tune_set][kind][: n_tune[tune_set]]
            t0 = time.perf_counter()
            sc = [score(tuning, kind, 0.5, g) for g in grid]
            real = (
                [real_boxes(bgs[tune_set][: n_tune[tune_set]], kind, g) for g in grid]
                if bgs
                else [0] * len(grid)
            )
            goals = ("f1", "f1-real") if objective == "both" else (objective,)
            for goal in goals:
                scored = [(f1(s + Score(0, r if goal == "f1-real" else 0, 0)), i)
                          for i, (s, r) in enumerate(zip(sc, real, strict=True))]  # fmt: skip
                best = grid[max(scored)[1]]
                print(f"  {kind}: tuned on {tune_set} by {goal} -> contrast={best.contrast} min_fill={best.min_fill} "
                      f"min_edge={best.min_edge} min_spacing={best.min_spacing} hue_contrast={best.hue_contrast} chain={best.chain} chain_gap={best.chain_gap} "
                      f"(tuning {goal} {max(scored)[0]:.3f}; {tune_set} A/ real crops: {real[max(scored)[1]]} boxes; "
                      f"{time.perf_counter() - t0:.0f} s)")  # fmt: skip
                line(f"tuning {tune_set} A/+B/, 0.5 m", score(scenes[tune_set][kind], kind, 0.5, best))
                line(f"held-out {test_set}, 0.5 m, yard", score(scenes[test_set][kind], kind, 0.5, best))
                line(f"held-out {test_set}, 1 m, yard", score(scenes[test_set][kind], kind, 1.0, best))
                if bgs is not None:
                    print(f"    real crops without objects (central 80 %), boxes found: {tune_set} "
                          f"{real_boxes(bgs[tune_set], kind, best)}, {test_set} {real_boxes(bgs[test_set], kind, best)} "
                          f"(shipped settings: {real_boxes(bgs[tune_set], kind, params_for(kind))}, "
                          f"{real_boxes(bgs[test_set], kind, params_for(kind))})")  # fmt: skip


def shipped(
    scenes: dict[str, dict[str, list[Composite]]], bgs: dict[str, list[np.ndarray]], seeds: int
) -> None:
    """Each class's shipped settings on both sets' A/ and B/ composites (and ``seeds - 1`` further layouts
    per background), with the boxes they find on the real crops without objects."""
    print("\nshipped settings per class")
    for kind in CLASSES:
        p = params_for(kind)
        print(f"  {kind}: {p}")
        for name in SETS:
            t0 = time.perf_counter()
            line(
                f"{name} A/+B/, 0.5 m, yard",
                score(scenes[name][kind], kind, 0.5, p),
                time.perf_counter() - t0,
            )
            line(f"{name} A/+B/, 1 m, yard", score(scenes[name][kind], kind, 1.0, p))
            if seeds > 1:
                extra = [composite(bg, kind, seed=1000 * i + len(kind) + 100_000 * k)
                         for k in range(1, seeds) for i, bg in enumerate(bgs[name])]  # fmt: skip
                line(f"{name}, {seeds - 1} more layouts", score(extra, kind, 0.5, p))
            print(
                f"    real {name} crops without objects (central 80 %): {real_boxes(bgs[name], kind, p)} boxes"
            )


CONTEXT_GRID = {"spacing_widths": (0.0, 1.0, 7 / 6, 4 / 3), "shadow_angle": (1.0, 2.0, 3.0)}


def context(scenes: dict[str, dict[str, list[Composite]]], n_tune: dict[str, int]) -> None:
    """The scene-context test (armswatch.imagery.count_context: side-by-side spacing, shadows) chosen per
    class on one set's A/ crops at 0.5 m, on top of the class's shipped settings, and scored on the other
    set's A/ and B/ crops (leave-one-set-out). Spacing is a multiple of the object's width (0 = off)."""
    print(f"\nscene context per class, grid {CONTEXT_GRID}, on top of each class's shipped settings")
    for kind in CLASSES:
        width = OBJECTS[CLASSES[kind]][1]
        base = replace(params_for(kind), min_spacing=0.0)
        grid = [base] + [replace(base, min_spacing=round(k * width, 2), shadow_angle=a)
                         for k in CONTEXT_GRID["spacing_widths"][1:] for a in CONTEXT_GRID["shadow_angle"]]  # fmt: skip
        for tune_set, test_set in itertools.permutations(SETS):
            tuning = scenes[tune_set][kind][: n_tune[tune_set]]
            t0 = time.perf_counter()
            scored = [f1(score(tuning, kind, 0.5, g)) for g in grid]
            best = grid[int(np.argmax(scored))]  # the first best: no test when it does not help
            print(f"  {kind}: tuned on {tune_set} -> min_spacing={best.min_spacing} m "
                  f"shadow_angle={best.shadow_angle} (tuning F1 {max(scored):.3f}, off {scored[0]:.3f}, "
                  f"{time.perf_counter() - t0:.0f} s)")  # fmt: skip
            line(f"tuning {tune_set} A/+B/, 0.5 m", score(scenes[tune_set][kind], kind, 0.5, best))
            line(f"held-out {test_set}, 0.5 m, yard", score(scenes[test_set][kind], kind, 0.5, best))
            line("  same, without the test", score(scenes[test_set][kind], kind, 0.5, base))
            line(f"held-out {test_set}, 1 m, yard", score(scenes[test_set][kind], kind, 1.0, best))
            line("  same, without the test", score(scenes[test_set][kind], kind, 1.0, base))


def more_seeds(bgs: dict[str, list[np.ndarray]], seeds: int) -> None:
    """The shipped per-class settings, with and without the scene-context test, on ``seeds - 1`` further
    layouts per background (other seeds; reported BESIDE the standard set, never instead of it)."""
    print(
        f"\nshipped settings on {seeds - 1} more layouts per background (seeds other than the standard set's)"
    )
    for kind in CLASSES:
        shipped = params_for(kind)
        for name in SETS:
            extra = [composite(bg, kind, seed=1000 * i + len(kind) + 100_000 * k)
                     for k in range(1, seeds) for i, bg in enumerate(bgs[name])]  # fmt: skip
            n = sum(len(c.objects) for c in extra)
            line(f"{kind} {name} ({n}), shipped", score(extra, kind, 0.5, shipped))
            if shipped.min_spacing > 0:
                line(
                    "  same, without the context test",
                    score(extra, kind, 0.5, replace(shipped, min_spacing=0.0)),
                )


TRAIN_SEEDS = 3  # layouts per training background


def empty_area(shape: tuple[int, int]) -> np.ndarray:
    """The central 80 % of a crop (204 x 204 px of 256): the search area on real crops without objects."""
    rows, cols = shape
    r0, c0 = round(rows * 0.1), round(cols * 0.1)
    area = np.zeros(shape, dtype=bool)
    area[r0 : rows - r0, c0 : cols - c0] = True
    return area


def trained_models(
    bgs_a: dict[str, list[np.ndarray]],
    bgs: dict[str, list[np.ndarray]],
    scenes: dict[str, dict[str, list[Composite]]],
    style_name: str,
    train_area: str = "yard",
) -> None:
    """A counting model (armswatch.imagery.count_model) trained on one set's A/ crops with objects in
    another renderer style and other layouts (seeds), tested on the other set's A/ and B/ standard
    composites beside the shipped training-free settings; also boxes found on the real crops without
    objects, and the unpaved stress run. Training areas are the whole crops (objects in the yard, real
    ground around it) or the yards; test areas are the yards, as for the training-free detector. Nothing is chosen on the test side: the model's threshold is
    chosen out of fold on its training composites."""
    style = VARIED if style_name == "varied" else STANDARD
    print(f"\ntrained model (training composites: {style_name} renderer, {TRAIN_SEEDS} layouts per A/ crop, "
          f"training area: {train_area}, "
          f"seeds 500000+) vs the shipped training-free settings; test: the other set, standard renderer")  # fmt: skip
    for kind in CLASSES:
        length, width = OBJECTS[CLASSES[kind]]
        shipped = params_for(kind)
        for train_set, test_set in itertools.permutations(SETS):
            t0 = time.perf_counter()
            items = []
            for k in range(TRAIN_SEEDS):
                for i, bg in enumerate(bgs_a[train_set]):
                    c = composite(bg, kind, seed=500_000 + 1000 * i + 77 * k + len(kind), style=style)
                    img, objs, p = c.render(0.5)
                    pts = np.array([[o.x, o.y] for o in objs], dtype=np.float64).reshape(-1, 2)
                    # "crop": the whole crop is the training area (every object is labelled, so the real
                    # ground around the yard, roofs, roads, trees and their shadows, gives negatives too);
                    # "yard": the yard, as an analyst draws it
                    area = (
                        yard_mask(c, img.shape[1:], p)
                        if train_area == "yard"
                        else np.ones(img.shape[1:], bool)
                    )
                    items.append(TrainImage(img, area, p, pts))
            model, st = train(items, kind, length, width)
            oof = st["out_of_fold"]
            print(f"  {kind}: trained on {train_set} A/ ({st['images']} images, {st['objects']} objects, "
                  f"{st['candidates']} candidates) -> threshold {model.threshold:g} (out of fold P {oof['precision']:.3f} "
                  f"R {oof['recall']:.3f}), {time.perf_counter() - t0:.0f} s")  # fmt: skip
            test = scenes[test_set][kind]
            n = sum(len(c.objects) for c in test)
            for px in (0.5, 1.0):
                t0 = time.perf_counter()
                sm = Score(0, 0, 0)
                for c in test:
                    img, objs, p = c.render(px)
                    sm = sm + match(model.detect(img, p, yard_mask(c, img.shape[1:], p)), objs, p)
                line(f"held-out {test_set} ({n}), {px:g} m, model", sm, time.perf_counter() - t0)
                t0 = time.perf_counter()
                line(
                    "  same, training-free (shipped)",
                    score(test, kind, px, shipped),
                    time.perf_counter() - t0,
                )
            empty_m = sum(len(model.detect(bg, 0.5, empty_area(bg.shape[1:]))) for bg in bgs[test_set])
            empty_f = sum(len(detect(bg, 0.5, length, width, area=empty_area(bg.shape[1:]), params=shipped))
                          for bg in bgs[test_set])  # fmt: skip
            print(f"    real {test_set} crops without objects ({len(bgs[test_set])}, central 80 %): boxes found: "
                  f"model {empty_m}, training-free {empty_f}")  # fmt: skip
            stress = build(bgs[test_set], kind, paved=False)
            sm = Score(0, 0, 0)
            for c in stress:
                img, objs, p = c.render(0.5)
                sm = sm + match(model.detect(img, p), objs, p)
            line("unpaved, whole crop, model", sm)
            line("  same, training-free (shipped)", score(stress, kind, 0.5, shipped, whole=True))


def line(label: str, s: Score, secs: float | None = None) -> None:
    extra = f"  {secs:5.1f} s" if secs is not None else ""
    print(f"    {label:<34} P={s.precision:.3f} R={s.recall:.3f} F1={f1(s):.3f}  "
          f"(tp {s.tp}, fp {s.fp}, fn {s.fn}){extra}")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="A/ crops only")
    ap.add_argument("--per-class", action="store_true", help="only the per-class parameter choice")
    ap.add_argument("--context", action="store_true", help="only the per-class scene-context (shadow) choice")
    ap.add_argument("--fill", choices=("shipped", "hard", "soft"), default="shipped",
                    help="with --per-class: the fill test (soft: graded, DetectParams.soft_fill)")  # fmt: skip
    ap.add_argument("--shipped", action="store_true", help="score each class's shipped settings on both sets")
    ap.add_argument("--hue", help="with --per-class: hue_contrast values to add to the grid, e.g. 2.5,4,6")
    ap.add_argument(
        "--chain",
        help="with --per-class: the coupled-train test in the grid: off, on, and on with these gap shares, e.g. 0.5,1",
    )
    ap.add_argument("--objective", choices=("f1", "f1-real", "both"), default="f1",
                    help="with --per-class: f1-real also counts boxes on the tuning set's real A/ crops "
                    "without objects as false detections (both: report the choice of each)")  # fmt: skip
    ap.add_argument("--only", choices=sorted(CLASSES), help="with --per-class/--context/--trained: one class")
    ap.add_argument(
        "--trained", action="store_true", help="trained counting models vs training-free, held out"
    )
    ap.add_argument("--train-style", choices=("varied", "standard"), default="varied",
                    help="with --trained: renderer of the training composites (tests use standard)")  # fmt: skip
    ap.add_argument("--train-area", choices=("yard", "crop"), default="yard",
                    help="with --trained: training search area (the yard, as an analyst draws it, or the whole crop)")  # fmt: skip
    ap.add_argument("--seeds", type=int, default=1, help="with --context or --shipped: also score the shipped settings on "
                    "this many layouts per background (1 = the standard set only)")  # fmt: skip
    args = ap.parse_args()
    missing = [s for s in SETS if not (DATA / s / "A").is_dir()]
    if missing:
        print(
            f"evaluation data ABSENT ({', '.join(str(DATA / s) for s in missing)} not found); nothing measured"
        )
        return 0
    print(f"backgrounds: {DATA} (real aerial crops; objects are SIMULATED composites)")
    bgs = {s: backgrounds(s, args.quick) for s in SETS}
    if args.only:
        for kind in [k for k in CLASSES if k != args.only]:
            del CLASSES[kind]
    scenes = {s: {k: build(bgs[s], k) for k in CLASSES} for s in SETS}
    if args.trained:
        bgs_a = bgs if args.quick else {s: backgrounds(s, True) for s in SETS}
        trained_models(bgs_a, bgs, scenes, args.train_style, args.train_area)
        return 0
    if args.shipped:
        shipped(scenes, bgs, args.seeds)
        return 0
    if args.per_class:
        if args.hue:
            CLASS_GRID["hue_contrast"] = (0.0, *(float(v) for v in args.hue.split(",")))
        if args.chain:  # -1: off; 0: no gap test; > 0: the gap test's share
            CLASS_GRID["chain"] = (-1.0, 0.0, *(float(v) for v in args.chain.split(",") if float(v) > 0))
        n_tune = {s: len(bgs[s]) // (1 if args.quick else 2) for s in SETS}
        per_class(scenes, n_tune, args.fill, bgs, args.objective)
        return 0
    if args.context:
        context(scenes, {s: len(bgs[s]) // (1 if args.quick else 2) for s in SETS})
        if args.seeds > 1:
            more_seeds(bgs, args.seeds)
        return 0
    for tune_set, test_set in itertools.permutations(SETS):
        n_tune = len(bgs[tune_set]) // (1 if args.quick else 2)
        print(f"\ntune on {tune_set} (A/ crops: {n_tune}), test on {test_set} ({len(bgs[test_set])} crops)")
        params = tune({k: v[:n_tune] for k, v in scenes[tune_set].items()})
        for kind in CLASSES:
            n = sum(len(c.objects) for c in scenes[test_set][kind])
            print(f"  {kind} ({n} objects)")
            for px in (0.5, 1.0, 3.0):
                t0 = time.perf_counter()
                line(f"{px:g} m, yard as search area", score(scenes[test_set][kind], kind, px, params),
                     time.perf_counter() - t0)  # fmt: skip
            line("0.5 m, tuning set itself (A/+B/)", score(scenes[tune_set][kind], kind, 0.5, params))
            stress = build(bgs[test_set], kind, paved=False)
            line("0.5 m, unpaved, whole crop searched", score(stress, kind, 0.5, params, whole=True))
    print(f"\ndefaults in DetectParams: {DetectParams()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
