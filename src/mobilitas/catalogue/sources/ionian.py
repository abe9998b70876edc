"""Ionian University, Department of Informatics: undergraduate course pages in Greek (`data/ionian_courses.jsonl.gz`).

The syllabus summary (`excerpt`) is the description; ECTS and the semester (1-8 of the four-year undergraduate
programme, EQF 6) come with it. A page without a course code, or with a code another page has too, is coded by its
page name (`ref`).
"""

from collections import Counter
from collections.abc import Iterator
from typing import Any

from mobilitas.catalogue.sources.isced import COMPUTING
from mobilitas.catalogue.sources.records import CourseRecord
from mobilitas.catalogue.sources.shipped import decimal_or_none, plain, read_jsonl

SOURCE = "ionian"
INSTITUTION = "Ionian University"
FILE = "ionian_courses.jsonl.gz"


def load() -> Iterator[CourseRecord]:
    rows = [row for row in read_jsonl(FILE) if plain(row.get("title"))]
    codes = Counter(plain(row.get("code")) for row in rows)
    for row in rows:
        code = plain(row.get("code"))
        yield _record(row, code if code and codes[code] == 1 else plain(row["ref"]))


def _record(row: dict[str, Any], code: str) -> CourseRecord:
    semester = plain(str(row.get("semester") or ""))
    return CourseRecord(
        source=SOURCE,
        institution=INSTITUTION,
        code=code,
        titles={"el": plain(row["title"])},
        descriptions={"el": excerpt} if (excerpt := plain(row.get("excerpt"))) else {},
        ects=decimal_or_none(row.get("ects")),
        eqf_level=6,
        isced=COMPUTING,
        languages=("el",),
        term=f"semester {semester}" if semester else "",
        programme="Informatics (undergraduate)",
        organisational_unit="Department of Informatics",
        url=plain(row.get("uri")),
    )
