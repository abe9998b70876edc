"""Mobilities pages: the nominations to send to each partner (with an XLSX per partner), the list of every
mobility and a mobility's page.

Officers, admins and leadership read them (mobilities.access.READERS); everyone else gets 403, and a mobility of
another institution answers 404 like a missing one. Nominations are made by the services (an accepted place
becomes a Mobility): these pages only read.
"""

from itertools import groupby
from typing import Any, cast
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from mobilitas.applications.models import Call
from mobilitas.institutions.access import require_roles
from mobilitas.institutions.models import Institution
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib.htmx import render_page_or_partial, wants_partial
from mobilitas.mobilities.access import READERS, get_mobility_for, mobilities_for, nominations_for
from mobilitas.mobilities.models import Mobility
from mobilitas.mobilities.spreadsheet import XLSX_TYPE, nominations_filename, write_nominations

PER_PAGE = 50
# What every row of the pages and of the workbook shows, in one query whatever the number of rows.
ROW_RELATIONS = ("person", "home", "host", "agreement")


class NominationFilterForm(forms.Form):
    year = forms.ChoiceField(label=_("Academic year"), required=False)
    kind = forms.ChoiceField(label=_("Call"), required=False, choices=[("", _("All kinds")), *Call.Kind.choices])
    partner = forms.CharField(
        label=_("Partner"),
        required=False,
        max_length=100,
        help_text=_("Name or Erasmus code."),
        widget=forms.TextInput(attrs={"type": "search", "aria-describedby": "id_partner_helptext"}),
    )

    def __init__(self, *args: Any, years: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["year"])
        field.choices = [("", _("All years")), *((year, year) for year in years)]

    def filter(self, mobilities: QuerySet[Mobility]) -> QuerySet[Mobility]:
        data = self.cleaned_data
        if data.get("year"):
            mobilities = mobilities.filter(academic_year=data["year"])
        if data.get("kind"):
            mobilities = mobilities.filter(offer__application__call__kind=data["kind"])
        if words := (data.get("partner") or "").strip():
            # Every word in the partner's names, city or codes, accents and case aside (the directory's search).
            mobilities = mobilities.filter(host__in=Institution.objects.search(words, max_words=10))
        return mobilities


class MobilityFilterForm(NominationFilterForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Mobility.Status.choices]
    )
    q = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def filter(self, mobilities: QuerySet[Mobility]) -> QuerySet[Mobility]:
        mobilities = super().filter(mobilities)
        if self.cleaned_data.get("status"):
            mobilities = mobilities.filter(status=self.cleaned_data["status"])
        if words := (self.cleaned_data.get("q") or "").strip():
            mobilities = mobilities.filter(Q(person__full_name__icontains=words) | Q(person__email__icontains=words))
        return mobilities


def _years(mobilities: QuerySet[Mobility]) -> list[str]:
    """The academic years these mobilities span, the latest first (one query)."""
    return list(mobilities.order_by("-academic_year").values_list("academic_year", flat=True).distinct())


def _errors_response(form: forms.Form) -> HttpResponse:
    errors = [f"{form.fields[name].label}: {' '.join(str(m) for m in msgs)}" for name, msgs in form.errors.items()]
    return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")


@require_safe
@require_roles(*READERS)
def nominations(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    """The nominated mobilities grouped by partner, each group with its count and its workbook."""
    found = nominations_for(request)
    form = NominationFilterForm(request.GET, years=_years(found))
    list_url = reverse("mobilities-nominations", args=[institution_slug])
    context: dict[str, Any] = {"form": form, "list_url": list_url}
    status = 200
    if form.is_valid():
        rows = (
            form.filter(found)
            .select_related(*ROW_RELATIONS)
            .order_by("host__name", "host_id", "academic_year", "person__full_name", "pk")
        )
        # The workbook links carry the filters that choose its rows (not the partner search).
        query = urlencode({name: form.cleaned_data[name] for name in ("year", "kind") if form.cleaned_data[name]})
        groups = []
        for host, group in groupby(rows, key=lambda m: m.host):
            mobilities = list(group)
            xlsx_url = reverse("mobilities-nominations-xlsx", args=[institution_slug, host.public_id])
            if query:
                xlsx_url = f"{xlsx_url}?{query}"
            groups.append(
                {
                    "partner": host,
                    "mobilities": mobilities,
                    "count": len(mobilities),
                    "xlsx_url": xlsx_url,
                }
            )
        context.update(groups=groups, total=sum(g["count"] for g in groups))
    elif not wants_partial(request):
        status = 400
    return render_page_or_partial(request, "mobilities/nominations.html", "results", context, status=status)


@require_safe
@require_roles(*READERS)
def nominations_xlsx(request: InstitutionRequest, institution_slug: str, partner_id: UUID) -> HttpResponse:
    """The nominations to one partner as a workbook, with the page's year and call kind filters."""
    to_partner = nominations_for(request).filter(host__public_id=partner_id)
    form = NominationFilterForm(request.GET, years=_years(to_partner))
    if not form.is_valid():
        return _errors_response(form)
    rows = list(
        form.filter(to_partner).select_related(*ROW_RELATIONS).order_by("academic_year", "person__full_name", "pk")
    )
    if not rows and not to_partner.exists():
        raise Http404
    partner = rows[0].host if rows else to_partner.select_related("host")[0].host
    years = [form.cleaned_data["year"]] if form.cleaned_data["year"] else [m.academic_year for m in rows]
    response = HttpResponse(write_nominations(rows), content_type=XLSX_TYPE)
    if disposition := content_disposition_header(True, nominations_filename(partner, years)):
        response["Content-Disposition"] = disposition
    return response


@require_safe
@require_roles(*READERS)
def mobility_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    mobilities = mobilities_for(request)
    form = MobilityFilterForm(request.GET, years=_years(mobilities))
    list_url = reverse("mobilities-list", args=[institution_slug])
    context: dict[str, Any] = {"form": form, "list_url": list_url}
    status = 200
    if form.is_valid():
        found = (
            form.filter(mobilities)
            .select_related(*ROW_RELATIONS)
            .order_by("-academic_year", "host__name", "person__full_name", "pk")
        )
        context["page_obj"] = Paginator(found, PER_PAGE).get_page(form.cleaned_data["page"])
    elif not wants_partial(request):
        status = 400
    return render_page_or_partial(request, "mobilities/mobility_list.html", "results", context, status=status)


@require_safe
@require_roles(*READERS)
def mobility_detail(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    mobility = get_mobility_for(request, public_id)
    offer = mobility.offer
    context = {
        "mobility": mobility,
        "offer": offer,
        "application": offer.application if offer else None,
        "call": offer.application.call if offer else None,
        "destination": offer.destination if offer else None,
    }
    return render(request, "mobilities/mobility_detail.html", context)
