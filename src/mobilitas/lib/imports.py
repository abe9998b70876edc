"""What every file import shares: the problems it reports by line and column, and reading an XLSX safely.

An import is all or nothing: it collects every `Rejection` it finds, then raises `ImportRejected` with all
of them and saves nothing. Agreements and courses import through this.
"""

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mobilitas.lib.errors import DomainError

ZIP_SIGNATURE = b"PK\x03\x04"
# An XLSX is a zip archive: refuse one that would unpack to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

Row = list[Any]


@dataclass(frozen=True)
class Rejection:
    """One problem of an import: line 0 is the file itself; `column` is the header as the file writes it."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.line and self.column:
            return _("line %(line)d, column '%(column)s': %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        if self.line:
            return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}
        return self.message


class ImportRejected(DomainError):
    """The import saved nothing; `rejections` lists every problem found, by line."""

    def __init__(self, rejections: list[Rejection]) -> None:
        self.rejections = sorted(rejections, key=lambda r: r.line)
        count = len(self.rejections)
        super().__init__(
            ngettext(
                "%(count)d problem in the file: nothing was imported.",
                "%(count)d problems in the file: nothing was imported.",
                count,
            )
            % {"count": count}
        )


def refused(message: str, line: int = 0, column: str = "") -> ImportRejected:
    """A file refused as a whole, for one reason."""
    return ImportRejected([Rejection(line, column, message)])


def is_xlsx(data: bytes) -> bool:
    """An XLSX file is a zip archive: trust the signature, not the name the file was given."""
    return data[:4] == ZIP_SIGNATURE


def _blank(cell: Any) -> bool:
    return cell is None or not str(cell).strip()


def xlsx_rows(data: bytes, *, max_rows: int, not_readable: str) -> tuple[Row, list[tuple[int, Row]]]:
    """The first sheet's first row, and its other rows that hold anything, with their line numbers.

    Refuses (with `not_readable`) a file that is not a readable workbook, and one that unpacks to more than
    MAX_UNPACKED_BYTES or holds more than `max_rows` rows.
    """
    if not is_xlsx(data):
        raise refused(not_readable)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise refused(not_readable) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise refused(_("The workbook is too large once unpacked: split it into smaller files."))
    header: Row = []
    rows: list[tuple[int, Row]] = []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for line, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
                if line == 1:
                    header = list(values)
                elif not all(_blank(cell) for cell in values):  # Excel keeps formatted empty rows: skip them
                    rows.append((line, list(values)))
                    if len(rows) > max_rows:
                        raise refused(too_many_rows(max_rows))
        finally:
            workbook.close()
    except ImportRejected:
        raise
    except Exception:  # openpyxl raises anything from KeyError to XML errors on a damaged file
        raise refused(not_readable) from None
    return header, rows


def too_many_rows(max_rows: int) -> str:
    return _("The file has more than %(max)d rows: split it into smaller files.") % {"max": max_rows}
