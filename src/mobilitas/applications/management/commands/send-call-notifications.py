"""`mobilitas send-call-notifications`: run hourly (cron, systemd timer) to announce calls and remind applicants."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mobilitas.applications.call_tasks import send_call_notifications


class Command(BaseCommand):
    help = (
        "E-mail the opening of calls to the students who may apply, and remind applicants with an unsubmitted "
        "draft 3 days before a call closes (each call once). Run it hourly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue", action="store_true", help="Enqueue the work for the background worker instead of doing it now."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            result = send_call_notifications.enqueue()
            self.stdout.write(f"Queued as {result.id}.")
            return
        sent = send_call_notifications.call()
        self.stdout.write(f"{sent} e-mails sent.")
