from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


@login_required
def index(request: HttpRequest) -> HttpResponse:
    memberships = list(request.user.memberships.filter(institution__hosted=True).select_related("institution"))
    slugs = {m.institution.slug for m in memberships}
    if len(slugs) == 1:
        return redirect("home-institution", slugs.pop())
    return render(request, "home/choose.html", {"memberships": memberships})


@login_required
def institution_home(request: HttpRequest, institution_slug: str) -> HttpResponse:
    return render(request, "home/institution.html", {})
