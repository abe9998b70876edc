from django.core.paginator import Paginator
from django.http import HttpResponse

from mobilitas.audit.forms import ActivityFilterForm
from mobilitas.institutions.access import READERS_OF_ACTIVITY, require_roles
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib.htmx import render_page_or_partial

PAGE_SIZE = 50


@require_roles(*READERS_OF_ACTIVITY)
def activity(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    """The institution's audit trail, newest first, filtered through a GET form; HTMX gets the results only."""
    events = request.institution.audit_events.all()
    actions = list(events.order_by("action").values_list("action", flat=True).distinct())
    form = ActivityFilterForm(request.GET, actions=actions)
    page = None
    if form.is_valid():
        events = form.filter(events).select_related("actor").order_by("-created_at", "-id")
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        for event in page:
            event.details = sorted(event.data.items()) if isinstance(event.data, dict) else []  # type: ignore[attr-defined]
    return render_page_or_partial(request, "audit/activity.html", "results", {"form": form, "page": page})
