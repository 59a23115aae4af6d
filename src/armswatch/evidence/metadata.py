"""What a captured file says about itself: EXIF for photos (Pillow), document info for PDFs (pypdf).

Extraction never fails the capture: a file whose metadata cannot be read is stored all the same, with
``metadata_error`` naming what went wrong. Values are kept as text (a camera's make is what it wrote,
not a fact), sizes are bounded, and nothing in the file is executed or rendered.
"""

from __future__ import annotations

import io
import warnings
from typing import Any, Final

MAX_VALUE: Final = 500
MAX_IMAGE_PIXELS: Final = 250_000_000
#: EXIF tags worth showing an analyst (names as Pillow's ExifTags gives them).
EXIF_TAGS: Final = (
    "Make",
    "Model",
    "Software",
    "DateTime",
    "DateTimeOriginal",
    "DateTimeDigitized",
    "OffsetTimeOriginal",
    "Artist",
    "Copyright",
    "ImageDescription",
    "LensModel",
)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text[:MAX_VALUE]


def _gps_degrees(values: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60 + s / 3600
    if _text(ref).upper() in ("S", "W"):
        deg = -deg
    return round(deg, 7)


def image_metadata(data: bytes) -> dict[str, Any]:
    """Format, size and the EXIF tags analysts use (camera, times, GPS) of an image."""
    from PIL import ExifTags, Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as img:
            out: dict[str, Any] = {"format": img.format, "width": img.width, "height": img.height}
            exif = img.getexif()
            base = {ExifTags.TAGS.get(k, str(k)): v for k, v in exif.items()}
            sub = {ExifTags.TAGS.get(k, str(k)): v for k, v in exif.get_ifd(ExifTags.IFD.Exif).items()}
            tags = {k: _text(v) for k, v in {**base, **sub}.items() if k in EXIF_TAGS}
            gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if tags:
        out["exif"] = tags
    if gps:
        named = {ExifTags.GPSTAGS.get(k, str(k)): v for k, v in gps.items()}
        lat = _gps_degrees(named.get("GPSLatitude"), named.get("GPSLatitudeRef"))
        lon = _gps_degrees(named.get("GPSLongitude"), named.get("GPSLongitudeRef"))
        if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
            out["gps"] = {"lat": lat, "lon": lon}
    return out


def pdf_metadata(data: bytes) -> dict[str, Any]:
    """Page count and the document information dictionary of a PDF."""
    from pypdf import PdfReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data), strict=False)
        info: Any = reader.metadata or {}
        out: dict[str, Any] = {"format": "PDF", "pages": len(reader.pages)}
        fields = {str(k).lstrip("/"): _text(v) for k, v in dict(info).items()}
    if fields:
        out["info"] = dict(list(fields.items())[:30])
    return out


def extract_metadata(data: bytes, media_type: str) -> dict[str, Any]:
    """Metadata of a captured file by its media type; ``metadata_error`` when it cannot be read."""
    try:
        if media_type.startswith("image/"):
            return image_metadata(data)
        if media_type == "application/pdf" or data[:5] == b"%PDF-":
            return pdf_metadata(data)
    except Exception as exc:  # a hostile or broken file must not stop its own capture
        return {"metadata_error": f"{type(exc).__name__}: {_text(exc)[:200]}"}
    return {}
