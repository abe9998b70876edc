"""Reading a course file into a header and rows: CSV (UTF-8, `,` or `;`) or XLSX (the first sheet).

Nothing here touches the database. A file that cannot be read at all raises `ImportRejected` at once.
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from mobilitas.catalogue.importing.columns import cell_text
from mobilitas.lib.imports import Row, is_xlsx, refused, too_many_rows, xlsx_rows

MAX_FILE_BYTES = 10 * 1024 * 1024
# A catalogue file holds one institution's courses: a few thousand rows.
MAX_ROWS = 20_000


@dataclass
class Table:
    header: Row
    rows: list[tuple[int, Row]]  # (line in the file, cells); rows without any value are left out
    format: str  # "csv" or "xlsx"


def read_table(data: bytes) -> Table:
    if len(data) > MAX_FILE_BYTES:
        raise refused(
            _("The file is larger than %(size)d MB: split it into smaller files.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise refused(_("The file is empty."))
    table = _read_xlsx(data) if is_xlsx(data) else _read_csv(data)
    if not any(cell_text(cell) for cell in table.header):
        raise refused(_("The first row is empty: it must hold the column names of the template."), line=1)
    if len(table.rows) > MAX_ROWS:
        raise refused(too_many_rows(MAX_ROWS))
    return table


def _read_csv(data: bytes) -> Table:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise refused(_("The file is in UTF-16: save it as “CSV UTF-8” instead."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise refused(
            _("The file is not in UTF-8 (line %(line)d): save it as “CSV UTF-8” in your spreadsheet program.")
            % {"line": line}
        ) from None
    if "\x00" in text:
        raise refused(_("The file is not a CSV text file or an Excel workbook (.xlsx)."))
    first_line = text.split("\n", 1)[0]
    # Spreadsheets in French, German and many other locales write ";" between cells.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: Row = []
    rows: list[tuple[int, Row]] = []
    first, start = True, 1
    try:
        for record in reader:
            if first:
                header, first = list(record), False
            elif any(cell.strip() for cell in record):
                rows.append((start, list(record)))
                if len(rows) > MAX_ROWS:
                    break
            start = reader.line_num + 1
    except csv.Error as error:
        raise refused(
            _("Line %(line)d cannot be read as CSV (%(error)s).") % {"line": reader.line_num, "error": error}
        ) from None
    return Table(header=header, rows=rows, format="csv")


def _read_xlsx(data: bytes) -> Table:
    not_readable = _(
        "The file is not an Excel workbook (.xlsx) that can be read. Save it as .xlsx or CSV and try again."
    )
    header, rows = xlsx_rows(data, max_rows=MAX_ROWS, not_readable=not_readable)
    return Table(header=header, rows=rows, format="xlsx")
