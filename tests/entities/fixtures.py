"""Small list fixtures written in the real formats (UN XML, OFAC legacy CSV)."""

from __future__ import annotations

from pathlib import Path

UN_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<CONSOLIDATED_LIST xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'dateGenerated="{date}T00:00:09.554Z">\n'
)

UN_PERSON = """
    <INDIVIDUAL>
      <DATAID>{dataid}</DATAID>
      <VERSIONNUM>1</VERSIONNUM>
      <FIRST_NAME>RI</FIRST_NAME>
      <SECOND_NAME>JE-SON</SECOND_NAME>
      <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
      <REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER>
      <LISTED_ON>2009-07-16</LISTED_ON>
      <NAME_ORIGINAL_SCRIPT>리제선</NAME_ORIGINAL_SCRIPT>
      <COMMENTS1>Director of the General Bureau of Atomic Energy.</COMMENTS1>
      <DESIGNATION><VALUE>{position}</VALUE></DESIGNATION>
      <NATIONALITY><VALUE>Democratic People's Republic of Korea</VALUE></NATIONALITY>
      <LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>RI CHE-SON</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>RI JE SON</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ADDRESS><COUNTRY/></INDIVIDUAL_ADDRESS>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1938</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_PLACE_OF_BIRTH><COUNTRY/></INDIVIDUAL_PLACE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>381420754</NUMBER></INDIVIDUAL_DOCUMENT>
    </INDIVIDUAL>"""

UN_ENTITY = """
    <ENTITY>
      <DATAID>{dataid}</DATAID>
      <VERSIONNUM>1</VERSIONNUM>
      <FIRST_NAME>{name}</FIRST_NAME>
      <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
      <REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER>
      <LISTED_ON>2009-04-24</LISTED_ON>
      <COMMENTS1>Registered owner of a DPRK tanker. IMO number: 5342883.</COMMENTS1>
      <LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>
      <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>"KOMID"</ALIAS_NAME></ENTITY_ALIAS>
      <ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>OLD TRADING CO</ALIAS_NAME></ENTITY_ALIAS>
      <ENTITY_ADDRESS><STREET>Central District</STREET><CITY>Pyongyang</CITY>
        <COUNTRY>Democratic People's Republic of Korea</COUNTRY></ENTITY_ADDRESS>
    </ENTITY>"""


def un_xml(
    date: str = "2024-01-15",
    people: tuple[tuple[str, str, str], ...] = (("6908001", "KPi.001", "Director"),),
    orgs: tuple[tuple[str, str, str], ...] = (("690735", "KPe.001", "KOREA MINING DEVELOPMENT CORP"),),
) -> str:
    """A UN consolidated list document with the given people (dataid, ref, position) and orgs."""
    persons = "".join(UN_PERSON.format(dataid=d, ref=r, position=p) for d, r, p in people)
    entities = "".join(UN_ENTITY.format(dataid=d, ref=r, name=n) for d, r, n in orgs)
    return (
        UN_HEAD.format(date=date)
        + f"  <INDIVIDUALS>{persons}\n  </INDIVIDUALS>\n  <ENTITIES>{entities}\n  </ENTITIES>\n"
        + "</CONSOLIDATED_LIST>\n"
    )


OFAC_SDN = (
    '17069,"CHONG CHON GANG","vessel","DPRK",-0- ,-0- ,"General Cargo",-0- ,-0- ,'
    '"Democratic People\'s Republic of Korea","OCEAN MARITIME MANAGEMENT COMPANY, LIMITED",'
    '"Secondary sanctions risk: North Korea Sanctions Regulations; Vessel Registration Identification '
    "IMO 7937317; MMSI 445114000; alt. Former Vessel Flag Panama; f.k.a. 'MOONLIGHT'.\"\r\n"
    '9345,"KOREA MINING DEVELOPMENT TRADING CORPORATION",-0- ,"NPWMD] [DPRK2",-0- ,-0- ,-0- ,-0- ,-0- ,'
    "-0- ,-0- ,\"a.k.a. 'KOMID'.\"\r\n"
    '12211,"KIM, Yong Chol","individual","DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"DOB circa 1947; POB Pyongan-Pukto, North Korea; Passport 123456; Linked To: KOREA MINING DE"\r\n'
    '15000,"OCEAN MARITIME MANAGEMENT COMPANY, LIMITED",-0- ,"DPRK",'
    "-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
    '15001,"BAD IMO","vessel","DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"Vessel Registration Identification IMO 1234568."\r\n'
    "\x1a"
)
OFAC_ADD = (
    '9345,5001,"Central District","Pyongyang","Korea, North",-0- \r\n'
    '15000,5002,-0- ,-0- ,"Korea, North",-0- \r\n'
    '99999,5003,"Nowhere 1","Ghost Town","Panama",-0- \r\n\x1a'
)
OFAC_ALT = (
    '17069,701,"fka","CHONG GON GANG",-0- \r\n9345,702,"aka","CHANGGWANG SINYONG CORPORATION",-0- \r\n\x1a'
)
OFAC_COMMENTS = '12211,"VELOPMENT TRADING CORPORATION."\r\n'


def write_ofac(folder: Path, sdn: str = OFAC_SDN, prefix: str = "") -> Path:
    """Write an OFAC SDN CSV set into ``folder``; returns the primary file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{prefix}sdn.csv").write_text(sdn, encoding="utf-8", newline="")
    (folder / f"{prefix}add.csv").write_text(OFAC_ADD, encoding="utf-8", newline="")
    (folder / f"{prefix}alt.csv").write_text(OFAC_ALT, encoding="utf-8", newline="")
    (folder / f"{prefix}sdn_comments.csv").write_text(OFAC_COMMENTS, encoding="utf-8", newline="")
    return folder / f"{prefix}sdn.csv"
