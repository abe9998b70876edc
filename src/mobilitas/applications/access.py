"""Who sees which calls, applications, uploads and offers ("missing" and "not yours" both answer 404).

Officers and admins manage the calls of their institution and read every application; leadership reads them.
Coordinators read and score the submitted applications of their faculties (their unit and its sub-units).
Students and staff see the published calls and only their own applications and offers.
"""

from uuid import UUID

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from mobilitas.applications.models import Application, Call, Offer, Upload
from mobilitas.institutions.access import MANAGERS, has_role
from mobilitas.institutions.models import Role
from mobilitas.institutions.requests import InstitutionRequest

CALL_MANAGERS = MANAGERS
# Who reads every application of the institution.
APPLICATION_READERS = frozenset({*MANAGERS, Role.LEADERSHIP})
REVIEWERS = frozenset({Role.COORDINATOR})
APPLICANTS = frozenset({Role.STUDENT, Role.STAFF})


def can_manage_calls(request: InstitutionRequest) -> bool:
    return has_role(request, *CALL_MANAGERS)


def reviewer_units(request: InstitutionRequest) -> list[int]:
    """The units whose applications the user reviews as a coordinator (sub-units are matched by the queries)."""
    return [m.ounit_id for m in request.memberships if m.role == Role.COORDINATOR and m.ounit_id]


def calls_for(request: InstitutionRequest) -> QuerySet[Call]:
    """Every call of the institution for its staff; the published ones (open, closed or decided) for others."""
    calls = Call.objects.filter(institution=request.institution)
    if has_role(request, *APPLICATION_READERS, *REVIEWERS):
        return calls
    return calls.exclude(status=Call.Status.DRAFT)


def get_call_for(request: InstitutionRequest, public_id: UUID) -> Call:
    return get_object_or_404(calls_for(request), public_id=public_id)


def applications_for(request: InstitutionRequest) -> QuerySet[Application]:
    """Officers, admins, leadership: all; coordinators: the submitted ones of their faculties; others: their own."""
    applications = Application.objects.filter(institution=request.institution)
    if has_role(request, *APPLICATION_READERS):
        return applications
    mine = Q(student=request.user)
    units = reviewer_units(request)
    if units:
        reviewed = Q(ounit__in=units) | Q(ounit__parent__in=units)
        return applications.filter(mine | (reviewed & ~Q(status=Application.Status.DRAFT)))
    return applications.filter(mine)


def get_application_for(request: InstitutionRequest, public_id: UUID) -> Application:
    queryset = applications_for(request).select_related("call", "student", "ounit")
    return get_object_or_404(queryset, public_id=public_id)


def own_application_for(request: InstitutionRequest, public_id: UUID) -> Application:
    """One of the user's own applications: the only ones a user may edit, submit, withdraw or answer."""
    queryset = Application.objects.filter(institution=request.institution, student=request.user)
    return get_object_or_404(queryset.select_related("call", "ounit"), public_id=public_id)


def get_upload_for(request: InstitutionRequest, public_id: UUID) -> Upload:
    return get_object_or_404(
        Upload.objects.filter(application__in=applications_for(request)).select_related("application"),
        public_id=public_id,
    )


def get_offer_for(request: InstitutionRequest, public_id: UUID) -> Offer:
    """An offer the user may read: their own, or any of the institution's for the readers of applications."""
    offers = Offer.objects.filter(institution=request.institution)
    if not has_role(request, *APPLICATION_READERS):
        offers = offers.filter(application__student=request.user)
    return get_object_or_404(
        offers.select_related("application__call", "destination__partner", "run"), public_id=public_id
    )
