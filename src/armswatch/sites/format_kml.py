"""Sites as KML 2.2, both ways.

Writing: one ``Placemark`` per site (``id`` attribute = site id) with ``name``, ``description``
(the notes), ``ExtendedData`` holding every property (``aliases`` and ``sources`` as JSON arrays) and
a ``Point`` or ``Polygon``. Google Earth renders names, descriptions and data values as HTML in its
balloons, so all of them are written HTML-escaped (``<`` ``>`` ``&``; reading unescapes names and
data values, so a site round-trips exactly). Reading accepts KMZ archive bytes too, and uses defusedxml (no entity expansion, no external entities),
accepts KML with or without the 2.2 namespace, finds Placemarks at any depth (Folders), and fills
what plain KML from other tools lacks: ``id`` from the name, ``kind`` "other", ``precision``
"approximate"; ``country`` must be present unless ``default_country`` is given. Errors name the
placemark (0-based, document order) as the record.

Hostile documents are one InputError, never a traceback or a memory blow-up: an impossible
``encoding`` declaration, more than :data:`MAX_KML_BYTES`, more than :data:`MAX_MARKUP` elements, or
a geometry of more than :data:`~armswatch.sites.geometry.MAX_VERTICES` vertices (counted before the
coordinates are split, so a 5 M-vertex polygon is refused cheaply).
"""

from __future__ import annotations

import html
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable
from functools import partial
from typing import Final

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException
from shapely.geometry import Point, Polygon

from armswatch.errors import InputError
from armswatch.sites.geometry import MAX_VERTICES, geometry_from_geojson
from armswatch.sites.model import Site, slugify
from armswatch.sites.record import SiteCollector

KML_NS: Final = "http://www.opengis.net/kml/2.2"
_Q: Final = f"{{{KML_NS}}}"
_LIST_KEYS: Final = ("aliases", "sources")
_DATA_KEYS: Final = ("id", "name", "aliases", "country", "kind", "precision", "sources", "notes")


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, _Q + tag)
    if text is not None:
        el.text = text
    return el


def _coords_text(coords: Iterable[tuple[float, ...]]) -> str:
    return " ".join(f"{float(c[0])!r},{float(c[1])!r}" for c in coords)


def _geometry_element(parent: ET.Element, geom: Point | Polygon) -> None:
    if isinstance(geom, Point):
        _sub(_sub(parent, "Point"), "coordinates", _coords_text([(geom.x, geom.y)]))
        return
    poly = _sub(parent, "Polygon")
    _sub(_sub(_sub(poly, "outerBoundaryIs"), "LinearRing"), "coordinates", _coords_text(geom.exterior.coords))
    for ring in geom.interiors:
        _sub(_sub(_sub(poly, "innerBoundaryIs"), "LinearRing"), "coordinates", _coords_text(ring.coords))


def sites_to_kml(sites: Iterable[Site], *, document_name: str = "armswatch sites") -> str:
    """A KML 2.2 document as text (UTF-8 declaration included)."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(_Q + "kml")
    doc = _sub(root, "Document")
    _sub(doc, "name", document_name)
    for site in sites:
        mark = _sub(doc, "Placemark")
        mark.set("id", site.id)
        _sub(mark, "name", html.escape(site.name, quote=False))
        if site.notes:  # Google Earth renders descriptions as HTML: escape, keep line breaks
            _sub(mark, "description", html.escape(site.notes).replace("\n", "<br>"))
        extended = _sub(mark, "ExtendedData")
        values = site.to_dict()
        for key in _DATA_KEYS:
            value = values[key]
            text = json.dumps(value, ensure_ascii=False) if key in _LIST_KEYS else str(value)
            data = _sub(extended, "Data")
            data.set("name", key)
            _sub(data, "value", html.escape(text, quote=False))  # balloons render HTML
        _geometry_element(mark, site.geometry)
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in el if _local(c.tag) == name), None)


def _find_all(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el.iter() if _local(c.tag) == name]


_TOKEN: Final = re.compile(r"\S+")


def _parse_coords(text: str | None) -> list[list[float]]:
    out: list[list[float]] = []
    for count, found in enumerate(_TOKEN.finditer(text or ""), start=1):
        if count > MAX_VERTICES:
            raise InputError(f"more than {MAX_VERTICES:,} KML coordinates in one geometry")
        token = found.group()
        parts = token.split(",")
        try:
            out.append([float(parts[0]), float(parts[1])])
        except (ValueError, IndexError) as err:
            raise InputError(f"bad KML coordinate {token[:40]!r}") from err
    return out


def _placemark_geometry(mark: ET.Element) -> Point | Polygon:
    points, polygons = _find_all(mark, "Point"), _find_all(mark, "Polygon")
    if len(points) + len(polygons) != 1:
        raise InputError("placemark must hold exactly one Point or Polygon")
    if points:
        coord_el = _child(points[0], "coordinates")
        coords = _parse_coords(coord_el.text if coord_el is not None else None)
        if len(coords) != 1:
            raise InputError("Point must have exactly one coordinate")
        return geometry_from_geojson({"type": "Point", "coordinates": coords[0]})
    rings: list[list[list[float]]] = []
    for boundary in ("outerBoundaryIs", "innerBoundaryIs"):
        for b in (c for c in polygons[0] if _local(c.tag) == boundary):
            ring = _find_all(b, "coordinates")
            if not ring:
                raise InputError(f"{boundary} has no coordinates")
            rings.append(_parse_coords(ring[0].text))
    if not rings:
        raise InputError("Polygon has no outerBoundaryIs")
    return geometry_from_geojson({"type": "Polygon", "coordinates": rings})


def _extended(mark: ET.Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for data in _find_all(mark, "Data"):
        key, value = data.get("name"), _child(data, "value")
        if key and value is not None:
            out[key] = html.unescape(value.text or "")
    return out


def _list_value(text: str | None, key: str) -> list[str]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, nested too deep, a 5,000-digit integer
        value = [text]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{key} must be a JSON array of text")
    return value


def _placemark_to_site(mark: ET.Element, default_country: str | None) -> Site:
    data = _extended(mark)
    name_el = _child(mark, "name")
    name = data.get("name") or html.unescape((name_el.text if name_el is not None else None) or "")
    if not name.strip():
        raise InputError("placemark has no name")
    desc = _child(mark, "description")
    notes = data.get("notes", (desc.text if desc is not None else "") or "")
    country = data.get("country") or default_country
    if not country:
        raise InputError("missing country (add ExtendedData 'country' or pass a default country)")
    geometry = _placemark_geometry(mark)
    return Site.from_dict(
        {
            "id": data.get("id") or mark.get("id") or slugify(name),
            "name": name,
            "aliases": _list_value(data.get("aliases"), "aliases"),
            "country": country,
            "kind": data.get("kind") or "other",
            "precision": data.get("precision") or "approximate",
            "geometry": geometry,
            "sources": _list_value(data.get("sources"), "sources"),
            "notes": notes,
        }
    )


MAX_KML_BYTES: Final = 64 * 1024 * 1024
MAX_MARKUP: Final = 2_000_000  # "<" characters, an upper bound on elements (~200 MB of tree)


def kml_from_kmz(data: bytes, *, path: str | None = None) -> bytes:
    """The main KML document of a KMZ (zip) archive: ``doc.kml``, else the first ``.kml`` at top level.

    The uncompressed size is checked before reading (zip-bomb guard: at most 64 MiB). A damaged,
    encrypted or oddly compressed archive is an InputError.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith(".kml")]
            if not names:
                raise InputError("KMZ archive holds no .kml document", path=path)
            name = "doc.kml" if "doc.kml" in names else sorted(names, key=lambda n: (n.count("/"), n))[0]
            if zf.getinfo(name).file_size > MAX_KML_BYTES:
                raise InputError(f"{name} in the KMZ is larger than 64 MiB", path=path)
            with zf.open(name) as member:
                content = member.read(MAX_KML_BYTES + 1)  # the header's size may lie
            if len(content) > MAX_KML_BYTES:
                raise InputError(f"{name} in the KMZ is larger than 64 MiB", path=path)
            return content
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as err:
        raise InputError(f"not a valid KMZ (zip) archive: {err}", path=path) from err
    except (ValueError, EOFError, OSError, RuntimeError, NotImplementedError, zlib.error) as err:
        # truncated or corrupt member, encrypted entry, unsupported compression method
        raise InputError(f"unreadable KMZ archive: {type(err).__name__}: {err}", path=path) from err


def sites_from_kml(
    text: str | bytes,
    *,
    path: str | None = None,
    default_country: str | None = None,
    skipped: Counter[str] | None = None,
) -> list[Site]:
    """Parse a KML document (or KMZ archive bytes) into sites.

    Raises InputError naming the bad placemark, or, when ``skipped`` is given, skips bad placemarks
    and counts them there by reason.
    """
    if isinstance(text, bytes) and text.startswith(b"PK\x03\x04"):
        text = kml_from_kmz(text, path=path)
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if len(data) > MAX_KML_BYTES:
        raise InputError(f"KML larger than {MAX_KML_BYTES // 2**20} MiB", path=path)
    if data.count(b"<") > MAX_MARKUP:
        raise InputError(f"more than {MAX_MARKUP:,} XML elements", path=path)
    try:
        root = DET.fromstring(data)
    except (ET.ParseError, DefusedXmlException) as err:
        raise InputError(f"not valid (or unsafe) KML/XML: {err}", path=path) from err
    except (LookupError, ValueError, UnicodeError) as err:  # encoding="NaN", a multi-byte encoding…
        raise InputError(f"unreadable KML encoding: {err}", path=path) from err
    if _local(root.tag) != "kml":
        raise InputError(f"root element is <{_local(root.tag)}>, expected <kml>", path=path)
    collector = SiteCollector("placemark", path, skipped)
    for index, mark in enumerate(_find_all(root, "Placemark")):
        collector.add(index, partial(_placemark_to_site, mark, default_country))
    return collector.sites
