"""Review of the submitted applications: coordinators score the motivation, officers adjust the score with a reason.

Both steps are open until the results of the call are published. Coordinators score the applications of their
faculties (their unit and its sub-units, as `access.applications_for` reads them); officers and admins may score
any. Only officers and admins adjust, between -20 and +20, always with a reason the audit trail keeps.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mobilitas import audit
from mobilitas.applications.models import Application, Call
from mobilitas.applications.scoring import CENT, Criterion, breakdown, score_from
from mobilitas.institutions.models import Membership, Role
from mobilitas.lib.errors import Conflict, DomainError, NotAllowed

MANAGER_ROLES = frozenset({Role.OFFICER, Role.ADMIN})
MAX_SCORE = Decimal(20)
MAX_ADJUSTMENT = Decimal(20)


def _memberships(actor: Any, application: Application) -> QuerySet[Membership]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.filter(user=actor, institution_id=application.institution_id, user__is_active=True)


def is_manager(actor: Any, application: Application) -> bool:
    return _memberships(actor, application).filter(role__in=MANAGER_ROLES).exists()


def can_score(actor: Any, application: Application) -> bool:
    """Officers and admins; coordinators of the application's faculty (or of the unit above it)."""
    memberships = _memberships(actor, application)
    if memberships.filter(role__in=MANAGER_ROLES).exists():
        return True
    if application.ounit_id is None:
        return False
    units = Q(ounit_id=application.ounit_id)
    if application.ounit is not None and application.ounit.parent_id:
        units |= Q(ounit_id=application.ounit.parent_id)
    return memberships.filter(units, role=Role.COORDINATOR).exists()


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "student", "ounit")
        .get(pk=application.pk)
    )


def _expect_open_for_review(application: Application) -> None:
    if application.status != Application.Status.SUBMITTED:
        raise Conflict(
            _("This application is “%(status)s”: only submitted applications are reviewed.")
            % {"status": application.get_status_display()}
        )
    if application.call.results_published_at is not None:
        raise Conflict(_("The results of this call are published: the scores cannot change any more."))


def _decimal(value: Any, field: str, message: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError(message, field=field) from None
    if not number.is_finite():
        raise DomainError(message, field=field)
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def score_application(
    application: Application, *, actor: Any, motivation_score: Decimal | str | int, comment: str = ""
) -> Application:
    """The coordinator's motivation score (0 to 20) and comment."""
    application = _lock(application)
    if not can_score(actor, application):
        raise NotAllowed(_("Only a coordinator of the applicant's faculty or an officer can score this application."))
    _expect_open_for_review(application)
    message = _("Give the motivation score as a number from 0 to 20.")
    score = _decimal(motivation_score, "motivation_score", message)
    if not Decimal(0) <= score <= MAX_SCORE:
        raise DomainError(message, field="motivation_score")
    comment = (comment or "").strip()
    old = application.motivation_score
    application.motivation_score = score
    application.review_comment = comment
    application.reviewed_by = actor
    application.reviewed_at = timezone.now()
    application.save(update_fields=["motivation_score", "review_comment", "reviewed_by", "reviewed_at", "updated_at"])
    audit.record(
        "applications.application_scored",
        actor=actor,
        institution=application.institution,
        obj=application,
        data={"old": None if old is None else str(old), "new": str(score), "comment": comment},
    )
    return application


@transaction.atomic
def adjust_score(application: Application, *, actor: Any, adjustment: Decimal | str | int, reason: str) -> Application:
    """The officer's adjustment (-20 to +20, added to the score), with the reason, kept in the audit trail."""
    application = _lock(application)
    if not is_manager(actor, application):
        raise NotAllowed(_("Only an officer can adjust a score."))
    _expect_open_for_review(application)
    message = _("Give the adjustment as a number from -20 to +20.")
    value = _decimal(adjustment, "adjustment", message)
    if not -MAX_ADJUSTMENT <= value <= MAX_ADJUSTMENT:
        raise DomainError(message, field="adjustment")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the score is adjusted: the reason is kept with the change."), field="reason")
    if len(reason) > 300:
        raise DomainError(_("The reason can be at most 300 characters long."), field="reason")
    old, old_reason = application.adjustment, application.adjustment_reason
    application.adjustment = value
    application.adjustment_reason = reason
    application.adjusted_by = actor
    application.save(update_fields=["adjustment", "adjustment_reason", "adjusted_by", "updated_at"])
    audit.record(
        "applications.score_adjusted",
        actor=actor,
        institution=application.institution,
        obj=application,
        data={"old": str(old), "new": str(value), "reason": reason, "old_reason": old_reason},
    )
    return application


# What the pages read


@dataclass(frozen=True)
class Ranked:
    application: Application
    criteria: list[Criterion]
    score: Decimal | None
    rank: int | None  # 1 for the best score; equal scores share a rank


def submitted_of(call: Call) -> QuerySet[Application]:
    return call.applications.filter(status=Application.Status.SUBMITTED)


def ranking(applications: QuerySet[Application], call: Call) -> tuple[list[Ranked], list[Ranked]]:
    """(the scored applications, best first; those not scored yet, by name), each with its breakdown."""
    scored: list[tuple[Application, list[Criterion], Decimal]] = []
    unscored: list[tuple[Application, list[Criterion], None]] = []
    for application in applications.select_related("student", "ounit", "reviewed_by", "adjusted_by"):
        criteria = breakdown(application, call)
        score = score_from(criteria, Decimal(application.adjustment or 0))
        if score is None:
            unscored.append((application, criteria, None))
        else:
            scored.append((application, criteria, score))
    scored.sort(key=lambda row: (-row[2], row[0].student.get_full_name().casefold()))
    unscored.sort(key=lambda row: row[0].student.get_full_name().casefold())
    ranked: list[Ranked] = []
    previous: Decimal | None = None
    rank = 0
    for position, (application, criteria, score) in enumerate(scored, start=1):
        if score != previous:
            rank, previous = position, score
        ranked.append(Ranked(application, criteria, score, rank))
    return ranked, [Ranked(application, criteria, None, None) for application, criteria, _score in unscored]
