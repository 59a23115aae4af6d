"""Measuring outlines drawn over an image: area in m² with an uncertainty from the pixel size.

**Area.** On a georeferenced image an outline is measured on the WGS84 ellipsoid (geodesic area and
perimeter, pyproj ``Geod``), so the result does not depend on the image's projection (UTM, Web Mercator,
geographic…). Pixel-coordinate outlines on a georeferenced image are moved into the image CRS and then to
WGS84 first. On an image without georeferencing the area is the pixel area times the ground pixel size
squared (``--pixel-size``, default 0.5 m).

**Uncertainty model.** An outline drawn on an image can be placed only to within about half a pixel of
the true edge, in the direction normal to the edge. Shifting every edge out (or in) by half a pixel
changes the area by about *perimeter × pixel / 2* (plus a corner term, pixel²/4 per corner, which is
negligible for outlines several pixels across). We report

    area ± perimeter × pixel_size / 2

as the uncertainty. It is a bound on edge placement only: it does not cover a wrongly interpreted
outline (a roof read as a shadow), orthorectification error or relief displacement of tall structures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from armswatch.errors import InputError
from armswatch.imagery import outline
from armswatch.imagery.outline import Coords, Outline
from armswatch.imagery.raster import ImageInfo

MODEL = "± perimeter × pixel size / 2 (outline edges placed to within half a pixel)"


@dataclass(frozen=True)
class Measurement:
    """One outline's area and its uncertainty."""

    id: str
    name: str | None
    area_m2: float
    uncertainty_m2: float
    perimeter_m: float
    pixel_size_m: float
    pixels: float
    inside_share: float
    geometry: BaseGeometry  # WGS84 on a georeferenced image, else pixel coordinates

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "area_m2": round(self.area_m2, 1),
            "uncertainty_m2": round(self.uncertainty_m2, 1),
            "relative": round(self.uncertainty_m2 / self.area_m2, 4) if self.area_m2 > 0 else None,
            "perimeter_m": round(self.perimeter_m, 1),
            "pixel_size_m": round(self.pixel_size_m, 3),
            "pixels": round(self.pixels, 1),
            "inside_image": round(self.inside_share, 3),
            "geometry": mapping(self.geometry),
        }


def geodesic_area_perimeter(geom: BaseGeometry) -> tuple[float, float]:
    """Geodesic area (m²) and perimeter (m) of a WGS84 polygon or multipolygon."""
    from pyproj import Geod

    area, perimeter = Geod(ellps="WGS84").geometry_area_perimeter(geom)
    return abs(float(area)), float(perimeter)


def uncertainty(perimeter_m: float, pixel_size_m: float) -> float:
    """Area uncertainty (m²) of an outline with this perimeter drawn on pixels of this size."""
    return perimeter_m * pixel_size_m / 2.0


def measure_outline(
    item: Outline, info: ImageInfo, pixel_size_m: float, coords: Coords = "auto"
) -> Measurement:
    """Measure one outline over the image described by ``info``."""
    system = outline.resolve_coords(info, coords)
    if system == "wgs84":
        wgs = item.geometry
        px = outline.wgs84_to_pixel(wgs, info)
    else:
        px = item.geometry
        wgs = outline.pixel_to_wgs84(px, info) if info.georeferenced else None
    box = outline.image_box(info)
    inside = float(px.intersection(box).area / px.area) if px.area > 0 else 0.0
    if inside == 0.0:
        raise InputError(
            f"outline {item.id} lies outside the image"
            + (
                " (are its coordinates WGS84? use --coords pixel for pixel coordinates)"
                if system == "wgs84"
                else ""
            ),
            path=info.path,
        )
    if wgs is not None:
        area, perimeter = geodesic_area_perimeter(wgs)
        geometry = wgs
    else:
        area = float(px.area) * pixel_size_m**2
        perimeter = float(px.length) * pixel_size_m
        geometry = px
    return Measurement(
        id=item.id,
        name=item.name,
        area_m2=area,
        uncertainty_m2=uncertainty(perimeter, pixel_size_m),
        perimeter_m=perimeter,
        pixel_size_m=pixel_size_m,
        pixels=area / pixel_size_m**2,
        inside_share=inside,
        geometry=geometry,
    )


def measure_outlines(
    items: list[Outline], info: ImageInfo, pixel_size_m: float, coords: Coords = "auto"
) -> list[Measurement]:
    """Measure every outline (the first one outside the image is an input error)."""
    return [measure_outline(o, info, pixel_size_m, coords) for o in items]
