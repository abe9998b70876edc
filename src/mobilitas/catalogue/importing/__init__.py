"""Courses into the catalogue: CSV and XLSX files (documented columns, a template) and the shipped datasets.

Every import takes all its rows or none, reports every rejected row with its line, updates courses in place
when their (institution, code) is already in the catalogue, and writes one audit event.
"""

from mobilitas.catalogue.importing.columns import COLUMNS
from mobilitas.catalogue.importing.datasets import import_dataset, import_records, normalise_term, record_input
from mobilitas.catalogue.importing.importer import ImportReport, import_courses
from mobilitas.catalogue.importing.reader import MAX_FILE_BYTES
from mobilitas.catalogue.importing.template import read_me_paragraphs, read_me_rows, template_csv, template_xlsx
from mobilitas.lib.imports import ImportRejected, Rejection, is_xlsx

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "ImportRejected",
    "ImportReport",
    "Rejection",
    "import_courses",
    "import_dataset",
    "import_records",
    "is_xlsx",
    "normalise_term",
    "read_me_paragraphs",
    "read_me_rows",
    "record_input",
    "template_csv",
    "template_xlsx",
]
