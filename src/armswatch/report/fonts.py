"""Fonts for the HTML report: a stack covering Latin, Cyrillic and Hangul, and an embedded subset.

A report must render on a machine with no Korean font (Hangul names of designated people and
companies otherwise show as empty boxes). The CSS names a font stack that covers Latin, Cyrillic
and Hangul on common systems, and the report embeds a **subset** of freely licensed Noto fonts
(SIL Open Font License 1.1, see ``static/fonts/OFL.txt``) restricted to the characters the report
actually uses, as base64 WOFF2 ``@font-face`` rules: a few tens of kilobytes, nothing fetched.

Where the fonts come from: the system's Noto files (Debian/Ubuntu ``fonts-noto-core`` and
``fonts-noto-cjk``; ``make demo`` installs them when run as root), found in the usual font folders
or in ``$ARMSWATCH_FONT_DIR``. When they are missing the report still names the stack and says
in its footer that no font was embedded.
"""

from __future__ import annotations

import base64
import io
import os
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FONT_STACK = (
    '"Noto Sans", "Noto Sans KR", "Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic", '
    '"Segoe UI", system-ui, -apple-system, Roboto, "DejaVu Sans", Arial, sans-serif'
)
EMBEDDED_LATIN = "armswatch Noto Sans"
EMBEDDED_HANGUL = "armswatch Noto Sans KR"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")


@dataclass(frozen=True)
class FontSource:
    family: str
    weight: int
    files: tuple[str, ...]  # file names searched for, first found wins
    index: int = 0  # font number inside a .ttc collection
    notice: str = ""


SOURCES = (
    FontSource(EMBEDDED_LATIN, 400, ("NotoSans-Regular.ttf",), notice="Noto Sans © 2015 Google LLC, OFL 1.1"),
    FontSource(EMBEDDED_LATIN, 700, ("NotoSans-Bold.ttf",), notice="Noto Sans © 2015 Google LLC, OFL 1.1"),
    FontSource(
        EMBEDDED_HANGUL,
        400,
        ("NotoSansCJK-Regular.ttc", "NotoSansKR-Regular.otf", "NotoSansKR-Regular.ttf"),
        index=1,  # in NotoSansCJK-Regular.ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
        notice="Noto Sans CJK KR © 2014-2021 Adobe, OFL 1.1",
    ),
)


@dataclass(frozen=True)
class EmbeddedFonts:
    css: str  # @font-face rules (empty when nothing could be embedded)
    families: tuple[str, ...]  # embedded family names, first in the font-family list
    notices: tuple[str, ...]  # copyright and licence of what was embedded
    missing: tuple[str, ...]  # fonts looked for and not found


def _search_dirs() -> list[Path]:
    extra = os.environ.get("ARMSWATCH_FONT_DIR")
    dirs = [Path(extra).expanduser()] if extra else []
    return dirs + [Path(d).expanduser() for d in FONT_DIRS]


@lru_cache(maxsize=16)
def find_font(name: str) -> Path | None:
    """The first file called ``name`` under the font folders, or None."""
    for folder in _search_dirs():
        if folder.is_dir():
            for found in sorted(folder.rglob(name)):
                return found
    return None


def _covers(text: str, source: FontSource) -> bool:
    if source.family == EMBEDDED_HANGUL:
        return any(_is_cjk(c) for c in text)
    return True


def _is_cjk(c: str) -> bool:
    o = ord(c)
    return 0x1100 <= o <= 0x11FF or 0x3000 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0xF900 <= o <= 0xFAFF


@lru_cache(maxsize=32)
def subset_woff2(path: str, index: int, chars: str) -> bytes | None:
    """A WOFF2 subset of the font at ``path`` with the glyphs for ``chars`` (None if none of them)."""
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    wanted = sorted({ord(c) for c in chars})
    if not wanted:
        return None
    font = TTFont(path, fontNumber=index)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "liga", "calt", "ccmp", "locl", "mark", "mkmk", "ljmo", "vjmo", "tjmo"]
    options.name_IDs = ["*"]  # keep the copyright, licence and font names
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


# Always embedded from the Latin/Cyrillic font, whatever the report says (so the subset is computed
# once per process and edits of the file still render): ASCII, Latin-1, Latin Extended-A, Cyrillic,
# dashes, quotes and bullets, arrows, minus, euro, numero and ⟲.
FIXED_RANGES = ((0x20, 0x7E), (0xA0, 0x17F), (0x400, 0x4FF), (0x2010, 0x2027), (0x2030, 0x203A),
                (0x2190, 0x2199), (0x2212, 0x2212), (0x20AC, 0x20AC), (0x2116, 0x2116), (0x27F2, 0x27F2))  # fmt: skip


def report_chars(texts: Iterable[str]) -> str:
    """The characters to embed: those in ``texts`` plus printable ASCII (so edits still render)."""
    chars = set(string.printable) - set(string.whitespace) | {" "}
    for text in texts:
        chars.update(c for c in text if c.isprintable())
    return "".join(sorted(chars))


@lru_cache(maxsize=8)
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def _chars_for(source: FontSource, path: Path, chars: str) -> str:
    """Characters to subset ``source`` to, among those the font has: Hangul/CJK ones as used; for
    the Latin font the fixed ranges plus whatever else the report uses."""
    have = _cmap(str(path), source.index)
    if source.family == EMBEDDED_HANGUL:
        return "".join(c for c in chars if _is_cjk(c) and ord(c) in have)
    fixed = {chr(o) for lo, hi in FIXED_RANGES for o in range(lo, hi + 1)}
    return "".join(sorted(c for c in fixed | set(chars) if ord(c) in have))


def embed(text: str) -> EmbeddedFonts:
    """``@font-face`` rules embedding subsets of the Noto fonts for the characters of ``text``."""
    chars = report_chars([text])
    rules: list[str] = []
    families: list[str] = []
    notices: list[str] = []
    missing: list[str] = []
    for source in SOURCES:
        if not _covers(chars, source):
            continue
        path = next((p for p in (find_font(n) for n in source.files) if p is not None), None)
        if path is None:
            missing.append(source.files[0])
            continue
        data = subset_woff2(str(path), source.index, _chars_for(source, path, chars))
        if data is None:
            continue
        b64 = base64.b64encode(data).decode("ascii")
        rules.append(
            f"/* {source.notice}; subset of {path.name} */\n"
            f'@font-face {{ font-family: "{source.family}"; font-weight: {source.weight}; '
            f"font-style: normal; font-display: block; "
            f'src: url("data:font/woff2;base64,{b64}") format("woff2"); }}'
        )
        if source.family not in families:
            families.append(source.family)
        if source.notice not in notices:
            notices.append(source.notice)
    return EmbeddedFonts("\n".join(rules), tuple(families), tuple(notices), tuple(missing))


def font_family(embedded: EmbeddedFonts) -> str:
    """The CSS ``font-family`` value: embedded subsets first, then the system stack."""
    return ", ".join([*(f'"{f}"' for f in embedded.families), FONT_STACK])
