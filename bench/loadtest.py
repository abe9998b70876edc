"""A deadline rush: 300 students submit their applications at once to the app under gunicorn on PostgreSQL.

`make loadtest` runs it. It creates a fresh database (`mobilitas_loadtest`, dropped at the end), migrates it,
seeds one hosted institution with an open call, 40 destinations and 600 students whose drafts are complete,
and starts `gunicorn mobilitas.wsgi` with 4 workers on loopback. Each student submits through the JSON API
(`POST /api/v1/applications/<id>/submit`, the same service as the page's Submit button) with their own API
token, from their own thread: 300 submissions spread evenly over one minute (the last minute before a
deadline), then 300 others all at the same instant (the worst case), then those 300 again (double clicks,
which must change nothing). It prints what it measured: submissions lost (applications not submitted in the
database afterwards, must be 0), errors (non-2xx answers or failed connections, must be 0) and latencies.
"""

import argparse
import http.client
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("LOADTEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE_NAME = "mobilitas_loadtest"
SLUG = "rush"


def _recreate_database(drop_only: bool = False) -> str:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)")
        if not drop_only:
            connection.execute(f"CREATE DATABASE {DATABASE_NAME}")
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE_NAME


def _seed(students: int, destinations: int) -> list[tuple[str, str]]:
    """The call, its destinations and `students` complete drafts; returns (application id, token) pairs."""
    from django.utils import timezone

    from mobilitas.accounts.models import User
    from mobilitas.accounts.services import create_api_token
    from mobilitas.applications.models import Application, Call, CallDestination, Choice
    from mobilitas.institutions.models import Institution, Membership, Role

    home = Institution.objects.create(name="Université du Rush", country="FR", hosted=True, slug=SLUG)
    now = timezone.now()
    call = Call.objects.create(
        institution=home, title="Erasmus+ studies 2027/2028", academic_year="2027/2028",
        status=Call.Status.PUBLISHED, opens_at=now - timedelta(days=30), closes_at=now + timedelta(hours=2),
        max_choices=3,
    )  # fmt: skip
    partners = Institution.objects.bulk_create(
        Institution(name=f"Partner University {n}", country="ES", erasmus_code=f"E  RUSH{n:03d}")
        for n in range(destinations)
    )
    places = CallDestination.objects.bulk_create(
        CallDestination(call=call, partner=p, places=3, position=n) for n, p in enumerate(partners)
    )
    pairs = []
    for n in range(students):
        user = User.objects.create_user(f"student{n:03d}@rush.test", None, full_name=f"Fictive Student {n:03d}")
        Membership.objects.create(user=user, institution=home, role=Role.STUDENT)
        application = Application.objects.create(
            call=call, institution=home, student=user, study_level=6, programme="Licence", isced_code="0613",
            grade_average=Decimal(10 + n % 10), languages={"en": "B2"}, motivation="Rush hour.",
        )  # fmt: skip
        Choice.objects.bulk_create(
            Choice(application=application, rank=rank, destination=places[(n + rank) % destinations])
            for rank in (1, 2, 3)
        )
        pairs.append((str(application.public_id), create_api_token(user, name="loadtest")[1]))
    return pairs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before answering")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def _rush(port: int, pairs: list[tuple[str, str]], spread: float) -> tuple[list[float], list[str]]:
    """Every pair submits once: all threads start together, each sends at an even offset in [0, spread) seconds
    (all at the same instant when spread is 0). Returns the latencies (s) and the errors."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(pairs))

    def submit(application_id: str, token: str, offset: float) -> None:
        start.wait()
        time.sleep(offset)
        began = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request(
                "POST",
                f"/api/v1/applications/{application_id}/submit?institution={SLUG}",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                body=b"{}",
            )
            response = connection.getresponse()
            body = response.read()
            outcome = None if 200 <= response.status < 300 else f"HTTP {response.status}: {body[:200]!r}"
        except OSError as error:
            outcome = f"{type(error).__name__}: {error}"
        elapsed = time.perf_counter() - began
        with lock:
            latencies.append(elapsed)
            if outcome:
                errors.append(outcome)

    step = spread / len(pairs)
    threads = [threading.Thread(target=submit, args=(*pair, n * step)) for n, pair in enumerate(pairs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _report(name: str, latencies: list[float], errors: list[str], wall: float) -> None:
    print(
        f"{name}: {len(latencies)} requests in {wall:.2f} s; errors {len(errors)}; latency "
        f"median {statistics.median(latencies) * 1000:.0f} ms, p95 {_percentile(latencies, 0.95) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    for error in errors[:5]:
        print(f"  {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    url = _recreate_database()
    var_dir = Path(tempfile.mkdtemp(prefix="mobilitas-loadtest-"))
    (var_dir / "static").mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MOBILITAS_VAR_DIR": str(var_dir),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        # Persistent connections, as in production (README, Configuration): no connection set-up per request.
        "CONN_MAX_AGE": "60",
    }
    os.environ.update(env)
    bin_dir = Path(sys.executable).parent
    migrate = [bin_dir / "mobilitas", "migrate", "--no-input", "-v", "0"]
    subprocess.run(migrate, env=env, check=True)  # noqa: S603 (our own console script, fixed arguments)
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobilitas.settings")
    import django

    django.setup()
    from django.db import connection

    from mobilitas.applications.models import Application

    began = time.perf_counter()
    pairs = _seed(2 * args.students, 40)
    print(f"Seeded {len(pairs)} complete drafts in {time.perf_counter() - began:.1f} s (PostgreSQL {url})")
    connection.close()

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (the venv's gunicorn, fixed arguments)
        [bin_dir / "gunicorn", "mobilitas.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
         "--backlog", "2048", "--timeout", "120", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        _wait_until_up(port, server)
        print(f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}")
        failures = 0
        spread, burst = pairs[: args.students], pairs[args.students :]
        rounds = (
            (f"{len(spread)} submissions spread over the last minute", spread, 60.0),
            (f"{len(burst)} submissions at the same instant", burst, 0.0),
            (f"the same {len(burst)} again at once (double clicks)", burst, 0.0),
        )
        for name, round_pairs, seconds in rounds:
            wall = time.perf_counter()
            latencies, errors = _rush(port, round_pairs, seconds)
            _report(name, latencies, errors, time.perf_counter() - wall)
            failures += len(errors)
        connection.close()  # the seed's connection is long idle
        submitted = Application.objects.filter(status=Application.Status.SUBMITTED, submitted_at__isnull=False)
        lost = len(pairs) - submitted.count()
        print(f"Submissions lost: {lost} (applications submitted in the database: {submitted.count()}/{len(pairs)})")
        connection.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        _recreate_database(drop_only=True)
        shutil.rmtree(var_dir, ignore_errors=True)
    if lost or failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
