"""Who sees which agreements. Officers and admins see and edit all of their institution's; coordinators
read those of their own units; leadership reads all. Everything else answers 404 ("missing" and "not yours")."""

from uuid import UUID

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from mobilitas.agreements.models import Agreement, AgreementDocument
from mobilitas.institutions.access import MANAGERS, has_role
from mobilitas.institutions.models import Role
from mobilitas.institutions.requests import InstitutionRequest

READERS = frozenset({*MANAGERS, Role.COORDINATOR, Role.LEADERSHIP})


def can_edit(request: InstitutionRequest) -> bool:
    return has_role(request, *MANAGERS)


def agreements_for(request: InstitutionRequest) -> QuerySet[Agreement]:
    """The agreements the user may read at request.institution (none for students and staff)."""
    agreements = Agreement.objects.filter(institution=request.institution)
    if has_role(request, *MANAGERS, Role.LEADERSHIP):
        return agreements
    units = [m.ounit_id for m in request.memberships if m.role == Role.COORDINATOR and m.ounit_id]
    if units:
        return agreements.filter(Q(ounit__in=units) | Q(ounit__parent__in=units))
    return agreements.none()


def with_conditions(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Everything `snapshot.agreement_to_data` and the pages read, in a fixed number of queries."""
    return agreements.with_conditions()  # type: ignore[attr-defined]


def get_agreement_for(request: InstitutionRequest, public_id: UUID) -> Agreement:
    return get_object_or_404(with_conditions(agreements_for(request)), public_id=public_id)


def get_document_for(request: InstitutionRequest, public_id: UUID) -> AgreementDocument:
    documents = AgreementDocument.objects.filter(agreement__in=agreements_for(request)).select_related("agreement")
    return get_object_or_404(documents, public_id=public_id)
