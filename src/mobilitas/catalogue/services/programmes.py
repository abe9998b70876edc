"""Joint programmes: joint, double or multiple degrees, their mobility windows per semester and their cohort.

The managing institution runs the programme with its partners (and optionally within an alliance). Each
mobility window says where the cohort studies in a semester: at the managing institution or at a partner.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mobilitas import audit
from mobilitas.catalogue.models import CohortMember, JointProgramme, MobilityWindow, Mode
from mobilitas.catalogue.services.pathways import InvalidInput, Problem
from mobilitas.institutions.models import Alliance, Institution, Membership, Role
from mobilitas.lib import academic_years
from mobilitas.lib.errors import Conflict, DomainError, NotAllowed

Kind = JointProgramme.Kind
MAX_SEMESTERS = 12
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass
class WindowInput:
    semester: int
    host: Institution
    mode: str = Mode.PHYSICAL
    note: str = ""


@dataclass
class ProgrammeInput:
    kind: str
    titles: dict[str, str]
    partners: list[Institution] = field(default_factory=list)
    alliance: Alliance | None = None
    degree: str = ""
    eqf_level: int | None = None
    ects: Decimal | None = None
    semesters: int = 4
    languages: list[str] = field(default_factory=list)
    erasmus_mundus: bool = False
    windows: list[WindowInput] = field(default_factory=list)


def _partner_problems(institution: Institution, data: ProgrammeInput) -> list[Problem]:
    problems = []
    partners = {p.pk for p in data.partners}
    if institution.pk in partners:
        problems.append(Problem("partners", _("The managing institution cannot be one of its own partners.")))
        partners.discard(institution.pk)
    if data.kind == Kind.DOUBLE and len(partners) != 1:
        problems.append(
            Problem("partners", _("A double degree is awarded by two institutions: choose exactly one partner."))
        )
    elif data.kind == Kind.MULTIPLE and len(partners) < 2:
        problems.append(
            Problem(
                "partners",
                _("A multiple degree is awarded by three or more institutions: choose two partners or more."),
            )
        )
    elif not partners:
        problems.append(Problem("partners", _("Choose the partner institutions of the programme.")))
    if data.alliance is not None and not data.alliance.memberships.filter(institution=institution).exists():
        problems.append(
            Problem(
                "alliance",
                _("%(institution)s is not a member of %(alliance)s.")
                % {"institution": institution.display_name, "alliance": data.alliance.name},
            )
        )
    return problems


def _window_problems(institution: Institution, data: ProgrammeInput) -> list[Problem]:
    problems = []
    hosts = {institution.pk, *(p.pk for p in data.partners)}
    seen: set[tuple[int, int]] = set()
    for i, window in enumerate(data.windows):
        at = f"windows.{i}"
        if not 1 <= window.semester <= data.semesters:
            problems.append(
                Problem(
                    f"{at}.semester",
                    _("Semester %(semester)s is outside the programme, which lasts %(count)s semesters.")
                    % {"semester": window.semester, "count": data.semesters},
                )
            )
        if window.host.pk not in hosts:
            problems.append(
                Problem(
                    f"{at}.host",
                    _(
                        "Semester %(semester)s: %(host)s is neither the managing institution nor a partner of the "
                        "programme."
                    )
                    % {"semester": window.semester, "host": window.host.display_name},
                )
            )
        elif (window.semester, window.host.pk) in seen:
            problems.append(
                Problem(
                    f"{at}.host",
                    _("Semester %(semester)s at %(host)s is listed twice.")
                    % {"semester": window.semester, "host": window.host.display_name},
                )
            )
        seen.add((window.semester, window.host.pk))
        if window.mode not in Mode.values:
            problems.append(Problem(f"{at}.mode", _("Choose physical, virtual or blended.")))
        if len(window.note) > 300:
            problems.append(Problem(f"{at}.note", _("The note is longer than 300 characters.")))
    return problems


def validate(institution: Institution, data: ProgrammeInput, *, programme: JointProgramme | None = None) -> None:
    """Raise InvalidInput with every problem of `data`, or return."""
    problems = []
    if not any(t.strip() for t in data.titles.values()):
        problems.append(Problem("title", _("Give the programme a title.")))
    if data.kind not in Kind.values:
        problems.append(Problem("kind", _("Choose a joint, double or multiple degree.")))
    if data.eqf_level is not None and not 1 <= data.eqf_level <= 8:
        problems.append(Problem("eqf_level", _("The EQF level must be between 1 and 8.")))
    if data.ects is not None and not 0 < data.ects < 1000:
        problems.append(Problem("ects", _("The ECTS credits must be more than 0 (and under 1,000).")))
    if not 1 <= data.semesters <= MAX_SEMESTERS:
        problems.append(Problem("semesters", _("A programme lasts from 1 to 12 semesters.")))
    elif programme is not None:
        beyond = programme.cohort.filter(current_semester__gt=data.semesters).count()
        if beyond:
            problems.append(
                Problem(
                    "semesters",
                    _("%(count)s students of the cohort are beyond semester %(semesters)s: keep more semesters.")
                    % {"count": beyond, "semesters": data.semesters},
                )
            )
    wrong = [code for code in data.languages if not LANGUAGE_CODE.match(code)]
    if wrong:
        problems.append(
            Problem(
                "languages",
                _("“%(codes)s” are not language codes: write two letters each, like en, fr, de.")
                % {"codes": ", ".join(wrong)},
            )
        )
    problems.extend(_partner_problems(institution, data))
    problems.extend(_window_problems(institution, data))
    if problems:
        raise InvalidInput(problems)


def _clean(data: ProgrammeInput) -> ProgrammeInput:
    titles = {lang: text.strip() for lang, text in data.titles.items() if text and text.strip()}
    languages = list(dict.fromkeys(code.strip().lower() for code in data.languages if code.strip()))
    partners = list({p.pk: p for p in data.partners}.values())
    windows = sorted(data.windows, key=lambda w: w.semester)
    for window in windows:
        window.note = window.note.strip()
    return ProgrammeInput(
        kind=data.kind,
        titles=titles,
        partners=partners,
        alliance=data.alliance,
        degree=data.degree.strip(),
        eqf_level=data.eqf_level,
        ects=data.ects,
        semesters=data.semesters,
        languages=languages,
        erasmus_mundus=data.erasmus_mundus,
        windows=windows,
    )


def _apply(programme: JointProgramme, data: ProgrammeInput) -> None:
    for name in ("kind", "titles", "alliance", "degree", "eqf_level", "ects", "semesters", "languages"):
        setattr(programme, name, getattr(data, name))
    programme.erasmus_mundus = data.erasmus_mundus
    programme.save()
    programme.partners.set(data.partners)
    programme.windows.all().delete()
    MobilityWindow.objects.bulk_create(
        MobilityWindow(programme=programme, semester=w.semester, host=w.host, mode=w.mode, note=w.note)
        for w in data.windows
    )


def _described(data: ProgrammeInput) -> dict[str, Any]:
    return {
        "kind": data.kind,
        "partners": [p.display_name for p in data.partners],
        "semesters": data.semesters,
        "windows": [f"S{w.semester} {w.host.display_name} ({w.mode})" for w in data.windows],
    }


@transaction.atomic
def create_programme(institution: Institution, data: ProgrammeInput, *, actor: Any) -> JointProgramme:
    data = _clean(data)
    validate(institution, data)
    programme = JointProgramme(institution=institution)
    _apply(programme, data)
    audit.record(
        "catalogue.programme_created", actor=actor, institution=institution, obj=programme, data=_described(data)
    )
    return programme


@transaction.atomic
def update_programme(programme: JointProgramme, data: ProgrammeInput, *, actor: Any) -> JointProgramme:
    programme = JointProgramme.objects.select_for_update().select_related("institution").get(pk=programme.pk)
    data = _clean(data)
    validate(programme.institution, data, programme=programme)
    # A partner who leaves cannot keep students in the cohort: they must be moved or removed first.
    stranded = programme.cohort.exclude(home__in=[programme.institution, *data.partners])
    if stranded.exists():
        raise InvalidInput(
            [
                Problem(
                    "partners",
                    _("%(count)s students of the cohort come from a partner you removed: remove them first.")
                    % {"count": stranded.count()},
                )
            ]
        )
    _apply(programme, data)
    audit.record(
        "catalogue.programme_updated",
        actor=actor,
        institution=programme.institution,
        obj=programme,
        data=_described(data),
    )
    return programme


# The cohort


def is_taking_part(programme: JointProgramme, institution: Institution) -> bool:
    return programme.institution_id == institution.pk or programme.partners.filter(pk=institution.pk).exists()


@transaction.atomic
def add_cohort_member(
    programme: JointProgramme,
    *,
    student: Any,
    home: Institution,
    intake_year: str,
    current_semester: int = 1,
    actor: Any,
) -> CohortMember:
    """Add a student of the managing institution or of a partner to the cohort of `intake_year` (2026/2027)."""
    programme = JointProgramme.objects.select_for_update().select_related("institution").get(pk=programme.pk)
    if not is_taking_part(programme, home):
        raise NotAllowed(
            _("Students of %(institution)s cannot join: it is neither the managing institution nor a partner.")
            % {"institution": home.display_name},
            field="home",
        )
    if not Membership.objects.filter(user=student, institution=home, role=Role.STUDENT).exists():
        raise DomainError(
            _("%(person)s is not a student of %(institution)s.")
            % {"person": student.get_full_name(), "institution": home.display_name},
            field="student",
        )
    intake_year = intake_year.strip()
    if not academic_years.is_valid(intake_year):
        raise DomainError(
            _("“%(value)s” is not an academic year: write it like 2026/2027.") % {"value": intake_year},
            field="intake_year",
        )
    if not 1 <= current_semester <= programme.semesters:
        raise DomainError(
            _("The current semester must be between 1 and %(count)s.") % {"count": programme.semesters},
            field="current_semester",
        )
    if programme.cohort.filter(student=student).exists():
        raise Conflict(
            _("%(person)s is already in the cohort of this programme.") % {"person": student.get_full_name()}
        )
    member = CohortMember.objects.create(
        programme=programme, student=student, home=home, intake_year=intake_year, current_semester=current_semester
    )
    audit.record(
        "catalogue.programme_cohort_added",
        actor=actor,
        institution=programme.institution,
        obj=programme,
        data={"student": student.get_full_name(), "home": home.display_name, "intake": intake_year},
    )
    return member


@transaction.atomic
def remove_cohort_member(member: CohortMember, *, actor: Any) -> None:
    programme = member.programme
    data = {"student": member.student.get_full_name(), "intake": member.intake_year}
    member.delete()
    audit.record(
        "catalogue.programme_cohort_removed", actor=actor, institution=programme.institution, obj=programme, data=data
    )


# Reading the mobility plan


def cohort_semester(intake_year: str, day: date) -> int:
    """The semester a cohort that started in `intake_year` is in on `day` (autumn semesters are odd: 1, 3, ...).

    The autumn semester runs from September to January, the spring semester from February to August. Below 1:
    not started yet; above the programme's semesters: finished.
    """
    years = academic_years.parse(academic_years.containing(day)) - academic_years.parse(intake_year)
    autumn = day.month >= 9 or day.month == 1
    return years * 2 + (1 if autumn else 2)
