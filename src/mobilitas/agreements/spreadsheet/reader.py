"""Reading an agreements workbook: the header, each cell, and the rows grouped by agreement code.

Nothing here touches the database. A file that cannot be read at all (not an XLSX, a header with a wrong or
missing column name) raises `ImportRejected` at once; a cell that cannot be read becomes a `Rejection` naming
its line and column, and reading goes on so that one import reports every problem of the file.
"""

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from mobilitas.agreements.spreadsheet.cells import CellError, cell_text
from mobilitas.agreements.spreadsheet.columns import (
    AGREEMENT_KEYS,
    COLUMNS,
    COLUMNS_BY_KEY,
    CONDITION_KEYS,
    REQUIRED_KEYS,
)
from mobilitas.lib.imports import ImportRejected, Rejection, refused, xlsx_rows
from mobilitas.lib.text import fold

# An import is for an institution's agreements (a few thousand rows at most), not for anything bigger.
MAX_ROWS = 20_000
# With condition columns, these say what a condition is; the others may be left out of the file.
CONDITION_REQUIRED_KEYS = ("condition_kind", "direction", "first_year", "last_year", "mobilities_per_year")


@dataclass
class ConditionRow:
    line: int
    values: dict[str, Any]


@dataclass
class AgreementRows:
    """The rows of one agreement code: its agreement values (with the line each came from) and its conditions."""

    code: str
    first_line: int
    values: dict[str, Any]
    lines: dict[str, int]
    # The agreement columns some row filled in (a blank cell of a further row repeats the agreement).
    filled: set[str] = field(default_factory=set)
    conditions: list[ConditionRow] = field(default_factory=list)


@dataclass
class Sheet:
    headers: dict[str, str]  # column key -> header as written in the file
    agreements: list[AgreementRows]
    rejections: list[Rejection]
    # (line, column key) of cells already rejected: the rules need not say again that they are wrong.
    failed: set[tuple[int, str]]
    rows: int = 0

    def header(self, key: str) -> str:
        """The column's name as the file writes it, else in the current language."""
        return self.headers.get(key) or str(COLUMNS_BY_KEY[key].label)


def read_workbook(data: bytes) -> Sheet:
    header, rows = _rows(data)
    index, headers = _header(header, rows)
    return _read_rows(rows, index, headers)


Row = list[Any]


def _rows(data: bytes) -> tuple[Row, list[tuple[int, Row]]]:
    """The first sheet's first row, and its other rows that hold anything, with their line numbers."""
    not_readable = _("The file is not an Excel workbook (.xlsx) that can be read. Save it as .xlsx and try again.")
    return xlsx_rows(data, max_rows=MAX_ROWS, not_readable=not_readable)


def _header(header: Row, rows: list[tuple[int, Row]]) -> tuple[dict[str, int], dict[str, str]]:
    """Column key -> position and key -> header text; refuses a header the import cannot trust."""
    if not any(cell_text(cell) for cell in header):
        raise refused(_("The first sheet is empty: its first row must hold the column names of the template."), line=1)
    known = {label: column.key for column in COLUMNS for label in column.labels()}
    current_labels = [str(column.label) for column in COLUMNS]
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    problems: list[Rejection] = []
    nameless: list[int] = []
    for position, cell in enumerate(header):
        name = cell_text(cell)
        if not name:
            nameless.append(position)
            continue
        key = known.get(fold(name))
        if key is None:
            guess = difflib.get_close_matches(name.lower(), current_labels, n=1)
            message = _("This is not a column of the template (its “Read me” sheet lists them).")
            if guess:
                message = _("This is not a column of the template: did you mean '%(guess)s'?") % {"guess": guess[0]}
            problems.append(Rejection(1, name, message))
        elif key in index:
            problems.append(Rejection(1, name, _("This column appears twice.")))
        else:
            index[key] = position
            headers[key] = name
    required = list(REQUIRED_KEYS)
    if any(key in index for key in CONDITION_KEYS):
        required += CONDITION_REQUIRED_KEYS
    for key in required:
        if key not in index:
            problems.append(Rejection(1, str(COLUMNS_BY_KEY[key].label), _("This column is missing.")))
    for position in nameless:
        if any(position < len(row) and cell_text(row[position]) for _line, row in rows):
            problems.append(
                Rejection(1, get_column_letter(position + 1), _("This column has values but no name in the first row."))
            )
    if problems:
        raise ImportRejected(problems)
    return index, headers


def _read_rows(rows: list[tuple[int, Row]], index: dict[str, int], headers: dict[str, str]) -> Sheet:
    sheet = Sheet(headers=headers, agreements=[], rejections=[], failed=set())
    groups: dict[str, AgreementRows] = {}
    for line, row in rows:
        raw = {key: row[position] if position < len(row) else None for key, position in index.items()}
        filled = {key for key, value in raw.items() if cell_text(value)}
        if not filled:
            continue
        sheet.rows += 1
        values = _values(raw, line, sheet)
        code = values["code"]
        if not code:
            if (line, "code") not in sheet.failed:
                sheet.rejections.append(
                    Rejection(line, sheet.header("code"), _("The agreement code is missing: every row repeats it."))
                )
            continue
        group = groups.get(code)
        if group is None:
            group = groups[code] = AgreementRows(
                code=code,
                first_line=line,
                values={key: values[key] for key in AGREEMENT_KEYS},
                lines=dict.fromkeys(AGREEMENT_KEYS, line),
                filled={key for key in filled if (line, key) not in sheet.failed},
            )
        else:
            _merge(group, values, filled, line, sheet)
        if filled & set(CONDITION_KEYS):
            if "condition_kind" not in filled:
                sheet.rejections.append(
                    Rejection(line, sheet.header("condition_kind"), _("The mobility type is missing."))
                )
                sheet.failed.add((line, "condition_kind"))
            group.conditions.append(ConditionRow(line, {key: values[key] for key in CONDITION_KEYS}))
    sheet.agreements = list(groups.values())
    return sheet


def _values(raw: dict[str, Any], line: int, sheet: Sheet) -> dict[str, Any]:
    """Every column's parsed value (a column left out of the file reads as empty)."""
    values = {}
    for column in COLUMNS:
        try:
            values[column.key] = column.parse(raw.get(column.key))
        except CellError as error:
            sheet.rejections.append(Rejection(line, sheet.header(column.key), error.message))
            sheet.failed.add((line, column.key))
            values[column.key] = column.parse(None)
    return values


def _merge(group: AgreementRows, values: dict[str, Any], filled: set[str], line: int, sheet: Sheet) -> None:
    """A further row of the same agreement: blank agreement cells repeat the agreement; filled ones must agree."""
    for key in AGREEMENT_KEYS:
        if key not in filled or (line, key) in sheet.failed:
            continue
        if key not in group.filled:
            group.values[key], group.lines[key] = values[key], line
            group.filled.add(key)
        elif group.values[key] != values[key]:
            sheet.rejections.append(
                Rejection(
                    line,
                    sheet.header(key),
                    _("It differs from line %(first)d of the same agreement: the rows of one agreement must agree.")
                    % {"first": group.lines[key]},
                )
            )
            sheet.failed.add((line, key))
