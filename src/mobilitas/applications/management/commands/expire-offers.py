"""`mobilitas expire-offers`: run daily (cron, systemd timer) to expire unanswered offers and fill their places."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mobilitas.applications.result_tasks import expire_offers


class Command(BaseCommand):
    help = (
        "Expire the offered places not accepted or declined by their deadline, and offer each freed place to the "
        "next applicant on its waiting list. Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue", action="store_true", help="Enqueue the work for the background worker instead of doing it now."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            result = expire_offers.enqueue()
            self.stdout.write(f"Queued as {result.id}.")
            return
        expired = expire_offers.call()
        self.stdout.write(f"{expired} offers expired.")
