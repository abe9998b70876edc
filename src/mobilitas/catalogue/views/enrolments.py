"""Pages of cross-enrolment: a student asks for a shared course, the list of each side, the detail with its steps.

Enrolments are loaded only through `catalogue.access`: an institution that takes no part in an enrolment (neither
the student's home nor the course's host) gets 404, and a student sees only their own. Who may take a step is
decided by the services; the detail page offers only the steps open to the user in the current status.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mobilitas.catalogue.access import courses_for, enrolments_for, get_course_for, get_enrolment_for
from mobilitas.catalogue.forms.enrolments import (
    SIDE_INCOMING,
    SIDE_LABELS,
    SIDE_MINE,
    SIDE_OUTGOING,
    EnrolmentFilterForm,
    EnrolmentRequestForm,
    PreapproveForm,
    RefuseForm,
    ResultForm,
)
from mobilitas.catalogue.models import Course, CrossEnrolment
from mobilitas.catalogue.services import enrolments as services
from mobilitas.institutions.access import MANAGERS, has_role, require_roles
from mobilitas.institutions.models import Role
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib.errors import DomainError
from mobilitas.lib.htmx import render_page_or_partial, wants_partial

PER_PAGE = 25
Status = CrossEnrolment.Status
STEP_NAMES = ("preapprove", "refuse", "accept", "withdraw", "result", "recognise")
# Those waiting for this side's decision come first, in this order.
WAITING_FIRST: dict[str, tuple[Q, ...]] = {
    SIDE_OUTGOING: (Q(status=Status.REQUESTED), Q(status=Status.COMPLETED, ects_earned__gt=0)),
    SIDE_INCOMING: (Q(status=Status.PREAPPROVED), Q(status=Status.WAITLISTED), Q(status=Status.ACCEPTED)),
    SIDE_MINE: (),
}
# Who reads more than their own enrolments (mirrors catalogue.access.enrolments_for).
STAFF = frozenset({*MANAGERS, Role.COORDINATOR, Role.ALLIANCE_OFFICE})


def _detail(enrolment: CrossEnrolment, slug: str, anchor: str = "") -> HttpResponse:
    url = reverse("catalogue-enrolment", args=[slug, enrolment.public_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


# Asking for a shared course


def _current_request(request: InstitutionRequest, course: Course) -> CrossEnrolment | None:
    mine = enrolments_for(request).filter(student=request.user, course=course)
    return mine.exclude(status__in=[Status.WITHDRAWN, Status.REFUSED]).first()


@require_http_methods(["GET", "HEAD", "POST"])
@require_roles(Role.STUDENT)
def request_enrolment(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    course = get_course_for(request, public_id)
    context: dict[str, Any] = {"course": course}
    problem = services.request_problem(course, student=request.user, home=request.institution)
    if problem is not None:
        context.update(problem=problem.message, existing=_current_request(request, course))
        return render(request, "catalogue/enrolment_request.html", context, status=problem.status)
    if request.method != "POST":
        context["form"] = EnrolmentRequestForm()
        return render(request, "catalogue/enrolment_request.html", context)
    form = EnrolmentRequestForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return render(request, "catalogue/enrolment_request.html", context, status=400)
    try:
        enrolment = services.request_enrolment(
            course, student=request.user, home=request.institution, motivation=form.cleaned_data["motivation"]
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return render(request, "catalogue/enrolment_request.html", context, status=error.status)
    messages.success(
        request,
        _("Your request was sent. %(home)s pre-approves the recognition first, then %(host)s decides.")
        % {"home": request.institution.display_name, "host": course.institution.display_name},
    )
    return _detail(enrolment, institution_slug)


# The list


def _sides(request: InstitutionRequest) -> list[str]:
    """The lists this user can choose from."""
    sides = [SIDE_OUTGOING, SIDE_INCOMING] if has_role(request, *STAFF) else []
    if has_role(request, Role.STUDENT) or not sides:
        sides.append(SIDE_MINE)
    return sides


def _waiting(side: str) -> Q:
    waiting = Q(pk__in=[])
    for condition in WAITING_FIRST[side]:
        waiting |= condition
    return waiting


def _default_side(request: InstitutionRequest, sides: list[str]) -> str:
    """Staff land on the side with something waiting for them (one query), else on the one with anything."""
    if sides[0] == SIDE_MINE:
        return SIDE_MINE
    ours = request.institution
    outgoing, incoming = Q(home=ours), Q(course__institution=ours)
    counts = enrolments_for(request).aggregate(
        out_waiting=Count("pk", filter=outgoing & _waiting(SIDE_OUTGOING)),
        in_waiting=Count("pk", filter=incoming & _waiting(SIDE_INCOMING)),
        out_all=Count("pk", filter=outgoing),
        in_all=Count("pk", filter=incoming),
    )
    if counts["out_waiting"]:
        return SIDE_OUTGOING
    if counts["in_waiting"] or (counts["in_all"] and not counts["out_all"]):
        return SIDE_INCOMING
    return SIDE_OUTGOING


def _on_side(request: InstitutionRequest, side: str) -> QuerySet[CrossEnrolment]:
    enrolments = enrolments_for(request)
    if side == SIDE_OUTGOING:
        enrolments = enrolments.filter(home=request.institution)
    elif side == SIDE_INCOMING:
        enrolments = enrolments.filter(course__institution=request.institution)
    else:
        enrolments = enrolments.filter(student=request.user)
    waiting = WAITING_FIRST[side]
    rank = Case(
        *[When(condition, then=Value(i)) for i, condition in enumerate(waiting)],
        default=Value(len(waiting)),
        output_field=IntegerField(),
    )
    return enrolments.annotate(rank=rank).order_by("rank", "-created_at", "-pk")


@require_safe
def enrolment_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    sides = _sides(request)
    data = request.GET.copy()
    if not data.get("side"):
        data["side"] = _default_side(request, sides)
    form = EnrolmentFilterForm(data, sides=sides)
    list_url = reverse("catalogue-enrolments", args=[institution_slug])
    context: dict[str, Any] = {"form": form, "list_url": list_url, "show_side": len(sides) > 1}
    status = 200
    if form.is_valid():
        side = form.cleaned_data["side"]
        found = _on_side(request, side).select_related("student", "home", "course__institution", "recognised_as")
        if form.cleaned_data["status"]:
            found = found.filter(status=form.cleaned_data["status"])
        page_obj = Paginator(found, PER_PAGE).get_page(form.cleaned_data["page"])
        # rank: the annotation of _on_side, below the number of waiting conditions when waiting for this side
        rows = [(e, e.rank < len(WAITING_FIRST[side])) for e in page_obj]  # type: ignore[attr-defined]
        context.update(side=side, page_obj=page_obj, rows=rows, side_label=SIDE_LABELS[side])
    elif not wants_partial(request):
        status = 400
    return render_page_or_partial(request, "catalogue/enrolment_list.html", "results", context, status=status)


# The detail page


def _home_courses(request: InstitutionRequest) -> QuerySet[Course]:
    """The courses a pre-approval may name: our own."""
    return courses_for(request).filter(institution=request.institution)


def _render_detail(
    request: InstitutionRequest,
    enrolment: CrossEnrolment,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    parts = services.sides(enrolment, request.user, request.roles, request.institution)
    actions = services.allowed_actions(enrolment, parts)
    forms: dict[str, Any] = {
        "preapprove": PreapproveForm(home_courses=_home_courses(request)),
        "refuse": RefuseForm(),
        "result": ResultForm(),
    }
    forms.update(bound or {})
    course = enrolment.course
    context = {
        "enrolment": enrolment,
        "course": course,
        "parts": parts,
        "actions": actions,
        "forms": forms,
        "steps": services.history(enrolment),
        "passed": services.is_passed(enrolment),
        "waiting_position": services.waiting_position(enrolment),
        "places_taken": services.places_taken(course) if "host" in parts else None,
    }
    return render(request, "catalogue/enrolment_detail.html", context, status=status)


@require_safe
def enrolment_detail(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    return _render_detail(request, get_enrolment_for(request, public_id))


# The steps: one POST URL per step name, each calling its service


def _invalid(request: InstitutionRequest, enrolment: CrossEnrolment, name: str, form: Any) -> HttpResponse:
    return _render_detail(request, enrolment, bound={name: form}, status=400)


@require_POST
def enrolment_action(request: InstitutionRequest, institution_slug: str, public_id: UUID, action: str) -> HttpResponse:
    if action not in STEP_NAMES:
        raise Http404
    enrolment = get_enrolment_for(request, public_id)
    user = request.user
    form: Any = None
    try:
        if action == "preapprove":
            form = PreapproveForm(
                request.POST, home_courses=courses_for(request).filter(institution=request.institution)
            )
            if not form.is_valid():
                return _invalid(request, enrolment, action, form)
            services.preapprove_recognition(
                enrolment,
                actor=user,
                recognised_as=form.cleaned_data["recognised_as"],
                credits=form.cleaned_data["credits"],
                note=form.cleaned_data["note"],
            )
            done = _("The recognition is pre-approved. The host decides next.")
        elif action == "refuse":
            form = RefuseForm(request.POST)
            if not form.is_valid():
                return _invalid(request, enrolment, action, form)
            services.refuse_enrolment(enrolment, actor=user, reason=form.cleaned_data["reason"])
            done = _("The request is refused; the student was told why.")
        elif action == "accept":
            accepted = services.accept_enrolment(enrolment, actor=user)
            if accepted.status == Status.WAITLISTED:
                messages.warning(
                    request,
                    _("All the places of this course are taken: the student is on the waiting list and gets the "
                      "next free place."),
                )  # fmt: skip
                return _detail(enrolment, institution_slug)
            done = _("The student is accepted.")
        elif action == "withdraw":
            services.withdraw_enrolment(enrolment, actor=user)
            done = _("You withdrew from this course.")
        elif action == "result":
            form = ResultForm(request.POST)
            if not form.is_valid():
                return _invalid(request, enrolment, action, form)
            completed = services.record_result(
                enrolment, actor=user, grade=form.cleaned_data["grade"], ects_earned=form.cleaned_data["ects_earned"]
            )
            if services.is_passed(completed):
                done = _("The result is recorded and proposed for recognition at the student's home institution.")
            else:
                done = _("The result is recorded: the course was not passed, there is nothing to recognise.")
        else:
            services.confirm_recognition(enrolment, actor=user)
            done = _("The credits are recognised.")
    except DomainError as error:
        if form is not None and error.field in form.fields:
            form.add_error(error.field, error.message)
            return _invalid(request, enrolment, action, form)
        messages.error(request, error.message)
        return _detail(enrolment, institution_slug, "steps")
    messages.success(request, done)
    return _detail(enrolment, institution_slug)
