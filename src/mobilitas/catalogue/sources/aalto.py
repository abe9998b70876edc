"""Aalto University's course catalogue in Finnish, Swedish and English (`data/aalto_courses.jsonl.gz`).

One record per course code (2,391). The source names a course by its first realisation ("Sound and Environment,
Lecture"): the title is the part before the last comma. Levels map to EQF by the Finnish degree structure: basic
and intermediate studies are bachelor's level (6), advanced studies master's (7), postgraduate studies doctoral
(8); "other studies" have no level. Texts that the source filed under the wrong language (the Swedish field
holding the Finnish text, the Finnish field a copy of the English one) are filed under the language they are
written in, once, so that a "Finnish" text is really Finnish. `substitutes` lists the codes of the earlier courses
the source says a course replaces, when those codes are in the catalogue too.
"""

import re
from collections.abc import Iterator, Mapping
from typing import Any

from mobilitas.catalogue.sources.isced import AALTO_UNITS
from mobilitas.catalogue.sources.language_guess import guess_by_letters, guess_language
from mobilitas.catalogue.sources.records import BLENDED, PHYSICAL, VIRTUAL, CourseRecord
from mobilitas.catalogue.sources.shipped import decimal_or_none, plain, read_jsonl

SOURCE = "aalto"
INSTITUTION = "Aalto University"
FILE = "aalto_courses.jsonl.gz"
LANGUAGES = ("fi", "sv", "en")
EQF_BY_LEVEL = {"basic-studies": 6, "intermediate-studies": 6, "advanced-studies": 7, "postgraduate-studies": 8}
MODE_BY_TYPE = {"teaching-participation-online": VIRTUAL, "teaching-participation-blended": BLENDED}
# Course codes as Aalto writes them: "CS-A1110", "MS-C1342", "23C01000", "Maa-78.3351", "BIZ3130.kand".
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9]")


def load() -> Iterator[CourseRecord]:
    rows = list(read_jsonl(FILE))
    codes = {row["code"] for row in rows}
    realisations = realisation_names(rows)
    for row in rows:
        yield _record(row, codes, realisations)


def realisation_names(rows: list[dict[str, Any]]) -> frozenset[str]:
    """What follows the last comma of the source's names: the realisation ('Lecture', 'Tentti', 'Föreläsning')."""
    return frozenset(
        name.rsplit(", ", 1)[1]
        for row in rows
        for language in LANGUAGES
        if ", " in (name := plain((row.get("name") or {}).get(language)))
    )


def course_title(name: str, realisations: frozenset[str]) -> str:
    """The course's title in a realisation's name: 'Sound and Environment, Lecture' -> 'Sound and Environment'.
    A name that is only a realisation ('Föreläsning': the Swedish name is missing) is no title."""
    if ", " in name:
        return name.rsplit(", ", 1)[0]
    return "" if name in realisations else name


def _record(row: dict[str, Any], codes: set[str], realisations: frozenset[str]) -> CourseRecord:
    level = (row.get("level") or {}).get("en", "")
    unit = plain((row.get("organizationName") or {}).get("en"))
    credits = row.get("credits") or {}
    return CourseRecord(
        source=SOURCE,
        institution=INSTITUTION,
        code=row["code"],
        titles={
            language: title
            for language in LANGUAGES
            if (title := course_title(plain((row.get("name") or {}).get(language)), realisations))
        },
        learning_outcomes=filed_by_language(row.get("learningOutcomes") or {}),
        descriptions=filed_by_language(row.get("content") or {}),
        ects=decimal_or_none(credits.get("min")),
        eqf_level=EQF_BY_LEVEL.get(level),
        isced=AALTO_UNITS.get(unit, ""),
        languages=tuple(code for code in row.get("languageOfInstructionCodes") or () if code),
        term=term_of(row.get("startDate") or ""),
        organisational_unit=unit,
        mode=MODE_BY_TYPE.get(row.get("type") or "", PHYSICAL),
        substitutes=substituted_codes(row, codes),
    )


def term_of(start_date: str) -> str:
    """'2025-10-20' -> 'autumn 2025' (a course starting in January to May is a spring course, June or July summer)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", start_date):
        return ""
    year, month = int(start_date[:4]), int(start_date[5:7])
    season = "spring" if month <= 5 else "summer" if month <= 7 else "autumn"
    return f"{season} {year}"


def filed_by_language(field: Mapping[str, Any]) -> dict[str, str]:
    """{language: text} with each distinct text under the language it is written in, placeholders ('-', 'x') out."""
    texts = {language: text for language in LANGUAGES if len(text := plain(field.get(language))) > 2}
    filed: dict[str, str] = {}
    for text in dict.fromkeys(texts.values()):
        slots = tuple(language for language, other in texts.items() if other == text)
        written_in = guess_language(text) or (guess_by_letters(text) if len(slots) > 1 else None)
        if written_in is None:
            target = "en" if len(slots) > 1 and "en" in slots else slots[0]
        elif written_in in slots or written_in not in texts:
            target = written_in
        else:
            continue  # written in a language whose own field says something else: a stray copy
        filed.setdefault(target, text)
    return filed


def substituted_codes(row: dict[str, Any], codes: set[str]) -> tuple[str, ...]:
    """Codes named in the free-text `substitutes` field that are other courses of the catalogue."""
    field = row.get("substitutes") or {}
    text = " ".join(plain(field.get(language)) for language in LANGUAGES)
    found = dict.fromkeys(code for code in _CODE.findall(text) if code in codes and code != row["code"])
    return tuple(found)
