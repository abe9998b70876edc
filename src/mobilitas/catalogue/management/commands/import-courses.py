"""`mobilitas import-courses`: courses into an institution's catalogue, from a file or a shipped dataset.

mobilitas import-courses --institution SLUG FILE.csv|FILE.xlsx [--actor EMAIL]
mobilitas import-courses --institution SLUG --dataset aalto [--only NAME] [--shared] [--limit N] [--create-units]
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mobilitas.accounts.models import User
from mobilitas.catalogue import sources
from mobilitas.catalogue.importing import ImportRejected, ImportReport, import_courses, import_dataset
from mobilitas.institutions.models import Institution
from mobilitas.lib.errors import DomainError


class Command(BaseCommand):
    help = (
        "Import courses into a hosted institution's catalogue from a CSV or XLSX file in the template's columns, "
        "or from one of the real catalogues shipped with Mobilitas (--dataset). All rows or none; a code already "
        "in the catalogue updates that course. Exits 1 listing every rejected row."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?", metavar="FILE.csv|FILE.xlsx")
        parser.add_argument("--institution", required=True, metavar="SLUG", help="the hosted institution")
        parser.add_argument("--dataset", choices=sorted(sources.LOADERS), help="a shipped catalogue instead of a file")
        parser.add_argument(
            "--only", metavar="NAME", help="with --dataset: the courses of one of its institutions (glasgow_deakin)"
        )
        parser.add_argument("--limit", type=int, metavar="N", help="with --dataset: the first N courses only")
        parser.add_argument("--shared", action="store_true", help="with --dataset: share every course it imports")
        parser.add_argument(
            "--create-units", action="store_true", help="with --dataset: create the units the courses name"
        )
        parser.add_argument("--actor", metavar="EMAIL", help="the user the audit trail names (default: none)")

    def handle(
        self,
        *args: Any,
        file: Path | None,
        institution: str,
        dataset: str | None,
        only: str | None,
        limit: int | None,
        shared: bool,
        create_units: bool,
        actor: str | None,
        **options: Any,
    ) -> None:
        if (file is None) == (dataset is None):
            raise CommandError("Give either a FILE or --dataset NAME.")
        home = Institution.objects.filter(slug=institution, hosted=True).first()
        if home is None:
            raise CommandError(f"No hosted institution has the slug {institution!r}.")
        user = None
        if actor:
            user = User.objects.filter(email__iexact=actor).first()
            if user is None:
                raise CommandError(f"No user has the e-mail {actor!r}.")
        name = dataset or (file.name if file else "")
        try:
            if dataset is not None:
                report = import_dataset(
                    dataset,
                    home,
                    actor=user,
                    shared=True if shared else None,
                    only=only,
                    limit=limit,
                    create_units=create_units,
                )
            else:
                assert file is not None  # noqa: S101 - checked above
                report = import_courses(home, self._read(file), actor=user)
        except ImportRejected as rejected:
            for rejection in rejected.rejections:
                self.stderr.write(f"{name}: {rejection}")
            raise CommandError(f"{name}: {rejected.message}") from rejected
        except DomainError as error:
            raise CommandError(f"{name}: {error.message}") from error
        self._report(name, report)

    def _read(self, file: Path) -> bytes:
        try:
            return file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc

    def _report(self, name: str, report: ImportReport) -> None:
        line = f"{name}: {report.summary()}"
        if report.units_created:
            line += f" {report.units_created} units created."
        self.stdout.write(line)
