"""`mobilitas import-institutions [FILE]`: import the EC's list of ECHE holders into the partner directory."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mobilitas.institutions.importer import PACKAGED_ECHE_LIST, ImportRefused, import_institutions


class Command(BaseCommand):
    help = (
        "Import or refresh the partner directory from a CSV list of ECHE holders (the European Commission's "
        "columns). Without FILE, imports the packaged 2021-2027 list. Re-running updates rows in place."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            type=Path,
            default=PACKAGED_ECHE_LIST,
            metavar="FILE",
            help="CSV file (default: the packaged list)",
        )

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            report = import_institutions(file)
        except ImportRefused as exc:
            raise CommandError(f"{file}: {exc.message} Nothing was imported.") from exc
        self.stdout.write(f"{file.name}: {report.summary()}")
        for line, reason in report.rejected:
            self.stdout.write(self.style.WARNING(f"  line {line}: rejected, {reason}"))
