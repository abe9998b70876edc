"""Université de Poitiers: teaching units (UE) with ECTS per semester of the programmes in the EC2U alliance's
offerings file, in French (`data/poitiers_offerings.jsonl.gz`). Titles only.

A programme's `levelISCED` (6, 7, 8) is its EQF level too (the two scales agree at these levels); its discipline
gives the ISCED-F field. A UE listed in several tracks is one record (the first track is kept as its programme).
"""

from collections.abc import Iterator
from typing import Any

from mobilitas.catalogue.sources.isced import POITIERS_DISCIPLINES
from mobilitas.catalogue.sources.records import CourseRecord
from mobilitas.catalogue.sources.shipped import decimal_or_none, plain, read_jsonl

SOURCE = "poitiers"
INSTITUTION = "Université de Poitiers"
FILE = "poitiers_offerings.jsonl.gz"


def load() -> Iterator[CourseRecord]:
    seen: set[str] = set()
    for programme in read_jsonl(FILE):
        for track in programme.get("options") or ():
            semesters = track.get("elemPedago")
            if not isinstance(semesters, dict):
                continue
            for semester, units in sorted(semesters.items()):
                for code, unit in sorted(units.items()) if isinstance(units, dict) else ():
                    if code not in seen and plain(unit.get("name")):
                        seen.add(code)
                        yield _record(programme, track, semester, code, unit)


def _record(
    programme: dict[str, Any], track: dict[str, Any], semester: str, code: str, unit: dict[str, Any]
) -> CourseRecord:
    level = programme.get("levelISCED")
    return CourseRecord(
        source=SOURCE,
        institution=INSTITUTION,
        code=code,
        titles={"fr": plain(unit["name"])},
        ects=decimal_or_none(unit.get("credits")),
        eqf_level=level if level in (6, 7, 8) else None,
        isced=POITIERS_DISCIPLINES.get(plain(programme.get("discipline")), ""),
        languages=("fr",),
        term=semester,
        programme=plain(track.get("name")),
        organisational_unit=plain(programme.get("composante")),
    )
