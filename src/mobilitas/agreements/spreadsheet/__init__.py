"""Agreements in Excel workbooks (openpyxl): the template, the import (all rows or none) and the export.

The three share one list of columns (columns.py), so an exported workbook imports again unchanged.
"""

from mobilitas.agreements.spreadsheet.columns import COLUMNS
from mobilitas.agreements.spreadsheet.importer import ImportReport, import_agreements
from mobilitas.agreements.spreadsheet.writer import write_workbook
from mobilitas.lib.imports import ImportRejected, Rejection, is_xlsx

__all__ = ["COLUMNS", "ImportRejected", "ImportReport", "Rejection", "import_agreements", "is_xlsx", "write_workbook"]
