"""The nominations for one partner as an Excel workbook (openpyxl): one row per nominee, in the columns a host
institution asks for when it receives nominations (names, e-mail, both institutions with their Erasmus codes,
the academic year, the kind of mobility, the study level and field, the planned dates, the agreement).

The header is bold and frozen; text is always written as text (never a formula, whatever it starts with).
"""

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from mobilitas.institutions.models import Institution
from mobilitas.mobilities.models import Mobility

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"


def split_name(full_name: str) -> tuple[str, str]:
    """(last name, first name), best effort: "DUPONT Marie" and "Dupont, Marie" name the family first;
    otherwise the first word is the given name ("Jean-Pierre de la Fontaine" -> "de la Fontaine", "Jean-Pierre").
    """
    name = " ".join(full_name.split())
    if not name:
        return "", ""
    if "," in name:
        last, _comma, first = name.partition(",")
        return last.strip(), first.strip()
    words = name.split(" ")
    if len(words) == 1:
        return name, ""
    capitals = [w for w in words if len(w) > 1 and w.isupper()]
    if capitals and len(capitals) < len(words):
        return " ".join(capitals), " ".join(w for w in words if w not in capitals)
    return " ".join(words[1:]), words[0]


def _kind(mobility: Mobility) -> str:
    kind = mobility.get_kind_display()
    if mobility.kind == Mobility.Kind.STUDY and mobility.format != Mobility.Format.LONG_TERM:
        return f"{kind} ({mobility.get_format_display()})"
    return str(kind)


@dataclass(frozen=True)
class Column:
    label: Promise
    value: Callable[[Mobility], Any]
    width: int = 18
    text: bool = False


COLUMNS = (
    Column(gettext_lazy("Last name"), lambda m: split_name(m.person.full_name)[0], 20),
    Column(gettext_lazy("First name"), lambda m: split_name(m.person.full_name)[1], 18),
    Column(gettext_lazy("Full name"), lambda m: m.person.full_name or m.person.email, 26),
    Column(gettext_lazy("E-mail"), lambda m: m.person.email, 28),
    Column(gettext_lazy("Home institution"), lambda m: m.home.name, 30),
    Column(gettext_lazy("Home Erasmus code"), lambda m: m.home.erasmus_code, 16, text=True),
    Column(gettext_lazy("Host institution"), lambda m: m.host.name, 30),
    Column(gettext_lazy("Host Erasmus code"), lambda m: m.host.erasmus_code, 16, text=True),
    Column(gettext_lazy("Academic year"), lambda m: m.academic_year, 13, text=True),
    Column(gettext_lazy("Mobility kind"), _kind, 22),
    Column(gettext_lazy("Study level (EQF)"), lambda m: m.eqf_level, 12),
    Column(gettext_lazy("Field of study (ISCED-F)"), lambda m: m.isced_code, 14, text=True),
    Column(gettext_lazy("Planned start"), lambda m: m.planned_start, 13),
    Column(gettext_lazy("Planned end"), lambda m: m.planned_end, 13),
    Column(gettext_lazy("Agreement code"), lambda m: m.agreement.code if m.agreement else "", 22, text=True),
)


def write_nominations(mobilities: Iterable[Mobility]) -> bytes:
    """The workbook of `mobilities` (loaded with person, home, host and agreement), as XLSX bytes."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = _("Nominations")
    header_font = Font(bold=True)
    for position, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position, value=str(column.label))
        cell.font = header_font
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    sheet.freeze_panes = "A2"
    line = 1
    for mobility in mobilities:
        line += 1
        for position, column in enumerate(COLUMNS, start=1):
            _write_cell(sheet, line, position, column, column.value(mobility))
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{line}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_cell(sheet: Any, line: int, position: int, column: Column, value: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=line, column=position, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if column.text:
        cell.number_format = TEXT_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def nominations_filename(partner: Institution, years: Iterable[str]) -> str:
    """nominations-<partner's Erasmus code>-2027-2028.xlsx (the years' part is all-years for several)."""
    code = _safe(partner.erasmus_code or partner.schac_code or partner.name) or "partner"
    distinct = sorted(set(years))
    year = _safe(distinct[0]) if len(distinct) == 1 else "all-years"
    return f"nominations-{code}-{year}.xlsx"
