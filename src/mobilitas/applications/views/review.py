"""Review pages: coordinators score the motivation of their faculties' applications; officers rank and adjust.

Applications are loaded only through `applications.access` (coordinators read the submitted applications of their
faculties, officers all of them); who may score or adjust is decided again by the services.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mobilitas.applications import scoring
from mobilitas.applications.access import (
    APPLICATION_READERS,
    CALL_MANAGERS,
    REVIEWERS,
    applications_for,
    get_application_for,
    get_call_for,
)
from mobilitas.applications.forms.review import AdjustForm, ScoreForm
from mobilitas.applications.models import Application, Call
from mobilitas.applications.services import review as services
from mobilitas.institutions.access import has_role, require_roles
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib.errors import DomainError
from mobilitas.lib.htmx import render_page_or_partial

SCORERS = (*REVIEWERS, *CALL_MANAGERS)
PER_PAGE = 25


def _save(form: forms.Form, save: Callable[[dict[str, Any]], object]) -> str | None:
    """Hand a valid form's data to `save`; a refusal naming one of the form's fields goes on the form, any other
    refusal is returned for a message."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as error:
            if error.field not in form.fields:
                return error.message
            form.add_error(error.field, error.message)
    return None


def _prefix(application: Application) -> str:
    return f"a{application.public_id.hex}"


def _submitted(request: InstitutionRequest, call: Call) -> Any:
    return applications_for(request).filter(call=call, status=Application.Status.SUBMITTED)


def _render_review(
    request: InstitutionRequest,
    call: Call,
    *,
    bound: dict[int, ScoreForm] | None = None,
    page: Any = None,
    status: int = 200,
) -> HttpResponse:
    """The applications to review, those without a score first, 25 a page (only the unscored with ?unscored=1)."""
    bound = bound or {}
    submitted = _submitted(request, call)
    unscored = submitted.filter(motivation_score__isnull=True).count()
    only_unscored = request.GET.get("unscored") == "1"
    applications = submitted.filter(motivation_score__isnull=True) if only_unscored else submitted
    applications = (
        applications.select_related("student", "ounit", "reviewed_by")
        .annotate(scored=Case(When(motivation_score__isnull=True, then=Value(0)), default=Value(1)))
        .order_by("scored", "student__full_name", "pk")
    )
    page_obj = Paginator(applications, PER_PAGE).get_page(page or request.GET.get("page"))
    rows = []
    for application in page_obj:
        form = bound.get(application.pk) or ScoreForm(
            prefix=_prefix(application),
            initial={"motivation_score": application.motivation_score, "comment": application.review_comment},
        )
        rows.append((application, form))
    context = {
        "call": call,
        "rows": rows,
        "page_obj": page_obj,
        "total": page_obj.paginator.count if not only_unscored else submitted.count(),
        "unscored": unscored,
        "only_unscored": only_unscored,
        "list_url": reverse("applications-review", args=[call.institution.slug, call.public_id]),
        "open_for_review": call.results_published_at is None,
        "can_rank": has_role(request, *APPLICATION_READERS),
    }
    return render_page_or_partial(request, "applications/review_list.html", "results", context, status=status)


@require_safe
@require_roles(*SCORERS)
def review_list(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    return _render_review(request, get_call_for(request, public_id))


@require_POST
@require_roles(*SCORERS)
def score(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    application = get_application_for(request, public_id)
    call = application.call
    form = ScoreForm(request.POST, prefix=_prefix(application))
    refusal = _save(
        form,
        lambda data: services.score_application(
            application, actor=request.user, motivation_score=data["motivation_score"], comment=data["comment"]
        ),
    )
    if refusal:
        messages.error(request, refusal)
        return redirect(reverse("applications-review", args=[institution_slug, call.public_id]))
    if not form.is_valid():
        return _render_review(request, call, bound={application.pk: form}, page=request.POST.get("page"), status=400)
    messages.success(
        request, _("The score of %(student)s is saved.") % {"student": application.student.get_full_name()}
    )
    # Back to the same page: the next applications without a score have moved up to it.
    url = reverse("applications-review", args=[institution_slug, call.public_id])
    query = urlencode({key: request.POST[key] for key in ("page", "unscored") if request.POST.get(key)})
    return redirect(f"{url}?{query}#{_prefix(application)}" if query else f"{url}#{_prefix(application)}")


def _weights_line(call: Call) -> list[str]:
    """ "Grade average: 50", ... for the criteria that count, then the inclusion policy when the call has one."""
    weights = {
        scoring.GRADES: call.weight_grades,
        scoring.LANGUAGE: call.weight_language,
        scoring.MOTIVATION: call.weight_motivation,
        scoring.FEWER_OPPORTUNITIES: call.weight_fewer_opportunities,
    }
    parts = [
        _("%(criterion)s: %(weight)s") % {"criterion": scoring.LABELS[key], "weight": floatformat(weight, "-2")}
        for key, weight in weights.items()
        if weight > 0
    ]
    if call.inclusion_bonus:
        parts.append(
            _("score bonus for fewer opportunities: +%(bonus)s") % {"bonus": floatformat(call.inclusion_bonus, "-2")}
        )
    if call.inclusion_reserved_share:
        parts.append(
            _("places reserved for fewer opportunities: %(percent)s %%")
            % {"percent": floatformat(call.inclusion_reserved_share * 100, "-2")}
        )
    return parts


def _render_ranking(
    request: InstitutionRequest, call: Call, *, bound: dict[int, AdjustForm] | None = None, status: int = 200
) -> HttpResponse:
    bound = bound or {}
    scored, unscored = services.ranking(_submitted(request, call), call)
    can_adjust = has_role(request, *CALL_MANAGERS) and call.results_published_at is None
    forms = {}
    if can_adjust:
        for row in scored + unscored:
            application = row.application
            forms[application.pk] = bound.get(application.pk) or AdjustForm(
                prefix=_prefix(application),
                initial={"adjustment": application.adjustment, "reason": application.adjustment_reason},
            )
    context = {
        "call": call,
        "scored": [(row, forms.get(row.application.pk)) for row in scored],
        "unscored": [(row, forms.get(row.application.pk)) for row in unscored],
        "can_adjust": can_adjust,
        "criteria": scored[0].criteria if scored else (unscored[0].criteria if unscored else []),
        "weights": _weights_line(call),
    }
    return render(request, "applications/ranking.html", context, status=status)


@require_safe
@require_roles(*APPLICATION_READERS)
def ranking(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    return _render_ranking(request, get_call_for(request, public_id))


@require_POST
@require_roles(*CALL_MANAGERS)
def adjust(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    application = get_application_for(request, public_id)
    call = application.call
    form = AdjustForm(request.POST, prefix=_prefix(application))
    refusal = _save(
        form,
        lambda data: services.adjust_score(
            application, actor=request.user, adjustment=data["adjustment"], reason=data["reason"]
        ),
    )
    if refusal:
        messages.error(request, refusal)
        return redirect(reverse("applications-ranking", args=[institution_slug, call.public_id]))
    if not form.is_valid():
        return _render_ranking(request, call, bound={application.pk: form}, status=400)
    messages.success(
        request, _("The score of %(student)s is adjusted.") % {"student": application.student.get_full_name()}
    )
    url = reverse("applications-ranking", args=[institution_slug, call.public_id])
    return redirect(f"{url}#{_prefix(application)}")
