"""Importing courses from a CSV or XLSX file: all rows or none, every rejected row reported with its line.

`import_courses(institution, data, actor=...)` reads the file (reader.py), checks the header, parses every
cell (columns.py), checks every course with the rules of `services.courses.validate_course`, and only then
writes, in one transaction with one audit event. Any problem raises `ImportRejected` listing every problem of
the file; nothing is saved.

A code that is already in the institution's catalogue updates that course in place. Columns the file leaves
out keep the course's values (a file of codes and `title_sv` adds Swedish titles and changes nothing else);
an empty cell of a column the file has clears the value (`mode` goes back to physical, `shared` is kept).
Importing the same file twice changes nothing the second time.
"""

import difflib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mobilitas import audit
from mobilitas.catalogue.importing.columns import (
    COLUMNS,
    COLUMNS_BY_KEY,
    HEADER_NAMES,
    CellError,
    cell_text,
    header_key,
    text_column,
)
from mobilitas.catalogue.importing.reader import Table, read_table
from mobilitas.catalogue.models import Course
from mobilitas.catalogue.services.courses import FIELDS, CourseInput, Problem, apply_input, validate_course
from mobilitas.institutions.models import Institution, OrganisationalUnit
from mobilitas.lib.errors import Conflict, DomainError
from mobilitas.lib.imports import ImportRejected, Rejection, Row

# Column key -> the CourseInput field it sets (unit_code and shared are resolved apart).
_FIELD_OF = {
    "code": "code",
    "ects": "ects",
    "eqf_level": "eqf_level",
    "isced": "isced_code",
    "languages": "languages",
    "mode": "mode",
    "term": "term",
    "programme": "programme",
    "alliance_places": "alliance_places",
    "contact_name": "contact_name",
    "contact_email": "contact_email",
    "url": "url",
}
_COLUMN_OF = {name: key for key, name in _FIELD_OF.items()} | {"ounit": "unit_code"}
_WRITTEN = [name for name in FIELDS if name != "ounit"] + ["ounit", "shared", "search_text", "updated_at"]
_BATCH = 500


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    units_created: int = 0
    elapsed: float = 0.0

    def summary(self) -> str:
        created = ngettext("%(count)d course created", "%(count)d courses created", self.created) % {
            "count": self.created
        }
        return _("%(created)s, %(updated)d updated, %(unchanged)d unchanged (%(rows)d rows, %(seconds)s s).") % {
            "created": created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rows": self.rows,
            "seconds": f"{self.elapsed:.1f}",
        }


@dataclass
class Plan:
    """One course to write: what it becomes, whether it is shared (None: keep), the row it exists as."""

    line: int
    data: CourseInput
    shared: bool | None
    existing: Course | None


@dataclass
class _Layout:
    fixed: dict[str, int]  # column key -> position in the row
    texts: dict[tuple[str, str], int]  # (field, language) -> position
    headers: dict[str, str] = field(default_factory=dict)  # key or "titles.fi" -> the header as written

    def header(self, key: str) -> str:
        return self.headers.get(key, key)


def import_courses(institution: Institution, data: bytes, *, actor: Any = None) -> ImportReport:
    """Create or update the courses of a CSV or XLSX file; see the module docstring."""
    started = time.perf_counter()
    if not institution.hosted:
        raise DomainError(_("Only an institution hosted here keeps a catalogue."))
    table = read_table(data)
    layout = _layout(table)
    with transaction.atomic():
        plans, rejections = _plan(institution, table, layout)
        if rejections:
            raise ImportRejected(rejections)
        report = ImportReport(rows=len(table.rows))
        write_plans(institution, plans, report, actor=actor, source=table.format)
    report.elapsed = time.perf_counter() - started
    return report


def _layout(table: Table) -> _Layout:
    """Where each column is; refuses a header the import cannot trust, naming every wrong column."""
    layout = _Layout(fixed={}, texts={})
    problems: list[Rejection] = []
    known = [column.key for column in COLUMNS] + ["title_en", "description_en", "outcomes_en"]
    for position, cell in enumerate(table.header):
        name = cell_text(cell)
        if not name:
            if any(position < len(row) and cell_text(row[position]) for _line, row in table.rows):
                problems.append(Rejection(1, f"#{position + 1}", _("This column has values but no name.")))
            continue
        key = header_key(name)
        text = text_column(key)
        if text is None and key not in HEADER_NAMES:
            guess = difflib.get_close_matches(key, known, n=1)
            message = _("This is not a column of the template (its “Read me” sheet lists them).")
            if guess:
                message = _("This is not a column of the template: did you mean '%(guess)s'?") % {"guess": guess[0]}
            problems.append(Rejection(1, name, message))
            continue
        if text is not None:
            slot, duplicate = f"{text[0]}.{text[1]}", text in layout.texts
        else:
            slot = HEADER_NAMES[key]
            duplicate = slot in layout.fixed
        if duplicate:
            problems.append(Rejection(1, name, _("This column appears twice.")))
            continue
        if text is not None:
            layout.texts[text] = position
        else:
            layout.fixed[slot] = position
        layout.headers[slot] = name
    if "code" not in layout.fixed:
        problems.append(Rejection(1, "code", _("This column is missing: every row needs the course code.")))
    if not any(kind == "titles" for kind, _language in layout.texts):
        problems.append(
            Rejection(1, "title_en", _("The file has no title column: add one per language, like title_en."))
        )
    if problems:
        raise ImportRejected(problems)
    return layout


def _cell(row: Row, position: int) -> Any:
    return row[position] if position < len(row) else None


def _plan(institution: Institution, table: Table, layout: _Layout) -> tuple[list[Plan], list[Rejection]]:
    units = {unit.code: unit for unit in OrganisationalUnit.objects.filter(institution=institution)}
    units_folded = {code.casefold(): unit for code, unit in units.items()}
    codes = {cell_text(_cell(row, layout.fixed["code"])) for _line, row in table.rows}
    existing = existing_courses(institution, codes)
    rejections: list[Rejection] = []
    plans: list[Plan] = []
    seen: dict[str, int] = {}
    for line, row in table.rows:
        failed: set[str] = set()
        values: dict[str, Any] = {}
        for key, position in layout.fixed.items():
            try:
                values[key] = COLUMNS_BY_KEY[key].parse(_cell(row, position))
            except CellError as error:
                rejections.append(Rejection(line, layout.header(key), error.message))
                failed.add(key)
        code = values.get("code", "")
        if not code:
            if "code" not in failed:
                rejections.append(Rejection(line, layout.header("code"), _("The course code is missing.")))
            continue
        if code in seen:
            rejections.append(
                Rejection(
                    line,
                    layout.header("code"),
                    _("The code “%(code)s” is also on line %(line)d: each course takes one row.")
                    % {"code": code, "line": seen[code]},
                )
            )
            continue
        seen[code] = line
        course = existing.get(code)
        data = CourseInput.from_course(course) if course is not None else CourseInput(code=code, titles={})
        for key, value in values.items():
            if key in _FIELD_OF and key not in failed:
                setattr(data, _FIELD_OF[key], value)
        if "unit_code" in values and "unit_code" not in failed:
            unit_code = values["unit_code"]
            data.ounit = (units.get(unit_code) or units_folded.get(unit_code.casefold())) if unit_code else None
            if unit_code and data.ounit is None:
                rejections.append(
                    Rejection(
                        line,
                        layout.header("unit_code"),
                        _("“%(code)s” is not the code of one of your units.") % {"code": unit_code},
                    )
                )
                failed.add("unit_code")
        for (name, language), position in layout.texts.items():
            texts: dict[str, str] = getattr(data, name)
            texts[language] = cell_text(_cell(row, position))
        data = data.normalised()
        problems = validate_course(institution, data)
        rejections += _located(problems, line, layout, failed)
        if not problems:
            plans.append(Plan(line, data, values.get("shared"), course))
    return plans, rejections


def _located(problems: list[Problem], line: int, layout: _Layout, failed: set[str]) -> list[Rejection]:
    """The problems of one row at the column that holds the value; a cell already rejected is not repeated."""
    rejections = []
    for problem in problems:
        name, _dot, language = problem.field.partition(".")
        if language:
            column = layout.header(problem.field)
        elif name == "titles":
            column = ", ".join(layout.header(f"titles.{lang}") for kind, lang in layout.texts if kind == "titles")
        else:
            key = _COLUMN_OF.get(name, name)
            if key in failed:
                continue
            column = layout.header(key)
        rejections.append(Rejection(line, column, problem.message))
    return rejections


def existing_courses(institution: Institution, codes: Iterable[str]) -> dict[str, Course]:
    """The institution's courses with these codes, locked until the import's transaction ends."""
    wanted = sorted(code for code in set(codes) if code)
    found: dict[str, Course] = {}
    courses = Course.objects.select_for_update(of=("self",)).filter(institution=institution).select_related("ounit")
    for start in range(0, len(wanted), _BATCH):
        for course in courses.filter(code__in=wanted[start : start + _BATCH]):
            found[course.code] = course
    return found


def write_plans(institution: Institution, plans: list[Plan], report: ImportReport, *, actor: Any, source: str) -> None:
    """Write checked plans (inside the caller's transaction) and record one audit event for the import."""
    now = timezone.now()
    created: list[Course] = []
    updated: list[Course] = []
    for plan in plans:
        if plan.existing is None:
            course = Course(institution=institution, source=source[:40], shared=bool(plan.shared))
            apply_input(course, plan.data)
            created.append(course)
            continue
        course = plan.existing
        changed = apply_input(course, plan.data)
        if plan.shared is not None and plan.shared != course.shared:
            course.shared = plan.shared
            changed.append("shared")
        if changed:
            course.updated_at = now
            updated.append(course)
        else:
            report.unchanged += 1
    try:
        with transaction.atomic():
            Course.objects.bulk_create(created, batch_size=_BATCH)
            Course.objects.bulk_update(updated, _WRITTEN, batch_size=_BATCH)
    except IntegrityError:
        # Someone created one of these codes between our check and our write.
        raise Conflict(_("The catalogue changed while the file was imported: import it again.")) from None
    report.created, report.updated = len(created), len(updated)
    audit.record(
        "courses.imported",
        actor=actor,
        institution=institution,
        data={
            "source": source,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "units_created": report.units_created,
        },
    )
