"""Benchmark of the agreements list page: 300 agreements of 4 cooperation conditions each.

    .venv/bin/python bench/agreements_list.py [--agreements 300] [--repeat 7]

Uses whatever DATABASE_URL (or the default SQLite under var/) points at; the directory must hold at least as
many institutions as agreements asked for (`mobilitas import-institutions`). Inside a transaction that is rolled
back at the end, it makes a throwaway hosted institution and officer, creates the agreements through the
services (4 conditions each: studies out and in, teaching out and in), then requests the list page with Django's
test Client for each query and prints the median time spent handling the request (in process: middleware, view,
SQL, templates; no network) and the number of SQL queries. It asserts nothing about time.
"""

import argparse
import secrets
import statistics
import time
from collections import Counter
from decimal import Decimal

from django_setup import Rollback, setup_django

QUERIES: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("all (page 1)", {}, {}),
    ("page 5", {"page": "5"}, {}),
    ("partner country (most common)", {"country": "<most common>"}, {}),
    ("status approved", {"status": "approved"}, {}),
    ("academic year 2027/2028", {"year": "2027/2028"}, {}),
    ("subject area 06", {"isced": "06"}, {}),
    ("expiring", {"expiring": "on"}, {}),
    ("search: univ", {"q": "univ"}, {}),
    ("order: ending first", {"order": "last_year"}, {}),
    ("HTMX partial: country", {"country": "<most common>"}, {"HX-Request": "true"}),
]


def conditions():  # type: ignore[no-untyped-def]
    from mobilitas.agreements.inputs import ConditionInput, LanguageSkillInput, SubjectAreaInput

    def make(kind: str, direction: str) -> ConditionInput:
        student = kind == "student-studies"
        return ConditionInput(
            kind=kind,
            direction=direction,  # type: ignore[arg-type]
            first_year="2024/2025",
            last_year="2028/2029",
            mobilities_per_year=2,
            total_months_per_year=Decimal(10) if student else None,
            total_days_per_year=None if student else Decimal(5),
            eqf_levels=[6, 7] if student else [],
            subject_areas=[SubjectAreaInput("0613", "Software")],
            language_skills=[LanguageSkillInput("en", "B2")],
        )

    return [make(kind, d) for kind in ("student-studies", "staff-teacher") for d in ("out", "in")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreements", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7, help="requests per query (default 7, after one warm-up)")
    args = parser.parse_args()
    setup_django(pages=True)

    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from mobilitas.accounts.models import User
    from mobilitas.agreements import services
    from mobilitas.agreements.inputs import AgreementInput
    from mobilitas.institutions.models import Institution, Membership, Role

    candidates = Institution.objects.exclude(hosted=True).exclude(country="FR").exclude(schac_code="")
    partners = list(candidates.order_by("pk")[: args.agreements])
    if len(partners) < args.agreements:
        print(f"The directory holds {len(partners)} possible partners: import the real list first.")
        return 1
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    try:
        with transaction.atomic():
            home = Institution.objects.create(
                name="Bench University",
                country="FR",
                city="Amiens",
                hosted=True,
                slug=f"bench-{secrets.token_hex(3)}",
                schac_code=f"bench-{secrets.token_hex(3)}.invalid",
            )
            user = User.objects.create_user(f"bench-{secrets.token_hex(6)}@bench.invalid", secrets.token_urlsafe())
            Membership.objects.create(user=user, institution=home, role=Role.OFFICER)
            started = time.perf_counter()
            for number, partner in enumerate(partners, 1):
                agreement = services.create_agreement(
                    home, AgreementInput(partner=partner, code=f"B/{number:04d}", conditions=conditions()), actor=user
                )
                if number % 2:
                    services.share_agreement(agreement, actor=user)
            print(
                f"Created {len(partners)} agreements of 4 conditions in {time.perf_counter() - started:.1f} s "
                "(through the services)"
            )
            client = Client()
            client.force_login(user)
            url = reverse("agreements-list", args=[home.slug])
            print(f"{'query':<30} {'median ms':>9} {'min ms':>7} {'SQL':>4} {'status':>6}")
            common = Counter(p.country for p in partners).most_common(1)[0][0]
            for label, raw, headers in QUERIES:
                params = {k: common if v == "<most common>" else v for k, v in raw.items()}
                client.get(url, params, headers=headers)  # warm-up: caches, compiled templates
                timings, counts, status = [], set(), 0
                for _ in range(args.repeat):
                    with CaptureQueriesContext(connection) as captured:
                        begun = time.perf_counter()
                        response = client.get(url, params, headers=headers)
                        timings.append((time.perf_counter() - begun) * 1000)
                    counts.add(len(captured))
                    status = response.status_code
                shown = "/".join(str(c) for c in sorted(counts))
                print(f"{label:<30} {statistics.median(timings):>9.1f} {min(timings):>7.1f} {shown:>4} {status:>6}")
            raise Rollback
    except Rollback:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
