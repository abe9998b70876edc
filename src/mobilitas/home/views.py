from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from mobilitas.applications.models import Call
from mobilitas.home.dashboards import Dashboard
from mobilitas.institutions.models import Institution
from mobilitas.institutions.requests import AuthenticatedRequest, InstitutionRequest


def institutions_with_open_calls() -> list[Institution]:
    """The hosted institutions with at least one call open now (their public pages list them, without a login)."""
    now = timezone.now()
    hosted = Institution.objects.filter(
        hosted=True, calls__status=Call.Status.PUBLISHED, calls__opens_at__lte=now, calls__closes_at__gt=now
    )
    return list(hosted.distinct().order_by("name", "pk"))


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    """Send the user to their institution's home, or let them choose one, or say whom to ask for access."""
    memberships = (
        request.user.memberships.filter(institution__hosted=True)
        .select_related("institution", "ounit")
        .order_by("institution__name", "institution_id", "role")
    )
    choices: dict[int, dict] = {}
    for membership in memberships:
        entry = choices.setdefault(
            membership.institution_id, {"institution": membership.institution, "memberships": []}
        )
        entry["memberships"].append(membership)
    if len(choices) == 1:
        (entry,) = choices.values()
        return redirect("home-institution", entry["institution"].slug)
    if not choices:
        return render(request, "home/no_membership.html", {"open_calls": institutions_with_open_calls()})
    return render(request, "home/choose.html", {"choices": list(choices.values())})


@login_required
def institution_home(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    """The home page of request.institution: the sections of each of the user's roles there."""
    dashboard = Dashboard(request)
    return render(request, "home/institution.html", {"sections": dashboard.sections()})
