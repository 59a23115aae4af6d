"""Seed inputs for ``scripts/fuzz.py``, built here from code (nothing copied from shared data).

Each builder returns a few small, valid files of one format; the campaign mutates them. Sites seeds
are written by armswatch's own writers, NMEA sentences are encoded with pyais.
"""

from __future__ import annotations

import io
import json
import zipfile

UN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2024-03-01T00:00:00">
 <INDIVIDUALS>
  <INDIVIDUAL>
   <DATAID>6908001</DATAID><FIRST_NAME>KIM</FIRST_NAME><SECOND_NAME>SONG</SECOND_NAME><THIRD_NAME>NAM</THIRD_NAME>
   <UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.001</REFERENCE_NUMBER><LISTED_ON>2016-03-02</LISTED_ON>
   <NAME_ORIGINAL_SCRIPT>김성남</NAME_ORIGINAL_SCRIPT><COMMENTS1>Official.</COMMENTS1>
   <TITLE><VALUE>Director</VALUE></TITLE><DESIGNATION><VALUE>Chief</VALUE></DESIGNATION>
   <NATIONALITY><VALUE>Democratic People's Republic of Korea</VALUE></NATIONALITY>
   <LAST_DAY_UPDATED><VALUE>2017-01-01</VALUE></LAST_DAY_UPDATED>
   <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Kim Song-nam</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>KSN</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_ADDRESS><STREET>1 Main</STREET><CITY>Pyongyang</CITY><COUNTRY>DPRK</COUNTRY></INDIVIDUAL_ADDRESS>
   <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1952-05-01</DATE></INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1955</FROM_YEAR><TO_YEAR>1957</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_PLACE_OF_BIRTH><CITY>Hamhung</CITY><COUNTRY>DPRK</COUNTRY></INDIVIDUAL_PLACE_OF_BIRTH>
   <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>563120238</NUMBER></INDIVIDUAL_DOCUMENT>
  </INDIVIDUAL>
 </INDIVIDUALS>
 <ENTITIES>
  <ENTITY>
   <DATAID>690735</DATAID><FIRST_NAME>OCEAN MARITIME MANAGEMENT</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
   <REFERENCE_NUMBER>KPe.029</REFERENCE_NUMBER><LISTED_ON>2014-07-28</LISTED_ON>
   <COMMENTS1>IMO Number: 1790183</COMMENTS1>
   <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>OMM</ALIAS_NAME></ENTITY_ALIAS>
   <ENTITY_ADDRESS><CITY>Pyongyang</CITY><COUNTRY>DPRK</COUNTRY></ENTITY_ADDRESS>
  </ENTITY>
 </ENTITIES>
</CONSOLIDATED_LIST>
"""

OFAC_SDN = (
    '36,"KIM, Song Nam","individual","[DPRK2] [NPWMD]",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"DOB 18 Jun 1964; alt. DOB circa 1947 to 1949; POB Hamhung; nationality Korea, North; Passport 563120238; '
    'Gender Male; Linked To: OCEAN MARITIME MANAGEMENT COMPANY, LIMITED."\r\n'
    '173,"OCEAN MARITIME MANAGEMENT COMPANY, LIMITED","-0- ","[NPWMD]",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"Company Number IMO 1790183; Website www.omm.com.kp; a.k.a. \'OMM\'."\r\n'
    '20000,"CHONG GEN","vessel","[DPRK2]",-0- ,"HMCR","Bulk Carrier","8474","13983","Korea, North",'
    '"OCEAN MARITIME MANAGEMENT COMPANY, LIMITED","Vessel Registration Identification IMO 8705539; '
    'MMSI 445114000; Former Vessel Flag Cambodia."\r\n\x1a'
)
OFAC_ADD = '36,25,"1 Main St","Pyongyang",-0- ,-0- \r\n173,26,-0- ,"Pyongyang","Korea, North",-0- \r\n\x1a'
OFAC_ALT = '36,12,"aka","KIM, Song-nam",-0- \r\n20000,13,"fka","CHONG GIN",-0- \r\n\x1a'
OFAC_COMMENTS = '20000," continued remark; Linked To: KIM, Song Nam."\r\n\x1a'

FTM_LINES = [
    {"id": "p1", "schema": "Person", "datasets": ["fz"], "properties": {"name": ["Kim Song Nam"], "birthDate": ["1952"]}},
    {"id": "v1", "schema": "Vessel", "properties": {"name": ["CHONG GEN"], "imoNumber": ["8705539"], "mmsi": ["445114000"]}},
    {"id": "c1", "schema": "Company", "properties": {"name": ["OMM"], "country": ["kp"], "website": ["omm.kp"]}},
    {"id": "o1", "schema": "Ownership", "properties": {"owner": ["c1"], "asset": ["v1"], "percentage": ["100"]}},
]  # fmt: skip

USER_CSV = (
    "ref,name,type,aka,imo\r\n"
    "r1,CHONG GEN,Vessel,CHONG GIN;CHON GEN,8705539\r\n"
    'r2,"Kim, Song Nam",Person,,\r\n'
    "r3,Ocean Maritime,Company,OMM,1790183\r\n"
)
USER_CSV_MAPPING = "id=ref,name=name,schema=type,alias=aka,imoNumber=imo"

PORTS_CSV = "name,lat,lon,country,locode,radius_m\r\nRajin,42.24,130.30,KP,KPNJN,3000\r\nVostochny,42.73,133.07,RU,RUVYP,5000\r\n"


def un_seeds() -> list[bytes]:
    return [UN_XML.encode()]


def ofac_seeds() -> list[dict[str, str]]:
    return [{"primary": OFAC_SDN, "add": OFAC_ADD, "alt": OFAC_ALT, "comments": OFAC_COMMENTS}]


def ftm_seeds() -> list[bytes]:
    return ["\n".join(json.dumps(d, ensure_ascii=False) for d in FTM_LINES).encode() + b"\n"]


def user_csv_seeds() -> list[bytes]:
    return [USER_CSV.encode()]


def ports_seeds() -> list[bytes]:
    return [PORTS_CSV.encode()]


def _sites() -> list[object]:
    from shapely.geometry import Point, Polygon

    from armswatch.sites.model import Site

    return [
        Site(id="rajin-port", name="Rajin port", aliases=("Najin",), country="KP", kind="port",
             geometry=Point(130.38972, 42.34), precision="settlement", sources=("https://example.org/r",),
             notes="district; point\nsecond line"),
        Site(id="plant-1", name="=Plant 1", country="RU", kind="production", precision="facility",
             geometry=Polygon([(131.0, 43.0), (131.1, 43.0), (131.1, 43.1), (131.0, 43.0)]),
             aliases=("Завод",), sources=()),
    ]  # fmt: skip


def geojson_seeds() -> list[bytes]:
    from armswatch.sites.format_geojson import sites_to_geojson

    plain = sites_to_geojson(_sites())  # type: ignore[arg-type]
    doc = json.loads(plain)
    doc["crs"] = {"type": "name", "properties": {"name": "EPSG:3857"}}
    for feature in doc["features"]:
        geom = feature["geometry"]
        if geom["type"] == "Point":
            geom["coordinates"] = [14_514_000.0, 5_210_000.0]
        else:
            geom["coordinates"] = [[[14_580_000.0 + dx, 5_310_000.0 + dy] for dx, dy in ((0, 0), (9e3, 0), (9e3, 9e3), (0, 0))]]
    return [plain.encode(), json.dumps(doc).encode()]


def csv_sites_seeds() -> list[bytes]:
    from armswatch.sites.format_csv import sites_to_csv

    return [sites_to_csv(_sites()).encode()]  # type: ignore[arg-type]


def kml_seeds() -> list[bytes]:
    from armswatch.sites.format_kml import sites_to_kml

    text = sites_to_kml(_sites())  # type: ignore[arg-type]
    foreign = (
        '<?xml version="1.0"?><kml><Document><Folder><Placemark><name>Depot &amp; yard</name>'
        "<description>plain</description><Point><coordinates>130.1,42.2,0</coordinates></Point></Placemark>"
        "</Folder></Document></kml>"
    )
    return [text.encode(), foreign.encode()]


def kmz_seeds() -> list[bytes]:
    return [zip_kml(k) for k in kml_seeds()]


def zip_kml(kml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", kml)
    return buf.getvalue()


def spreadsheet_seeds() -> list[bytes]:
    return ["=1+1", "'=x", "-12.5", "@SUM(A1)", "plain name", "\t=cmd", "''+x"]  # type: ignore[list-item]


def nmea_seeds() -> list[bytes]:
    from pyais.encode import encode_dict

    msgs = [
        {"type": 1, "mmsi": 445114000, "lat": 42.34, "lon": 130.39, "speed": 10.5, "course": 90.0, "heading": 90, "status": 0},
        {"type": 18, "mmsi": 273123456, "lat": 43.1, "lon": 131.9, "speed": 0.1, "course": 0.0, "heading": 511},
        {"type": 4, "mmsi": 2734500, "lat": 43.0, "lon": 131.8, "year": 2024, "month": 3, "day": 1, "hour": 12, "minute": 0, "second": 0},
        {"type": 5, "mmsi": 445114000, "imo": 8705539, "callsign": "HMCR", "shipname": "CHONG GEN", "ship_type": 70,
         "to_bow": 100, "to_stern": 20, "to_port": 10, "to_starboard": 10, "destination": "NAMPO", "draught": 8.5},
    ]  # fmt: skip
    lines: list[str] = []
    for i, msg in enumerate(msgs):
        sentences = encode_dict(msg, radio_channel="A", talker_id="AI", sentence_type="VDM", seq_id=i % 10)
        for s in sentences:
            lines.append(f"\\s:base,c:{1709294400 + i * 60}*00\\{s}")
    with_pghp = [f"$PGHP,1,2024,3,1,12,{i},0,0,,,,1,*00\n{s}" for i, s in enumerate(lines)]
    return ["\n".join(lines).encode() + b"\n", "\n".join(with_pghp).encode() + b"\n"]


def aisstream_seeds() -> list[bytes]:
    pos = {"MessageType": "PositionReport", "MetaData": {"MMSI": 445114000, "time_utc": "2024-03-01 12:00:00.123 +0000 UTC"},
           "Message": {"PositionReport": {"Latitude": 42.3, "Longitude": 130.4, "Sog": 10.0, "Cog": 90.0, "TrueHeading": 90,
                                          "NavigationalStatus": 0, "MessageID": 1}}}  # fmt: skip
    static = {"MessageType": "ShipStaticData", "MetaData": {"MMSI": 445114000, "time_utc": "2024-03-01 12:01:00 +0000 UTC"},
              "Message": {"ShipStaticData": {"ImoNumber": 8705539, "Name": "CHONG GEN", "CallSign": "HMCR", "Type": 70,
                                             "Dimension": {"A": 100, "B": 20, "C": 10, "D": 10},
                                             "MaximumStaticDraught": 8.5, "Destination": "NAMPO"}}}  # fmt: skip
    return ["\n".join(json.dumps(m) for m in (pos, static, pos)).encode() + b"\n"]


def marinecadastre_seeds() -> list[bytes]:
    head = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TranscieverClass\n"
    rows = [
        "367000001,2020-06-30T00:00:01,40.6,-74.0,10.2,90.1,89,ALPHA,IMO9262522,WDA1234,70,0,100,20,8.5,70,A",
        "367000002,2020-06-30T00:00:05,40.7,-74.1,0.0,360.0,511,BRAVO,,WDB5678,31,5,30,8,,,B",
    ]
    return [(head + "\n".join(rows) + "\n").encode()]


def dma_seeds() -> list[bytes]:
    head = (
        "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,"
        "Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,"
        "Data source type,A,B,C,D\n"
    )
    rows = [
        "01/03/2024 00:00:01,Class A,219000001,55.6,12.6,Under way using engine,0,10.1,90.0,90,9262522,OXAB2,"
        "ALPHA,Tanker,,20,100,GPS,8.5,AARHUS,01/03/2024 12:00:00,AIS,80,20,10,10",
        "01/03/2024 00:00:02,Base Station,2190047,55.7,12.5,Unknown value,,,,,Unknown,,,Undefined,,,,GPS,,,,AIS,,,,",
    ]
    return [(head + "\n".join(rows) + "\n").encode()]


def mapped_csv_seeds() -> list[bytes]:
    return [b"id,when,y,x,speed\n445114000,2024-03-01T12:00:00Z,42.3,130.4,10\n445114000,2024-03-01T12:10:00Z,42.4,130.5,11\n"]


MAPPED_CSV_MAPPING = {"mmsi": "id", "ts": "when", "lat": "y", "lon": "x", "sog": "speed"}


def parquet_seeds() -> list[bytes]:
    import polars as pl

    frame = pl.DataFrame(
        {"id": [445114000, 273123456], "when": ["2024-03-01T12:00:00Z", "2024-03-01T12:10:00Z"],
         "y": [42.3, 43.1], "x": [130.4, 131.9], "speed": [10.0, 0.1]}
    )  # fmt: skip
    buf = io.BytesIO()
    frame.write_parquet(buf)
    return [buf.getvalue()]
