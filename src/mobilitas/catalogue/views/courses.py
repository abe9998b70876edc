"""Course pages of the catalogue: search, a course's page, create and edit, share, import and the template.

Every view sits under `/<institution_slug>/`: the middleware has already answered 404 to anyone who is not a
member of request.institution. Every member reads the catalogue: the institution's own courses and those the
members of its alliances share (`access.courses_for`); any other course answers 404 like a missing one.
Officers and admins create, edit, import and share their institution's courses; the alliance office also
shares and edits what the alliance shares.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mobilitas.catalogue.access import (
    COURSE_EDITORS,
    alliance_members,
    can_edit_course,
    can_share_course,
    courses_for,
    get_course_for,
)
from mobilitas.catalogue.forms.courses import (
    TEXTS_PREFIX,
    XLSX_TYPE,
    BaseCourseTextFormSet,
    CourseForm,
    CourseImportForm,
    CourseSearchForm,
    CourseTextFormSet,
    course_input,
    language_name,
    show_problems,
    text_rows,
)
from mobilitas.catalogue.importing import (
    ImportRejected,
    import_courses,
    read_me_paragraphs,
    read_me_rows,
    template_csv,
    template_xlsx,
)
from mobilitas.catalogue.models import Course
from mobilitas.catalogue.search import PER_PAGE, as_listed, search_courses
from mobilitas.catalogue.services.courses import (
    InvalidCourse,
    create_course,
    share_course,
    text_languages,
    unshare_course,
    update_course,
)
from mobilitas.institutions.access import has_role, require_roles
from mobilitas.institutions.models import Institution, Role
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib.errors import DomainError
from mobilitas.lib.htmx import render_page_or_partial, wants_partial


@dataclass(frozen=True)
class Text:
    """A text and the language it is written in (the page marks it with lang="…")."""

    language: str
    text: str


def pick(texts: dict[str, str], language: str) -> Text:
    """The text in `language`, else English, else the first there is."""
    for code in (language, "en", *texts):
        if texts.get(code):
            return Text(code, texts[code])
    return Text("", "")


def _reader_language() -> str:
    return (get_language() or "en")[:2]


@dataclass(frozen=True)
class Language:
    code: str
    name: str


def _languages(codes: list[str]) -> list[Language]:
    return [Language(code, language_name(code)) for code in codes]


@dataclass(frozen=True)
class CourseRow:
    course: Course
    title: Text
    languages: list[Language]


def _detail(request: InstitutionRequest, course: Course) -> HttpResponse:
    return redirect("catalogue-course", request.institution.slug, course.public_id)


# Search


def _institutions(request: InstitutionRequest) -> list[Institution]:
    """Our institution first, then the other members of our alliances (one query)."""
    others = alliance_members(request).exclude(pk=request.institution.pk).order_by("name")
    return [request.institution, *others]


@require_safe
def search(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    form = CourseSearchForm(request.GET, institutions=_institutions(request))
    for name in form.FILTERS:
        # The script-free form submits as usual; HTMX listens for changes on these.
        form.fields[name].widget.attrs["class"] = "course-filter"
    search_url = reverse("catalogue-search", args=[institution_slug])
    context: dict[str, Any] = {
        "form": form,
        "filter_fields": [form[name] for name in form.FILTERS],
        "search_url": search_url,
        "can_manage": has_role(request, *COURSE_EDITORS),
    }
    status = 200
    if form.is_valid():
        found = search_courses(courses_for(request), form.cleaned_data["q"], form.filters())
        page_obj = Paginator(as_listed(found), PER_PAGE).get_page(form.cleaned_data["page"])
        language = _reader_language()
        context["page_obj"] = page_obj
        context["rows"] = [CourseRow(c, pick(c.titles, language), _languages(c.languages)) for c in page_obj]
    elif not wants_partial(request):
        # HTMX 2 does not swap 4xx answers, so the partial says what is wrong with a 200.
        status = 400
    return render_page_or_partial(request, "catalogue/search.html", "results", context, status=status)


# A course's page


def can_request_enrolment(request: InstitutionRequest, course: Course) -> bool:
    """A student of another member may ask for a place in a shared course."""
    return course.shared and course.institution_id != request.institution.pk and has_role(request, Role.STUDENT)


@dataclass(frozen=True)
class Texts:
    language: Language
    title: Text
    description: Text
    outcomes: Text


@require_safe
def course_detail(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    course = get_course_for(request, public_id)
    codes = list(dict.fromkeys([*course.titles, *course.descriptions, *course.learning_outcomes]))
    # ?lang=fi reads the texts in Finnish; by default, in the reader's language when the course has it.
    wanted = request.GET.get("lang", "")
    language = wanted if wanted in codes else _reader_language()
    title = pick(course.titles, language)
    shown = language if language in codes else title.language
    texts = Texts(
        Language(shown, language_name(shown)),
        title,
        pick(course.descriptions, shown) if course.descriptions else Text("", ""),
        pick(course.learning_outcomes, shown) if course.learning_outcomes else Text("", ""),
    )
    context = {
        "course": course,
        "texts": texts,
        "text_languages": _languages(codes),
        "languages": _languages(course.languages),
        "can_edit": can_edit_course(request, course),
        "can_share": can_share_course(request, course),
        "can_request_enrolment": can_request_enrolment(request, course),
        "own": course.institution_id == request.institution.pk,
    }
    return render(request, "catalogue/course_detail.html", context)


# Create and edit


def _more_rows(data: QueryDict, languages: list[str], extra: int = 2) -> BaseCourseTextFormSet:
    """The submitted text rows plus `extra` blank ones: "add rows" works without JavaScript."""
    data = data.copy()
    key = f"{TEXTS_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key) or 0)
    except ValueError:
        total = 0
    data[key] = str(min(total + extra, 40))
    return CourseTextFormSet(data, prefix=TEXTS_PREFIX, form_kwargs={"languages": languages})


def _edit(request: InstitutionRequest, course: Course | None, institution: Institution) -> HttpResponse:
    units = institution.ounits.order_by("name")
    codes = text_languages(institution)
    if course is not None:
        codes += [*course.titles, *course.descriptions, *course.learning_outcomes]
    kwargs = {"languages": codes}
    show_errors, status = True, 200
    if request.method != "POST":
        initial = CourseForm.initial_for(course) if course else {}
        form = CourseForm(initial=initial, units=units)
        formset = CourseTextFormSet(initial=text_rows(course, codes[:3]), prefix=TEXTS_PREFIX, form_kwargs=kwargs)
    elif "add_rows" in request.POST:
        form = CourseForm(request.POST, units=units)
        formset = _more_rows(request.POST, codes)
        show_errors = False
    else:
        form = CourseForm(request.POST, units=units)
        formset = CourseTextFormSet(request.POST, prefix=TEXTS_PREFIX, form_kwargs=kwargs)
        if form.is_valid() and formset.is_valid():
            data = course_input(form, formset)
            try:
                if course is None:
                    saved = create_course(institution, data, actor=request.user)
                    messages.success(request, _("The course %(code)s was added.") % {"code": saved.code})
                else:
                    saved = update_course(course, data, actor=request.user)
                    messages.success(request, _("The changes were saved."))
                return _detail(request, saved)
            except InvalidCourse as error:
                show_problems(error.problems, form, formset)
            except DomainError as error:
                form.add_error(None, error.message)
        status = 400
    context = {"course": course, "form": form, "formset": formset, "show_errors": show_errors}
    return render(request, "catalogue/course_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@require_roles(*COURSE_EDITORS)
def course_create(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    return _edit(request, None, request.institution)


@require_http_methods(["GET", "HEAD", "POST"])
def course_edit(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    course = get_course_for(request, public_id)
    if not can_edit_course(request, course):
        raise PermissionDenied
    return _edit(request, course, course.institution)


@require_POST
def course_share(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    course = get_course_for(request, public_id)
    if not can_share_course(request, course):
        raise PermissionDenied
    sharing = request.POST.get("shared") == "1"
    try:
        if sharing:
            share_course(course, actor=request.user)
        else:
            unshare_course(course, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if sharing:
            messages.success(request, _("The course is now shared with the alliance."))
        else:
            messages.success(request, _("The course is no longer shared with the alliance."))
    if not sharing and course.institution_id != request.institution.pk:
        # The alliance office took another member's course out of the shared catalogue: we no longer see it.
        return redirect("catalogue-search", institution_slug)
    return _detail(request, course)


# Import and template


@require_http_methods(["GET", "HEAD", "POST"])
@require_roles(*COURSE_EDITORS)
def course_import(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    form = CourseImportForm(request.POST, request.FILES) if request.method == "POST" else CourseImportForm()
    context: dict[str, Any] = {"form": form, "columns": read_me_rows(), "paragraphs": read_me_paragraphs()}
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            try:
                context["report"] = import_courses(request.institution, form.cleaned_data["file"], actor=request.user)
                context["form"] = CourseImportForm()
            except ImportRejected as rejected:
                context["rejected"] = rejected
                status = 400
            except DomainError as error:
                form.add_error("file", error.message)
                status = 400
    return render(request, "catalogue/course_import.html", context, status=status)


@require_safe
def course_template(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    """The template to fill in: XLSX with a "Read me" sheet, or with ?format=csv the CSV header row."""
    if request.GET.get("format") == "csv":
        body, content_type, filename = template_csv(request.institution), "text/csv; charset=utf-8", "courses.csv"
    else:
        body, content_type, filename = template_xlsx(request.institution), XLSX_TYPE, "courses-template.xlsx"
    response = HttpResponse(body, content_type=content_type)
    if disposition := content_disposition_header(True, filename):
        response["Content-Disposition"] = disposition
    return response
