"""Geometry of the time-geography ellipse and per-port feasibility."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from armswatch.maritime.voyage.ellipse import (
    budget_m,
    distance_m,
    ellipse_boundary,
    ellipse_polygon,
    port_fits,
)

RAJIN = (42.233333, 130.3)
VOSTOCHNY = (42.75, 133.083333)
WONSAN = (39.17, 127.48)
OFF = (41.9, 131.2)  # the dark caller goes silent here ...
ON = (41.9, 131.2)  # ... and is heard again here 28 h later


def test_ellipse_contains_the_dwell_port_and_excludes_an_unreachable_one() -> None:
    # 28 h at 14 kn; the truth: 6 h to Rajin, 14 h stay, 6 h back
    poly = ellipse_polygon(OFF, ON, budget_m(28, 14))
    assert poly is not None and poly.is_valid
    assert poly.contains(shapely.Point(RAJIN[1], RAJIN[0]))
    assert not poly.contains(shapely.Point(WONSAN[1], WONSAN[0]))
    fits = {
        f.site_id: f
        for f in port_fits(OFF, ON, 28, 14, [("rajin", "Rajin", *RAJIN), ("wonsan", "Wonsan", *WONSAN)])
    }
    assert fits["rajin"].reachable and not fits["wonsan"].reachable
    # Rajin is ~ 90 km away: there and back needs >= 180 km / 28 h, and leaves most of the 28 h for a stay
    assert 3.0 < fits["rajin"].min_speed_kn < 4.5
    assert 14 < fits["rajin"].max_stay_h < 28
    assert fits["rajin"].earliest_arrival_h < 28 - fits["rajin"].earliest_arrival_h
    assert fits["wonsan"].max_stay_h < 0 and fits["wonsan"].min_speed_kn > 14


def test_a_silence_that_cannot_be_bridged_has_no_ellipse() -> None:
    assert ellipse_boundary(RAJIN, WONSAN, budget_m(10, 14)) is None  # ~ 430 km in 10 h needs ~ 23 kn
    assert ellipse_boundary(RAJIN, WONSAN, budget_m(40, 14)) is not None


@settings(max_examples=25, deadline=None)
@given(
    lat=st.floats(-60, 60),
    lon=st.floats(-170, 170),
    bearing=st.floats(0, 360),
    sep_km=st.floats(0, 300),
    slack=st.floats(1.05, 3.0),
)
def test_boundary_points_sum_to_the_budget(
    lat: float, lon: float, bearing: float, sep_km: float, slack: float
) -> None:
    from armswatch.maritime.voyage.ellipse import geod

    blon, blat, _ = geod().fwd(lon, lat, bearing, sep_km * 1000)
    budget = max(sep_km * 1000 * slack, 1000.0)
    pts = ellipse_boundary((lat, lon), (blat, blon), budget, n=36)
    assert pts is not None
    total = distance_m(lat, lon, pts[:, 1], pts[:, 0]) + distance_m(pts[:, 1], pts[:, 0], blat, blon)
    assert np.allclose(total, budget, rtol=1e-6, atol=1.0)


def test_straight_legs_over_land_are_flagged_not_dropped() -> None:
    # from the Sea of Japan to the Yellow Sea side of Korea: the straight line crosses the peninsula
    off, on = (39.0, 129.5), (39.0, 129.5)
    fits = port_fits(off, on, 40, 14, [("nampo", "Nampo", 38.73, 125.4)])
    assert fits[0].reachable and fits[0].legs_cross_land
    sea = port_fits(off, on, 40, 14, [("wonsan", "Wonsan", *WONSAN)])
    assert not sea[0].legs_cross_land
