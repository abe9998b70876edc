from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from mobilitas.home.dashboards import Dashboard
from mobilitas.institutions.requests import AuthenticatedRequest, InstitutionRequest


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
        return render(request, "home/no_membership.html")
    return render(request, "home/choose.html", {"choices": list(choices.values())})


@login_required
def institution_home(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    """The home page of request.institution: the sections of each of the user's roles there."""
    dashboard = Dashboard(request)
    return render(request, "home/institution.html", {"sections": dashboard.sections()})
