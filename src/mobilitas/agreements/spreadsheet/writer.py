"""Writing an agreements workbook: the empty template, or the export of a list of agreements.

Both are the same workbook (columns.py): a sheet of agreements, one row per cooperation condition, with a
styled header, drop-down lists for the coded columns, and a "Read me" sheet that explains each column.
"""

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from mobilitas.agreements.models import Agreement, CooperationCondition
from mobilitas.agreements.spreadsheet.columns import COLUMNS, Column
from mobilitas.agreements.spreadsheet.reader import MAX_ROWS
from mobilitas.institutions.models import Institution

DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
HEADER_FONT = Font(bold=True, color="FFFFFF")
FILLS = {
    "agreement": PatternFill("solid", fgColor="1F4E79"),
    "condition": PatternFill("solid", fgColor="375623"),
}
_CHOICE_LABELS = {"kind": Agreement.Kind.choices, "condition_kind": CooperationCondition.Kind.choices}


def write_workbook(agreements: Iterable[Agreement] = ()) -> bytes:
    """The workbook of `agreements` (the template when there are none), as XLSX bytes.

    Expects the agreements loaded with `access.with_conditions` (a fixed number of queries for any number)."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = _("Agreements")
    _write_header(sheet)
    line = 1
    for agreement in agreements:
        for values in agreement_rows(agreement):
            line += 1
            for position, column in enumerate(COLUMNS, start=1):
                _write_cell(sheet, line, position, column, values[column.key])
    _write_read_me(workbook.create_sheet(_("Read me")))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def agreement_rows(agreement: Agreement) -> list[dict[str, Any]]:
    """One dict of cell values per cooperation condition (one for an agreement without conditions)."""
    contact = agreement.signing_contact
    common: dict[str, Any] = {
        "code": agreement.code,
        "partner": partner_code(agreement.partner),
        "kind": agreement.kind,
        "ounit": agreement.ounit.code if agreement.ounit else "",
        "partner_ounit_id": agreement.partner_ounit_id,
        "partner_ounit_name": agreement.partner_ounit_name,
        "partner_iia_code": agreement.partner_iia_code,
        "signing_contact": contact.email if contact else "",
        "signing_date": agreement.signing_date,
        "partner_signing_name": agreement.partner_signing_name,
        "partner_signing_email": agreement.partner_signing_email,
        "partner_signing_date": agreement.partner_signing_date,
        "title": agreement.title,
        "programmes": "; ".join(agreement.programme_list),
        "start_date": agreement.start_date,
        "end_date": agreement.end_date,
        "notes": agreement.notes,
        "additional_partners": "; ".join(partner_code(p) for p in agreement.additional_partners.all()),
    }
    conditions = list(agreement.conditions.all())
    if not conditions:
        return [{**common, **_blank_condition()}]
    return [{**common, **_condition_values(agreement, condition)} for condition in conditions]


def partner_code(institution: Institution) -> str:
    return institution.erasmus_code or institution.schac_code


def _blank_condition() -> dict[str, Any]:
    return {column.key: None for column in COLUMNS if column.level == "condition"}


def _condition_values(agreement: Agreement, condition: CooperationCondition) -> dict[str, Any]:
    skills = []
    for skill in condition.language_skills.all():
        words = [skill.language, skill.cefr_level, skill.isced_code, skill.clarification]
        skills.append(" ".join(word for word in words if word))
    return {
        "condition_kind": condition.kind,
        "direction": "out" if condition.sending_id == agreement.institution_id else "in",
        "first_year": condition.first_year,
        "last_year": condition.last_year,
        "mobilities_per_year": condition.mobilities_per_year,
        "total_months_per_year": condition.total_months_per_year,
        "total_days_per_year": condition.total_days_per_year,
        "blended": _("yes") if condition.blended else _("no"),
        "eqf_levels": ", ".join(str(level) for level in condition.eqf_levels),
        "subject_areas": "; ".join(
            f"{area.isced_code} {area.clarification}".strip() for area in condition.subject_areas.all()
        ),
        "language_skills": "; ".join(skills),
        "sending_ounit_id": condition.sending_ounit_id,
        "receiving_ounit_id": condition.receiving_ounit_id,
        "other_info": condition.other_info,
    }


def _write_cell(sheet: Worksheet, line: int, position: int, column: Column, value: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=line, column=position, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if column.text:
        cell.number_format = TEXT_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT


def _write_header(sheet: Worksheet) -> None:
    last_row = MAX_ROWS + 1
    for position, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position, value=str(column.label))
        cell.font = HEADER_FONT
        cell.fill = FILLS[column.level]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(position)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.text:
            dimension.number_format = TEXT_FORMAT
        elif column.is_date:
            dimension.number_format = DATE_FORMAT
        if column.choices is not None or column.key == "blended":
            values = column.choices() if column.choices is not None else [_("yes"), _("no")]
            validation = DataValidation(
                type="list", formula1='"{}"'.format(",".join(values)), allow_blank=True, showErrorMessage=True
            )
            validation.error = _("Choose one of: %(values)s.") % {"values": ", ".join(values)}
            validation.errorTitle = str(column.label)
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(validation)
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}1"


def _read_me_paragraphs() -> list[str]:
    return [
        _(
            "One row per cooperation condition. Every row of an agreement repeats its agreement code; the other "
            "agreement columns are written on its first row and may be left blank on the following ones."
        ),
        _(
            "An agreement without cooperation conditions (another kind of agreement, or one still being written) "
            "takes one row with the condition columns left blank."
        ),
        _("Dates: a date cell, or text like 2026-03-31 or 31/03/2026. Lists: items separated by a semicolon (;)."),
        _(
            "All rows or none: when one row is wrong nothing is saved, and every problem is listed with its line "
            "and column."
        ),
        _(
            "A code that already exists: a draft agreement is updated from the file; a shared, approved or "
            "terminated agreement is rejected (change it on its page)."
        ),
        _("Keep the first row: the import finds the columns by their names (English or French), in any order."),
    ]


def _write_read_me(sheet: Worksheet) -> None:
    sheet["A1"] = _("How to fill in the agreements workbook")
    sheet["A1"].font = Font(bold=True, size=14)
    line = 2
    for paragraph in _read_me_paragraphs():
        sheet.cell(row=line, column=1, value=paragraph).alignment = Alignment(wrap_text=False)
        line += 1
    line += 1
    headings = [_("Column"), _("For"), _("Meaning"), _("Allowed values"), _("Example"), _("Required")]
    for position, heading in enumerate(headings, start=1):
        cell = sheet.cell(row=line, column=position, value=heading)
        cell.font = HEADER_FONT
        cell.fill = FILLS["agreement"]
    for column in COLUMNS:
        line += 1
        allowed = str(column.allowed)
        if column.key in _CHOICE_LABELS:
            allowed = "; ".join(f"{value} ({label})" for value, label in _CHOICE_LABELS[column.key])
        values = [
            str(column.label),
            _("agreement") if column.level == "agreement" else _("cooperation condition"),
            str(column.meaning),
            allowed,
            column.example,
            _("yes") if column.required else "",
        ]
        for position, value in enumerate(values, start=1):
            cell = sheet.cell(row=line, column=position, value=value)
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (24, 20, 50, 50, 24, 10), strict=True):
        sheet.column_dimensions[letter].width = width
