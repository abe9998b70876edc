"""Cross-enrolment in shared courses: a student of one member takes a shared course at another.

    requested --home pre-approves recognition--> preapproved --host accepts--> accepted | waitlisted
    accepted --host records the result--> completed (proposed for recognition at home) --home confirms--> recognised
    requested --home refuses--> refused; preapproved | waitlisted --host refuses--> refused
    requested | preapproved | waitlisted | accepted --the student withdraws--> withdrawn

The home side is the student's institution (its coordinators, officers and admins); the host side is the
course's institution (its officers and admins). When an accepted student withdraws, the first student on the
waiting list (by request time) takes the place. Every step is one transaction with an audit event; e-mails
go out through `catalogue.tasks` once the transaction has committed.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mobilitas import audit
from mobilitas.accounts.models import User
from mobilitas.audit.models import AuditEvent
from mobilitas.catalogue.models import Course, CrossEnrolment
from mobilitas.institutions.models import Alliance, Institution, Membership, Role
from mobilitas.lib.errors import Conflict, DomainError, NotAllowed

Status = CrossEnrolment.Status

HOME_ROLES = frozenset({Role.COORDINATOR, Role.OFFICER, Role.ADMIN})
HOST_ROLES = frozenset({Role.OFFICER, Role.ADMIN})
# Statuses that hold one of the course's places for alliance students.
HOLDS_A_PLACE = frozenset({Status.ACCEPTED, Status.COMPLETED, Status.RECOGNISED})
CAN_WITHDRAW = frozenset({Status.REQUESTED, Status.PREAPPROVED, Status.WAITLISTED, Status.ACCEPTED})
# What each side (and the student) may do in each status: the detail page offers these, the services check them.
ACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Status.REQUESTED: {"home": ("preapprove", "refuse"), "student": ("withdraw",)},
    Status.PREAPPROVED: {"host": ("accept", "refuse"), "student": ("withdraw",)},
    Status.WAITLISTED: {"host": ("accept", "refuse"), "student": ("withdraw",)},
    Status.ACCEPTED: {"host": ("result",), "student": ("withdraw",)},
    Status.COMPLETED: {"home": ("recognise",)},
}
MAX_CREDITS = Decimal("999.9")
TENTH = Decimal("0.1")

# Mail audiences (catalogue.tasks.send_enrolment_mail renders one message per recipient).
STUDENT, HOME, HOST = "student", "home", "host"


def _notify(enrolment: CrossEnrolment, event: str, audiences: list[str]) -> None:
    from mobilitas.catalogue.tasks import send_enrolment_mail  # tasks import this module's constants

    enrolment_id = enrolment.pk
    transaction.on_commit(lambda: send_enrolment_mail.enqueue(enrolment_id, event, audiences))


def _is_member(user: User, institution: Institution, roles: frozenset[str]) -> bool:
    return Membership.objects.filter(user=user, institution=institution, role__in=roles, user__is_active=True).exists()


def _require(user: Any, institution: Institution, roles: frozenset[str], message: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not _is_member(user, institution, roles):
        raise NotAllowed(message)


def _require_home(enrolment: CrossEnrolment, actor: Any) -> None:
    _require(
        actor,
        enrolment.home,
        HOME_ROLES,
        _("Only a coordinator or an officer of %(home)s can do this.") % {"home": enrolment.home.display_name},
    )


def _require_host(enrolment: CrossEnrolment, actor: Any) -> None:
    _require(
        actor,
        enrolment.host,
        HOST_ROLES,
        _("Only an officer of %(host)s can do this.") % {"host": enrolment.host.display_name},
    )


def _require_student(enrolment: CrossEnrolment, actor: Any) -> None:
    if actor is None or actor.pk != enrolment.student_id:
        raise NotAllowed(_("Only the student who asked for this course can do this."))


def _lock(enrolment: CrossEnrolment) -> CrossEnrolment:
    """The enrolment re-read under a row lock (only its own row: of=self), with what the steps read."""
    return (
        CrossEnrolment.objects.select_for_update(of=("self",))
        .select_related("student", "home", "course__institution", "recognised_as")
        .get(pk=enrolment.pk)
    )


def _lock_course(course_id: int) -> Course:
    """Lock the course row: whoever counts its places next waits until this transaction ends."""
    return Course.objects.select_for_update().get(pk=course_id)


def _expect(enrolment: CrossEnrolment, allowed: set[str], step: str) -> None:
    if enrolment.status not in allowed:
        raise Conflict(
            _("This enrolment is “%(status)s”: it cannot be %(step)s now.")
            % {"status": enrolment.get_status_display(), "step": step}
        )


def _credits(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    """A number of ECTS credits with at most one decimal, as the model stores them."""
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Write the credits as a number, like 6 or 7.5."), field=field) from None
    if not number.is_finite():
        raise DomainError(_("Write the credits as a number, like 6 or 7.5."), field=field)
    number = number.quantize(TENTH, rounding=ROUND_HALF_UP)
    if number < 0 or (number == 0 and not allow_zero):
        raise DomainError(_("The credits must be more than zero."), field=field)
    if number > MAX_CREDITS:
        raise DomainError(_("The credits cannot be more than %(max)s.") % {"max": MAX_CREDITS}, field=field)
    return number


def _who(user: Any) -> str:
    return str(user) if user is not None else ""


# The student asks


def share_an_alliance(first: Institution, second: Institution) -> bool:
    return Alliance.objects.filter(members=first).filter(members=second).exists()


def request_problem(course: Course, *, student: User, home: Institution) -> DomainError | None:
    """Why `student` of `home` cannot ask for `course` now, or None: the form page checks it before showing."""
    if course.institution_id == home.pk:
        return DomainError(
            _("“%(course)s” is a course of your own institution: enrol in it through your own registration.")
            % {"course": course.code}
        )
    if not course.shared:
        return DomainError(
            _("“%(course)s” is not shared with the alliance: only shared courses take students of other members.")
            % {"course": course.code}
        )
    if not share_an_alliance(home, course.institution):
        return DomainError(
            _("%(home)s and %(host)s are not members of a common alliance.")
            % {"home": home.display_name, "host": course.institution.display_name}
        )
    if not _is_member(student, home, frozenset({Role.STUDENT})):
        return NotAllowed(_("Only students of %(home)s can ask for a course from here.") % {"home": home.display_name})
    current = CrossEnrolment.objects.filter(student=student, course=course).exclude(
        status__in=[Status.WITHDRAWN, Status.REFUSED]
    )
    if existing := current.first():
        return Conflict(
            _("You have already asked for “%(course)s” (status: %(status)s).")
            % {"course": course.code, "status": existing.get_status_display()}
        )
    return None


@transaction.atomic
def request_enrolment(course: Course, *, student: User, home: Institution, motivation: str) -> CrossEnrolment:
    if problem := request_problem(course, student=student, home=home):
        raise problem
    try:
        with transaction.atomic():  # a savepoint: a concurrent duplicate ends here, not in a broken transaction
            enrolment = CrossEnrolment.objects.create(
                student=student, home=home, course=course, motivation=motivation.strip()
            )
    except IntegrityError:
        raise Conflict(_("You have already asked for “%(course)s”.") % {"course": course.code}) from None
    audit.record(
        "catalogue.enrolment_requested",
        actor=student,
        institution=home,
        obj=enrolment,
        data={"course": course.code, "host": course.institution.name},
    )
    _notify(enrolment, "requested", [HOME])
    return enrolment


# The home institution pre-approves recognition (or refuses)


@transaction.atomic
def preapprove_recognition(
    enrolment: CrossEnrolment,
    *,
    actor: User,
    recognised_as: Course | None = None,
    credits: Decimal | str | None = None,
    note: str = "",
) -> CrossEnrolment:
    """Home says what the course will count as: one of its own courses, and/or a number of credits.

    Credits default to the home course's ECTS when it counts as a home course, else to the shared course's.
    """
    enrolment = _lock(enrolment)
    _require_home(enrolment, actor)
    _expect(enrolment, {Status.REQUESTED}, _("pre-approved"))
    if recognised_as is not None and recognised_as.institution_id != enrolment.home_id:
        raise DomainError(
            _("“%(course)s” is not a course of %(home)s.")
            % {"course": recognised_as.code, "home": enrolment.home.display_name},
            field="recognised_as",
        )
    if credits is not None and str(credits).strip() != "":
        amount: Decimal | None = _credits(credits, "credits")
    else:
        amount = (recognised_as.ects if recognised_as is not None else None) or enrolment.course.ects
    if amount is None:
        raise DomainError(
            _("The course has no ECTS credits stated: say how many credits it will count for."), field="credits"
        )
    enrolment.status = Status.PREAPPROVED
    enrolment.recognised_as = recognised_as
    enrolment.recognised_credits = amount
    enrolment.recognition_note = note.strip()[:300]
    enrolment.save(update_fields=["status", "recognised_as", "recognised_credits", "recognition_note", "updated_at"])
    audit.record(
        "catalogue.enrolment_preapproved",
        actor=actor,
        institution=enrolment.home,
        obj=enrolment,
        data={
            "recognised_as": recognised_as.code if recognised_as else "",
            "credits": str(amount),
            "note": enrolment.recognition_note,
        },
    )
    _notify(enrolment, "preapproved", [STUDENT, HOST])
    return enrolment


@transaction.atomic
def refuse_enrolment(enrolment: CrossEnrolment, *, actor: User, reason: str) -> CrossEnrolment:
    """Home refuses a request it has not pre-approved; the host refuses one waiting for its decision."""
    enrolment = _lock(enrolment)
    _expect(enrolment, {Status.REQUESTED, Status.PREAPPROVED, Status.WAITLISTED}, _("refused"))
    by_home = enrolment.status == Status.REQUESTED
    if by_home:
        _require_home(enrolment, actor)
    else:
        _require_host(enrolment, actor)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the request is refused: the student reads it."), field="reason")
    previous = enrolment.status
    enrolment.status = Status.REFUSED
    enrolment.decision_note = reason[:300]
    enrolment.save(update_fields=["status", "decision_note", "updated_at"])
    audit.record(
        "catalogue.enrolment_refused",
        actor=actor,
        institution=enrolment.home if by_home else enrolment.host,
        obj=enrolment,
        data={"by": HOME if by_home else HOST, "reason": enrolment.decision_note, "from": previous},
    )
    _notify(enrolment, "refused_by_home" if by_home else "refused_by_host", [STUDENT] if by_home else [STUDENT, HOME])
    return enrolment


# The host accepts within capacity, or waiting-lists


def places_taken(course: Course) -> int:
    return CrossEnrolment.objects.filter(course=course, status__in=HOLDS_A_PLACE).count()


def has_a_free_place(course: Course) -> bool:
    return course.alliance_places is None or places_taken(course) < course.alliance_places


def waiting_position(enrolment: CrossEnrolment) -> int | None:
    """1 for the first on the waiting list (by request time); None when not waiting."""
    if enrolment.status != Status.WAITLISTED:
        return None
    ahead = CrossEnrolment.objects.filter(course_id=enrolment.course_id, status=Status.WAITLISTED).filter(
        Q(created_at__lt=enrolment.created_at) | Q(created_at=enrolment.created_at, pk__lt=enrolment.pk)
    )
    return ahead.count() + 1


@transaction.atomic
def accept_enrolment(enrolment: CrossEnrolment, *, actor: User) -> CrossEnrolment:
    """Accepted when a place is free; otherwise on the waiting list (check the status returned)."""
    course = _lock_course(enrolment.course_id)  # the course first, then the enrolment: always in this order
    enrolment = _lock(enrolment)
    _require_host(enrolment, actor)
    _expect(enrolment, {Status.PREAPPROVED, Status.WAITLISTED}, _("accepted"))
    if has_a_free_place(course):
        enrolment.status = Status.ACCEPTED
        event = "accepted"
    elif enrolment.status == Status.WAITLISTED:
        raise Conflict(
            _("All %(places)s places of “%(course)s” are taken: the student stays on the waiting list.")
            % {"places": course.alliance_places, "course": course.code}
        )
    else:
        enrolment.status = Status.WAITLISTED
        event = "waitlisted"
    enrolment.save(update_fields=["status", "updated_at"])
    audit.record(
        f"catalogue.enrolment_{event}",
        actor=actor,
        institution=enrolment.host,
        obj=enrolment,
        data={"places": course.alliance_places, "taken": places_taken(course)},
    )
    _notify(enrolment, event, [STUDENT])
    return enrolment


def _promote_from_waiting_list(course: Course) -> list[CrossEnrolment]:
    """Fill the places now free with the waiting list, first asked first served (the course is locked)."""
    promoted = []
    waiting = (
        CrossEnrolment.objects.select_for_update(of=("self",))
        .filter(course=course, status=Status.WAITLISTED)
        .order_by("created_at", "pk")
    )
    for candidate in waiting:
        if not has_a_free_place(course):
            break
        candidate.status = Status.ACCEPTED
        candidate.save(update_fields=["status", "updated_at"])
        audit.record(
            "catalogue.enrolment_promoted",
            institution=course.institution,
            obj=candidate,
            data={"places": course.alliance_places},
        )
        _notify(candidate, "promoted", [STUDENT])
        promoted.append(candidate)
    return promoted


@transaction.atomic
def withdraw_enrolment(enrolment: CrossEnrolment, *, actor: User) -> CrossEnrolment:
    """The student gives up, any time before the result; a place freed goes to the waiting list."""
    course = _lock_course(enrolment.course_id)
    enrolment = _lock(enrolment)
    _require_student(enrolment, actor)
    _expect(enrolment, set(CAN_WITHDRAW), _("withdrawn"))
    previous = enrolment.status
    enrolment.status = Status.WITHDRAWN
    enrolment.save(update_fields=["status", "updated_at"])
    audit.record(
        "catalogue.enrolment_withdrawn", actor=actor, institution=enrolment.home, obj=enrolment, data={"from": previous}
    )
    # The host hears of it once it has something to do with the request.
    _notify(enrolment, "withdrawn", [HOME] if previous == Status.REQUESTED else [HOME, HOST])
    if previous in HOLDS_A_PLACE:
        _promote_from_waiting_list(course)
    return enrolment


# The result comes back and is proposed for recognition at home


def proposed_credits(enrolment: CrossEnrolment, ects_earned: Decimal) -> Decimal | None:
    """What the result should count for at home: the pre-approved credits for the whole course passed,
    the credits earned (never more than pre-approved) for a part of it, nothing for a fail."""
    if ects_earned <= 0:
        return None
    agreed = enrolment.recognised_credits
    if agreed is None:
        return ects_earned
    whole = enrolment.course.ects
    if whole is None or ects_earned >= whole:
        return agreed
    return min(agreed, ects_earned)


@transaction.atomic
def record_result(enrolment: CrossEnrolment, *, actor: User, grade: str, ects_earned: Decimal | str) -> CrossEnrolment:
    """The host records the grade and the ECTS earned (0: not passed); a pass is proposed for recognition."""
    enrolment = _lock(enrolment)
    _require_host(enrolment, actor)
    _expect(enrolment, {Status.ACCEPTED}, _("given a result"))
    grade = grade.strip()
    if not grade:
        raise DomainError(_("Give the grade as it appears on the transcript."), field="grade")
    if len(grade) > 20:
        raise DomainError(_("The grade can be at most 20 characters long."), field="grade")
    earned = _credits(ects_earned, "ects_earned", allow_zero=True)
    whole = enrolment.course.ects
    if whole is not None and earned > whole:
        raise DomainError(
            _("The course gives %(ects)s ECTS credits: %(earned)s cannot have been earned.")
            % {"ects": whole, "earned": earned},
            field="ects_earned",
        )
    agreed = enrolment.recognised_credits
    proposal = proposed_credits(enrolment, earned)
    enrolment.status = Status.COMPLETED
    enrolment.grade = grade
    enrolment.ects_earned = earned
    if proposal is not None:
        enrolment.recognised_credits = proposal
    enrolment.save(update_fields=["status", "grade", "ects_earned", "recognised_credits", "updated_at"])
    audit.record(
        "catalogue.enrolment_completed",
        actor=actor,
        institution=enrolment.host,
        obj=enrolment,
        data={"grade": grade, "ects_earned": str(earned)},
    )
    if proposal is not None:
        audit.record(
            "catalogue.enrolment_recognition_proposed",
            institution=enrolment.home,
            obj=enrolment,
            data={
                "recognised_as": enrolment.recognised_as.code if enrolment.recognised_as else "",
                "credits": str(proposal),
                "preapproved_credits": str(agreed) if agreed is not None else "",
                "ects_earned": str(earned),
            },
        )
    _notify(enrolment, "completed" if proposal is not None else "failed", [STUDENT, HOME])
    return enrolment


def is_passed(enrolment: CrossEnrolment) -> bool:
    """The rule for recognition: some ECTS earned. 0 ECTS earned means the course was not passed."""
    return enrolment.ects_earned is not None and enrolment.ects_earned > 0


@transaction.atomic
def confirm_recognition(enrolment: CrossEnrolment, *, actor: User) -> CrossEnrolment:
    enrolment = _lock(enrolment)
    _require_home(enrolment, actor)
    _expect(enrolment, {Status.COMPLETED}, _("recognised"))
    if not is_passed(enrolment):
        raise Conflict(
            _("The student did not pass this course (%(earned)s ECTS earned): there is nothing to recognise.")
            % {"earned": enrolment.ects_earned if enrolment.ects_earned is not None else 0}
        )
    credits = enrolment.recognised_credits if enrolment.recognised_credits is not None else enrolment.ects_earned
    enrolment.status = Status.RECOGNISED
    enrolment.recognised_credits = credits
    enrolment.save(update_fields=["status", "recognised_credits", "updated_at"])
    audit.record(
        "catalogue.enrolment_recognised",
        actor=actor,
        institution=enrolment.home,
        obj=enrolment,
        data={
            "credits": str(credits),
            "recognised_as": enrolment.recognised_as.code if enrolment.recognised_as else "",
            "grade": enrolment.grade,
        },
    )
    _notify(enrolment, "recognised", [STUDENT])
    return enrolment


# What the pages read


def sides(enrolment: CrossEnrolment, user: User, roles: frozenset[str], institution: Institution) -> set[str]:
    """The parts `user` plays in `enrolment`, seen from `institution` where they hold `roles`."""
    found = set()
    if enrolment.student_id == user.pk:
        found.add(STUDENT)
    if institution.pk == enrolment.home_id and roles & HOME_ROLES:
        found.add(HOME)
    if institution.pk == enrolment.course.institution_id and roles & HOST_ROLES:
        found.add(HOST)
    return found


def allowed_actions(enrolment: CrossEnrolment, parts: set[str]) -> list[str]:
    """The steps open to someone playing `parts`, in the order the page shows them."""
    by_side = ACTIONS.get(enrolment.status, {})
    actions = [action for part in (HOME, HOST, STUDENT) if part in parts for action in by_side.get(part, ())]
    if "recognise" in actions and not is_passed(enrolment):
        actions.remove("recognise")
    return list(dict.fromkeys(actions))


STEP_LABELS = {
    "catalogue.enrolment_requested": gettext_lazy("Asked for the course"),
    "catalogue.enrolment_preapproved": gettext_lazy("Recognition pre-approved at home"),
    "catalogue.enrolment_refused": gettext_lazy("Refused"),
    "catalogue.enrolment_accepted": gettext_lazy("Accepted by the host"),
    "catalogue.enrolment_waitlisted": gettext_lazy("Put on the waiting list (the course was full)"),
    "catalogue.enrolment_promoted": gettext_lazy("Accepted from the waiting list (a place became free)"),
    "catalogue.enrolment_withdrawn": gettext_lazy("Withdrawn by the student"),
    "catalogue.enrolment_completed": gettext_lazy("Result received"),
    "catalogue.enrolment_recognition_proposed": gettext_lazy("Proposed for recognition at home"),
    "catalogue.enrolment_recognised": gettext_lazy("Recognised at home"),
}


@dataclass(frozen=True)
class Step:
    label: str
    when: datetime
    who: str  # empty: done automatically
    institution: str
    details: dict[str, Any]


def history(enrolment: CrossEnrolment) -> list[Step]:
    """The steps so far, oldest first, from the audit events of both institutions."""
    events = (
        AuditEvent.objects.filter(
            object_type=CrossEnrolment._meta.label_lower,
            object_id=str(enrolment.public_id),
            action__in=list(STEP_LABELS),
        )
        .select_related("actor", "institution")
        .order_by("created_at", "id")
    )
    return [
        Step(
            label=str(STEP_LABELS[event.action]),
            when=event.created_at,
            who=_who(event.actor),
            institution=event.institution.display_name if event.institution else "",
            details=event.data if isinstance(event.data, dict) else {},
        )
        for event in events
    ]
