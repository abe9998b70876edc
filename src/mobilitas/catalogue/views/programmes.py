"""Pages of the joint programmes: the list (ours, those we take part in, those of our alliances), a programme
with its partners, its semester-by-semester mobility plan and its cohort, and the pages that manage them.

Programmes are loaded through `catalogue.access` (404 for another institution's). The names of the cohort's
students are shown only to the staff of the institutions taking part (managing or partner); others see counts.
The managing institution's officers, and the alliance office for an alliance's programme, edit a programme and
its cohort (`can_edit_programme`).
"""

from dataclasses import dataclass
from itertools import groupby
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mobilitas.catalogue.access import (
    ALLIANCE_EDITORS,
    COHORT_READERS,
    can_edit_programme,
    get_programme_for,
    programmes_for,
)
from mobilitas.catalogue.forms.programmes import (
    WINDOWS_PREFIX,
    BaseWindowFormSet,
    CohortMemberForm,
    ProgrammeForm,
    WindowForm,
    WindowFormSet,
    programme_input,
    show_problems,
)
from mobilitas.catalogue.models import CohortMember, JointProgramme, MobilityWindow
from mobilitas.catalogue.services import programmes as services
from mobilitas.catalogue.services.pathways import InvalidInput
from mobilitas.catalogue.services.programmes import cohort_semester
from mobilitas.institutions.access import MANAGERS, alliances_for, has_role, require_roles
from mobilitas.institutions.models import Institution
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib import academic_years
from mobilitas.lib.errors import DomainError

PER_PAGE = 25
CREATORS = frozenset({*MANAGERS, *ALLIANCE_EDITORS})
MAX_WINDOW_ROWS = 40


@dataclass(frozen=True)
class ProgrammeRow:
    programme: JointProgramme
    partners: list[Institution]
    our_part: str  # "managing", "partner" or "alliance"


def _our_part(programme: JointProgramme, partners: list[Institution], institution: Institution) -> str:
    if programme.institution_id == institution.pk:
        return "managing"
    if any(p.pk == institution.pk for p in partners):
        return "partner"
    return "alliance"


@require_safe
def programme_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    programmes = (
        programmes_for(request)
        .select_related("institution", "alliance")
        .prefetch_related(Prefetch("partners", queryset=Institution.objects.order_by("country", "name")))
        .annotate(cohort_size=Count("cohort", distinct=True))
        .order_by("institution__name", "id")
    )
    page_obj = Paginator(programmes, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for programme in page_obj:
        partners = list(programme.partners.all())
        rows.append(ProgrammeRow(programme, partners, _our_part(programme, partners, request.institution)))
    context = {
        "page_obj": page_obj,
        "rows": rows,
        "create_url": reverse("catalogue-programme-create", args=[institution_slug])
        if has_role(request, *CREATORS)
        else None,
    }
    return render(request, "catalogue/programme_list.html", context)


@dataclass(frozen=True)
class SemesterRow:
    semester: int
    windows: list[MobilityWindow]


@dataclass(frozen=True)
class Cohort:
    intake_year: str
    members: list[CohortMember]
    semester: int  # where the cohort is today: below 1 not started, above the programme's semesters finished
    windows: list[MobilityWindow]  # where it studies this semester

    @property
    def size(self) -> int:
        return len(self.members)


def _render_detail(
    request: InstitutionRequest,
    programme: JointProgramme,
    *,
    cohort_form: CohortMemberForm | None = None,
    status: int = 200,
) -> HttpResponse:
    partners = list(programme.partners.order_by("country", "name"))
    windows = list(programme.windows.select_related("host"))
    by_semester = {s: [w for w in windows if w.semester == s] for s in range(1, programme.semesters + 1)}
    members = list(programme.cohort.select_related("student", "home").order_by("intake_year", "student__full_name"))
    today = timezone.localdate()
    cohorts = []
    for intake, group in groupby(members, key=lambda m: m.intake_year):
        semester = cohort_semester(intake, today)
        cohorts.append(Cohort(intake, list(group), semester, by_semester.get(semester, [])))
    cohorts.sort(key=lambda c: c.intake_year, reverse=True)
    taking_part = _our_part(programme, partners, request.institution) != "alliance"
    editor = can_edit_programme(request, programme)
    slug, public_id = request.institution.slug, programme.public_id
    context: dict[str, Any] = {
        "programme": programme,
        "partners": partners,
        "semesters": [SemesterRow(s, ws) for s, ws in by_semester.items()],
        "cohorts": cohorts,
        "show_names": (taking_part and has_role(request, *COHORT_READERS)) or editor,
        "today": today,
        "edit_url": reverse("catalogue-programme-edit", args=[slug, public_id]) if editor else None,
        "add_url": reverse("catalogue-programme-cohort-add", args=[slug, public_id]) if editor else None,
        "remove_url": reverse("catalogue-programme-cohort-remove", args=[slug, public_id]) if editor else None,
    }
    if context["add_url"]:
        context["cohort_form"] = cohort_form or CohortMemberForm(
            initial={"intake_year": academic_years.containing(today)},
            institutions=[programme.institution, *partners],
        )
    return render(request, "catalogue/programme_detail.html", context, status=status)


@require_safe
def programme_detail(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    return _render_detail(request, get_programme_for(request, public_id))


# Create and edit


def _detail(request: InstitutionRequest, programme: JointProgramme, anchor: str = "") -> HttpResponse:
    url = reverse("catalogue-programme", args=[request.institution.slug, programme.public_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _with_more_rows(data: QueryDict, extra: int = 2) -> QueryDict:
    """The submitted rows plus `extra` blank ones: "add rows" works without JavaScript."""
    data = data.copy()
    key = f"{WINDOWS_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key) or 0)
    except ValueError:
        total = 0
    data[key] = str(min(total + extra, MAX_WINDOW_ROWS))
    return data


def _render_form(
    request: InstitutionRequest,
    programme: JointProgramme | None,
    form: ProgrammeForm,
    formset: BaseWindowFormSet,
    *,
    show_errors: bool = True,
    status: int = 200,
) -> HttpResponse:
    hosts = [request.institution] if programme is None else [programme.institution, *programme.partners.all()]
    context = {"programme": programme, "form": form, "formset": formset, "show_errors": show_errors, "hosts": hosts}
    return render(request, "catalogue/programme_form.html", context, status=status)


def _edit(
    request: InstitutionRequest,
    programme: JointProgramme | None,
    initial: dict[str, Any],
    windows: list[dict[str, Any]],
) -> HttpResponse:
    alliances = alliances_for(request).order_by("name")
    managing = programme.institution if programme else request.institution
    if request.method != "POST":
        form = ProgrammeForm(initial=initial, alliances=alliances)
        return _render_form(request, programme, form, WindowFormSet(initial=windows, prefix=WINDOWS_PREFIX))
    form = ProgrammeForm(request.POST, alliances=alliances)
    if "add_rows" in request.POST:
        formset = WindowFormSet(_with_more_rows(request.POST), initial=windows, prefix=WINDOWS_PREFIX)
        return _render_form(request, programme, form, formset, show_errors=False)
    formset = WindowFormSet(request.POST, initial=windows, prefix=WINDOWS_PREFIX)
    if form.is_valid() and formset.is_valid():
        data, rows = programme_input(form, formset, managing, programme)
        try:
            if programme is None:
                saved = services.create_programme(request.institution, data, actor=request.user)
            else:
                saved = services.update_programme(programme, data, actor=request.user)
        except InvalidInput as error:
            show_problems(error.problems, form, formset, rows)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The programme was saved."))
            return _detail(request, saved)
    return _render_form(request, programme, form, formset, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@require_roles(*CREATORS)
def programme_create(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    return _edit(request, None, {"kind": JointProgramme.Kind.JOINT, "semesters": 4}, [])


@require_http_methods(["GET", "HEAD", "POST"])
def programme_edit(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    programme = get_programme_for(request, public_id)
    if not can_edit_programme(request, programme):
        raise PermissionDenied
    windows = [WindowForm.initial_for(w) for w in programme.windows.select_related("host")]
    return _edit(request, programme, ProgrammeForm.initial_for(programme), windows)


# The cohort


@require_POST
def cohort_add(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    programme = get_programme_for(request, public_id)
    if not can_edit_programme(request, programme):
        raise PermissionDenied
    form = CohortMemberForm(request.POST, institutions=[programme.institution, *programme.partners.all()])
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_cohort_member(
                programme,
                student=data["student"],
                home=data["home"],
                intake_year=data["intake_year"],
                current_semester=data["current_semester"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("%(person)s joined the cohort %(year)s.")
                % {"person": data["student"].get_full_name(), "year": data["intake_year"]},
            )
            return _detail(request, programme, "cohort-heading")
    return _render_detail(request, programme, cohort_form=form, status=400)


@require_POST
def cohort_remove(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    programme = get_programme_for(request, public_id)
    if not can_edit_programme(request, programme):
        raise PermissionDenied
    try:
        student_id = UUID(request.POST.get("student", ""))
    except ValueError:
        member = None
    else:
        member = programme.cohort.select_related("student").filter(student__public_id=student_id).first()
    if member is None:
        messages.error(request, _("This student is not in the cohort."))
    else:
        name = member.student.get_full_name()
        services.remove_cohort_member(member, actor=request.user)
        messages.success(request, _("%(person)s left the cohort.") % {"person": name})
    return _detail(request, programme, "cohort-heading")
