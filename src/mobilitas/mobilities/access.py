"""Who sees which mobilities. Officers, admins and leadership read every mobility of their institution (the
readers of every application, applications.access.APPLICATION_READERS); everyone else gets 403 on the pages.
A mobility of another institution answers 404 like a missing one."""

from uuid import UUID

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from mobilitas.applications.access import APPLICATION_READERS
from mobilitas.institutions.access import has_role
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.mobilities.models import Mobility

READERS = APPLICATION_READERS


def can_read_mobilities(request: InstitutionRequest) -> bool:
    return has_role(request, *READERS)


def mobilities_for(request: InstitutionRequest) -> QuerySet[Mobility]:
    """The mobilities of request.institution the user may read (none for students, staff and coordinators)."""
    mobilities = Mobility.objects.filter(institution=request.institution)
    if can_read_mobilities(request):
        return mobilities
    return mobilities.none()


def nominations_for(request: InstitutionRequest) -> QuerySet[Mobility]:
    """The nominations to send: outgoing mobilities still in the status `nominated`."""
    return mobilities_for(request).filter(status=Mobility.Status.NOMINATED, direction=Mobility.Direction.OUTGOING)


def get_mobility_for(request: InstitutionRequest, public_id: UUID) -> Mobility:
    mobilities = mobilities_for(request).select_related(
        "person", "home", "host", "agreement", "condition", "offer__application__call", "offer__destination"
    )
    return get_object_or_404(mobilities, public_id=public_id)
