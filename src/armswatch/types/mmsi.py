"""MMSI (Maritime Mobile Service Identity) numbers and the ITU MID table.

An MMSI is nine digits (ITU-R M.585-9, Annex 1). The leading digits say what kind of station
it is and carry the three-digit MID (Maritime Identification Digits) of the administration
that assigned it:

==============  ================================  ============================
pattern         kind                              MID position
==============  ================================  ============================
``MIDxxxxxx``   ship (MID starts 2..7)            digits 1-3
``0MIDxxxxx``   group of ships                    digits 2-4
``00MIDxxxx``   coast / base station              digits 3-5
``111MIDxxx``   SAR aircraft                      digits 4-6
``99MIDxxxx``   aid to navigation (AtoN)          digits 3-5
``98MIDxxxx``   craft associated with a parent    digits 3-5
``8MIDxxxxx``   handheld (diver) VHF              digits 2-4
``970xxxxxx``   AIS-SART; ``972`` MOB; ``974`` EPIRB-AIS (no MID)
==============  ================================  ============================

``MID_TABLE`` maps each MID to the ISO 3166-1 alpha-2 code and name of its administration
(territories with their own MID get their own code, e.g. 477 Hong Kong ``HK``). Transcribed from
the ITU table of Maritime Identification Digits (ITU MARS); ``flag`` means the assigning
administration, which is the flag state for ship stations. The set of MIDs was checked on
2026-12-06 against the ITU's MID page (``itu.int/en/ITU-R/terrestrial/fmd/Pages/mid.aspx``) as
copied into a public repository (no direct access to ITU from here): the same 292 MIDs, none missing,
none extra (``tests/types/test_mmsi.py`` keeps that list).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

# fmt: off
MID_TABLE: Final[dict[int, tuple[str, str]]] = {
    201: ("AL", "Albania"), 202: ("AD", "Andorra"), 203: ("AT", "Austria"), 204: ("PT", "Portugal (Azores)"),
    205: ("BE", "Belgium"), 206: ("BY", "Belarus"), 207: ("BG", "Bulgaria"),
    208: ("VA", "Vatican City State"), 209: ("CY", "Cyprus"), 210: ("CY", "Cyprus"), 211: ("DE", "Germany"),
    212: ("CY", "Cyprus"), 213: ("GE", "Georgia"), 214: ("MD", "Moldova"), 215: ("MT", "Malta"),
    216: ("AM", "Armenia"), 218: ("DE", "Germany"), 219: ("DK", "Denmark"), 220: ("DK", "Denmark"),
    224: ("ES", "Spain"), 225: ("ES", "Spain"), 226: ("FR", "France"), 227: ("FR", "France"),
    228: ("FR", "France"), 229: ("MT", "Malta"), 230: ("FI", "Finland"), 231: ("FO", "Faroe Islands"),
    232: ("GB", "United Kingdom"), 233: ("GB", "United Kingdom"), 234: ("GB", "United Kingdom"),
    235: ("GB", "United Kingdom"), 236: ("GI", "Gibraltar"), 237: ("GR", "Greece"), 238: ("HR", "Croatia"),
    239: ("GR", "Greece"), 240: ("GR", "Greece"), 241: ("GR", "Greece"), 242: ("MA", "Morocco"),
    243: ("HU", "Hungary"), 244: ("NL", "Netherlands"), 245: ("NL", "Netherlands"),
    246: ("NL", "Netherlands"), 247: ("IT", "Italy"), 248: ("MT", "Malta"), 249: ("MT", "Malta"),
    250: ("IE", "Ireland"), 251: ("IS", "Iceland"), 252: ("LI", "Liechtenstein"), 253: ("LU", "Luxembourg"),
    254: ("MC", "Monaco"), 255: ("PT", "Portugal (Madeira)"), 256: ("MT", "Malta"), 257: ("NO", "Norway"),
    258: ("NO", "Norway"), 259: ("NO", "Norway"), 261: ("PL", "Poland"), 262: ("ME", "Montenegro"),
    263: ("PT", "Portugal"), 264: ("RO", "Romania"), 265: ("SE", "Sweden"), 266: ("SE", "Sweden"),
    267: ("SK", "Slovakia"), 268: ("SM", "San Marino"), 269: ("CH", "Switzerland"), 270: ("CZ", "Czechia"),
    271: ("TR", "Türkiye"), 272: ("UA", "Ukraine"), 273: ("RU", "Russian Federation"),
    274: ("MK", "North Macedonia"), 275: ("LV", "Latvia"), 276: ("EE", "Estonia"), 277: ("LT", "Lithuania"),
    278: ("SI", "Slovenia"), 279: ("RS", "Serbia"),
    301: ("AI", "Anguilla"), 303: ("US", "United States (Alaska)"), 304: ("AG", "Antigua and Barbuda"),
    305: ("AG", "Antigua and Barbuda"),
    306: ("CW", "Curaçao, Sint Maarten, Bonaire, Sint Eustatius and Saba"), 307: ("AW", "Aruba"),
    308: ("BS", "Bahamas"), 309: ("BS", "Bahamas"), 310: ("BM", "Bermuda"), 311: ("BS", "Bahamas"),
    312: ("BZ", "Belize"), 314: ("BB", "Barbados"), 316: ("CA", "Canada"), 319: ("KY", "Cayman Islands"),
    321: ("CR", "Costa Rica"), 323: ("CU", "Cuba"), 325: ("DM", "Dominica"),
    327: ("DO", "Dominican Republic"), 329: ("GP", "Guadeloupe"), 330: ("GD", "Grenada"),
    331: ("GL", "Greenland"), 332: ("GT", "Guatemala"), 334: ("HN", "Honduras"), 336: ("HT", "Haiti"),
    338: ("US", "United States"), 339: ("JM", "Jamaica"), 341: ("KN", "Saint Kitts and Nevis"),
    343: ("LC", "Saint Lucia"), 345: ("MX", "Mexico"), 347: ("MQ", "Martinique"), 348: ("MS", "Montserrat"),
    350: ("NI", "Nicaragua"), 351: ("PA", "Panama"), 352: ("PA", "Panama"), 353: ("PA", "Panama"),
    354: ("PA", "Panama"), 355: ("PA", "Panama"), 356: ("PA", "Panama"), 357: ("PA", "Panama"),
    358: ("PR", "Puerto Rico"), 359: ("SV", "El Salvador"), 361: ("PM", "Saint Pierre and Miquelon"),
    362: ("TT", "Trinidad and Tobago"), 364: ("TC", "Turks and Caicos Islands"),
    366: ("US", "United States"), 367: ("US", "United States"), 368: ("US", "United States"),
    369: ("US", "United States"), 370: ("PA", "Panama"), 371: ("PA", "Panama"), 372: ("PA", "Panama"),
    373: ("PA", "Panama"), 374: ("PA", "Panama"), 375: ("VC", "Saint Vincent and the Grenadines"),
    376: ("VC", "Saint Vincent and the Grenadines"), 377: ("VC", "Saint Vincent and the Grenadines"),
    378: ("VG", "British Virgin Islands"), 379: ("VI", "United States Virgin Islands"),
    401: ("AF", "Afghanistan"), 403: ("SA", "Saudi Arabia"), 405: ("BD", "Bangladesh"),
    408: ("BH", "Bahrain"), 410: ("BT", "Bhutan"), 412: ("CN", "China"), 413: ("CN", "China"),
    414: ("CN", "China"), 416: ("TW", "Taiwan, Province of China"), 417: ("LK", "Sri Lanka"),
    419: ("IN", "India"), 422: ("IR", "Iran"), 423: ("AZ", "Azerbaijan"), 425: ("IQ", "Iraq"),
    428: ("IL", "Israel"), 431: ("JP", "Japan"), 432: ("JP", "Japan"), 434: ("TM", "Turkmenistan"),
    436: ("KZ", "Kazakhstan"), 437: ("UZ", "Uzbekistan"), 438: ("JO", "Jordan"),
    440: ("KR", "Korea, Republic of"), 441: ("KR", "Korea, Republic of"), 443: ("PS", "State of Palestine"),
    445: ("KP", "Korea, Democratic People's Republic of"), 447: ("KW", "Kuwait"), 450: ("LB", "Lebanon"),
    451: ("KG", "Kyrgyzstan"), 453: ("MO", "Macao"), 455: ("MV", "Maldives"), 457: ("MN", "Mongolia"),
    459: ("NP", "Nepal"), 461: ("OM", "Oman"), 463: ("PK", "Pakistan"), 466: ("QA", "Qatar"),
    468: ("SY", "Syrian Arab Republic"), 470: ("AE", "United Arab Emirates"),
    471: ("AE", "United Arab Emirates"), 472: ("TJ", "Tajikistan"), 473: ("YE", "Yemen"),
    475: ("YE", "Yemen"), 477: ("HK", "Hong Kong"), 478: ("BA", "Bosnia and Herzegovina"),
    501: ("TF", "France (Adélie Land)"), 503: ("AU", "Australia"), 506: ("MM", "Myanmar"),
    508: ("BN", "Brunei Darussalam"), 510: ("FM", "Micronesia"), 511: ("PW", "Palau"),
    512: ("NZ", "New Zealand"), 514: ("KH", "Cambodia"), 515: ("KH", "Cambodia"),
    516: ("CX", "Christmas Island"), 518: ("CK", "Cook Islands"), 520: ("FJ", "Fiji"),
    523: ("CC", "Cocos (Keeling) Islands"), 525: ("ID", "Indonesia"), 529: ("KI", "Kiribati"),
    531: ("LA", "Lao People's Democratic Republic"), 533: ("MY", "Malaysia"),
    536: ("MP", "Northern Mariana Islands"), 538: ("MH", "Marshall Islands"), 540: ("NC", "New Caledonia"),
    542: ("NU", "Niue"), 544: ("NR", "Nauru"), 546: ("PF", "French Polynesia"), 548: ("PH", "Philippines"),
    550: ("TL", "Timor-Leste"), 553: ("PG", "Papua New Guinea"), 555: ("PN", "Pitcairn Island"),
    557: ("SB", "Solomon Islands"), 559: ("AS", "American Samoa"), 561: ("WS", "Samoa"),
    563: ("SG", "Singapore"), 564: ("SG", "Singapore"), 565: ("SG", "Singapore"), 566: ("SG", "Singapore"),
    567: ("TH", "Thailand"), 570: ("TO", "Tonga"), 572: ("TV", "Tuvalu"), 574: ("VN", "Viet Nam"),
    576: ("VU", "Vanuatu"), 577: ("VU", "Vanuatu"), 578: ("WF", "Wallis and Futuna"),
    601: ("ZA", "South Africa"), 603: ("AO", "Angola"), 605: ("DZ", "Algeria"),
    607: ("TF", "France (Saint Paul and Amsterdam Islands)"),
    608: ("SH", "United Kingdom (Ascension Island)"), 609: ("BI", "Burundi"), 610: ("BJ", "Benin"),
    611: ("BW", "Botswana"), 612: ("CF", "Central African Republic"), 613: ("CM", "Cameroon"),
    615: ("CG", "Congo"), 616: ("KM", "Comoros"), 617: ("CV", "Cabo Verde"),
    618: ("TF", "France (Crozet Archipelago)"), 619: ("CI", "Côte d'Ivoire"), 620: ("KM", "Comoros"),
    621: ("DJ", "Djibouti"), 622: ("EG", "Egypt"), 624: ("ET", "Ethiopia"), 625: ("ER", "Eritrea"),
    626: ("GA", "Gabon"), 627: ("GH", "Ghana"), 629: ("GM", "Gambia"), 630: ("GW", "Guinea-Bissau"),
    631: ("GQ", "Equatorial Guinea"), 632: ("GN", "Guinea"), 633: ("BF", "Burkina Faso"),
    634: ("KE", "Kenya"), 635: ("TF", "France (Kerguelen Islands)"), 636: ("LR", "Liberia"),
    637: ("LR", "Liberia"), 638: ("SS", "South Sudan"), 642: ("LY", "Libya"), 644: ("LS", "Lesotho"),
    645: ("MU", "Mauritius"), 647: ("MG", "Madagascar"), 649: ("ML", "Mali"), 650: ("MZ", "Mozambique"),
    654: ("MR", "Mauritania"), 655: ("MW", "Malawi"), 656: ("NE", "Niger"), 657: ("NG", "Nigeria"),
    659: ("NA", "Namibia"), 660: ("RE", "Réunion"), 661: ("RW", "Rwanda"), 662: ("SD", "Sudan"),
    663: ("SN", "Senegal"), 664: ("SC", "Seychelles"), 665: ("SH", "Saint Helena"), 666: ("SO", "Somalia"),
    667: ("SL", "Sierra Leone"), 668: ("ST", "Sao Tome and Principe"), 669: ("SZ", "Eswatini"),
    670: ("TD", "Chad"), 671: ("TG", "Togo"), 672: ("TN", "Tunisia"), 674: ("TZ", "Tanzania"),
    675: ("UG", "Uganda"), 676: ("CD", "Democratic Republic of the Congo"), 677: ("TZ", "Tanzania"),
    678: ("ZM", "Zambia"), 679: ("ZW", "Zimbabwe"),
    701: ("AR", "Argentina"), 710: ("BR", "Brazil"), 720: ("BO", "Bolivia"), 725: ("CL", "Chile"),
    730: ("CO", "Colombia"), 735: ("EC", "Ecuador"), 740: ("FK", "Falkland Islands"),
    745: ("GF", "French Guiana"), 750: ("GY", "Guyana"), 755: ("PY", "Paraguay"), 760: ("PE", "Peru"),
    765: ("SR", "Suriname"), 770: ("UY", "Uruguay"), 775: ("VE", "Venezuela"),
}
# fmt: on


class StationKind(enum.StrEnum):
    """What kind of radio station an MMSI identifies."""

    SHIP = "ship"
    GROUP = "group"
    COAST = "coast"
    SAR_AIRCRAFT = "sar-aircraft"
    ATON = "aton"
    CRAFT = "craft"
    HANDHELD = "handheld"
    SART = "sart"
    MOB = "mob"
    EPIRB = "epirb"
    INVALID = "invalid"


KIND_CODES: Final[tuple[StationKind, ...]] = tuple(StationKind)
"""Index of each kind in the integer codes :func:`classify_array` returns."""


@dataclass(frozen=True)
class Mmsi:
    """A parsed MMSI: the number, its kind, its MID and the administration (flag) it names."""

    number: int
    kind: StationKind
    mid: int | None
    flag: str | None
    country: str | None

    @property
    def text(self) -> str:
        """The nine-digit form with leading zeros (coast stations start ``00``)."""
        return f"{self.number:09d}"

    @property
    def is_vessel(self) -> bool:
        return self.kind in (StationKind.SHIP, StationKind.CRAFT)


def _mid_and_kind(n: int) -> tuple[StationKind, int | None]:
    if n <= 0 or n > 999_999_999:
        return StationKind.INVALID, None
    if 200_000_000 <= n <= 799_999_999:
        return StationKind.SHIP, n // 1_000_000
    if n < 1_000_000:
        return StationKind.INVALID, None
    if n < 10_000_000:  # 00MIDxxxx
        return StationKind.COAST, n // 10_000
    if n < 100_000_000:  # 0MIDxxxxx
        return StationKind.GROUP, n // 100_000
    if 111_000_000 <= n <= 111_999_999:
        return StationKind.SAR_AIRCRAFT, (n // 1000) % 1000
    if 800_000_000 <= n <= 899_999_999:
        return StationKind.HANDHELD, (n // 100_000) % 1000
    if 970_000_000 <= n <= 970_999_999:
        return StationKind.SART, None
    if 972_000_000 <= n <= 972_999_999:
        return StationKind.MOB, None
    if 974_000_000 <= n <= 974_999_999:
        return StationKind.EPIRB, None
    if 990_000_000 <= n <= 999_999_999:
        return StationKind.ATON, (n // 10_000) % 1000
    if 980_000_000 <= n <= 989_999_999:
        return StationKind.CRAFT, (n // 10_000) % 1000
    return StationKind.INVALID, None


def parse_mmsi(value: object) -> Mmsi:
    """Parse an MMSI; kinds that need a MID are :attr:`StationKind.INVALID` when the MID is unassigned."""
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return Mmsi(0, StationKind.INVALID, None, None, None)
    number = int(text)
    kind, mid = _mid_and_kind(number)
    if mid is not None and mid not in MID_TABLE:
        return Mmsi(number, StationKind.INVALID, mid, None, None)
    flag, country = MID_TABLE[mid] if mid is not None else (None, None)
    return Mmsi(number, kind, mid, flag, country)


MAX_MMSI: Final = 999_999_999
"""The largest number with nine digits: anything above (or negative, or not a number) is not an MMSI
at all and is a bad record; anything from 0 to this is an identity, valid or not."""

_PATTERNS: Final = {
    StationKind.SHIP: "ship MIDxxxxxx",
    StationKind.GROUP: "group 0MIDxxxxx",
    StationKind.COAST: "coast station 00MIDxxxx",
    StationKind.SAR_AIRCRAFT: "SAR aircraft 111MIDxxx",
    StationKind.HANDHELD: "handheld 8MIDxxxxx",
    StationKind.ATON: "aid to navigation 99MIDxxxx",
    StationKind.CRAFT: "craft of a parent ship 98MIDxxxx",
}


NOT_A_NUMBER: Final = "not a number of 1 to 9 digits"


def mmsi_problem(value: object) -> str | None:
    """Why ``value`` is not a valid ITU MMSI, in words (``None`` when it is valid).

    A number of one to nine digits that fits no ITU-R M.585 pattern, or whose MID is not allocated,
    is an *invalid identity* (kept and analysed, since false identities are what a ship hiding its
    identity transmits); anything else is not an MMSI at all.
    """
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return NOT_A_NUMBER
    number = int(text)
    if number == 0:
        return "000000000 is not an identity (AIS default)"
    kind, mid = _mid_and_kind(number)
    if kind is StationKind.INVALID:
        return f"{number:09d} fits no ITU-R M.585 pattern"
    if mid is not None and mid not in MID_TABLE:
        return f"MID {mid:03d} is not allocated by the ITU ({_PATTERNS.get(kind, kind.value)})"
    return None


def is_valid_mmsi(value: object) -> bool:
    """True for any valid station MMSI (ship, coast, SAR, AtoN, ...)."""
    return parse_mmsi(value).kind is not StationKind.INVALID


def flag_of(value: object) -> str | None:
    """ISO alpha-2 code of the administration that assigned the MMSI, if its MID is known."""
    return parse_mmsi(value).flag


# ---- vectorised forms -----------------------------------------------------------------------------

_FLAG_CODES: Final[tuple[str, ...]] = ("", *sorted({v[0] for v in MID_TABLE.values()}))
_MID_FLAG_INDEX: Final[npt.NDArray[np.int16]] = np.zeros(1000, dtype=np.int16)
for _mid, (_flag, _name) in MID_TABLE.items():
    _MID_FLAG_INDEX[_mid] = _FLAG_CODES.index(_flag)


def _between(a: npt.NDArray[np.int64], lo: int, hi: int) -> npt.NDArray[np.bool_]:
    return (a >= lo) & (a <= hi)


def mid_and_kind_array(mmsi: npt.ArrayLike) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int8]]:
    """Vectorised :func:`parse_mmsi`: MID (-1 when none) and kind code (index into :data:`KIND_CODES`)."""
    a = np.asarray(mmsi, dtype=np.int64)
    kind = np.full(a.shape, KIND_CODES.index(StationKind.INVALID), dtype=np.int8)
    mid = np.full(a.shape, -1, dtype=np.int64)
    rules: list[tuple[npt.NDArray[np.bool_], StationKind, npt.NDArray[np.int64] | None]] = [
        (_between(a, 200_000_000, 799_999_999), StationKind.SHIP, a // 1_000_000),
        (_between(a, 1_000_000, 9_999_999), StationKind.COAST, a // 10_000),
        (_between(a, 10_000_000, 99_999_999), StationKind.GROUP, a // 100_000),
        (_between(a, 111_000_000, 111_999_999), StationKind.SAR_AIRCRAFT, (a // 1000) % 1000),
        (_between(a, 800_000_000, 899_999_999), StationKind.HANDHELD, (a // 100_000) % 1000),
        (_between(a, 970_000_000, 970_999_999), StationKind.SART, None),
        (_between(a, 972_000_000, 972_999_999), StationKind.MOB, None),
        (_between(a, 974_000_000, 974_999_999), StationKind.EPIRB, None),
        (_between(a, 990_000_000, 999_999_999), StationKind.ATON, (a // 10_000) % 1000),
        (_between(a, 980_000_000, 989_999_999), StationKind.CRAFT, (a // 10_000) % 1000),
    ]
    for mask, k, m in rules:
        kind[mask] = KIND_CODES.index(k)
        if m is not None:
            mid[mask] = m[mask]
    has_mid = mid >= 0
    known = np.zeros(a.shape, dtype=bool)
    known[has_mid] = _MID_FLAG_INDEX[mid[has_mid]] > 0
    kind[has_mid & ~known] = KIND_CODES.index(StationKind.INVALID)
    return mid.astype(np.int16), kind


def valid_mmsi_array(mmsi: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Vectorised :func:`is_valid_mmsi`."""
    _, kind = mid_and_kind_array(mmsi)
    return np.asarray(kind != KIND_CODES.index(StationKind.INVALID))


def vessel_mmsi_array(mmsi: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where the MMSI is a ship station (``MIDxxxxxx``) with an assigned MID."""
    _, kind = mid_and_kind_array(mmsi)
    return np.asarray(kind == KIND_CODES.index(StationKind.SHIP))


def flag_array(mmsi: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """Vectorised :func:`flag_of`: ISO alpha-2 codes, ``""`` where unknown."""
    mid, kind = mid_and_kind_array(mmsi)
    idx = np.where((mid >= 0) & (kind != KIND_CODES.index(StationKind.INVALID)), _MID_FLAG_INDEX[mid], 0)
    return np.asarray(_FLAG_CODES, dtype=np.str_)[idx]
