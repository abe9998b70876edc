"""The alliance catalogue as JSON: courses and their search, course matching, cross-enrolment in shared courses,
Pathways and joint programmes. The reads, rules and steps of the catalogue pages, through the same access
helpers (catalogue/access.py), services and forms.

Every endpoint takes `?institution=<slug>` (api/tenancy.py): not a member answers 404. What the institution's
members may read (its own catalogue and what its alliances share, the enrolments it takes part in, ...) is read
as on the pages; anything else answers 404 like a missing id. Writing needs the pages' roles (403 otherwise):
officers and admins manage their own courses, the alliance office what the alliance shares; students ask for
shared courses and apply to Pathways; each step of a cross-enrolment belongs to one side (home, host, student).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import groupby
from typing import Any
from uuid import UUID

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError

from mobilitas.api.catalogue_schemas import (
    ApplyIn,
    CatalogueListParams,
    CatalogueParams,
    CourseDetailOut,
    CourseFilters,
    CourseIn,
    CoursePage,
    EnrolmentDetailOut,
    EnrolmentFilters,
    EnrolmentPage,
    EnrolmentRequestIn,
    MatchesOut,
    MatchParams,
    PathwayDetailOut,
    PathwayEnrolmentOut,
    PathwayPage,
    PreapproveIn,
    ProgrammeDetailOut,
    ProgrammePage,
    RefuseIn,
    ResultIn,
)
from mobilitas.api.schemas import PROBLEM_RESPONSES, PageParams, paginate
from mobilitas.api.schemas import Problem as ProblemOut
from mobilitas.api.tenancy import enter, enter_with_roles
from mobilitas.catalogue.access import (
    COHORT_READERS,
    COURSE_EDITORS,
    alliance_members,
    can_edit_course,
    can_edit_pathway,
    can_edit_programme,
    can_share_course,
    courses_for,
    enrolments_for,
    get_course_for,
    get_enrolment_for,
    get_pathway_for,
    get_programme_for,
    pathway_enrolments_for,
    pathways_for,
    programmes_for,
)
from mobilitas.catalogue.forms.courses import CourseSearchForm
from mobilitas.catalogue.forms.enrolments import (
    SIDE_INCOMING,
    SIDE_MINE,
    SIDE_OUTGOING,
    EnrolmentFilterForm,
    EnrolmentRequestForm,
    PreapproveForm,
    RefuseForm,
    ResultForm,
)
from mobilitas.catalogue.forms.pathways import ApplyForm
from mobilitas.catalogue.matching.service import Equivalent, suggest_equivalents
from mobilitas.catalogue.models import (
    ComponentProgress,
    Course,
    CrossEnrolment,
    JointProgramme,
    Mode,
    Pathway,
    PathwayComponent,
    PathwayEnrolment,
    in_language,
)
from mobilitas.catalogue.search import as_listed, search_courses
from mobilitas.catalogue.services import courses as course_services
from mobilitas.catalogue.services import enrolments as enrolment_services
from mobilitas.catalogue.services import pathways as pathway_services
from mobilitas.catalogue.services.courses import CourseInput, InvalidCourse, Problem
from mobilitas.catalogue.services.programmes import cohort_semester
from mobilitas.catalogue.views.enrolments import STAFF, WAITING_FIRST
from mobilitas.catalogue.views.matching import TargetForm, default_target, reasons
from mobilitas.institutions.access import has_role
from mobilitas.institutions.models import Institution, Role
from mobilitas.institutions.requests import InstitutionRequest

router = Router(tags=["catalogue"])

READ_PROBLEMS: dict[int, Any] = {**PROBLEM_RESPONSES, 403: ProblemOut}
# 400: a rule refused the step; 403: not your side of it; 409: the state does not allow it.
WRITE_PROBLEMS: dict[int, Any] = {**READ_PROBLEMS, 400: ProblemOut, 409: ProblemOut}

EnrolmentStatus = CrossEnrolment.Status
HOME, HOST, STUDENT = enrolment_services.HOME, enrolment_services.HOST, enrolment_services.STUDENT
# The side each step of a cross-enrolment belongs to (the services check it again, with the state).
STEP_SIDES = {
    "preapprove": {HOME},
    "refuse": {HOME, HOST},
    "accept": {HOST},
    "withdraw": {STUDENT},
    "result": {HOST},
    "recognise": {HOME},
}
COURSE_FIELDS = (
    "public_id", "code", "title", "titles", "institution", "ects", "eqf_level", "isced_code", "languages", "mode",
    "term", "alliance_places", "shared", "descriptions", "learning_outcomes", "programme", "ounit", "contact_name",
    "contact_email", "url", "source", "created_at", "updated_at",
)  # fmt: skip


# ---- shared ------------------------------------------------------------------------------------------------------


def _form_problems(form: forms.Form, location: str, rename: dict[str, str] | None = None) -> ValidationError:
    """A page form's messages, each at the request member it is about, as one 422 problem."""
    rename = rename or {}
    return ValidationError(
        [
            {
                "loc": (location,) if name == "__all__" else (location, rename.get(name, name)),
                "msg": error["message"],
                "type": error["code"] or "invalid",
            }
            for name, errors in form.errors.get_json_data().items()
            for error in errors
        ]
    )


def _valid(form: forms.Form, location: str = "body", rename: dict[str, str] | None = None) -> dict[str, Any]:
    if not form.is_valid():
        raise _form_problems(form, location, rename)
    return form.cleaned_data


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _members(tenant: InstitutionRequest) -> list[Institution]:
    """Our institution first, then the other members of our alliances by name (one query), as the pages list them."""
    others = alliance_members(tenant).exclude(pk=tenant.institution.pk).order_by("name")
    return [tenant.institution, *others]


def _person(user: Any) -> dict[str, Any]:
    return {"public_id": user.public_id, "name": user.get_full_name()}


def _paged(queryset: QuerySet[Any], params: PageParams, row: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """One page of `queryset`, each result turned into its document by `row`."""
    page = paginate(queryset, params)
    page["results"] = [row(item) for item in page["results"]]
    return page


# ---- courses -----------------------------------------------------------------------------------------------------


def _search_form(tenant: InstitutionRequest, filters: CourseFilters) -> CourseSearchForm:
    """The search page's form over the query's filters: the same rules and messages as the page."""
    institutions = _members(tenant)
    by_slug = {i.slug: str(i.public_id) for i in institutions}
    data = {
        "q": filters.q or "",
        "institution": by_slug.get(filters.offered_by, filters.offered_by) if filters.offered_by else "",
        "language": filters.language or "",
        "mode": filters.mode or "",
        "ects_min": _text(filters.ects_min),
        "ects_max": _text(filters.ects_max),
        "eqf_level": _text(filters.eqf_level),
        "isced": filters.isced or "",
        "term": filters.term or "",
        "shared_only": "on" if filters.shared_only else "",
    }
    return CourseSearchForm(data, institutions=institutions)


@router.get("/courses", response={200: CoursePage, **READ_PROBLEMS})
def list_courses(request: HttpRequest, filters: Query[CourseFilters]) -> dict[str, Any]:
    """Search the catalogue `institution` reads: its own courses and those its alliances share.

    Words in any language are found in titles, descriptions and learning outcomes (best matches first: those with
    the words in their code or title); without words, by institution and code. The filters are the search page's.
    """
    tenant = enter(request, filters.institution)
    form = _search_form(tenant, filters)
    data = _valid(form, "query", {"institution": "offered_by"})
    found = search_courses(courses_for(tenant), data["q"], form.filters())
    return paginate(as_listed(found), filters)


def _course(tenant: InstitutionRequest, course: Course) -> dict[str, Any]:
    return {
        **{name: getattr(course, name) for name in COURSE_FIELDS},
        "editable": can_edit_course(tenant, course),
        "shareable": can_share_course(tenant, course),
    }


@router.get("/courses/{public_id}", response={200: CourseDetailOut, **READ_PROBLEMS})
def get_course(request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams]) -> dict[str, Any]:
    """One course with its texts in every language it has them in."""
    reader = enter(request, tenant.institution)
    return _course(reader, get_course_for(reader, public_id))


@contextmanager
def _course_problems() -> Iterator[None]:
    """Every problem of a course at its place in the body (`titles.fi`), as one 422 problem."""
    try:
        yield
    except InvalidCourse as error:
        raise ValidationError(
            [
                {"loc": ("body", *problem.field.split(".")), "msg": problem.message, "type": "invalid"}
                for problem in error.problems
            ]
        ) from error


def _course_input(institution: Institution, payload: CourseIn) -> CourseInput:
    data = CourseInput(
        code=payload.code,
        titles=payload.titles,
        descriptions=payload.descriptions,
        learning_outcomes=payload.learning_outcomes,
        ects=payload.ects,
        eqf_level=payload.eqf_level,
        isced_code=payload.isced_code,
        languages=payload.languages,
        mode=payload.mode,
        term=payload.term,
        programme=payload.programme,
        alliance_places=payload.alliance_places,
        contact_name=payload.contact_name,
        contact_email=payload.contact_email,
        url=payload.url,
    )
    if payload.ounit is not None:
        code = payload.ounit.code.strip()
        data.ounit = institution.ounits.filter(code=code).first()
        if data.ounit is None:
            unknown = Problem(
                "ounit",
                _("%(institution)s has no unit with the code “%(code)s”.")
                % {"institution": institution.display_name, "code": code},
            )
            # With the rest of the body's problems, as the domain would list them.
            raise InvalidCourse([unknown, *course_services.validate_course(institution, data)])
    return data


@router.post("/courses", response={201: CourseDetailOut, **WRITE_PROBLEMS})
def create_course(request: HttpRequest, tenant: Query[CatalogueParams], payload: CourseIn) -> Status[dict[str, Any]]:
    """A new course in the catalogue of `institution` (its officers and admins), not shared yet.

    Every broken rule is listed in `errors`, each at its place in the body (`titles.fi`, `ects`).
    """
    editor = enter_with_roles(request, tenant.institution, *COURSE_EDITORS)
    with _course_problems():
        course = course_services.create_course(
            editor.institution, _course_input(editor.institution, payload), actor=editor.user
        )
    return Status(201, _course(editor, get_course_for(editor, course.public_id)))


@router.put("/courses/{public_id}", response={200: CourseDetailOut, **WRITE_PROBLEMS})
def update_course(
    request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams], payload: CourseIn
) -> dict[str, Any]:
    """Replace what a course says (officers of its institution; the alliance office for a shared course). The
    body is the same as for creating; sharing has endpoints of its own."""
    editor = enter(request, tenant.institution)
    course = get_course_for(editor, public_id)
    if not can_edit_course(editor, course):
        raise PermissionDenied
    with _course_problems():
        course_services.update_course(course, _course_input(course.institution, payload), actor=editor.user)
    return _course(editor, get_course_for(editor, public_id))


def _set_shared(request: HttpRequest, public_id: UUID, slug: str, shared: bool) -> dict[str, Any]:
    editor = enter(request, slug)
    course = get_course_for(editor, public_id)
    if not can_share_course(editor, course):
        raise PermissionDenied
    service = course_services.share_course if shared else course_services.unshare_course
    # The course as the service left it: the alliance office may no longer see another member's unshared course.
    return _course(editor, service(course, actor=editor.user))


@router.post("/courses/{public_id}/share", response={200: CourseDetailOut, **WRITE_PROBLEMS})
def share_course(request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams]) -> dict[str, Any]:
    """Offer the course to the students of the alliance's other members (officers of its institution, the
    alliance office); 409 when it is already shared."""
    return _set_shared(request, public_id, tenant.institution, True)


@router.post("/courses/{public_id}/unshare", response={200: CourseDetailOut, **WRITE_PROBLEMS})
def unshare_course(request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams]) -> dict[str, Any]:
    """Take the course out of the shared catalogue; requests already made go on. 409 when it is not shared."""
    return _set_shared(request, public_id, tenant.institution, False)


# ---- course matching -----------------------------------------------------------------------------------------

EXPLANATION_FIELDS = (
    "text_similarity", "title_similarity", "meaning_similarity", "title_meaning_similarity", "credits", "query_ects",
    "ects", "level", "query_eqf_level", "eqf_level", "field", "query_isced", "isced",
)  # fmt: skip


def _matched_course(card: Any) -> dict[str, Any]:
    return {
        "public_id": card.public_id,
        "code": card.code,
        "title": in_language(card.titles),
        "titles": card.titles,
        "ects": card.ects,
        "eqf_level": card.eqf_level,
        "isced_code": card.isced_code,
        "shared": card.shared,
    }


def _match(match: Equivalent, query_code: str) -> dict[str, Any]:
    explanation = match.explanation
    return {
        "rank": match.rank,
        "course": _matched_course(match.course),
        "score": match.score,
        "relevance": match.relevance,
        "explanation": {
            **{name: getattr(explanation, name) for name in EXPLANATION_FIELDS},
            "shared_terms": list(explanation.shared_terms),
            "shared_outcome_terms": list(explanation.shared_outcome_terms),
        },
        "reasons": reasons(explanation, query_code),
    }


@router.get("/courses/{public_id}/matches", response={200: MatchesOut, **READ_PROBLEMS})
def course_matches(request: HttpRequest, public_id: UUID, params: Query[MatchParams]) -> dict[str, Any]:
    """The courses of `target` most likely to be recognised as equivalent to this one, best first, each with why:
    the words and learning outcomes they share, how close their meaning is, credits, level and field."""
    reader = enter(request, params.institution)
    course = get_course_for(reader, public_id)
    members = _members(reader)
    chosen = params.target or default_target(course, members, reader.institution).slug
    form = TargetForm({"target": chosen}, members=members)
    _valid(form, "query")
    target = form.chosen()
    found = suggest_equivalents(course, target, params.k, shared_only=target.pk != reader.institution.pk)
    return {
        "course": _matched_course(course),
        "target": target,
        "candidates": found.candidates,
        "meaning": found.meaning,
        "preparing": found.preparing,
        "suggestions": [_match(match, course.code) for match in found.suggestions],
    }


# ---- cross-enrolment -----------------------------------------------------------------------------------------


def _waiting_for(enrolment: CrossEnrolment) -> str | None:
    """The side whose step comes next (the student may always withdraw, but nothing waits for it)."""
    by_side = enrolment_services.ACTIONS.get(enrolment.status, {})
    if HOME in by_side and (enrolment.status != EnrolmentStatus.COMPLETED or enrolment_services.is_passed(enrolment)):
        return HOME
    return HOST if HOST in by_side else None


def _parts(tenant: InstitutionRequest, enrolment: CrossEnrolment) -> set[str]:
    return enrolment_services.sides(enrolment, tenant.user, tenant.roles, tenant.institution)


def _enrolment(tenant: InstitutionRequest, enrolment: CrossEnrolment) -> dict[str, Any]:
    course = enrolment.course
    home_course = enrolment.recognised_as
    return {
        "public_id": enrolment.public_id,
        "status": enrolment.status,
        "student": _person(enrolment.student),
        "home": enrolment.home,
        "course": course,
        "recognised_as": home_course,
        "recognised_credits": enrolment.recognised_credits,
        "grade": enrolment.grade,
        "ects_earned": enrolment.ects_earned,
        "waiting_for": _waiting_for(enrolment),
        "actions": enrolment_services.allowed_actions(enrolment, _parts(tenant, enrolment)),
        "created_at": enrolment.created_at,
        "updated_at": enrolment.updated_at,
    }


def _enrolment_detail(tenant: InstitutionRequest, public_id: UUID) -> dict[str, Any]:
    enrolment = get_enrolment_for(tenant, public_id)
    host = HOST in _parts(tenant, enrolment)
    return {
        **_enrolment(tenant, enrolment),
        "motivation": enrolment.motivation,
        "recognition_note": enrolment.recognition_note,
        "decision_note": enrolment.decision_note,
        "waiting_position": enrolment_services.waiting_position(enrolment),
        "places_taken": enrolment_services.places_taken(enrolment.course) if host else None,
        "history": [
            {"label": step.label, "when": step.when, "who": step.who, "institution": step.institution}
            for step in enrolment_services.history(enrolment)
        ],
    }


def _sides(tenant: InstitutionRequest) -> list[str]:
    """The lists this user may ask for, as on the list page."""
    sides = [SIDE_OUTGOING, SIDE_INCOMING] if has_role(tenant, *STAFF) else []
    if has_role(tenant, Role.STUDENT) or not sides:
        sides.append(SIDE_MINE)
    return sides


def _on_side(tenant: InstitutionRequest, side: str) -> QuerySet[CrossEnrolment]:
    """One side's list, those waiting for this side first (in the order of WAITING_FIRST), then newest first."""
    enrolments = enrolments_for(tenant)
    if side == SIDE_OUTGOING:
        enrolments = enrolments.filter(home=tenant.institution)
    elif side == SIDE_INCOMING:
        enrolments = enrolments.filter(course__institution=tenant.institution)
    else:
        enrolments = enrolments.filter(student=tenant.user)
    waiting = WAITING_FIRST[side]
    rank = Case(
        *[When(condition, then=Value(i)) for i, condition in enumerate(waiting)],
        default=Value(len(waiting)),
        output_field=IntegerField(),
    )
    return enrolments.annotate(rank=rank).order_by("rank", "-created_at", "-pk")


@router.get("/cross-enrolments", response={200: EnrolmentPage, **READ_PROBLEMS})
def list_enrolments(request: HttpRequest, filters: Query[EnrolmentFilters]) -> dict[str, Any]:
    """Cross-enrolments `institution` takes part in: its students in other members' courses and the guests in
    its courses (staff), or a student's own requests. With `side`, those waiting for that side come first."""
    tenant = enter(request, filters.institution)
    form = EnrolmentFilterForm({"side": filters.side or "", "status": filters.status or ""}, sides=_sides(tenant))
    data = _valid(form, "query")
    if filters.side:
        enrolments = _on_side(tenant, data["side"])
    else:
        enrolments = enrolments_for(tenant).order_by("-created_at", "-pk")
    if data["status"]:
        enrolments = enrolments.filter(status=data["status"])
    enrolments = enrolments.select_related("student", "home", "course__institution", "recognised_as")
    return _paged(enrolments, filters, lambda enrolment: _enrolment(tenant, enrolment))


@router.get("/cross-enrolments/{public_id}", response={200: EnrolmentDetailOut, **READ_PROBLEMS})
def get_enrolment(request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams]) -> dict[str, Any]:
    """One cross-enrolment with its steps so far and the steps you may take now."""
    return _enrolment_detail(enter(request, tenant.institution), public_id)


@router.post("/cross-enrolments", response={201: EnrolmentDetailOut, **WRITE_PROBLEMS})
def request_enrolment(
    request: HttpRequest, tenant: Query[CatalogueParams], payload: EnrolmentRequestIn
) -> Status[dict[str, Any]]:
    """A student of `institution` asks for a place in a shared course of another member. Their home institution
    pre-approves the recognition first, then the host decides."""
    student = enter_with_roles(request, tenant.institution, Role.STUDENT)
    course = get_course_for(student, payload.course)
    data = _valid(EnrolmentRequestForm({"motivation": payload.motivation}))
    enrolment = enrolment_services.request_enrolment(
        course, student=student.user, home=student.institution, motivation=data["motivation"]
    )
    return Status(201, _enrolment_detail(student, enrolment.public_id))


def _step(request: HttpRequest, public_id: UUID, slug: str, step: str) -> tuple[InstitutionRequest, CrossEnrolment]:
    """The enrolment, if the user plays the side `step` belongs to (403 otherwise; the service checks the state)."""
    tenant = enter(request, slug)
    enrolment = get_enrolment_for(tenant, public_id)
    if not _parts(tenant, enrolment) & STEP_SIDES[step]:
        raise PermissionDenied
    return tenant, enrolment


@router.post("/cross-enrolments/{public_id}/preapprove", response={200: EnrolmentDetailOut, **WRITE_PROBLEMS})
def preapprove_enrolment(
    request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams], payload: PreapproveIn
) -> dict[str, Any]:
    """Home: say what the course will count as (one of our courses and/or credits). Requested -> pre-approved."""
    home, enrolment = _step(request, public_id, tenant.institution, "preapprove")
    own_courses = courses_for(home).filter(institution=home.institution)
    form = PreapproveForm(
        {"recognised_as": payload.recognised_as or "", "credits": _text(payload.credits), "note": payload.note},
        prefix=None,
        home_courses=own_courses,
    )
    data = _valid(form)
    enrolment_services.preapprove_recognition(
        enrolment, actor=home.user, recognised_as=data["recognised_as"], credits=data["credits"], note=data["note"]
    )
    return _enrolment_detail(home, public_id)


@router.post("/cross-enrolments/{public_id}/refuse", response={200: EnrolmentDetailOut, **WRITE_PROBLEMS})
def refuse_enrolment(
    request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams], payload: RefuseIn
) -> dict[str, Any]:
    """Home refuses a request it has not pre-approved; the host one waiting for its decision. The student reads
    the reason."""
    side, enrolment = _step(request, public_id, tenant.institution, "refuse")
    data = _valid(RefuseForm({"reason": payload.reason}, prefix=None))
    enrolment_services.refuse_enrolment(enrolment, actor=side.user, reason=data["reason"])
    return _enrolment_detail(side, public_id)


@router.post("/cross-enrolments/{public_id}/accept", response={200: EnrolmentDetailOut, **WRITE_PROBLEMS})
def accept_enrolment(request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams]) -> dict[str, Any]:
    """Host: accept within the course's places; when they are all taken, the student goes on the waiting list
    (`status` says which)."""
    host, enrolment = _step(request, public_id, tenant.institution, "accept")
    enrolment_services.accept_enrolment(enrolment, actor=host.user)
    return _enrolment_detail(host, public_id)


@router.post("/cross-enrolments/{public_id}/withdraw", response={200: EnrolmentDetailOut, **WRITE_PROBLEMS})
def withdraw_enrolment(request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams]) -> dict[str, Any]:
    """The student gives up, any time before the result; a place freed goes to the waiting list."""
    student, enrolment = _step(request, public_id, tenant.institution, "withdraw")
    enrolment_services.withdraw_enrolment(enrolment, actor=student.user)
    return _enrolment_detail(student, public_id)


@router.post("/cross-enrolments/{public_id}/result", response={200: EnrolmentDetailOut, **WRITE_PROBLEMS})
def record_result(
    request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams], payload: ResultIn
) -> dict[str, Any]:
    """Host: the grade and the ECTS earned (0: not passed). A pass is proposed for recognition at home."""
    host, enrolment = _step(request, public_id, tenant.institution, "result")
    data = _valid(ResultForm({"grade": payload.grade, "ects_earned": _text(payload.ects_earned)}, prefix=None))
    enrolment_services.record_result(enrolment, actor=host.user, grade=data["grade"], ects_earned=data["ects_earned"])
    return _enrolment_detail(host, public_id)


@router.post("/cross-enrolments/{public_id}/recognise", response={200: EnrolmentDetailOut, **WRITE_PROBLEMS})
def recognise_enrolment(request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams]) -> dict[str, Any]:
    """Home confirms the recognition of a passed course, with the credits proposed."""
    home, enrolment = _step(request, public_id, tenant.institution, "recognise")
    enrolment_services.confirm_recognition(enrolment, actor=home.user)
    return _enrolment_detail(home, public_id)


# ---- Pathways --------------------------------------------------------------------------------------------------


def _modes(components: list[PathwayComponent]) -> list[str]:
    used = {c.mode for c in components}
    return [mode for mode in Mode.values if mode in used]


def _pathway(pathway: Pathway, components: list[PathwayComponent]) -> dict[str, Any]:
    return {
        "public_id": pathway.public_id,
        "slug": pathway.slug,
        "title": pathway.title,
        "titles": pathway.titles,
        "status": pathway.status,
        "alliance": pathway.alliance,
        "owner": pathway.owner,
        "places": pathway.places,
        "component_count": len(components),
        "total_ects": pathway_services.total_ects(components),
        "institutions": pathway_services.institutions_of(components),
        "modes": _modes(components),
    }


def _components(components: list[PathwayComponent]) -> list[dict[str, Any]]:
    """Each component with its number and the numbers of those it requires (prerequisites prefetched)."""
    number_of = {c.pk: n for n, c in enumerate(components, start=1)}
    return [
        {
            "number": n,
            "title": c.title,
            "institution": c.institution,
            "course": c.course,
            "mode": c.mode,
            "ects": c.ects,
            "prerequisites": sorted(number_of[p.pk] for p in c.prerequisites.all() if p.pk in number_of),
        }
        for n, c in enumerate(components, start=1)
    ]


def _ordered_components(pathway: Pathway) -> list[PathwayComponent]:
    return list(pathway.components.select_related("institution", "course").prefetch_related("prerequisites"))


@router.get("/pathways", response={200: PathwayPage, **READ_PROBLEMS})
def list_pathways(request: HttpRequest, filters: Query[CatalogueListParams]) -> dict[str, Any]:
    """The published Pathways of `institution`'s alliances (and the drafts of those who manage them), by alliance
    and address."""
    tenant = enter(request, filters.institution)
    pathways = pathway_services.with_components(pathways_for(tenant).select_related("alliance", "owner"))
    pathways = pathways.order_by("alliance__name", "slug", "pk")
    return _paged(pathways, filters, lambda pathway: _pathway(pathway, list(pathway.components.all())))


@router.get("/pathways/{public_id}", response={200: PathwayDetailOut, **READ_PROBLEMS})
def get_pathway(request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams]) -> dict[str, Any]:
    """One Pathway: its components in order with their prerequisites, the total ECTS, the institutions it goes to,
    the places left and your own application."""
    reader = enter(request, tenant.institution)
    pathway = get_pathway_for(reader, public_id)
    components = _ordered_components(pathway)
    own = pathway_enrolments_for(reader).filter(pathway=pathway, student=reader.user).first()
    published = pathway.status == Pathway.Status.PUBLISHED
    return {
        **_pathway(pathway, components),
        "description": pathway.description,
        "descriptions": pathway.descriptions,
        "components": _components(components),
        "places_left": pathway_services.places_left(pathway),
        "public_url": reverse("catalogue-public-pathway", args=[pathway.alliance.slug, pathway.slug])
        if published
        else None,
        "my_enrolment": own,
        "editable": can_edit_pathway(reader, pathway),
    }


def _pathway_enrolment(tenant: InstitutionRequest, public_id: UUID) -> dict[str, Any]:
    enrolments = pathway_enrolments_for(tenant).select_related("pathway__alliance", "pathway__owner", "student", "home")
    enrolment: PathwayEnrolment = get_object_or_404(enrolments, public_id=public_id)
    components = _ordered_components(enrolment.pathway)
    progress = {p.component_id: p for p in enrolment.progress.all()}
    rows, passed = [], []
    for row, component in zip(_components(components), components, strict=True):
        found = progress.get(component.pk)
        rows.append(
            {
                **row,
                "status": found.status if found else ComponentProgress.Status.PLANNED,
                "grade": found.grade if found else "",
            }
        )
        if found and found.status == ComponentProgress.Status.PASSED:
            passed.append(component)
    return {
        "public_id": enrolment.public_id,
        "status": enrolment.status,
        "pathway": enrolment.pathway,
        "student": _person(enrolment.student),
        "home": enrolment.home,
        "motivation": enrolment.motivation,
        "created_at": enrolment.created_at,
        "completed_at": enrolment.completed_at,
        "progress": rows,
        "passed": len(passed),
        "passed_ects": pathway_services.total_ects(passed),
        "total_ects": pathway_services.total_ects(components),
    }


@router.post("/pathways/{public_id}/apply", response={201: PathwayEnrolmentOut, **WRITE_PROBLEMS})
def apply_to_pathway(
    request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams], payload: ApplyIn | None = None
) -> Status[dict[str, Any]]:
    """A student of `institution` applies to a published Pathway of its alliance; 409 when already applied, when
    applications are closed or every place is taken."""
    student = enter_with_roles(request, tenant.institution, Role.STUDENT)
    pathway = get_pathway_for(student, public_id)
    data = _valid(ApplyForm({"motivation": payload.motivation if payload else ""}))
    enrolment = pathway_services.apply_to_pathway(
        pathway, student=student.user, home=student.institution, motivation=data["motivation"]
    )
    return Status(201, _pathway_enrolment(student, enrolment.public_id))


@router.get("/pathway-enrolments/{public_id}", response={200: PathwayEnrolmentOut, **READ_PROBLEMS})
def get_pathway_enrolment(request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams]) -> dict[str, Any]:
    """A student's place in a Pathway and their progress on every component. Students read their own; the
    Pathway's managers and the student's home institution read the others."""
    return _pathway_enrolment(enter(request, tenant.institution), public_id)


# ---- joint programmes ------------------------------------------------------------------------------------------


def _our_part(programme: JointProgramme, partners: list[Institution], institution: Institution) -> str:
    if programme.institution_id == institution.pk:
        return "managing"
    if any(p.pk == institution.pk for p in partners):
        return "partner"
    return "alliance"


def _programme(tenant: InstitutionRequest, programme: JointProgramme, partners: list[Institution]) -> dict[str, Any]:
    names = (
        "public_id", "kind", "title", "titles", "degree", "eqf_level", "ects", "semesters", "languages",
        "erasmus_mundus", "institution", "alliance",
    )  # fmt: skip
    return {
        **{name: getattr(programme, name) for name in names},
        "partners": partners,
        "our_part": _our_part(programme, partners, tenant.institution),
    }


@router.get("/programmes", response={200: ProgrammePage, **READ_PROBLEMS})
def list_programmes(request: HttpRequest, filters: Query[CatalogueListParams]) -> dict[str, Any]:
    """Joint, double and multiple degrees `institution` runs or takes part in, and those of its alliances."""
    tenant = enter(request, filters.institution)
    programmes = (
        programmes_for(tenant)
        .select_related("institution", "alliance")
        .prefetch_related(Prefetch("partners", queryset=Institution.objects.order_by("country", "name")))
        .annotate(cohort_size=Count("cohort", distinct=True))
        .order_by("institution__name", "id")
    )

    def row(programme: JointProgramme) -> dict[str, Any]:
        size = programme.cohort_size  # type: ignore[attr-defined]  # the annotation above
        return {**_programme(tenant, programme, list(programme.partners.all())), "cohort_size": size}

    return _paged(programmes, filters, row)


@router.get("/programmes/{public_id}", response={200: ProgrammeDetailOut, **READ_PROBLEMS})
def get_programme(request: HttpRequest, public_id: UUID, tenant: Query[CatalogueParams]) -> dict[str, Any]:
    """A programme: partners, mobility windows by semester, and its cohort per intake with where each intake
    studies this semester. Students' names only for the staff of the institutions taking part, as on the page."""
    reader = enter(request, tenant.institution)
    programme = get_programme_for(reader, public_id)
    partners = list(programme.partners.order_by("country", "name"))
    windows = list(programme.windows.select_related("host"))
    members = list(programme.cohort.select_related("student", "home").order_by("intake_year", "student__full_name"))
    editor = can_edit_programme(reader, programme)
    taking_part = _our_part(programme, partners, reader.institution) != "alliance"
    show_names = (taking_part and has_role(reader, *COHORT_READERS)) or editor
    today = timezone.localdate()
    cohorts = []
    for intake, group in groupby(members, key=lambda m: m.intake_year):
        students = list(group)
        semester = cohort_semester(intake, today)
        cohorts.append(
            {
                "intake_year": intake,
                "size": len(students),
                "semester": semester,
                "hosts": [w.host for w in windows if w.semester == semester],
                "students": [
                    {"student": _person(m.student), "home": m.home, "current_semester": m.current_semester}
                    for m in students
                ]
                if show_names
                else None,
            }
        )
    cohorts.reverse()
    return {
        **_programme(reader, programme, partners),
        "cohort_size": len(members),
        "windows": windows,
        "cohorts": cohorts,
        "editable": editor,
    }
