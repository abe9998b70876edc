"""The alliance catalogue in the demo: real courses at the INGENIUM members, Pathways, programmes, enrolments.

The courses are real public catalogues (catalogue/data/SOURCE.md), each given to the member whose country and
language it fits: Aalto's Finnish/Swedish/English courses to the Finnish member, the FU Berlin module handbooks
to the German one, and so on. They stand in for the members' own catalogues, which are not public in a
reusable form. Students are obviously fictional ("Demo Student …"). Everything goes through the services, so
audit events, capacities and the recognition proposals are real; re-running replaces what it made.
"""

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db import transaction

from mobilitas.accounts.models import User
from mobilitas.catalogue.importing.datasets import import_dataset
from mobilitas.catalogue.matching.service import enqueue_warming
from mobilitas.catalogue.models import (
    Course,
    CrossEnrolment,
    JointProgramme,
    Pathway,
    PathwayComponent,
    PathwayEnrolment,
)
from mobilitas.catalogue.services import enrolments, pathways, programmes
from mobilitas.catalogue.services.courses import CourseInput, share_course, update_course
from mobilitas.demo.foundation import DEMO_PASSWORD
from mobilitas.institutions.models import Alliance, Institution, Membership, Role

# (shipped source, hosted member's slug, the source's institution to keep when it holds several)
DATASETS = [
    ("aalto", "xamk", None),
    ("fu_berlin", "h-ka", None),
    ("upm", "uniovi", None),
    ("poitiers", "univ-rouen", None),
    ("uvt", "tuiasi", None),
    ("ionian", "uoc", None),
    ("glasgow_deakin", "mtu", "University of Glasgow"),
    ("glasgow_deakin", "his", "Deakin University"),
]
SHARED_PER_MEMBER = 16
STUDENTS_PER_MEMBER = 3


@dataclass
class CatalogueReport:
    courses: int = 0
    shared: int = 0
    pathways: int = 0
    programmes: int = 0
    enrolments: int = 0

    def summary(self) -> str:
        return (
            f"{self.courses} courses ({self.shared} shared), {self.pathways} Pathways, {self.programmes} joint "
            f"programmes, {self.enrolments} cross-enrolments"
        )


def _students(member: Institution) -> list[User]:
    """Fictional students of a member, with a student membership (what cross-enrolment requires)."""
    students = []
    for number in range(1, STUDENTS_PER_MEMBER + 1):
        user, created = User.objects.get_or_create(
            email=f"student{number}@{member.slug}.demo",
            defaults={"full_name": f"Demo Student {number} ({member.city.title() or member.slug})"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, institution=member, role=Role.STUDENT)
        students.append(user)
    return students


def _staff(member: Institution, role: str) -> User:
    """The member's officer or coordinator who acts in the demo's workflows."""
    user, created = User.objects.get_or_create(
        email=f"{role}@{member.slug}.demo",
        defaults={"full_name": f"Demo {role.title()} ({member.city.title() or member.slug})"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, institution=member, role=role)
    return user


def _share(member: Institution, officer: User) -> list[Course]:
    """Share a spread of the member's courses, those that say how many credits they are worth first."""
    courses = list(Course.objects.filter(institution=member).order_by("code"))
    rated = [c for c in courses if c.ects is not None]
    pool = rated if len(rated) >= SHARED_PER_MEMBER else rated + [c for c in courses if c.ects is None]
    step = max(1, len(pool) // SHARED_PER_MEMBER)
    chosen = pool[::step][:SHARED_PER_MEMBER]
    return [course if course.shared else share_course(course, actor=officer) for course in chosen]


def _limit_places(course: Course, places: int, officer: User) -> Course:
    return update_course(course, replace(CourseInput.from_course(course), alliance_places=places), actor=officer)


def _enrolments(shared: dict[str, list[Course]], people: dict[str, dict[str, Any]]) -> int:
    """Cross-enrolments in every state, between a few pairs of members."""
    made = 0
    pairs = [("uniovi", "xamk"), ("h-ka", "uniovi"), ("xamk", "h-ka"), ("tuiasi", "mtu"), ("uoc", "univ-rouen")]
    outcomes = ["recognised", "completed", "accepted", "preapproved", "requested", "refused", "withdrawn"]
    for index, (home_slug, host_slug) in enumerate(pairs):
        home, host = people[home_slug], people[host_slug]
        if not shared.get(host_slug):
            continue
        for number, student in enumerate(home["students"]):
            outcome = outcomes[(index + number * len(pairs)) % len(outcomes)]
            offered = [c for c in shared[host_slug] if c.ects is not None] or shared[host_slug]
            course = offered[(index + number) % len(offered)]
            enrolment = enrolments.request_enrolment(
                course,
                student=student,
                home=home["institution"],
                motivation="Demo request: this course completes my programme.",
            )
            made += 1
            _advance(enrolment, outcome, home, host)
    # A course with one place: the first student is accepted, the second waits.
    full = shared["uniovi"][-1] if shared.get("uniovi") else None
    if full is not None:
        officer = people["uniovi"]["officer"]
        full = _limit_places(full, 1, officer)
        for student in people["xamk"]["students"][:2]:
            enrolment = enrolments.request_enrolment(
                full, student=student, home=people["xamk"]["institution"], motivation="Demo request."
            )
            enrolments.preapprove_recognition(enrolment, actor=people["xamk"]["coordinator"])
            enrolments.accept_enrolment(enrolment, actor=officer)
            made += 1
    return made


def _advance(enrolment: CrossEnrolment, outcome: str, home: dict[str, Any], host: dict[str, Any]) -> None:
    if outcome == "requested":
        return
    if outcome == "withdrawn":
        enrolments.withdraw_enrolment(enrolment, actor=enrolment.student)
        return
    if outcome == "refused":
        enrolments.refuse_enrolment(enrolment, actor=home["coordinator"], reason="Not in the study plan this year.")
        return
    # A course that states no credits counts for what the home coordinator decides.
    credits = None if enrolment.course.ects is not None else Decimal(5)
    enrolments.preapprove_recognition(
        enrolment, actor=home["coordinator"], credits=credits, note="Counts as an elective."
    )
    if outcome == "preapproved":
        return
    enrolment = enrolments.accept_enrolment(enrolment, actor=host["officer"])
    if outcome == "accepted":
        return
    earned = enrolment.course.ects or Decimal(5)
    enrolment = enrolments.record_result(enrolment, actor=host["officer"], grade="B", ects_earned=earned)
    if outcome == "recognised":
        enrolments.confirm_recognition(enrolment, actor=home["coordinator"])


def _pathways(alliance: Alliance, shared: dict[str, list[Course]], people: dict[str, dict[str, Any]]) -> int:
    """A handful of Pathways across members, built from shared courses; one left as a draft."""
    office = User.objects.filter(email="alliance@ingenium.demo").first()
    owner = people["uniovi"]["institution"]
    plans = [
        ("digital-engineering", "Digital engineering across Europe", "Ingeniería digital en Europa",
         [("uniovi", 0), ("h-ka", 0), ("xamk", 0)], True),
        ("data-and-society", "Data and society", "Datos y sociedad", [("xamk", 3), ("h-ka", 2), ("uniovi", 3)], True),
        ("european-cultures", "European languages and cultures", "Lenguas y culturas europeas",
         [("univ-rouen", 0), ("tuiasi", 0), ("uoc", 0)], True),
        ("sustainable-technology", "Sustainable technology", "Tecnología sostenible",
         [("h-ka", 5), ("uniovi", 5), ("xamk", 7)], True),
        ("health-informatics", "Health informatics (in preparation)", "Informática de la salud",
         [("uoc", 2), ("xamk", 9)], False),
    ]  # fmt: skip
    made = 0
    for slug, title_en, title_es, picks, publish in plans:
        components: list[pathways.ComponentInput] = []
        for member, index in picks:
            courses = [c for c in shared.get(member, []) if c.ects is not None]
            if courses:
                # Each component builds on the one before it.
                before = [len(components) - 1] if components else []
                components.append(pathways.ComponentInput(course=courses[index % len(courses)], prerequisites=before))
        if len({c.course.institution_id for c in components if c.course}) < 2:
            continue
        pathway = pathways.create_pathway(
            alliance,
            owner,
            pathways.PathwayInput(
                titles={"en": title_en, "es": title_es},
                slug=slug,
                descriptions={
                    "en": f"A Pathway of the INGENIUM alliance: {title_en.lower()}, taken at several members."
                },
                places=20,
                components=components,
            ),
            actor=office,
        )
        made += 1
        if publish:
            pathways.publish_pathway(pathway, actor=office)
    _pathway_enrolments(alliance, people, office)
    return made


def _pathway_enrolments(alliance: Alliance, people: dict[str, dict[str, Any]], office: User | None) -> None:
    """Applications in every state on the first Pathway: waiting, refused, half-way, completed."""
    pathway = Pathway.objects.filter(alliance=alliance, slug="digital-engineering").first()
    if pathway is None:
        return
    components = list(PathwayComponent.objects.filter(pathway=pathway).order_by("position"))
    # (applicant's member, decision, how many components passed)
    plan = [("tuiasi", None, 0), ("uoc", True, len(components)), ("mtu", False, 0), ("his", True, 1)]
    for slug, decision, passed in plan:
        student, home = people[slug]["students"][-1], people[slug]["institution"]
        enrolment = pathways.apply_to_pathway(pathway, student=student, home=home, motivation="Demo application.")
        if decision is None:
            continue
        enrolment = pathways.decide_application(enrolment, actor=office, accept=decision, note="Demo decision.")
        for component in components[:passed]:
            pathways.record_component_progress(enrolment, component, actor=office, status="passed", grade="A")


def _programmes(home: Institution, alliance: Alliance, people: dict[str, dict[str, Any]]) -> int:
    """The home university's double licence with Cardiff and Erasmus Mundus master, and an INGENIUM master."""
    officer = User.objects.filter(email="officer@upjv.demo").first()
    by_code = {i.erasmus_code: i for i in Institution.objects.filter(
        erasmus_code__in=["I  BOLOGNA01", "P  LISBOA109", "B  LEUVEN01"]
    )}  # fmt: skip
    cardiff = Institution.objects.filter(schac_code="cardiff.ac.uk").first()
    made = 0
    if cardiff is not None:
        licence = programmes.create_programme(
            home,
            programmes.ProgrammeInput(
                kind=JointProgramme.Kind.DOUBLE,
                titles={
                    "fr": "Double licence Droit français – droit anglais",
                    "en": "Double degree in French and English law",
                },
                partners=[cardiff],
                degree="Licence en droit / LLB Law and French Law",
                eqf_level=6,
                ects=Decimal(240),
                semesters=8,
                languages=["fr", "en"],
                windows=[programmes.WindowInput(s, home if s <= 4 else cardiff) for s in range(1, 9)],
            ),
            actor=officer,
        )
        made += 1
        home_students = list(User.objects.filter(memberships__institution=home, memberships__role=Role.STUDENT)[:1])
        for student in home_students:
            programmes.add_cohort_member(licence, student=student, home=home, intake_year="2025/2026", actor=officer)
    partners = [by_code[c] for c in ("I  BOLOGNA01", "P  LISBOA109", "B  LEUVEN01") if c in by_code]
    if len(partners) >= 2:
        hosts = [home, *partners]
        programmes.create_programme(
            home,
            programmes.ProgrammeInput(
                kind=JointProgramme.Kind.JOINT,
                titles={
                    "en": "Erasmus Mundus Joint Master in Cultural Heritage",
                    "fr": "Master conjoint Erasmus Mundus en patrimoine culturel",
                },
                partners=partners,
                degree="Joint master's degree",
                eqf_level=7,
                ects=Decimal(120),
                semesters=4,
                languages=["en", "fr"],
                erasmus_mundus=True,
                windows=[programmes.WindowInput(s, hosts[(s - 1) % len(hosts)]) for s in range(1, 5)],
            ),
            actor=officer,
        )
        made += 1
    oviedo, karlsruhe, iasi = (people[s]["institution"] for s in ("uniovi", "h-ka", "tuiasi"))
    master = programmes.create_programme(
        oviedo,
        programmes.ProgrammeInput(
            kind=JointProgramme.Kind.MULTIPLE,
            titles={"en": "INGENIUM Master in Digital Engineering", "es": "Máster INGENIUM en Ingeniería Digital"},
            partners=[karlsruhe, iasi],
            alliance=alliance,
            degree="Master of Science (multiple degree)",
            eqf_level=7,
            ects=Decimal(120),
            semesters=4,
            languages=["en"],
            windows=[
                programmes.WindowInput(1, oviedo),
                programmes.WindowInput(2, karlsruhe),
                programmes.WindowInput(3, iasi, mode="blended"),
                programmes.WindowInput(4, oviedo, note="Master's thesis at any member"),
            ],
        ),
        actor=people["uniovi"]["officer"],
    )
    for slug in ("uniovi", "h-ka", "tuiasi"):
        programmes.add_cohort_member(
            master,
            student=people[slug]["students"][0],
            home=people[slug]["institution"],
            intake_year="2026/2027",
            actor=people["uniovi"]["officer"],
        )
    return made + 1


@transaction.atomic
def load_catalogue(home: Institution, alliance: Alliance) -> CatalogueReport:
    """Courses at the members (updated in place), then Pathways, programmes and enrolments made afresh."""
    report = CatalogueReport()
    members = {i.slug: i for i in alliance.members.filter(hosted=True)}
    CrossEnrolment.objects.filter(home__in=members.values()).delete()
    PathwayEnrolment.objects.filter(pathway__alliance=alliance).delete()
    Pathway.objects.filter(alliance=alliance).delete()
    JointProgramme.objects.filter(institution__in=[home, *members.values()]).delete()
    people: dict[str, dict[str, Any]] = {
        slug: {
            "institution": member,
            "students": _students(member),
            "officer": _staff(member, Role.OFFICER),
            "coordinator": _staff(member, Role.COORDINATOR),
        }
        for slug, member in members.items()
    }
    shared: dict[str, list[Course]] = {}
    for source, slug, only in DATASETS:
        member = members.get(slug)
        if member is None:
            continue
        officer = people[slug]["officer"]
        import_dataset(source, member, actor=officer, only=only, create_units=True)
        shared[slug] = _share(member, officer)
    report.courses = Course.objects.filter(institution__in=members.values()).count()
    report.shared = Course.objects.filter(institution__in=members.values(), shared=True).count()
    report.enrolments = _enrolments(shared, people)
    report.pathways = _pathways(alliance, shared, people)
    report.programmes = _programmes(home, alliance, people)
    # Meaning-based matching needs each course's embedding: the background worker computes them after commit.
    for member in members.values():
        enqueue_warming(member)
    return report
