"""The course file template: an XLSX workbook (a "Courses" sheet and a "Read me" sheet), or the CSV header."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from mobilitas.catalogue.importing.columns import COLUMNS, COLUMNS_BY_KEY, TEXT_COLUMN_HELP
from mobilitas.catalogue.importing.reader import MAX_ROWS
from mobilitas.catalogue.models import Mode, Term
from mobilitas.catalogue.services.courses import text_languages
from mobilitas.institutions.models import Institution

TEXT_FORMAT = "@"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TEXT_FILL = PatternFill("solid", fgColor="375623")
# Cells kept as typed: Excel would turn 0613 into 613 and "en, fi" into who knows what.
TEXT_KEYS = {"code", "isced", "languages", "unit_code"}
_CHOICES = {
    "mode": lambda: list(Mode.values),
    "term": lambda: [t for t in Term.values if t],
    "shared": lambda: ["yes", "no"],
}


def template_headers(institution: Institution) -> list[str]:
    """code, the title/description/outcomes columns of the institution's languages, then the other columns."""
    languages = text_languages(institution)
    texts = [f"{kind}_{language}" for kind, _help in TEXT_COLUMN_HELP for language in languages]
    return ["code", *texts, *(column.key for column in COLUMNS if column.key != "code")]


def template_csv(institution: Institution) -> bytes:
    """The header row as CSV, with a byte order mark so that Excel opens it as UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(template_headers(institution))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(institution: Institution) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = _("Courses")
    for position, header in enumerate(template_headers(institution), start=1):
        cell = sheet.cell(row=1, column=position, value=header)
        cell.data_type = "s"
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL if header in COLUMNS_BY_KEY else TEXT_FILL
        letter = get_column_letter(position)
        column = COLUMNS_BY_KEY.get(header)
        sheet.column_dimensions[letter].width = column.width if column else (30 if header.startswith("title") else 40)
        if header in TEXT_KEYS:
            sheet.column_dimensions[letter].number_format = TEXT_FORMAT
        if header in _CHOICES:
            values = _CHOICES[header]()
            validation = DataValidation(
                type="list", formula1='"{}"'.format(",".join(values)), allow_blank=True, showErrorMessage=True
            )
            validation.error = _("Choose one of: %(values)s.") % {"values": ", ".join(values)}
            validation.errorTitle = header
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "B2"
    _write_read_me(workbook.create_sheet(_("Read me")))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_me_paragraphs() -> list[str]:
    return [
        _("One row per course. The first row names the columns, in any order; keep the names as they are."),
        _(
            "Required: code, and a title in at least one language. Texts take one column per language, named "
            "with the language's code: title_en, title_fi, description_de, outcomes_fr (learning outcomes). Add "
            "or remove language columns as you need."
        ),
        _(
            "All rows or none: when one row is wrong nothing is saved, and every problem is listed with its line "
            "and column."
        ),
        _(
            "A code already in your catalogue updates that course in place. Columns left out of the file keep the "
            "course's values; an empty cell clears the value (an empty “shared” cell keeps the current setting)."
        ),
        _(
            "The same columns import from a CSV file: UTF-8 (Excel's “CSV UTF-8”), cells separated by commas or "
            "semicolons."
        ),
    ]


def _write_read_me(sheet: Worksheet) -> None:
    sheet["A1"] = _("How to fill in the course catalogue file")
    sheet["A1"].font = Font(bold=True, size=14)
    line = 2
    for paragraph in read_me_paragraphs():
        sheet.cell(row=line, column=1, value=paragraph)
        line += 1
    line += 1
    for position, heading in enumerate([_("Column"), _("Meaning"), _("Allowed values"), _("Example")], start=1):
        cell = sheet.cell(row=line, column=position, value=heading)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for row in read_me_rows():
        line += 1
        for position, value in enumerate(row, start=1):
            cell = sheet.cell(row=line, column=position, value=value)
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (24, 60, 50, 30), strict=True):
        sheet.column_dimensions[letter].width = width


def read_me_rows() -> list[tuple[str, str, str, str]]:
    """(column, meaning, allowed values, example) for every column: the Read me sheet and the import page."""
    rows = []
    for column in COLUMNS:
        name = column.key + (" *" if column.required else "")
        rows.append((name, str(column.meaning), str(column.allowed), column.example))
        if column.key == "code":
            examples = {"title": "Programming 1", "description": "Basics of programming in Python.", "outcomes": ""}
            for kind, meaning in TEXT_COLUMN_HELP:
                allowed = _("Text. The language code after the underscore: en, fr, fi, de, es, el, ro, sv…")
                rows.append((f"{kind}_<{_('language')}>", str(meaning), allowed, examples[kind]))
    return rows
