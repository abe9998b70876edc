"""Importing the real catalogues shipped in `catalogue/data/` (read by `mobilitas.catalogue.sources`).

`import_dataset("aalto", institution)` turns each `CourseRecord` of a source into a course of the institution
the caller chooses (the demo spreads the sources over the alliance members; a benchmark uses throwaway
institutions). Like a file import it is all or nothing, keyed on (institution, code) so that importing again
updates in place, and writes one audit event.

What the mapping decides, where the sources and the catalogue differ:
- codes longer than the catalogue's 60 characters (FU Berlin's `programme/module-name`) are cut to 51 and end
  with 8 characters of their SHA-1, so they stay unique and the same from one import to the next;
- terms as sources write them ("autumn 2025", "S1", "Semester 2", "Full Year") become autumn, spring, summer or
  year; an odd semester number is an autumn semester, an even one spring (the European academic year);
  Deakin's trimesters (southern hemisphere) and anything else stay "not stated";
- ECTS credits are rounded half-up to one decimal; a mode the source does not state is physical;
- a record's organisational unit (a name) becomes the institution's unit of that name or code, created with
  `create_units=True`, else left empty.
"""

import hashlib
import re
import time
from collections.abc import Iterable
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mobilitas.catalogue import sources
from mobilitas.catalogue.importing.importer import ImportReport, Plan, existing_courses, write_plans
from mobilitas.catalogue.models import Mode, Term
from mobilitas.catalogue.services.courses import LANGUAGE_RE, CourseInput, validate_course
from mobilitas.catalogue.sources.records import CourseRecord
from mobilitas.institutions.models import Institution, OrganisationalUnit
from mobilitas.lib.errors import DomainError
from mobilitas.lib.imports import ImportRejected, Rejection
from mobilitas.lib.text import fold

MAX_CODE = 60
_SEMESTER = re.compile(r"^(?:semester|s)\s*(\d+)$")


def course_code(code: str) -> str:
    code = code.strip()
    if len(code) <= MAX_CODE:
        return code
    digest = hashlib.sha1(code.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{code[: MAX_CODE - 9]}-{digest}"


def normalise_term(text: str) -> str:
    """A source's term as one of the catalogue's (see the module docstring); "" when it cannot say."""
    folded = fold(text)
    if not folded or "trimester" in folded:
        return ""
    if ("autumn" in folded and "spring" in folded) or any(
        word in folded for word in ("full year", "annual", "throughout", "whole year")
    ):
        return Term.YEAR
    for term in (Term.AUTUMN, Term.SPRING, Term.SUMMER):
        if folded.startswith(term):
            return term
    if folded.startswith("fall"):
        return Term.AUTUMN
    if match := _SEMESTER.match(folded):
        return Term.AUTUMN if int(match[1]) % 2 else Term.SPRING
    return ""


def record_input(record: CourseRecord, ounit: OrganisationalUnit | None = None) -> CourseInput:
    ects = record.ects
    if ects is not None:
        ects = ects.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        ects = ects if ects > 0 else None
    return CourseInput(
        code=course_code(record.code),
        titles=dict(record.titles),
        descriptions=dict(record.descriptions),
        learning_outcomes=dict(record.learning_outcomes),
        ects=ects,
        eqf_level=record.eqf_level,
        isced_code=record.isced,
        languages=[code for code in dict.fromkeys(c.lower() for c in record.languages) if LANGUAGE_RE.match(code)],
        mode=record.mode if record.mode in Mode.values else Mode.PHYSICAL,
        term=normalise_term(record.term),
        programme=record.programme[:300],
        ounit=ounit,
        url=record.url,
    ).normalised()


class _Units:
    """The institution's units found by name or code; missing ones created on demand."""

    def __init__(self, institution: Institution, *, create: bool) -> None:
        self.institution = institution
        self.create = create
        self.created = 0
        self.by_key: dict[str, OrganisationalUnit] = {}
        self.codes: set[str] = set()
        for unit in OrganisationalUnit.objects.filter(institution=institution):
            self.codes.add(unit.code)
            for key in (unit.code, unit.name, *unit.names.values()):
                self.by_key.setdefault(fold(key), unit)

    def get(self, name: str) -> OrganisationalUnit | None:
        if not name:
            return None
        unit = self.by_key.get(fold(name))
        if unit is None and self.create:
            unit = OrganisationalUnit.objects.create(
                institution=self.institution,
                code=self._new_code(name),
                name=name[:300],
                kind=OrganisationalUnit.Kind.DEPARTMENT,
            )
            self.by_key[fold(name)] = unit
            self.codes.add(unit.code)
            self.created += 1
        return unit

    def _new_code(self, name: str) -> str:
        base = "-".join(re.findall(r"[a-z0-9]+", fold(name)))[:36] or "unit"
        code, number = base, 1
        while code in self.codes:
            number += 1
            code = f"{base}-{number}"
        return code


def import_dataset(
    source: str,
    institution: Institution,
    *,
    actor: Any = None,
    shared: bool | None = None,
    only: str | None = None,
    limit: int | None = None,
    create_units: bool = False,
) -> ImportReport:
    """Import one shipped source into `institution`.

    `only` keeps the records of one of the source's institutions (glasgow_deakin holds two: "University of
    Glasgow", "Deakin University"); `shared` True or False sets every course's sharing, None keeps it (new
    courses: not shared); `limit` imports the first records only."""
    try:
        records: Iterable[CourseRecord] = sources.load(source)
    except KeyError as error:
        raise DomainError(str(error.args[0])) from None
    if only:
        records = [r for r in records if fold(r.institution) == fold(only)]
        if not records:
            raise DomainError(
                _("The source “%(source)s” has no course of “%(name)s”.") % {"source": source, "name": only}
            )
    chosen = list(records)[:limit] if limit is not None else list(records)
    return import_records(chosen, institution, actor=actor, source=source, shared=shared, create_units=create_units)


def import_records(
    records: list[CourseRecord],
    institution: Institution,
    *,
    actor: Any = None,
    source: str = "",
    shared: bool | None = None,
    create_units: bool = False,
) -> ImportReport:
    """Records -> courses of `institution`, all or none; a record's `line` in a rejection is its number."""
    started = time.perf_counter()
    if not institution.hosted:
        raise DomainError(_("Only an institution hosted here keeps a catalogue."))
    report = ImportReport(rows=len(records))
    with transaction.atomic():
        units = _Units(institution, create=create_units)
        existing = existing_courses(institution, (course_code(r.code) for r in records))
        plans: list[Plan] = []
        rejections: list[Rejection] = []
        seen: dict[str, int] = {}
        for number, record in enumerate(records, start=1):
            data = record_input(record, units.get(record.organisational_unit))
            if data.code in seen:
                rejections.append(
                    Rejection(
                        number,
                        "code",
                        _("The code “%(code)s” is also in record %(line)d.")
                        % {"code": data.code, "line": seen[data.code]},
                    )
                )
                continue
            seen[data.code] = number
            for problem in validate_course(institution, data):
                rejections.append(Rejection(number, problem.field, f"{record.key}: {problem.message}"))
            course = existing.get(data.code)
            if course is not None:
                # What the sources never say stays as the institution's officers set it.
                data = replace(
                    data,
                    alliance_places=course.alliance_places,
                    contact_name=course.contact_name,
                    contact_email=course.contact_email,
                    ounit=data.ounit or course.ounit,
                )
            plans.append(Plan(number, data, shared, course))
        if rejections:
            raise ImportRejected(rejections)
        report.units_created = units.created
        write_plans(institution, plans, report, actor=actor, source=source or "dataset")
    report.elapsed = time.perf_counter() - started
    return report
