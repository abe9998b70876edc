"""Benchmark of the agreements workbook: import 265 agreements (the demo's size), export them, render a PDF.

    .venv/bin/python bench/agreements_import.py [--agreements 265] [--repeat 5]

Uses whatever DATABASE_URL (or the default SQLite under var/) points at. Inside a transaction that is rolled
back at the end (the database is left as it was), it makes a throwaway hosted institution, picks partners from
the directory (throwaway ones when the directory is smaller than asked), writes a workbook shaped like a real
partner list (two cooperation conditions per agreement: studies out and in, every fifth one staff teaching
instead of incoming studies), and times:

- the import (`import_agreements`: read, resolve, validate, create through the services, audit), with its SQL
  query count; the issue asks for under 10 s for the demo's 265 agreements on SQLite;
- the export of the same agreements to a workbook, and the import of that export (every agreement unchanged);
- the PDF of one agreement (median of --repeat renders, after one warm-up).

When the database holds the demo (`mobilitas demo`: the home university `upjv` and its ~265 agreements), it also
exports the demo's agreements, deletes them and imports the export back into the home university: the issue's
"the 265 agreements of the demo import in under 10 seconds", measured on the demo's own data.

It prints what it measured and asserts nothing about time.
"""

import argparse
import io
import secrets
import statistics
import sys
import time
from typing import Any

from django_setup import Rollback, setup_django

SUBJECTS = ["0613 Software", "0714 Electronics", "0612; 0613", "0533 Physics", "0714"]
LANGUAGES = ["en B2", "fr B1", "es B1; en B2", "de B2", "it B1; en B1"]


def workbook(partner_codes: list[str]) -> bytes:
    """One agreement per partner, two conditions each, in the template's columns."""
    import openpyxl

    from mobilitas.agreements.spreadsheet import COLUMNS

    keys = [column.key for column in COLUMNS]
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.append([str(column.label) for column in COLUMNS])
    for n, code in enumerate(partner_codes):
        common: dict[str, Any] = {"code": f"BENCH/{n:04d}", "partner": code, "signing_date": "15/01/2026"}
        years = {"first_year": "2026/2027", "last_year": "2028/2029"}
        studies = {
            **years,
            "condition_kind": "student-studies",
            "mobilities_per_year": 1 + n % 4,
            "total_months_per_year": 5 * (1 + n % 4),
            "eqf_levels": "6, 7" if n % 3 else "7",
            "subject_areas": SUBJECTS[n % len(SUBJECTS)],
            "language_skills": LANGUAGES[n % len(LANGUAGES)],
        }
        second = (
            {**years, "condition_kind": "staff-teacher", "direction": "in", "mobilities_per_year": 1,
             "total_days_per_year": 5, "language_skills": "en B2"}
            if n % 5 == 0
            else {**studies, "direction": "in"}
        )  # fmt: skip
        for row in ({**common, **studies, "direction": "out"}, {"code": common["code"], **second}):
            sheet.append([row.get(key) for key in keys])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreements", type=int, default=265, help="agreements in the workbook (default 265)")
    parser.add_argument("--repeat", type=int, default=5, help="PDF renders (default 5, after one warm-up)")
    args = parser.parse_args()
    setup_django()

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from mobilitas.agreements.access import with_conditions
    from mobilitas.agreements.models import Agreement
    from mobilitas.agreements.pdf import render_agreement_pdf
    from mobilitas.agreements.spreadsheet import import_agreements, write_workbook
    from mobilitas.institutions.models import Institution

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    try:
        with transaction.atomic():
            home = Institution.objects.create(
                name="Bench University", country="FR", city="Amiens", hosted=True,
                slug=f"bench-{secrets.token_hex(4)}", schac_code=f"bench-{secrets.token_hex(4)}.invalid",
            )  # fmt: skip
            partners = list(
                Institution.objects.filter(hosted=False)
                .exclude(erasmus_code="")
                .order_by("pk")
                .values_list("erasmus_code", flat=True)[: args.agreements]
            )
            for n in range(len(partners), args.agreements):
                made = Institution.objects.create(
                    name=f"Bench Partner {n}", country="ES", erasmus_code=f"E  BENCH{n:03d}",
                    schac_code=f"partner{n}.bench.invalid",
                )  # fmt: skip
                partners.append(made.erasmus_code)
            print(f"{args.agreements} agreements with {len(partners)} partners, two conditions each")

            started = time.perf_counter()
            data = workbook(partners)
            print(f"  write the workbook:      {time.perf_counter() - started:6.2f} s ({len(data) / 1024:.0f} KiB)")

            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                report = import_agreements(home, data)
                elapsed = time.perf_counter() - started
            print(
                f"  import:                  {elapsed:6.2f} s  {report.created} created, {report.conditions} "
                f"conditions, {len(queries.captured_queries)} SQL queries "
                f"({len(queries.captured_queries) / max(report.created, 1):.1f} per agreement)"
            )

            agreements = with_conditions(Agreement.objects.filter(institution=home).order_by("code"))
            started = time.perf_counter()
            exported = write_workbook(agreements)
            print(f"  export:                  {time.perf_counter() - started:6.2f} s ({len(exported) / 1024:.0f} KiB)")

            started = time.perf_counter()
            again = import_agreements(home, exported)
            print(
                f"  import the export again: {time.perf_counter() - started:6.2f} s  "
                f"{again.unchanged} unchanged, {again.created} created, {again.updated} updated"
            )

            agreement = agreements[0]
            render_agreement_pdf(agreement)  # warm-up: fonts, stylesheets
            timings = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                pdf = render_agreement_pdf(agreement)
                timings.append(time.perf_counter() - started)
            print(
                f"  PDF of one agreement:    {statistics.median(timings):6.2f} s median of {args.repeat} "
                f"({len(pdf) / 1024:.0f} KiB)"
            )
            raise Rollback
    except Rollback:
        pass
    demo_import()
    return 0


def demo_import() -> None:
    from django.db import transaction

    from mobilitas.agreements.access import with_conditions
    from mobilitas.agreements.models import Agreement
    from mobilitas.agreements.spreadsheet import import_agreements, write_workbook
    from mobilitas.institutions.models import Institution

    home = Institution.objects.filter(hosted=True, slug="upjv").first()
    agreements = with_conditions(Agreement.objects.filter(institution=home).order_by("code"))
    if home is None or not agreements.exists():
        print("The demo is not loaded (mobilitas demo): the import of its agreements is skipped.")
        return
    try:
        with transaction.atomic():
            count = agreements.count()
            conditions = sum(a.conditions.count() for a in agreements)
            exported = write_workbook(agreements)
            agreements.delete()
            started = time.perf_counter()
            report = import_agreements(home, exported)
            print(
                f"The demo's agreements of {home.display_name}: {count} agreements, {conditions} conditions, "
                f"exported, deleted and imported again in {time.perf_counter() - started:.2f} s "
                f"({report.created} created)"
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    sys.exit(main())
