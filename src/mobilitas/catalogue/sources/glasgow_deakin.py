"""University of Glasgow (Computing Science) and Deakin University (IT) courses with aims and intended learning
outcomes, in English, without credits (`data/glasgow_deakin_courses.jsonl.gz`).

Levels come from the course codes: Glasgow COMPSCI1xxx-4xxx are undergraduate (EQF 6), COMPSCI5xxx master's (7);
Deakin SIT1xx-3xx undergraduate (6), SIT7xx postgraduate (7). Deakin lists a few units twice: the first is kept.
"""

import re
from collections.abc import Iterator
from typing import Any

from mobilitas.catalogue.sources.isced import COMPUTING
from mobilitas.catalogue.sources.records import CourseRecord
from mobilitas.catalogue.sources.shipped import plain, read_jsonl

SOURCE = "glasgow_deakin"
FILE = "glasgow_deakin_courses.jsonl.gz"
INSTITUTIONS = {"glasgow": "University of Glasgow", "deakin": "Deakin University"}
UNITS = {"glasgow": "School of Computing Science", "deakin": "School of Information Technology"}
_LEVEL_DIGIT = re.compile(r"^[A-Z]+(\d)")


def load() -> Iterator[CourseRecord]:
    seen: set[tuple[str, str]] = set()
    for row in read_jsonl(FILE):
        key = (row["institution"], row["course_code"])
        if key not in seen:
            seen.add(key)
            yield _record(row)


def _record(row: dict[str, Any]) -> CourseRecord:
    code = row["course_code"]
    title = plain(row["name"]).removesuffix(code).strip()
    title = re.sub(r"^Computing Science - \w+\s+", "", title)  # "Computing Science - 1CT  Introduction to ..."
    return CourseRecord(
        source=SOURCE,
        institution=INSTITUTIONS[row["institution"]],
        code=code,
        titles={"en": title},
        descriptions={"en": aims} if (aims := plain(row.get("aims"))) else {},
        learning_outcomes={"en": ilos} if (ilos := _outcomes(row.get("ilos"))) else {},
        eqf_level=eqf_level(row["institution"], code),
        isced=COMPUTING,
        languages=("en",),
        term=plain(row.get("semester")),
        organisational_unit=UNITS[row["institution"]],
    )


def eqf_level(institution: str, code: str) -> int | None:
    match = _LEVEL_DIGIT.match(code)
    if not match:
        return None
    digit = int(match[1])
    master_digits = (5,) if institution == "glasgow" else (7, 8, 9)
    return 7 if digit in master_digits else 6


def _outcomes(text: object) -> str:
    # Glasgow numbers its outcomes without spaces ("able to:1.Identify ...;2.Describe"): keep them readable.
    return plain(re.sub(r"(\d+)\.(?=[A-Z])", r" \1. ", text)) if isinstance(text, str) else ""
