"""Coupled trains: faint wagons in line with found ones are counted; ground strips and lone boxes are not."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import ndimage as ndi

from armswatch.imagery.count_chain import in_line
from armswatch.imagery.count_detect import Detection, DetectParams, detect, params_for
from armswatch.imagery.count_eval import match
from armswatch.imagery.count_model import _params
from armswatch.imagery.count_synth import SUPER, TrueObject, _draw_rect, degrade

BROWN, BLUE = (130, 80, 50), (60, 75, 90)
# the wagon settings levir's fold chose (fill 0.75, edge 0.6): the brown wagons on this textured asphalt
# pass them at every angle, so the tests isolate the coupled-train step
BASE = replace(params_for("railcar"), min_fill=0.75, min_edge=0.6)
Yard = tuple[np.ndarray, list[TrueObject], list[TrueObject], list[TrueObject], list[TrueObject]]


def asphalt_yard(angle: float, seed: int = 3, *, long_strip: bool = False) -> Yard:
    """SIMULATED, 0.5 m: dark asphalt (80, 80, 82) with grey wear (8 DN, every band alike). Track 1, a
    train of five 15 x 3 m wagons with 1.2 m gaps: brown, blue-grey, brown, blue-grey, blue-grey. The
    blue-grey paint is about as bright as the asphalt and differs from it in hue only (the wagons the
    detector lost on dark LEVIR backgrounds). Track 2, 24 m away: one brown wagon, then three
    wagon-sized strips of the asphalt darkened to 80 % (a shadow or a stain: the ground's hue), in line
    at the coupling gap. 16 m beyond: one lone blue-grey box (a roof of a wagon's size), in no train.
    With ``long_strip``, on a third track 40 m across: a brown wagon followed, with no gap, by a 45 m
    blue-grey strip (a road or a roof, as faint as the wagons). Returns the image, the train, its faint
    wagons, the strips and the lone box."""
    rng = np.random.default_rng(seed)
    n, fine = 200 * SUPER, 0.5 / SUPER
    wear = ndi.gaussian_filter(rng.normal(0, 1, (n // SUPER, n // SUPER)), 1.5)
    wear = np.kron(wear / wear.std() * 8.0, np.ones((SUPER, SUPER)))
    canvas = (np.array([80.0, 80.0, 82.0])[:, None, None] + wear[None]).astype(np.float32)
    t = math.radians(angle)
    ax, ay, nx, ny = math.cos(t), -math.sin(t), math.sin(t), math.cos(t)

    def at(j: int, v: float) -> tuple[float, float]:
        return n / 2 + ((j - 2) * 16.2 * ax + v * nx) / fine, n / 2 + ((j - 2) * 16.2 * ay + v * ny) / fine

    def paint(c: tuple[float, float], colour: tuple[int, int, int] | None = None) -> None:
        m, rs, cs, _ = _draw_rect(canvas, c[0], c[1], angle, 15 / fine, 3 / fine)
        if colour is None:
            canvas[:, rs, cs][:, m] *= 0.8
        else:
            canvas[:, rs, cs][:, m] = (np.array(colour, np.float32) * rng.uniform(0.95, 1.05))[:, None]

    train = [at(j, -12.0) for j in range(5)]
    for j, c in enumerate(train):
        paint(c, (BROWN, BLUE, BROWN, BLUE, BLUE)[j])
    paint(at(0, 12.0), BROWN)
    strips = [at(j, 12.0) for j in (1, 2, 3)]
    for c in strips:
        paint(c)
    lone = at(2, 28.0)
    paint(lone, BLUE)
    if long_strip:
        for along, length, colour in ((0.0, 15.0, BROWN), (30.0, 45.0, BLUE)):
            x, y = at(0, 40.0)
            m, rs, cs, _ = _draw_rect(
                canvas, x + along * ax / fine, y + along * ay / fine, angle, length / fine, 3 / fine
            )
            canvas[:, rs, cs][:, m] = (np.array(colour, np.float32) * rng.uniform(0.95, 1.05))[:, None]

    def truth(cs: list[tuple[float, float]]) -> list[TrueObject]:
        return [TrueObject(x / SUPER, y / SUPER, angle, 15.0, 3.0) for x, y in cs]

    return (
        degrade(canvas, SUPER, seed=seed),
        truth(train),
        truth(train[1::2] + train[4:]),
        truth(strips),
        truth([lone]),
    )


@pytest.mark.parametrize("angle", [0.0, 35.0, 100.0, 160.0])
def test_faint_wagons_in_a_train_are_found_strips_and_lone_boxes_are_not(angle: float) -> None:
    img, train, faint, strips, lone = asphalt_yard(angle)
    assert params_for("railcar").chain  # shipped for wagons
    plain = replace(BASE, chain=False)
    without = detect(img, 0.5, 15.0, 3.0, params=plain)
    dets = detect(img, 0.5, 15.0, 3.0, params=replace(plain, chain=True))
    assert match(without, faint, 0.5).tp == 0  # the blue-grey wagons fail the fill test alone
    assert match(dets, train, 0.5).tp == 5  # all five, the last one two faint wagons behind a found one
    # the ground darkened in line with a found wagon (same hue), and a faint box in no train, stay out
    assert match(dets, strips, 0.5).tp == 0 and match(dets, lone, 0.5).tp == 0
    assert len(dets) - len(without) == 3


def test_chain_is_nothing_without_a_found_wagon() -> None:
    img, _train, _faint, _strips, lone = asphalt_yard(20.0)
    # only the lone blue-grey box, cut out with the asphalt around it: nothing to be in line with
    x, y = int(lone[0].x), int(lone[0].y)
    crop = img[:, y - 40 : y + 40, x - 40 : x + 40]
    assert detect(crop, 0.5, 15.0, 3.0, params=replace(BASE, chain=True)) == []


def _det(x: float, y: float, angle: float) -> Detection:
    return Detection(x, y, angle, 2.0, 1.0, 2.0, "dark")


def test_in_line_geometry() -> None:
    found = [_det(100.0, 100.0, 30.0)]
    t = math.radians(30.0)
    ax, ay = math.cos(t), -math.sin(t)  # along the axis (rows grow downwards)
    nx, ny = math.sin(t), math.cos(t)
    step = 15.0

    def check(along: float, across: float, angle: float = 30.0) -> bool:
        return in_line(
            found, 100 + along * ax + across * nx, 100 + along * ay + across * ny, angle, 30.0, 6.0, step
        )

    assert check(32.4, 0.0) and check(-32.4, 0.0)  # next wagon either way, 1.2 m gap
    assert check(32.3, -2.8, 40.0)  # axis at 35°: found at 30°, the next one at 40° (one step off)
    assert check(33.0, 3.0, 22.5)  # a true axis between two detected steps
    assert not check(32.4, 9.0)  # the next track, 4.5 m across: not the same train
    assert not check(40.0, 0.0)  # a 5 m gap: not coupled
    assert not check(20.0, 0.0)  # overlapping
    assert not check(32.4, 0.0, 75.0)  # crossing, not parallel
    assert in_line([], 0.0, 0.0, 0.0, 30.0, 6.0, step) == []


def test_model_files_from_before_the_hue_and_chain_settings_still_load() -> None:
    from dataclasses import asdict

    raw = asdict(DetectParams(min_edge=0.6))
    old = {k: v for k, v in raw.items() if k not in ("hue_contrast", "chain", "chain_gap")}
    assert _params(old, ValueError) == DetectParams(min_edge=0.6)
    with pytest.raises(ValueError, match="chain"):
        _params({**raw, "chain": 1.5}, ValueError)


@pytest.mark.parametrize("angle", [10.0, 70.0])
def test_gap_test_keeps_coupled_wagons_and_drops_a_long_strip(angle: float) -> None:
    img, train, _faint, _strips, _lone = asphalt_yard(angle, long_strip=True)
    t = math.radians(angle)
    ax, ay, nx, ny = math.cos(t), -math.sin(t), math.sin(t), math.cos(t)
    x0, y0 = 100 + (-32.4 * ax + 40.0 * nx) / 0.5, 100 + (-32.4 * ay + 40.0 * ny) / 0.5  # the brown wagon
    strip = [TrueObject(x0 + a * ax / 0.5, y0 + a * ay / 0.5, angle, 15.0, 3.0) for a in (15.0, 30.0, 45.0)]
    chain = replace(BASE, chain=True)
    no_gap = detect(img, 0.5, 15.0, 3.0, params=chain)
    gap = detect(img, 0.5, 15.0, 3.0, params=replace(chain, chain_gap=0.5))
    assert match(no_gap, strip, 0.5).tp >= 2  # without the gap test the strip is cut into wagons
    assert match(gap, strip, 0.5).tp == 0
    assert match(gap, train, 0.5).tp == match(no_gap, train, 0.5).tp >= 4  # the coupled train keeps them
