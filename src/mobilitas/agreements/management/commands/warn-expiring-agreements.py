"""`mobilitas warn-expiring-agreements`: run daily (cron, systemd timer) to warn officers of agreements ending."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mobilitas.agreements.tasks import warn_expiring_agreements


class Command(BaseCommand):
    help = "E-mail officers about agreements ending within six months (each agreement once). Run it daily."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue", action="store_true", help="Enqueue the work for the background worker instead of doing it now."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            result = warn_expiring_agreements.enqueue()
            self.stdout.write(f"Queued as {result.id}.")
            return
        sent = warn_expiring_agreements.call()
        self.stdout.write(f"{sent} e-mails sent.")
