"""Allocation and results pages: officers run the allocation and publish a run; applicants read and answer.

Calls, runs and applications are loaded only through `applications.access` (runs through their call); an
applicant reads only her own result and answers only her own offers (404 for anyone else's).
"""

import json
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mobilitas.applications.access import CALL_MANAGERS, get_call_for, get_offer_for, own_application_for
from mobilitas.applications.forms.results import RunForm
from mobilitas.applications.labels import destination_details
from mobilitas.applications.models import AllocationRun, Call, Offer
from mobilitas.applications.services import results as services
from mobilitas.applications.services.review import ranking as review_ranking
from mobilitas.applications.services.review import submitted_of
from mobilitas.institutions.access import require_roles
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib.errors import DomainError
from mobilitas.lib.text import fold


def _allocation_url(slug: str, call: Call) -> str:
    return reverse("applications-allocation", args=[slug, call.public_id])


def _render_allocation(
    request: InstitutionRequest, call: Call, *, form: RunForm | None = None, status: int = 200
) -> HttpResponse:
    _scored, unscored = review_ranking(submitted_of(call), call)
    context: dict[str, Any] = {
        "call": call,
        "runs": call.runs.select_related("run_by").order_by("-created_at", "-pk"),
        "problem": services.run_problem(call),
        "unscored": [row.application for row in unscored],
        "form": form or RunForm(),
        "published": services.published_run(call),
    }
    return render(request, "applications/allocation_runs.html", context, status=status)


@require_safe
@require_roles(*CALL_MANAGERS)
def allocation(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    return _render_allocation(request, get_call_for(request, public_id))


@require_POST
@require_roles(*CALL_MANAGERS)
def run(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    call = get_call_for(request, public_id)
    form = RunForm(request.POST)
    if not form.is_valid():
        return _render_allocation(request, call, form=form, status=400)
    try:
        done = services.run_allocation(call, actor=request.user, seed=form.cleaned_data["seed"])
    except DomainError as error:
        if error.field in form.fields:
            form.add_error(error.field, error.message)
            return _render_allocation(request, call, form=form, status=400)
        messages.error(request, error.message)
        return redirect(_allocation_url(institution_slug, call))
    messages.success(request, _("The allocation ran with seed %(seed)s.") % {"seed": done.seed})
    return redirect(reverse("applications-run", args=[institution_slug, call.public_id, done.public_id]))


@require_safe
@require_roles(*CALL_MANAGERS)
def input_json(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    """The current input of the allocation, for `mobilitas allocate` (a Conflict names unscored applications)."""
    call = get_call_for(request, public_id)
    data = services.allocation_input(call)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="allocation-{call.public_id}.json"'
    return response


def _label(name: str, details: str) -> str:
    return f"{name} — {details}" if details else name


def _get_run(call: Call, run_id: UUID) -> AllocationRun:
    return get_object_or_404(call.runs.select_related("run_by", "call"), public_id=run_id)


def _query(request: InstitutionRequest, **changes: str) -> str:
    """The page's query string with `changes` ("" removes a parameter), "?..." or ""."""
    params = {key: request.GET.get(key, "") for key in ("all", "q")}
    params.update(changes)
    query = urlencode({key: value for key, value in params.items() if value})
    return f"?{query}" if query else ""


@require_safe
@require_roles(*CALL_MANAGERS)
def run_detail(request: InstitutionRequest, institution_slug: str, public_id: UUID, run_id: UUID) -> HttpResponse:
    """One run, compact: the figures, one table row per destination that admitted or wait-listed someone (all of
    them with ?all=1), the unplaced with their explanation, and everyone's explanation (searched by name with ?q=)."""
    call = get_call_for(request, public_id)
    the_run = _get_run(call, run_id)
    summary = services.run_summary(the_run)
    offers: list[Offer] = []
    counts = None
    if the_run.published_at is not None:
        offers = list(
            the_run.offers.select_related("application__student", "destination__partner").order_by(
                "destination__position", "destination_id", "created_at", "pk"
            )
        )
        counts = services.offer_counts(the_run)
    show_all = request.GET.get("all") == "1"
    busy = [item for item in summary.destinations if item.admitted or item.waiting]
    details = {item.destination.pk: destination_details(item.destination) for item in summary.destinations}
    rows = [(item, details[item.destination.pk]) for item in (summary.destinations if show_all else busy)]
    # The offers name their destination like the table does, so that two of one partner are told apart.
    labels = {item.destination.pk: _label(item.name, details[item.destination.pk]) for item in summary.destinations}
    offer_rows = [(offer, labels.get(offer.destination_id, str(offer.destination))) for offer in offers]
    search = request.GET.get("q", "").strip()
    explanations = summary.explanations
    if search:
        folded = fold(search)
        explanations = [entry for entry in explanations if folded in fold(entry[0].name)]
    context = {
        "call": call,
        "run": the_run,
        "summary": summary,
        "can_publish": call.results_published_at is None and the_run.published_at is None,
        "offers": offer_rows,
        "counts": counts,
        "rows": rows,
        "show_all": show_all,
        "quiet": len(summary.destinations) - len(busy),
        "show_all_query": _query(request, all="1"),
        "hide_quiet_query": _query(request, all=""),
        "unplaced": [(person, summary.explanation_of.get(person.applicant_id, "")) for person in summary.unplaced],
        "search": search,
        "explanations": explanations,
        "clear_search_query": _query(request, q=""),
    }
    return render(request, "applications/run_detail.html", context)


@require_POST
@require_roles(*CALL_MANAGERS)
def publish(request: InstitutionRequest, institution_slug: str, public_id: UUID, run_id: UUID) -> HttpResponse:
    call = get_call_for(request, public_id)
    the_run = _get_run(call, run_id)
    url = reverse("applications-run", args=[institution_slug, call.public_id, the_run.public_id])
    try:
        services.publish_results(the_run, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(url)
    messages.success(request, _("The results are published: every applicant gets an e-mail with her result."))
    return redirect(url)


# The applicant


@require_safe
def result(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    application = own_application_for(request, public_id)
    context = {
        "application": application,
        "call": application.call,
        "result": services.result_for(application),
        "names": services.destination_names(application.call),
        "now": timezone.now(),
    }
    return render(request, "applications/result_detail.html", context)


def _answer(request: InstitutionRequest, institution_slug: str, public_id: UUID, *, accept: bool) -> HttpResponse:
    offer = get_offer_for(request, public_id)
    url = reverse("applications-result", args=[institution_slug, offer.application.public_id])
    try:
        if accept:
            services.accept_offer(offer, actor=request.user)
        else:
            services.decline_offer(offer, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(url)
    place = str(offer.destination)
    if accept:
        messages.success(request, _("You accepted your place at %(place)s.") % {"place": place})
    else:
        messages.success(request, _("You declined the place at %(place)s.") % {"place": place})
    return redirect(url)


@require_POST
def accept(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    return _answer(request, institution_slug, public_id, accept=True)


@require_POST
def decline(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    return _answer(request, institution_slug, public_id, accept=False)
