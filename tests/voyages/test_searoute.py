"""Sea-only reachability: around the coast, not across it."""

from __future__ import annotations

import shapely

from armswatch.maritime.voyage.ellipse import budget_m, ellipse_polygon, port_fits
from armswatch.maritime.voyage.reconstruct import _by_sea

NAMPO = (38.73, 125.4)  # Yellow Sea side of Korea
WONSAN = (39.17, 127.48)  # Sea of Japan side
RAJIN = (42.233333, 130.3)


def test_a_port_across_the_peninsula_is_in_the_ellipse_but_not_in_reach_by_sea() -> None:
    off = on = (39.0, 129.5)  # Sea of Japan, off Wonsan
    budget = budget_m(40, 14)  # 1,037 km: Nampo straight over land and back ~ 740 km
    poly = ellipse_polygon(off, on, budget)
    ports = [("nampo", "Nampo", *NAMPO), ("wonsan", "Wonsan", *WONSAN)]
    fits, region = _by_sea(off, on, budget, poly, port_fits(off, on, 40, 14, ports))
    nampo, wonsan = fits
    assert nampo.reachable and nampo.legs_cross_land and nampo.sea_reachable is False and not nampo.in_reach
    assert wonsan.in_reach and wonsan.sea_via_km is not None
    assert wonsan.via_km <= wonsan.sea_via_km <= wonsan.via_km * 1.25  # a grid path: a little longer
    assert region is not None and poly.contains(shapely.Point(NAMPO[1], NAMPO[0]))
    assert not region.contains(shapely.Point(NAMPO[1], NAMPO[0]))
    assert region.area < poly.area


def test_open_water_sea_route_is_close_to_the_geodesic() -> None:
    off = on = (41.9, 131.2)
    budget = budget_m(28, 14)
    poly = ellipse_polygon(off, on, budget)
    fits, region = _by_sea(off, on, budget, poly, port_fits(off, on, 28, 14, [("rajin", "Rajin", *RAJIN)]))
    assert fits[0].in_reach and fits[0].sea_via_km is not None
    assert fits[0].via_km <= fits[0].sea_via_km <= fits[0].via_km * 1.15
    assert region is not None and region.contains(shapely.Point(off[1], off[0]))


def test_a_sea_route_that_leaves_the_ports_box_is_still_found() -> None:
    # around the southern tip of Korea and back (~ 2,400 km): in reach in 100 h at 14 kn (2,593 km)
    off = on = (39.0, 129.5)
    budget = budget_m(100, 14)
    poly = ellipse_polygon(off, on, budget)
    fits, _ = _by_sea(off, on, budget, poly, port_fits(off, on, 100, 14, [("nampo", "Nampo", *NAMPO)]))
    assert fits[0].in_reach and fits[0].sea_via_km is not None
    assert fits[0].sea_via_km > 2 * fits[0].via_km  # far longer than across the peninsula
