"""Pages of the institutions app: the partner directory, an institution's page, the organisation, an alliance.

Every view here sits under `/<institution_slug>/`, so the middleware has already answered 404 to anyone who is
not a member of request.institution and sent anonymous visitors to the login page.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mobilitas.institutions.access import (
    MANAGERS,
    alliances_for,
    get_alliance_for,
    get_contact_for,
    get_partner,
    has_role,
    require_roles,
)
from mobilitas.institutions.facts import institution_facts
from mobilitas.institutions.forms import ContactForm, DirectoryForm
from mobilitas.institutions.models import Institution, OrganisationalUnit, Role
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.institutions.services import add_contact, delete_contact
from mobilitas.institutions.unit_tree import unit_tree
from mobilitas.lib.htmx import render_page_or_partial, wants_partial

PER_PAGE = 25


@require_safe
def directory(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    today = timezone.localdate()
    countries = list(Institution.objects.order_by().values_list("country", flat=True).distinct())
    form = DirectoryForm(request.GET, countries=countries, alliances=list(alliances_for(request).order_by("name")))
    context: dict[str, Any] = {
        "form": form,
        "today": today,
        "directory_url": reverse("institutions-directory", args=[institution_slug]),
    }
    status = 200
    if form.is_valid():
        paginator = Paginator(form.filter(Institution.objects.all(), today), PER_PAGE)
        context["page_obj"] = paginator.get_page(form.cleaned_data["page"])
    elif not wants_partial(request):
        # HTMX 2 does not swap 4xx answers, so the partial says what is wrong with a 200.
        status = 400
    return render_page_or_partial(request, "institutions/directory.html", "results", context, status=status)


@require_safe
def detail(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    partner = get_partner(public_id)
    return _render_detail(request, partner)


@require_POST
@require_roles(*MANAGERS)
def contact_add(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    partner = get_partner(public_id)
    units = _units_of(partner)
    form = ContactForm(request.POST, partner=partner, units=units)
    if not form.is_valid():
        return _render_detail(request, partner, form=form, units=units)
    contact = add_contact(request.institution, partner, actor=request.user, **form.cleaned_data)
    messages.success(request, _("%(name)s was added to your contacts.") % {"name": contact.name})
    return redirect(reverse("institutions-detail", args=[institution_slug, partner.public_id]) + "#contacts")


@require_POST
@require_roles(*MANAGERS)
def contact_delete(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    # Starting from request.institution makes another institution's contact answer 404, like a missing one.
    contact = get_contact_for(request, public_id)
    partner = contact.partner
    delete_contact(contact, actor=request.user)
    messages.success(request, _("%(name)s was removed from your contacts.") % {"name": contact.name})
    return redirect(reverse("institutions-detail", args=[institution_slug, partner.public_id]) + "#contacts")


@require_safe
def organisation(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    institution = request.institution
    counts = dict(institution.memberships.order_by().values_list("role").annotate(n=Count("id")))
    role_counts = [(label, counts[value]) for value, label in Role.choices if counts.get(value)]
    context = {
        "institution": institution,
        "facts": institution_facts(institution),
        "tree": unit_tree(_units_of(institution)),
        "role_counts": role_counts,
        "alliances": alliances_for(request).select_related("coordinator").order_by("name"),
    }
    return render(request, "institutions/organisation.html", context)


@require_safe
def alliance(request: InstitutionRequest, institution_slug: str, alliance_slug: str) -> HttpResponse:
    alliance = get_alliance_for(request, alliance_slug)
    members = list(
        alliance.memberships.select_related("institution").order_by("institution__country", "institution__name")
    )
    for member in members:
        member.is_coordinator = member.institution_id == alliance.coordinator_id  # type: ignore[attr-defined]
    return render(request, "institutions/alliance.html", {"alliance": alliance, "members": members})


def _render_detail(
    request: InstitutionRequest,
    partner: Institution,
    *,
    form: ContactForm | None = None,
    units: list[OrganisationalUnit] | None = None,
) -> HttpResponse:
    if units is None:
        units = _units_of(partner)
    can_manage = has_role(request, *MANAGERS)
    if can_manage and form is None:
        form = ContactForm(partner=partner, units=units)
    ours = set(alliances_for(request).values_list("pk", flat=True))
    alliances = [(a, a.pk in ours) for a in partner.alliances.order_by("name")]
    contacts = request.institution.contacts.filter(partner=partner).select_related("ounit")
    context = {
        "institution": partner,
        "facts": institution_facts(partner),
        "tree": unit_tree(units),
        "alliances": alliances,
        "contacts": contacts,
        "can_manage": can_manage,
        "form": form,
    }
    return render(request, "institutions/detail.html", context)


def _units_of(institution: Institution) -> list[OrganisationalUnit]:
    # Only hosted institutions maintain units here; a directory entry has none worth a query.
    if not institution.hosted:
        return []
    return list(institution.ounits.all())
