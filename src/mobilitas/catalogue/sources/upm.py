"""Universidad Politécnica de Madrid, ETSIT (telecommunication engineering): subjects with Spanish and English
titles and ECTS, no descriptions (`data/upm_etsit_subjects.jsonl.gz`).

Degree codes starting with G are bachelor's (Grado, EQF 6), with MU master's (Máster Universitario, 7). A subject
listed once per semester is one record with both terms. Placeholder codes (0, 2: theses, Spanish courses) are
replaced by the degree and the English title.
"""

from collections.abc import Iterator
from typing import Any

from mobilitas.catalogue.sources.isced import LANGUAGES, UPM_DEGREES
from mobilitas.catalogue.sources.records import CourseRecord
from mobilitas.catalogue.sources.shipped import decimal_or_none, plain, read_jsonl, slug

SOURCE = "upm"
INSTITUTION = "Universidad Politécnica de Madrid"
FILE = "upm_etsit_subjects.jsonl.gz"
MIN_REAL_CODE = 1000


def load() -> Iterator[CourseRecord]:
    by_code: dict[str, CourseRecord] = {}
    for row in read_jsonl(FILE):
        record = _record(row)
        if (earlier := by_code.get(record.code)) is not None:
            terms = dict.fromkeys(filter(None, (*earlier.term.split(", "), record.term)))
            record = _with_term(earlier, ", ".join(terms))
        by_code[record.code] = record
    yield from by_code.values()


def _record(row: dict[str, Any]) -> CourseRecord:
    degree = plain(row.get("degree"))
    english, spanish = plain(row.get("name")), plain(row.get("nombre"))
    code = str(row.get("code") or 0)
    if int(code) < MIN_REAL_CODE:
        code = f"{slug(degree)}-{slug(english)}"
    semester, year = plain(row.get("semester")), row.get("year")
    term = semester.lower() if semester else ""
    return CourseRecord(
        source=SOURCE,
        institution=INSTITUTION,
        code=code,
        titles={language: title for language, title in (("es", spanish), ("en", english)) if title},
        ects=decimal_or_none(row.get("ects")),
        eqf_level=eqf_level(degree),
        isced=LANGUAGES if "SPANISH" in english else UPM_DEGREES.get(degree, ""),
        term=term,
        programme=f"{degree}, year {year}" if year else degree,
        organisational_unit="ETSI de Telecomunicación",
    )


def eqf_level(degree: str) -> int | None:
    if degree.startswith("MU"):
        return 7
    if degree.startswith("G"):
        return 6
    return None


def _with_term(record: CourseRecord, term: str) -> CourseRecord:
    from dataclasses import replace

    return replace(record, term=term)
