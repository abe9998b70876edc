import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mobilitas.demo.agreements import load_agreements
from mobilitas.demo.applications import load_applications
from mobilitas.demo.catalogue import load_catalogue
from mobilitas.demo.foundation import DEMO_PASSWORD, HOME_CODE, INGENIUM, DemoError, load_foundation
from mobilitas.institutions.importer import PACKAGED_ECHE_LIST, import_institutions
from mobilitas.institutions.models import Alliance, Institution


class Command(BaseCommand):
    help = (
        "Load or refresh the demo data set (idempotent): directory, home university, alliances, demo users, agreements."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        # Re-importing is idempotent and takes seconds: the directory is always the packaged list.
        report = import_institutions(PACKAGED_ECHE_LIST)
        self.stdout.write(f"Partner directory: {report.summary()}")
        try:
            users = load_foundation()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        step = time.monotonic()
        home = Institution.objects.get(erasmus_code=HOME_CODE)
        members = list(Institution.objects.filter(erasmus_code__in=INGENIUM))
        made = load_agreements(home, members)
        self.stdout.write(f"Agreements: {made} for {home.display_name} in {time.monotonic() - step:.1f} s.")
        step = time.monotonic()
        catalogue = load_catalogue(home, Alliance.objects.get(slug="ingenium"))
        self.stdout.write(f"Alliance catalogue: {catalogue.summary()} in {time.monotonic() - step:.1f} s.")
        step = time.monotonic()
        applications = load_applications(home)
        self.stdout.write(f"Calls and applications: {applications.summary()} in {time.monotonic() - step:.1f} s.")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s."))
        self.stdout.write(f"Demo logins (password '{DEMO_PASSWORD}'):")
        for user in users:
            self.stdout.write(f"  {user.email:<28} {user.role}")
