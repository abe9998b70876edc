"""Public pages (no login): the calls a hosted institution has open or about to open, for prospective applicants.

Only published calls whose deadline has not passed are shown, with their destinations and documents; nothing
about applicants. An unknown slug, or an institution not hosted here, answers 404; so does a draft call.
"""

from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from mobilitas.applications.models import Call
from mobilitas.institutions.models import Institution
from mobilitas.institutions.requests import MobilitasRequest


def _institution(slug: str) -> Institution:
    return get_object_or_404(Institution, slug=slug, hosted=True)


def _public_calls(institution: Institution) -> QuerySet[Call]:
    """The institution's published calls not closed yet (open now, or opening later)."""
    return institution.calls.filter(status=Call.Status.PUBLISHED, closes_at__gt=timezone.now())


@require_safe
def open_calls(request: MobilitasRequest, slug: str) -> HttpResponse:
    institution = _institution(slug)
    now = timezone.now()
    calls = _public_calls(institution).order_by("closes_at", "title")
    context = {
        "institution": institution,
        "open_calls": list(calls.filter(opens_at__lte=now)),
        "upcoming_calls": list(calls.filter(opens_at__gt=now).order_by("opens_at", "title")),
    }
    return render(request, "applications/public_calls.html", context)


@require_safe
def open_call(request: MobilitasRequest, slug: str, public_id: UUID) -> HttpResponse:
    institution = _institution(slug)
    call = get_object_or_404(_public_calls(institution), public_id=public_id)
    context = {
        "institution": institution,
        "call": call,
        "is_open": call.is_open(),
        "destinations": list(call.destinations.select_related("partner", "ounit")),
        "documents": list(call.required_documents.all()),
        "eligible_units": list(call.eligible_ounits.order_by("name")),
    }
    return render(request, "applications/public_call.html", context)
