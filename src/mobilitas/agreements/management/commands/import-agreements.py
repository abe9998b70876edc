"""`mobilitas import-agreements --institution SLUG FILE.xlsx [--actor EMAIL]`: agreements from a workbook."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mobilitas.accounts.models import User
from mobilitas.agreements.spreadsheet import ImportRejected, import_agreements
from mobilitas.institutions.models import Institution


class Command(BaseCommand):
    help = (
        "Import agreements from an XLSX workbook in the template's columns (all rows or none). Existing codes "
        "update drafts; any other existing code is rejected. Exits 1 listing every rejected row."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE.xlsx")
        parser.add_argument("--institution", required=True, metavar="SLUG", help="the hosted institution")
        parser.add_argument("--actor", metavar="EMAIL", help="the user the audit trail names (default: none)")

    def handle(self, *args: Any, file: Path, institution: str, actor: str | None, **options: Any) -> None:
        home = Institution.objects.filter(slug=institution, hosted=True).first()
        if home is None:
            raise CommandError(f"No hosted institution has the slug {institution!r}.")
        user = None
        if actor:
            user = User.objects.filter(email__iexact=actor).first()
            if user is None:
                raise CommandError(f"No user has the e-mail {actor!r}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        try:
            report = import_agreements(home, data, actor=user)
        except ImportRejected as rejected:
            for rejection in rejected.rejections:
                self.stderr.write(f"{file.name}: {rejection}")
            raise CommandError(f"{file.name}: {rejected.message}") from rejected
        self.stdout.write(f"{file.name}: {report.summary()}")
