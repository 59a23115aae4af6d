"""Small seed documents for the property tests (written here, nothing copied from shared data)."""

from __future__ import annotations

from typing import Any

from shapely.geometry import Point

from armswatch.sites.model import Site

UN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2024-03-01T00:00:00"><INDIVIDUALS><INDIVIDUAL>
<DATAID>6908001</DATAID><FIRST_NAME>KIM</FIRST_NAME><SECOND_NAME>SONG</SECOND_NAME>
<UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.001</REFERENCE_NUMBER><LISTED_ON>2016-03-02</LISTED_ON>
<NATIONALITY><VALUE>Democratic People's Republic of Korea</VALUE></NATIONALITY>
<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Kim Song-nam</ALIAS_NAME></INDIVIDUAL_ALIAS>
<INDIVIDUAL_DATE_OF_BIRTH><FROM_YEAR>1955</FROM_YEAR><TO_YEAR>1957</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
<INDIVIDUAL_ADDRESS><CITY>Pyongyang</CITY><COUNTRY>DPRK</COUNTRY></INDIVIDUAL_ADDRESS>
</INDIVIDUAL></INDIVIDUALS><ENTITIES><ENTITY>
<DATAID>690735</DATAID><FIRST_NAME>OCEAN MARITIME MANAGEMENT</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
<REFERENCE_NUMBER>KPe.029</REFERENCE_NUMBER><COMMENTS1>IMO Number: 1790183</COMMENTS1>
</ENTITY></ENTITIES></CONSOLIDATED_LIST>
"""

OFAC_SDN = (
    '36,"KIM, Song Nam","individual","[DPRK2]",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"DOB 18 Jun 1964; nationality Korea, North; Linked To: OMM."\r\n'
    '20000,"CHONG GEN","vessel","[DPRK2]",-0- ,"HMCR","Bulk Carrier","8474","13983","Korea, North","OMM",'
    '"Vessel Registration Identification IMO 8705539; MMSI 445114000."\r\n'
    '173,"OMM","-0- ","[NPWMD]",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Company Number IMO 1790183."\r\n'
)


def make_site(**overrides: Any) -> Site:
    fields: dict[str, Any] = {
        "id": "rajin-port", "name": "Rajin port", "aliases": ("Najin",), "country": "KP", "kind": "port",
        "geometry": Point(130.38972, 42.34), "precision": "settlement", "sources": (), "notes": "",
    }  # fmt: skip
    fields.update(overrides)
    return Site(**fields)
