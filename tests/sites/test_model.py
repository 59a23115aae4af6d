from __future__ import annotations

import pytest
from hypothesis import given, settings
from shapely.geometry import Point, Polygon

from armswatch.errors import InputError
from armswatch.sites.model import Site, slugify

from .conftest import make_site, sites


def test_site_normalises_and_freezes() -> None:
    site = make_site(country="kp", name="  Rajin port ", aliases=["Najin"], kind=" Port", precision="CITY")
    assert site.country == "KP" and site.kind == "port" and site.precision == "city"
    assert site.name == "Rajin port"
    assert site.aliases == ("Najin",)
    with pytest.raises(AttributeError):
        site.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id": "Rajin Port"}, "site id must match"),
        ({"id": "-rajin"}, "site id must match"),
        ({"country": "XX"}, "unknown ISO 3166"),
        ({"country": "KOR"}, "alpha-2"),
        ({"country": "ZZ"}, "unknown ISO 3166"),
        ({"country": "SU"}, "unknown ISO 3166"),
        ({"kind": "factory"}, "kind must be one of"),
        ({"precision": "exact"}, "precision must be one of"),
        ({"name": "   "}, "name is empty"),
        ({"aliases": ("ok", "")}, "empty entry"),
        ({"aliases": "Najin"}, "must be a list"),
        ({"geometry": Point(181, 0)}, "longitude out of range"),
        ({"geometry": Point(0, -91)}, "latitude out of range"),
        ({"geometry": Point(float("nan"), 0)}, "non-finite"),
        ({"geometry": Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])}, "Self-intersection"),
        ({"geometry": Point(0, 0).buffer(1).boundary}, "Point or Polygon"),
        ({"name": "bad\x00name"}, "control characters"),
    ],
)
def test_invalid_sites_raise_input_error(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        make_site(**overrides)
    assert isinstance(info.value, ValueError)
    assert info.value.record is not None


def test_notes_line_endings_normalised() -> None:
    assert make_site(notes="a\r\nb\rc\n").notes == "a\nb\nc"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Rajin (Najin) port", "rajin-najin-port"),
        ("February 11 Plant", "february-11-plant"),
        ("Korea–Russia Friendship Bridge", "korea-russia-friendship-bridge"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug
    assert make_site(id=slugify(name)).id == slug


def test_slugify_transliterates() -> None:
    slug = slugify("Восточный порт")
    assert slug.startswith("vosto") and slug.endswith("-port") and slug.isascii()


def test_slugify_rejects_empty() -> None:
    with pytest.raises(InputError):
        slugify("---")


@settings(deadline=None)
@given(sites())
def test_dict_round_trip(site: Site) -> None:
    assert Site.from_dict(site.to_dict()) == site


def test_from_dict_makes_id_and_reports_missing() -> None:
    d = make_site().to_dict()
    d.pop("id")
    assert Site.from_dict(d).id == "rajin-port"
    d.pop("kind")
    with pytest.raises(InputError, match="missing required property 'kind'"):
        Site.from_dict(d)


def test_lonlat_for_polygon_is_inside() -> None:
    poly = Polygon([(10, 10), (11, 10), (11, 11), (10, 11), (10, 10)])
    lon, lat = make_site(geometry=poly, precision="facility").lonlat
    assert poly.contains(Point(lon, lat))
