"""Pages of the Pathways: the list, a Pathway, create and edit, apply, a student's enrolment, and the public pages.

Pages under `/<institution_slug>/catalogue/` load Pathways through `catalogue.access`: a Pathway of an alliance
we are not in, or a draft we may not manage, answers 404 like a missing one. Editors (`can_edit_pathway`: the
alliance office at any member, the officers of the managing institution) see drafts, the applications and the
progress of every student; students apply and follow their own progress.

The public pages at `/pathways/<alliance_slug>/` need no login. request.institution is None there: they read
the alliance and its published Pathways explicitly, and show no personal data (no student, no contact person).
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from mobilitas.catalogue.access import (
    ALLIANCE_EDITORS,
    alliance_members,
    can_edit_pathway,
    courses_for,
    get_pathway_for,
    pathway_enrolments_for,
    pathways_for,
    published_pathways,
)
from mobilitas.catalogue.forms.pathways import (
    COMPONENTS_PREFIX,
    MAX_ROWS,
    ApplyForm,
    BaseComponentFormSet,
    ComponentForm,
    ComponentFormSet,
    DecisionForm,
    PathwayForm,
    ProgressForm,
    pathway_input,
    show_problems,
)
from mobilitas.catalogue.models import ComponentProgress, Pathway, PathwayComponent, PathwayEnrolment
from mobilitas.catalogue.services import pathways as services
from mobilitas.institutions.access import MANAGERS, alliances_for, has_role, require_roles
from mobilitas.institutions.models import Alliance, Institution, Role
from mobilitas.institutions.requests import InstitutionRequest, MobilitasRequest
from mobilitas.lib.errors import DomainError

PER_PAGE = 25
CREATORS = frozenset({*MANAGERS, *ALLIANCE_EDITORS})
Status = Pathway.Status
EnrolmentStatus = PathwayEnrolment.Status


def _detail(request: InstitutionRequest, pathway: Pathway, anchor: str = "") -> HttpResponse:
    url = reverse("catalogue-pathway", args=[request.institution.slug, pathway.public_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _components(pathway: Pathway) -> list[PathwayComponent]:
    return list(pathway.components.select_related("institution", "course").prefetch_related("prerequisites"))


@dataclass(frozen=True)
class ComponentRow:
    number: int
    component: PathwayComponent
    prerequisites: list[int]  # the numbers of the components it requires


def component_rows(components: list[PathwayComponent]) -> list[ComponentRow]:
    number_of = {c.pk: n for n, c in enumerate(components, start=1)}
    return [
        ComponentRow(n, c, sorted(number_of[p.pk] for p in c.prerequisites.all() if p.pk in number_of))
        for n, c in enumerate(components, start=1)
    ]


# The list


@require_safe
def pathway_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    pathways = services.with_components(pathways_for(request).select_related("alliance", "owner")).order_by(
        "alliance__name", "slug"
    )
    page_obj = Paginator(pathways, PER_PAGE).get_page(request.GET.get("page"))
    mine = pathway_enrolments_for(request).filter(student=request.user).select_related("pathway")
    context = {
        "page_obj": page_obj,
        "summaries": services.summarise(page_obj),
        "can_create": has_role(request, *CREATORS),
        "editor": has_role(request, *ALLIANCE_EDITORS) or has_role(request, *MANAGERS),
        "my_enrolments": list(mine.order_by("-created_at")),
    }
    return render(request, "catalogue/pathway_list.html", context)


# A Pathway


@dataclass(frozen=True)
class StudentRow:
    enrolment: PathwayEnrolment
    cells: list[ComponentProgress | None]  # per component, in order; None: nothing recorded (planned)


def _student_rows(enrolments: list[PathwayEnrolment], components: list[PathwayComponent]) -> list[StudentRow]:
    rows = []
    for enrolment in enrolments:
        by_component = {p.component_id: p for p in enrolment.progress.all()}
        rows.append(StudentRow(enrolment, [by_component.get(c.pk) for c in components]))
    return rows


def _own_enrolment(request: InstitutionRequest, pathway: Pathway) -> PathwayEnrolment | None:
    return pathway_enrolments_for(request).filter(pathway=pathway, student=request.user).first()


def _render_detail(request: InstitutionRequest, pathway: Pathway, *, status: int = 200) -> HttpResponse:
    components = _components(pathway)
    editor = can_edit_pathway(request, pathway)
    context: dict[str, Any] = {
        "pathway": pathway,
        "rows": component_rows(components),
        "total_ects": services.total_ects(components),
        "institutions": services.institutions_of(components),
        "modes": services.modes_of(components),
        "editor": editor,
        "places_left": services.places_left(pathway),
        "own": _own_enrolment(request, pathway),
        "is_student": has_role(request, Role.STUDENT),
    }
    if editor:
        enrolments = list(
            pathway.enrolments.select_related("student", "home").prefetch_related("progress").order_by("created_at")
        )
        context["applications"] = [e for e in enrolments if e.status == EnrolmentStatus.APPLIED]
        context["decided"] = [e for e in enrolments if e.status in (EnrolmentStatus.REFUSED, EnrolmentStatus.WITHDRAWN)]
        context["students"] = _student_rows([e for e in enrolments if e.status in services.HOLDING_A_PLACE], components)
    return render(request, "catalogue/pathway_detail.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def pathway_detail(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    """The Pathway; a POST publishes or closes it (editors only)."""
    pathway = get_pathway_for(request, public_id)
    if request.method != "POST":
        return _render_detail(request, pathway)
    if not can_edit_pathway(request, pathway):
        raise PermissionDenied
    action = request.POST.get("action")
    try:
        if action == "publish":
            services.publish_pathway(pathway, actor=request.user)
            messages.success(request, _("The Pathway is published: students can apply and its public page is open."))
        elif action == "close":
            services.close_pathway(pathway, actor=request.user)
            messages.success(request, _("The Pathway is closed to new applications."))
        else:
            messages.error(request, _("Choose to publish or to close the Pathway."))
    except DomainError as error:
        messages.error(request, error.message)
    return _detail(request, pathway)


# Create and edit


def _institution_choices(members: QuerySet[Institution]) -> dict[str, Institution]:
    return {str(i.public_id): i for i in members.order_by("country", "name")}


def _formset(
    request: InstitutionRequest,
    members: dict[str, Institution],
    data: QueryDict | None = None,
    initial: list[dict[str, Any]] | None = None,
) -> BaseComponentFormSet:
    return ComponentFormSet(
        data,
        initial=initial,
        prefix=COMPONENTS_PREFIX,
        form_kwargs={"institutions": members, "courses": courses_for(request)},
    )


def _with_more_rows(data: QueryDict, extra: int = 3) -> QueryDict:
    """The submitted rows plus `extra` blank ones: "add rows" works without JavaScript."""
    data = data.copy()
    key = f"{COMPONENTS_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key) or 0)
    except ValueError:
        total = 0
    data[key] = str(min(total + extra, MAX_ROWS))
    return data


def _render_form(
    request: InstitutionRequest,
    pathway: Pathway | None,
    form: PathwayForm,
    formset: BaseComponentFormSet,
    *,
    show_errors: bool = True,
    status: int = 200,
) -> HttpResponse:
    context = {"pathway": pathway, "form": form, "formset": formset, "show_errors": show_errors}
    return render(request, "catalogue/pathway_form.html", context, status=status)


def _edit(
    request: InstitutionRequest,
    pathway: Pathway | None,
    members: dict[str, Institution],
    form_kwargs: dict[str, Any],
    initial: dict[str, Any],
    rows: list[dict[str, Any]],
    existing: list[PathwayComponent],
) -> HttpResponse:
    if request.method != "POST":
        form = PathwayForm(initial=initial, **form_kwargs)
        return _render_form(request, pathway, form, _formset(request, members, initial=rows))
    form = PathwayForm(request.POST, **form_kwargs)
    if "add_rows" in request.POST:
        formset = _formset(request, members, _with_more_rows(request.POST), initial=rows)
        return _render_form(request, pathway, form, formset, show_errors=False)
    formset = _formset(request, members, request.POST, initial=rows)
    if form.is_valid() and formset.is_valid():
        data, filled = pathway_input(form, formset, existing, pathway)
        try:
            if pathway is None:
                saved = services.create_pathway(
                    form.cleaned_data["alliance"], request.institution, data, actor=request.user
                )
            else:
                saved = services.update_pathway(pathway, data, actor=request.user)
        except services.InvalidInput as error:
            show_problems(error.problems, form, formset, filled)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if pathway is None:
                messages.success(request, _("The Pathway was created as a draft. Publish it when it is ready."))
            else:
                messages.success(request, _("The changes were saved."))
            return _detail(request, saved)
    return _render_form(request, pathway, form, formset, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@require_roles(*CREATORS)
def pathway_create(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    alliances = alliances_for(request).order_by("name")
    if not alliances.exists():
        return render(request, "catalogue/pathway_form.html", {"no_alliance": True})
    members = _institution_choices(alliance_members(request))
    return _edit(request, None, members, {"alliances": alliances}, {}, [], [])


@require_http_methods(["GET", "HEAD", "POST"])
def pathway_edit(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    pathway = get_pathway_for(request, public_id)
    if not can_edit_pathway(request, pathway):
        raise PermissionDenied
    members = _institution_choices(Institution.objects.filter(alliance_memberships__alliance=pathway.alliance))
    existing = _components(pathway)
    number_of = {c.pk: n for n, c in enumerate(existing, start=1)}
    rows = [ComponentForm.initial_for(c, number_of) for c in existing]
    return _edit(request, pathway, members, {}, PathwayForm.initial_for(pathway), rows, existing)


# Applying, and a student's enrolment


@require_http_methods(["GET", "HEAD", "POST"])
@require_roles(Role.STUDENT)
def pathway_apply(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    pathway = get_pathway_for(request, public_id)
    own = _own_enrolment(request, pathway)
    if own is not None:
        messages.info(request, _("You have already applied to this Pathway."))
        return redirect("catalogue-pathway-enrolment", institution_slug, own.public_id)
    status = 200
    if request.method == "POST":
        form = ApplyForm(request.POST)
        if form.is_valid():
            try:
                enrolment = services.apply_to_pathway(
                    pathway, student=request.user, home=request.institution, motivation=form.cleaned_data["motivation"]
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your application was sent. You will receive an e-mail with the decision."))
                return redirect("catalogue-pathway-enrolment", institution_slug, enrolment.public_id)
        status = 400
    else:
        form = ApplyForm()
    components = _components(pathway)
    context = {
        "pathway": pathway,
        "form": form,
        "total_ects": services.total_ects(components),
        "institutions": services.institutions_of(components),
        "places_left": services.places_left(pathway),
    }
    return render(request, "catalogue/pathway_apply.html", context, status=status)


@dataclass(frozen=True)
class ProgressRow:
    row: ComponentRow
    progress: ComponentProgress | None
    form: ProgressForm | None


def _render_enrolment(
    request: InstitutionRequest,
    enrolment: PathwayEnrolment,
    *,
    bound: tuple[int, ProgressForm] | None = None,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    pathway = enrolment.pathway
    components = _components(pathway)
    progress = {p.component_id: p for p in enrolment.progress.all()}
    editor = can_edit_pathway(request, pathway)
    recording = editor and enrolment.status == EnrolmentStatus.ACCEPTED
    rows = []
    for row in component_rows(components):
        found = progress.get(row.component.pk)
        form = None
        if recording:
            if bound is not None and bound[0] == row.number:
                form = bound[1]
            else:
                initial = {"status": found.status if found else ComponentProgress.Status.PLANNED}
                form = ProgressForm(initial={**initial, "grade": found.grade if found else ""}, prefix=f"c{row.number}")
        rows.append(ProgressRow(row, found, form))
    passed = [c for c in components if c.pk in progress and progress[c.pk].status == ComponentProgress.Status.PASSED]
    context = {
        "enrolment": enrolment,
        "pathway": pathway,
        "rows": rows,
        "total_ects": services.total_ects(components),
        "passed_ects": services.total_ects(passed),
        "passed": len(passed),
        "editor": editor,
        "decision_form": decision_form or DecisionForm(),
        "is_own": enrolment.student_id == request.user.pk,
    }
    return render(request, "catalogue/pathway_enrolment.html", context, status=status)


def _decide(request: InstitutionRequest, enrolment: PathwayEnrolment) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_enrolment(request, enrolment, decision_form=form, status=400)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.decide_application(enrolment, actor=request.user, accept=accept, note=form.cleaned_data["note"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        name = enrolment.student.get_full_name()
        if accept:
            messages.success(request, _("%(person)s is accepted in the Pathway.") % {"person": name})
        else:
            messages.success(request, _("The application of %(person)s was refused.") % {"person": name})
    if request.POST.get("return_to") == "pathway":
        return _detail(request, enrolment.pathway, "applications")
    return redirect("catalogue-pathway-enrolment", request.institution.slug, enrolment.public_id)


def _record(request: InstitutionRequest, enrolment: PathwayEnrolment) -> HttpResponse:
    try:
        number = int(request.POST.get("component", ""))
    except ValueError:
        number = 0
    components = _components(enrolment.pathway)
    if not 1 <= number <= len(components):
        messages.error(request, _("Choose a component of the Pathway."))
        return redirect("catalogue-pathway-enrolment", request.institution.slug, enrolment.public_id)
    component = components[number - 1]
    form = ProgressForm(request.POST, prefix=f"c{number}")
    if form.is_valid():
        try:
            services.record_component_progress(
                enrolment,
                component,
                actor=request.user,
                status=form.cleaned_data["status"],
                grade=form.cleaned_data["grade"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            enrolment.refresh_from_db()
            if enrolment.status == EnrolmentStatus.COMPLETED:
                messages.success(request, _("Every component is passed: the Pathway is completed."))
            else:
                messages.success(request, _("The progress on “%(component)s” was saved.") % {"component": component})
            url = reverse("catalogue-pathway-enrolment", args=[request.institution.slug, enrolment.public_id])
            return redirect(f"{url}#component-{number}")
    return _render_enrolment(request, enrolment, bound=(number, form), status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def pathway_enrolment(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    """A student's place in a Pathway: their progress. Editors decide the application and record progress here."""
    enrolments = pathway_enrolments_for(request).select_related(
        "pathway__alliance", "pathway__owner", "student", "home"
    )
    enrolment = get_object_or_404(enrolments, public_id=public_id)
    if request.method != "POST":
        return _render_enrolment(request, enrolment)
    if not can_edit_pathway(request, enrolment.pathway):
        raise PermissionDenied
    if request.POST.get("form") == "decision":
        return _decide(request, enrolment)
    return _record(request, enrolment)


# Public pages (no login)


@require_safe
def public_list(request: MobilitasRequest, alliance_slug: str) -> HttpResponse:
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    pathways = services.with_components(published_pathways(alliance).select_related("owner")).order_by("slug")
    context = {"alliance": alliance, "summaries": services.summarise(pathways)}
    return render(request, "catalogue/public_list.html", context)


@require_safe
def public_pathway(request: MobilitasRequest, alliance_slug: str, slug: str) -> HttpResponse:
    alliance = get_object_or_404(Alliance, slug=alliance_slug)
    pathway = get_object_or_404(published_pathways(alliance).select_related("owner", "alliance"), slug=slug)
    components = _components(pathway)
    context = {
        "alliance": alliance,
        "pathway": pathway,
        "rows": component_rows(components),
        "total_ects": services.total_ects(components),
        "institutions": services.institutions_of(components),
        "modes": services.modes_of(components),
    }
    return render(request, "catalogue/public_pathway.html", context)
