"""Benchmark of the partner directory page against the current database.

    .venv/bin/python bench/bench_directory.py [--repeat 7]

Uses whatever DATABASE_URL (or the default SQLite under var/) points at; that database should hold the real
directory (`mobilitas import-institutions`): with fewer than 1,000 institutions the script says so and exits 1.
It logs in a throwaway officer of a hosted institution (the demo's home university when it is there, else any
hosted one, else a throwaway hosted institution) inside a transaction that is rolled back at the end, so the
database is left as it was. For each query it requests the page with Django's test Client several times and
prints the median time spent handling the request (in process: middleware, view, SQL, templates; no network)
and the number of SQL queries. It prints what it measured and asserts nothing about time.
"""

import argparse
import re
import secrets
import statistics
import sys
import time

from django_setup import Rollback, setup_django

MIN_INSTITUTIONS = 1000
# The page's result count, read from the HTML (response.context is only filled under the test runner).
FOUND = re.compile(r"([0-9][0-9,]*) institutions? found")

# (label, GET parameters, extra headers); a country or code that is not in the data just finds nothing.
QUERIES: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("empty (page 1)", {}, {}),
    ("country FR", {"country": "FR"}, {}),
    ("country DE, order by city", {"country": "DE", "order": "city"}, {}),
    ("city: paris", {"q": "paris"}, {}),
    ("city: madrid, country ES", {"q": "madrid", "country": "ES"}, {}),
    ("name fragment: universite", {"q": "universite"}, {}),
    ("name with accents: Université de", {"q": "Université de"}, {}),
    ("name with accents: Universität", {"q": "Universität"}, {}),
    ("name words: politecnica madrid", {"q": "Politécnica Madrid"}, {}),
    ("Erasmus code: F  AMIENS01", {"q": "F  AMIENS01"}, {}),
    ("Erasmus code: A  BADEN01", {"q": "A  BADEN01"}, {}),
    ("SCHAC code: u-picardie.fr", {"q": "u-picardie.fr"}, {}),
    ("PIC: 999660855", {"q": "999660855"}, {}),
    ("page 10", {"page": "10"}, {}),
    ("page past the end", {"page": "10000"}, {}),
    ("valid charter today", {"valid_charter": "on"}, {}),
    ("hosted only", {"hosted": "on"}, {}),
    ("order: charter valid longest, page 3", {"order": "-charter_end", "page": "3"}, {}),
    ("order: name Z to A, page 5", {"order": "-name", "page": "5"}, {}),
    ("no match: zzzzqx", {"q": "zzzzqx"}, {}),
    ("HTMX partial: q=univ, country IT", {"q": "univ", "country": "IT"}, {"HX-Request": "true"}),
    ("bad parameter: page=abc", {"page": "abc"}, {}),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="requests per query (default 7, after one warm-up)")
    args = parser.parse_args()
    setup_django(pages=True)

    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from mobilitas.accounts.models import User
    from mobilitas.institutions.models import Institution, Membership, Role

    total = Institution.objects.count()
    if total < MIN_INSTITUTIONS:
        print(
            f"The directory holds {total} institutions, fewer than {MIN_INSTITUTIONS}: "
            "import the real list first (mobilitas import-institutions)."
        )
        return 1
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']}), {total} institutions")

    results: list[tuple[str, float, int, int, int]] = []
    all_timings: list[float] = []
    try:
        with transaction.atomic():
            institution = (
                Institution.objects.filter(hosted=True, slug="upjv").first()  # the demo's home university
                or Institution.objects.filter(hosted=True).order_by("slug").first()
                or Institution.objects.create(
                    name="Bench University", country="FR", city="Amiens", hosted=True, slug="bench-university"
                )
            )
            user = User.objects.create_user(f"bench-{secrets.token_hex(6)}@bench.invalid", secrets.token_urlsafe())
            Membership.objects.create(user=user, institution=institution, role=Role.OFFICER)
            print(f"Logged in as a throwaway officer of {institution.display_name} (/{institution.slug}/)")
            client = Client()
            client.force_login(user)
            url = reverse("institutions-directory", args=[institution.slug])

            alliance = institution.alliances.order_by("slug").first()
            queries = list(QUERIES)
            if alliance is not None:
                queries.append((f"members of {alliance.name}", {"alliance": alliance.slug}, {}))

            for label, params, headers in queries:
                client.get(url, params, headers=headers)  # warm-up: caches, compiled templates
                timings, counts = [], []
                for _ in range(args.repeat):
                    with CaptureQueriesContext(connection) as captured:
                        start = time.perf_counter()
                        response = client.get(url, params, headers=headers)
                        timings.append((time.perf_counter() - start) * 1000)
                    counts.append(len(captured.captured_queries))
                match = FOUND.search(response.content.decode())
                found = int(match.group(1).replace(",", "")) if match else -1
                results.append((label, statistics.median(timings), max(counts), response.status_code, found))
                all_timings.extend(timings)
            raise Rollback
    except Rollback:
        pass

    print()
    print(f"{'query':<42} {'median ms':>10} {'SQL':>5} {'status':>7} {'found':>7}")
    for label, median, queries_count, status, found in results:
        found_text = f"{found:,}" if found >= 0 else "-"
        print(f"{label:<42} {median:>10.1f} {queries_count:>5} {status:>7} {found_text:>7}")
    print()
    print(f"overall median: {statistics.median(all_timings):.1f} ms over {len(all_timings)} requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
