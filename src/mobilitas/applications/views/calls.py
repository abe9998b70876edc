"""Pages of calls: the list (staff: every call with its applications; students: what they can apply to), a call
with its destinations and documents, and the pages officers use to create, edit, fill, publish and close calls.

Calls are loaded only through `applications.access` (another institution's answer 404, a draft is missing for
students and staff members). Only officers and admins change a call (403 for the others); the rules of each
step are the services' (`services.calls`).
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mobilitas.applications.access import (
    APPLICANTS,
    APPLICATION_READERS,
    CALL_MANAGERS,
    REVIEWERS,
    applications_for,
    calls_for,
    can_manage_calls,
    get_call_for,
)
from mobilitas.applications.forms.calls import AddDestinationForm, CallFilterForm, CallForm, DestinationForm
from mobilitas.applications.models import Application, Call, CallDestination
from mobilitas.applications.services import calls as services
from mobilitas.applications.services import results
from mobilitas.institutions.access import has_role, require_roles
from mobilitas.institutions.models import Role
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib.errors import DomainError

Status = Call.Status
STAFF_KINDS = (Call.Kind.STAFF_TEACHING, Call.Kind.STAFF_TRAINING)
# Who reads every call of the institution, drafts included (mirrors access.calls_for).
CALL_READERS = frozenset({*APPLICATION_READERS, *REVIEWERS})


def _detail(request: InstitutionRequest, call: Call, anchor: str = "") -> HttpResponse:
    url = reverse("applications-call", args=[request.institution.slug, call.public_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _require_manager(request: InstitutionRequest) -> None:
    if not can_manage_calls(request):
        raise PermissionDenied


# The list


def _staff_calls(request: InstitutionRequest, form: CallFilterForm) -> QuerySet[Call] | None:
    if not form.is_valid():
        return None
    calls = calls_for(request).annotate(
        drafts=Count("applications", filter=Q(applications__status=Application.Status.DRAFT), distinct=True),
        submitted=Count("applications", filter=Q(applications__status=Application.Status.SUBMITTED), distinct=True),
        destination_count=Count("destinations", distinct=True),
    )
    if form.cleaned_data["year"]:
        calls = calls.filter(academic_year=form.cleaned_data["year"])
    if form.cleaned_data["status"]:
        calls = calls.filter(status=form.cleaned_data["status"])
    return calls.order_by("-academic_year", "-closes_at", "title")


def _kinds_for(request: InstitutionRequest) -> Q:
    """Students see the student calls, staff members the staff calls (both, when they are both)."""
    kinds = Q(pk__in=[])
    if has_role(request, Role.STUDENT):
        kinds |= ~Q(kind__in=STAFF_KINDS)
    if has_role(request, Role.STAFF):
        kinds |= Q(kind__in=STAFF_KINDS)
    return kinds


def _applicant_sections(request: InstitutionRequest) -> dict[str, Any]:
    now = timezone.now()
    calls = (
        calls_for(request)
        .exclude(status=Status.DRAFT)
        .filter(_kinds_for(request))
        .prefetch_related("eligible_ounits")
        .order_by("closes_at", "title")
    )
    mine = {a.call_id: a for a in applications_for(request).filter(student=request.user)}
    published = calls.filter(status=Status.PUBLISHED)
    return {
        "open_calls": [(c, mine.get(c.pk)) for c in published.filter(opens_at__lte=now, closes_at__gt=now)],
        "upcoming_calls": [(c, mine.get(c.pk)) for c in published.filter(opens_at__gt=now)],
        "closed_calls": [(c, mine.get(c.pk)) for c in calls.filter(closes_at__lte=now).order_by("-closes_at")[:50]],
    }


@require_safe
def call_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    context: dict[str, Any] = {
        "is_staff_reader": has_role(request, *CALL_READERS),
        "is_applicant": has_role(request, *APPLICANTS),
        "can_manage": can_manage_calls(request),
        "list_url": reverse("applications-calls", args=[institution_slug]),
    }
    status = 200
    if context["is_staff_reader"]:
        form = CallFilterForm(request.GET, calls=calls_for(request))
        context["filter_form"] = form
        context["staff_calls"] = _staff_calls(request, form)
        if context["staff_calls"] is None:
            status = 400
    if context["is_applicant"]:
        context.update(_applicant_sections(request))
    return render(request, "applications/call_list.html", context, status=status)


# The detail page


def _actions(request: InstitutionRequest, call: Call) -> dict[str, bool]:
    manager = can_manage_calls(request)
    editable = call.status in services.EDITABLE
    return {
        "edit": manager and editable,
        "destinations": manager and editable,
        "publish": manager and call.status == Status.DRAFT,
        "close": manager and call.status in (Status.PUBLISHED, Status.RESULTS_PUBLISHED),
    }


def _applications_box(request: InstitutionRequest, call: Call) -> dict[str, Any] | None:
    """What staff read of the call's applications: counts (readers of every application also see the drafts, the
    withdrawn and, once the results are out, the offers by status) and the links to the selection pages."""
    if call.status == Status.DRAFT or not has_role(request, *CALL_READERS):
        return None
    reads_all = has_role(request, *APPLICATION_READERS)
    mine = applications_for(request).filter(call=call)
    if not reads_all:
        mine = mine.exclude(student=request.user)
    submitted = Q(status=Application.Status.SUBMITTED)
    counts = mine.aggregate(
        submitted=Count("pk", filter=submitted),
        drafts=Count("pk", filter=Q(status=Application.Status.DRAFT)),
        withdrawn=Count("pk", filter=Q(status=Application.Status.WITHDRAWN)),
        unscored=Count("pk", filter=submitted & Q(motivation_score__isnull=True)),
    )
    offers = None
    if reads_all and call.results_published_at is not None:
        run = results.published_run(call)
        offers = results.offer_counts(run) if run is not None else None
    return {
        **counts,
        "reads_all": reads_all,
        "offers": offers,
        "review": has_role(request, *REVIEWERS, *CALL_MANAGERS),
        "ranking": reads_all,
        "allocation": can_manage_calls(request),
    }


@require_safe
def call_detail(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    call = get_call_for(request, public_id)
    destinations = list(call.destinations.select_related("partner", "ounit", "agreement"))
    application = applications_for(request).filter(student=request.user, call=call).first()
    context = {
        "call": call,
        "destinations": destinations,
        "total_places": sum(d.places for d in destinations),
        "documents": list(call.required_documents.all()),
        "eligible_units": list(call.eligible_ounits.order_by("name")),
        "actions": _actions(request, call),
        "is_staff_reader": has_role(request, *CALL_READERS),
        "is_applicant": has_role(request, *APPLICANTS),
        "is_open": call.is_open(),
        "application": application,
        "weights": [(services.label_of(name), getattr(call, name)) for name in services.WEIGHTS],
        "reserved_percent": int(call.inclusion_reserved_share * 100),
        "box": _applications_box(request, call),
    }
    return render(request, "applications/call_detail.html", context)


# Create and edit


def _render_form(request: InstitutionRequest, call: Call | None, form: CallForm, *, status: int = 200) -> HttpResponse:
    return render(request, "applications/call_form.html", {"call": call, "form": form}, status=status)


def _save(request: InstitutionRequest, call: Call | None) -> HttpResponse:
    form = CallForm(request.POST, institution=request.institution)
    if form.is_valid():
        try:
            if call is None:
                saved = services.create_call(request.institution, actor=request.user, **form.call_fields())
            else:
                saved = services.update_call(call, actor=request.user, **form.call_fields())
        except services.InvalidCall as error:
            for problem in error.problems:
                form.show_problem(problem.place, problem.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The call was saved."))
            return _detail(request, saved)
    return _render_form(request, call, form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@require_roles(*CALL_MANAGERS)
def call_create(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    return _render_form(request, None, CallForm(institution=request.institution))


@require_http_methods(["GET", "HEAD", "POST"])
def call_edit(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    call = get_call_for(request, public_id)
    _require_manager(request)
    if call.status not in services.EDITABLE:
        messages.error(request, _("The results of this call are published: it can no longer be changed."))
        return _detail(request, call)
    if request.method == "POST":
        return _save(request, call)
    return _render_form(request, call, CallForm(initial=CallForm.initial_for(call), institution=request.institution))


# Destinations


def _render_destinations(
    request: InstitutionRequest,
    call: Call,
    *,
    bound: DestinationForm | None = None,
    add_form: AddDestinationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    destinations = list(
        call.destinations.select_related("partner", "ounit", "agreement").annotate(chosen=Count("choices"))
    )
    rows = [
        (d, bound if bound is not None and bound.destination.pk == d.pk else DestinationForm(destination=d))
        for d in destinations
    ]
    partners = {d.partner_id: d.partner for d in destinations if d.partner_id}
    for agreement in request.institution.agreements.select_related("partner").order_by("partner__name")[:500]:
        partners.setdefault(agreement.partner_id, agreement.partner)
    context = {
        "call": call,
        "rows": rows,
        "editable": call.status in services.EDITABLE and can_manage_calls(request),
        "add_form": add_form or AddDestinationForm(institution=request.institution),
        "partners": sorted(partners.values(), key=lambda p: p.display_name),
        "total_places": sum(d.places for d in destinations),
    }
    return render(request, "applications/call_destinations.html", context, status=status)


def _destination(call: Call, value: str) -> CallDestination | None:
    try:
        public_id = UUID(value)
    except ValueError:
        return None
    return call.destinations.select_related("partner", "agreement").filter(public_id=public_id).first()


def _sync(request: InstitutionRequest, call: Call) -> None:
    report = services.sync_destinations_report(call, actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s destination added from the agreements.",
            "%(count)s destinations added from the agreements.",
            report.added,
        )
        % {"count": report.added}
        + " "
        + ngettext(
            "%(count)s updated from its agreement.", "%(count)s updated from their agreements.", report.refreshed
        )
        % {"count": report.refreshed},
    )
    if report.removed:
        messages.warning(
            request,
            _("No longer in the approved agreements for %(year)s, so removed: %(names)s.")
            % {"year": call.academic_year, "names": "; ".join(report.removed)},
        )
    if report.kept:
        messages.warning(
            request,
            _("No longer in the approved agreements for %(year)s, but kept because applications chose them: "
              "%(names)s. Check them with the partners.")
            % {"year": call.academic_year, "names": "; ".join(report.kept)},
        )  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
def call_destinations(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    call = get_call_for(request, public_id)
    if request.method != "POST":
        if not has_role(request, *CALL_READERS):
            raise PermissionDenied
        return _render_destinations(request, call)
    _require_manager(request)
    action = request.POST.get("action", "")
    url = reverse("applications-call-destinations", args=[institution_slug, call.public_id])
    try:
        if action == "sync":
            _sync(request, call)
        elif action == "add":
            form = AddDestinationForm(request.POST, institution=request.institution)
            if not form.is_valid():
                return _render_destinations(request, call, add_form=form, status=400)
            data = form.cleaned_data
            try:
                added = services.add_destination(call, actor=request.user, **data)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                return _render_destinations(request, call, add_form=form, status=error.status)
            messages.success(request, _("%(partner)s was added.") % {"partner": added.partner.display_name})
        elif action in ("update", "remove"):
            destination = _destination(call, request.POST.get("destination", ""))
            if destination is None:
                messages.error(request, _("This destination is no longer in the call."))
            elif action == "remove":
                services.remove_destination(destination, actor=request.user)
                messages.success(request, _("%(partner)s was removed.") % {"partner": destination.partner.display_name})
            else:
                row = DestinationForm(request.POST, destination=destination)
                if not row.is_valid():
                    return _render_destinations(request, call, bound=row, status=400)
                try:
                    services.update_destination(destination, actor=request.user, **row.cleaned_data)
                except DomainError as error:
                    row.add_error(error.field if error.field in row.fields else None, error.message)
                    return _render_destinations(request, call, bound=row, status=error.status)
                messages.success(request, _("%(partner)s was saved.") % {"partner": destination.partner.display_name})
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(url)


# Publish and close


@require_POST
def call_publish(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    call = get_call_for(request, public_id)
    _require_manager(request)
    try:
        services.publish_call(call, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The call is published: students see it, and it opens on its date."))
    return _detail(request, call)


@require_POST
def call_close(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    call = get_call_for(request, public_id)
    _require_manager(request)
    try:
        services.close_call(call, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The call is closed."))
    return _detail(request, call)
