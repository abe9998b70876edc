"""Demo calls for outgoing mobility at the home university, with a few hundred fictitious applicants.

Everything is made through the real services, in the order an office lives it, so every page has real work:

- "Erasmus+ studies 2026/2027, second semester": closed today, scored, allocated (seed 2026), results published;
  most applicants have answered (accepted places are nominations, declined ones went down the waiting lists),
  some still have to.
- "Erasmus+ studies 2027/2028": open now, closing in a month; submitted applications and drafts.
- "Erasmus+ traineeships 2027/2028": a draft being prepared; "Staff teaching 2027/2028": published, opens soon.

The applicants are fictitious and their names say so (surnames such as "Example" or "Placeholder"); their
e-mail addresses end in `.demo`. History is written with mail held back (the dummy task backend): the demo does
not e-mail four hundred people who do not exist. The demo student (`student@upjv.demo`) has an offer waiting for
an answer in the first call and a draft in the second.
"""

import random
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from mobilitas.accounts.models import User
from mobilitas.applications import eligibility
from mobilitas.applications.models import Application, Call, CallDestination, Offer
from mobilitas.applications.services import applying, calls, results, review
from mobilitas.demo.foundation import DEMO_PASSWORD
from mobilitas.institutions.models import Institution, Membership, OrganisationalUnit, Role
from mobilitas.mobilities.models import Mobility

FIRST_NAMES = (
    "Alex", "Camille", "Dominique", "Sacha", "Charlie", "Morgan", "Noa", "Eden", "Robin", "Lou",
    "Maxime", "Jules", "Ilyes", "Inès", "Yanis", "Léna", "Hugo", "Zoé", "Nael", "Manon",
)  # fmt: skip
FAKE_SURNAMES = (
    "Example", "Sample", "Specimen", "Fictive", "Placeholder", "Testwell", "Mockridge", "Dummyford",
    "Pretendsen", "Imaginaire", "Fauxbourg", "Nomdeplume", "Madeup", "Notreal", "Invented", "Lorem",
    "Ipsum", "Fakington", "Exemplaire", "Pseudonyme",
)  # fmt: skip
# The faculties applicants come from, with a field of study (ISCED-F) and programme each.
FACULTIES = (
    ("SCI-INFO", "0613", "Licence Informatique"),
    ("SCI-CHIMIE", "0531", "Licence Chimie"),
    ("DROIT", "0421", "Licence Droit"),
    ("ECOGESTION", "0311", "Licence Économie"),
    ("LANGUES", "0231", "Licence LLCER Anglais"),
    ("LETTRES", "0232", "Licence Lettres modernes"),
    ("HISTGEO", "0222", "Licence Histoire"),
    ("IAE", "0413", "Master Management"),
    ("STAPS", "1014", "Licence STAPS"),
    ("MEDECINE", "0912", "Diplôme de formation en médecine"),
)
LEVELS = ("B1", "B2", "B2", "C1", "C2")
# A tiny but real PDF (one empty page): the required transcript of each fictitious applicant.
TRANSCRIPT = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
APPLICANT_EMAIL = "applicant{n:03d}@{slug}.demo"
PARIS = ZoneInfo("Europe/Paris")
# A fictitious applicant and their faculty.
Person = tuple[User, OrganisationalUnit]


@dataclass
class ApplicationsReport:
    calls: int = 0
    applicants: int = 0
    submitted: int = 0
    drafts: int = 0
    offers: int = 0
    nominated: int = 0

    def summary(self) -> str:
        return (
            f"{self.calls} calls, {self.applicants} fictitious applicants, {self.submitted} submitted applications, "
            f"{self.drafts} drafts, {self.offers} offers, {self.nominated} nominations"
        )


def _paris(now: datetime, days: int, hour: int, minute: int = 0) -> datetime:
    """`days` from `now` at hour:minute in Paris, as deadlines are announced."""
    day = now.astimezone(PARIS).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _applicants(home: Institution, units: dict[str, OrganisationalUnit], count: int) -> list[Person]:
    """`count` fictitious students (created once, kept on later runs) and the faculty of each."""
    password = make_password(DEMO_PASSWORD)
    people = []
    for n in range(count):
        first, surname = FIRST_NAMES[n % len(FIRST_NAMES)], FAKE_SURNAMES[(n // len(FIRST_NAMES)) % len(FAKE_SURNAMES)]
        faculty = FACULTIES[(n * 7 + n // len(FACULTIES)) % len(FACULTIES)][0]
        user, _created = User.objects.get_or_create(
            email=APPLICANT_EMAIL.format(n=n + 1, slug=home.slug),
            defaults={"full_name": f"{first} {surname}", "password": password, "language": ("fr", "en")[n % 5 == 0]},
        )
        Membership.objects.get_or_create(
            user=user, institution=home, role=Role.STUDENT, defaults={"ounit": units[faculty]}
        )
        people.append((user, units[faculty]))
    return people


def _reachable(faculty: OrganisationalUnit, destinations: list[CallDestination]) -> list[CallDestination]:
    """The destinations open to the students of `faculty` (not reserved to another unit)."""
    return [d for d in destinations if d.ounit_id is None or d.ounit_id in (faculty.pk, faculty.parent_id)]


def _profile(rng: random.Random, faculty: OrganisationalUnit, destinations: list[CallDestination]) -> dict[str, object]:
    """What a student of `faculty` declares, fitted to one destination they could go to (so choices exist)."""
    _, isced, programme = next(f for f in FACULTIES if f[0] == faculty.code)
    reachable = _reachable(faculty, destinations) or destinations
    fitting = [d for d in reachable if any(code[:3] == isced[:3] for code in d.isced_codes)]
    target = rng.choice(fitting or reachable)
    languages = {"en": rng.choice(LEVELS)}
    for requirement in target.languages:
        languages[requirement["language"]] = rng.choice(("B2", "C1", "C2"))
    level = rng.choice([int(x) for x in target.eqf_levels] or [6])
    return {
        "ounit": str(faculty.public_id),
        "study_level": str(level),
        "programme": programme if level == 6 else programme.replace("Licence", "Master"),
        "isced_code": next((c for c in target.isced_codes if len(c) == 4), isced),
        "grade_scale": "20",
        "grade_average": str(Decimal(rng.randint(1000, 1750)) / 100),
        "languages": languages,
        "fewer_opportunities": rng.random() < 0.12,
        "motivation": "Fictitious demo applicant: I would like to study abroad to broaden my horizons.",
    }


def _apply(
    rng: random.Random,
    call: Call,
    student: User,
    faculty: OrganisationalUnit,
    destinations: list[CallDestination],
    *,
    submit: bool,
) -> Application:
    application = applying.start_application(call, student=student, actor=student)
    applying.save_draft(application, actor=student, data=_profile(rng, faculty, destinations))
    application.refresh_from_db()
    eligible = eligibility.eligible_destination_ids(application, destinations)
    open_to_me = [d for d in destinations if d.pk in eligible]
    ranked = rng.sample(open_to_me, min(len(open_to_me), rng.randint(1, call.max_choices)))
    applying.set_choices(application, actor=student, destination_ids=[d.public_id for d in ranked])
    for requirement in call.required_documents.all():
        upload = SimpleUploadedFile("transcript.pdf", TRANSCRIPT, content_type="application/pdf")
        applying.add_upload(application, actor=student, requirement=requirement, file=upload)
    if submit and ranked:
        application = applying.submit_application(application, actor=student)
    return application


def _destinations(call: Call, officer: User) -> list[CallDestination]:
    calls.sync_destinations(call, actor=officer)
    return list(call.destinations.select_related("partner", "ounit"))


def _decided_call(
    home: Institution, officer: User, people: list[Person], demo: Person | None, now: datetime
) -> ApplicationsReport:
    """2026/2027, second semester: applied for this autumn, closed, scored, allocated, published; answers coming in."""
    rng = random.Random(2026)  # noqa: S311 (a reproducible demo, not a secret)
    report = ApplicationsReport(calls=1)
    call = calls.create_call(
        home, actor=officer, title="Erasmus+ studies 2026/2027, second semester", academic_year="2026/2027",
        kind=Call.Kind.STUDY,
        description="The places still free for the second semester of 2026/2027 (spring 2027).",
        opens_at=_paris(now, -30, 9), closes_at=now + timedelta(hours=1), max_choices=3,
        required_documents=[("Transcript of records", "Your grades of the last two years, as a PDF.")],
        inclusion_bonus=Decimal("0.5"), response_days=10,
    )  # fmt: skip
    destinations = _destinations(call, officer)
    call = calls.publish_call(call, actor=officer)
    applicants = people[:220]
    if demo is not None:
        applicants = [demo, *applicants]
    for index, (student, faculty) in enumerate(applicants):
        application = _apply(rng, call, student, faculty, destinations, submit=index % 22 != 21)
        if application.status == Application.Status.SUBMITTED and index % 37 == 36:
            applying.withdraw_application(application, actor=student)
    # The deadline passes: the call closes as soon as its applications are in (the demo's "today").
    call = calls.update_call(call, actor=officer, closes_at=timezone.now())
    for application in call.applications.filter(status=Application.Status.SUBMITTED):
        review.score_application(
            application, actor=officer, motivation_score=Decimal(rng.randint(20, 38)) / 2,
            comment="Scored for the demo.",
        )  # fmt: skip
        report.submitted += 1
    report.drafts = call.applications.filter(status=Application.Status.DRAFT).count()
    first = call.applications.filter(status=Application.Status.SUBMITTED).order_by("pk").first()
    if first is not None:
        review.adjust_score(first, actor=officer, adjustment=Decimal(1), reason="Language certificate checked: C1.")
    results.run_allocation(call, actor=officer, seed=7)  # a trial run, kept in the history
    run = results.run_allocation(call, actor=officer, seed=2026)
    results.publish_results(run, actor=officer)
    # Answers: most accept, some decline (their places go down the waiting lists); the demo student waits.
    for index, offer in enumerate(Offer.objects.filter(run=run).select_related("application__student")):
        student = offer.application.student
        if (demo is not None and student == demo[0]) or index % 9 == 8:
            continue
        if index % 7 == 6:
            results.decline_offer(offer, actor=student)
        else:
            results.accept_offer(offer, actor=student)
    report.applicants = len(applicants)
    report.offers = Offer.objects.filter(run__call=call).count()
    return report


def _open_call(
    home: Institution, officer: User, people: list[Person], demo: Person | None, now: datetime
) -> ApplicationsReport:
    rng = random.Random(2027)  # noqa: S311 (a reproducible demo, not a secret)
    report = ApplicationsReport(calls=1)
    call = calls.create_call(
        home, actor=officer, title="Erasmus+ studies 2027/2028", academic_year="2027/2028", kind=Call.Kind.STUDY,
        description="Semester or year of studies at a partner university in 2027/2028. Rank up to four destinations.",
        opens_at=_paris(now, -21, 9), closes_at=_paris(now, 30, 23, 59), max_choices=4,
        required_documents=[("Transcript of records", "Your grades of the last two years, as a PDF.")],
        inclusion_reserved_share=Decimal("0.1"),
    )  # fmt: skip
    destinations = _destinations(call, officer)
    call = calls.publish_call(call, actor=officer)
    applicants = people[60:220]
    for index, (student, faculty) in enumerate(applicants):
        _apply(rng, call, student, faculty, destinations, submit=index % 16 < 9)
    if demo is not None:
        applying.start_application(call, student=demo[0], actor=demo[0])
    for application in call.applications.filter(status=Application.Status.SUBMITTED)[:40]:
        review.score_application(application, actor=officer, motivation_score=Decimal(rng.randint(24, 38)) / 2)
    report.applicants = call.applications.count()
    report.submitted = call.applications.filter(status=Application.Status.SUBMITTED).count()
    report.drafts = call.applications.filter(status=Application.Status.DRAFT).count()
    return report


def _upcoming_calls(home: Institution, officer: User, units: dict[str, OrganisationalUnit], now: datetime) -> int:
    traineeship = calls.create_call(
        home, actor=officer, title="Erasmus+ traineeships 2027/2028", academic_year="2027/2028",
        kind=Call.Kind.TRAINEESHIP, opens_at=_paris(now, 45, 9), closes_at=_paris(now, 100, 23, 59),
        max_choices=2, eligible_ounits=[units["SCIENCES"], units["IAE"]], study_levels=[6, 7],
    )  # fmt: skip
    _destinations(traineeship, officer)
    staff = calls.create_call(
        home, actor=officer, title="Staff teaching 2027/2028", academic_year="2027/2028",
        kind=Call.Kind.STAFF_TEACHING, opens_at=_paris(now, 14, 9), closes_at=_paris(now, 60, 23, 59),
        max_choices=2, weight_grades=Decimal(0), weight_language=Decimal(40), weight_motivation=Decimal(60),
    )  # fmt: skip
    _destinations(staff, officer)
    calls.publish_call(staff, actor=officer)
    return 2


def _remove(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def load_applications(home: Institution) -> ApplicationsReport:
    """Replace the demo calls of `home` (and their applications, offers and nominations); returns what was made."""
    officer = User.objects.get(email="officer@upjv.demo")
    demo_student = User.objects.filter(email="student@upjv.demo").first()
    units = {u.code: u for u in OrganisationalUnit.objects.filter(institution=home)}
    now = timezone.now()
    quiet = override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
    with quiet, transaction.atomic():
        Mobility.objects.filter(institution=home).delete()
        old = Call.objects.filter(institution=home)
        folders = [
            settings.MEDIA_ROOT / "applications" / str(call_id) for call_id in old.values_list("public_id", flat=True)
        ]
        transaction.on_commit(lambda: _remove(folders))
        old.delete()
        people = _applicants(home, units, 240)
        demo = (demo_student, units["DROIT"]) if demo_student is not None else None
        decided = _decided_call(home, officer, people, demo, now)
        current = _open_call(home, officer, people, demo, now)
        upcoming = _upcoming_calls(home, officer, units, now)
    return ApplicationsReport(
        calls=decided.calls + current.calls + upcoming,
        applicants=len(people) + (demo_student is not None),
        submitted=decided.submitted + current.submitted,
        drafts=decided.drafts + current.drafts,
        offers=decided.offers,
        nominated=Mobility.objects.filter(institution=home, status=Mobility.Status.NOMINATED).count(),
    )
