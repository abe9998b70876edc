"""Benchmark of the catalogue search page over the whole demo catalogue: 3,831 real courses of 7 sources.

    .venv/bin/python bench/catalogue_search.py [--repeat 7]

Uses whatever DATABASE_URL (or the default SQLite under var/) points at, migrated. Inside a transaction that is
rolled back at the end, it makes an alliance of seven throwaway hosted institutions, imports one shipped source
into each (`import_dataset`: Aalto, FU Berlin, UPM, Poitiers, UVT, Glasgow and Deakin, Ionian), shares the
courses of the six others with the alliance, and logs in a student of the first. The student's catalogue is
then all 3,831 courses: the 2,391 of their own institution and the 1,440 shared. It requests the search page
with Django's test Client for each query (words in several languages, filters, paging, an HTMX partial) and
prints the median time spent handling the request (in process: middleware, view, SQL, templates; no network),
the number of SQL queries and of courses found. It asserts nothing about time.
"""

import argparse
import re
import secrets
import statistics
import time

from django_setup import Rollback, setup_django

_FOUND = re.compile(r"([\d,]+) courses? found")
SOURCES = ["aalto", "fu_berlin", "upm", "poitiers", "uvt", "glasgow_deakin", "ionian"]
QUERIES: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("all (page 1)", {}, {}),
    ("all, page 40", {"page": "40"}, {}),
    ("en: machine learning", {"q": "machine learning"}, {}),
    ("fi: ohjelmointi", {"q": "ohjelmointi"}, {}),
    ("sv prefix: programm", {"q": "programm"}, {}),
    ("de: Programmierung", {"q": "Programmierung"}, {}),
    ("fr: économie", {"q": "économie"}, {}),
    ("fr no accent: economie", {"q": "economie"}, {}),
    ("es: señales", {"q": "señales"}, {}),
    ("el: γραφημάτων", {"q": "γραφημάτων"}, {}),
    ("ro: pictură", {"q": "pictură"}, {}),
    ("code: CS-A1110", {"q": "CS-A1110"}, {}),
    ("data + taught in en + 5 ECTS", {"q": "data", "language": "en", "ects_min": "5", "ects_max": "5"}, {}),
    ("EQF 7 + ISCED 06 + spring", {"eqf_level": "7", "isced": "06", "term": "spring"}, {}),
    ("virtual", {"mode": "virtual"}, {}),
    ("shared only + EQF 7", {"shared_only": "on", "eqf_level": "7"}, {}),
    ("one institution + design", {"q": "design", "institution": "<fu_berlin>"}, {}),
    ("HTMX partial: learning", {"q": "learning"}, {"HX-Request": "true"}),
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
    from mobilitas.catalogue.importing import import_dataset
    from mobilitas.catalogue.models import Course
    from mobilitas.institutions.models import Alliance, AllianceMember, Institution, Membership, Role

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    try:
        with transaction.atomic():
            tag = secrets.token_hex(3)
            alliance = Alliance.objects.create(slug=f"bench-{tag}", name="Bench Alliance")
            institutions = {}
            started = time.perf_counter()
            for number, source in enumerate(SOURCES):
                institution = Institution.objects.create(
                    name=f"Bench {source}", country="FI", city="Espoo", hosted=True, slug=f"bench-{tag}-{number}"
                )
                AllianceMember.objects.create(alliance=alliance, institution=institution)
                import_dataset(source, institution, shared=number > 0)
                institutions[source] = institution
            home = institutions[SOURCES[0]]
            total = Course.objects.filter(institution__in=institutions.values()).count()
            shared = Course.objects.filter(institution__in=institutions.values(), shared=True).count()
            print(f"Imported {total} courses ({shared} shared) in {time.perf_counter() - started:.1f} s")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE catalogue_course")
            user = User.objects.create_user(f"bench-{secrets.token_hex(6)}@bench.invalid", secrets.token_urlsafe())
            Membership.objects.create(user=user, institution=home, role=Role.STUDENT)
            client = Client()
            client.force_login(user)
            url = reverse("catalogue-search", args=[home.slug])
            print(f"{'query':<32} {'median ms':>9} {'min ms':>7} {'SQL ms':>7} {'SQL':>4} {'found':>6} {'status':>6}")
            for label, raw, headers in QUERIES:
                params = {
                    key: str(institutions[value[1:-1]].public_id) if value.startswith("<") else value
                    for key, value in raw.items()
                }
                client.get(url, params, headers=headers)  # warm-up: caches, compiled templates
                timings, counts, status, found = [], set(), 0, "?"
                for _ in range(args.repeat):
                    with CaptureQueriesContext(connection) as captured:
                        begun = time.perf_counter()
                        response = client.get(url, params, headers=headers)
                        timings.append((time.perf_counter() - begun) * 1000)
                    counts.add(len(captured))
                    status = response.status_code
                    match = _FOUND.search(response.content.decode())
                    found = match[1].replace(",", "") if match else "?"
                shown = "/".join(str(c) for c in sorted(counts))
                median, fastest = statistics.median(timings), min(timings)
                sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
                print(f"{label:<32} {median:>9.1f} {fastest:>7.1f} {sql_ms:>7.1f} {shown:>4} {found:>6} {status:>6}")
            raise Rollback
    except Rollback:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
