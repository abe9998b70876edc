"""Calls for outgoing mobility, the caller's own applications to them and the results, as JSON: the reads,
rules and steps of the pages, through the same access helpers (applications/access.py) and services.

Every endpoint takes `?institution=<slug>` (api/tenancy.py): not a member answers 404. Applicants (students,
and staff for staff calls) read the published calls, start, fill in, submit and withdraw their own applications
and answer their offers; an application or an offer of someone else answers 404 like a missing id. Officers,
admins and leadership also read every call (drafts too) and the results of a call.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError

from mobilitas.api.application_schemas import (
    ApplicationDetailOut,
    ApplicationFilters,
    ApplicationPage,
    ApplicationPatch,
    CallDetailOut,
    CallFilters,
    CallPage,
    CallParams,
    CallResultsOut,
    OfferOut,
    ResultOut,
    StartIn,
)
from mobilitas.api.schemas import PROBLEM_RESPONSES, paginate
from mobilitas.api.schemas import Problem as ProblemOut
from mobilitas.api.tenancy import enter
from mobilitas.applications import eligibility
from mobilitas.applications.access import (
    APPLICATION_READERS,
    applications_for,
    calls_for,
    get_call_for,
    get_offer_for,
    own_application_for,
)
from mobilitas.applications.models import Application, Call, CallDestination, Offer
from mobilitas.applications.services import applying, results
from mobilitas.institutions.access import has_role
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib.errors import Conflict

router = Router(tags=["calls and applications"])

READ_PROBLEMS: dict[int, Any] = {**PROBLEM_RESPONSES, 403: ProblemOut}
# 400: a rule refused the step (e.g. an application not complete); 403: not yours to do; 409: the state forbids it.
WRITE_PROBLEMS: dict[int, Any] = {**READ_PROBLEMS, 400: ProblemOut, 409: ProblemOut}

CALL_FIELDS = (
    "public_id", "title", "academic_year", "kind", "status", "opens_at", "closes_at", "time_zone", "max_choices",
    "results_published_at",
)  # fmt: skip
PROFILE_FIELDS = (
    "public_id", "call", "status", "submitted_at", "withdrawn_at", "updated_at", "created_at", "ounit",
    "study_level", "programme", "isced_code", "grade_average", "grade_scale", "languages", "fewer_opportunities",
    "motivation",
)  # fmt: skip


# ---- calls -----------------------------------------------------------------------------------------------------


def _call(call: Call) -> dict[str, Any]:
    return {**{name: getattr(call, name) for name in CALL_FIELDS}, "is_open": call.is_open()}


def _open_now() -> Q:
    now = timezone.now()
    return Q(status=Call.Status.PUBLISHED, opens_at__lte=now, closes_at__gt=now)


@router.get("/calls", response={200: CallPage, **READ_PROBLEMS})
def list_calls(request: HttpRequest, filters: Query[CallFilters]) -> dict[str, Any]:
    """The calls of `institution`: the published ones (open, closed or decided) for applicants, every call for its
    staff. The latest academic year first, then by closing date."""
    tenant = enter(request, filters.institution)
    calls = calls_for(tenant)
    if filters.year:
        calls = calls.filter(academic_year=filters.year)
    if filters.open is True:
        calls = calls.filter(_open_now())
    elif filters.open is False:
        calls = calls.exclude(_open_now())
    page = paginate(calls.order_by("-academic_year", "closes_at", "title", "pk"), filters)
    page["results"] = [_call(call) for call in page["results"]]
    return page


def _destination(destination: CallDestination) -> dict[str, Any]:
    return {
        "public_id": destination.public_id,
        "partner": destination.partner,
        "places": destination.places,
        "isced_codes": destination.isced_codes,
        "eqf_levels": destination.eqf_levels,
        "languages": destination.languages,
        "months": destination.months,
        "notes": destination.notes,
        "reserved_to": destination.ounit,
    }


@router.get("/calls/{public_id}", response={200: CallDetailOut, **READ_PROBLEMS})
def get_call(request: HttpRequest, public_id: UUID, tenant: Query[CallParams]) -> dict[str, Any]:
    """One call with who may apply, the documents asked for, the scoring weights and every destination offered
    (their public_ids are what an application's `choices` names)."""
    reader = enter(request, tenant.institution)
    call = get_call_for(reader, public_id)
    mine = applications_for(reader).filter(call=call, student=reader.user).values_list("public_id", flat=True)
    return {
        **_call(call),
        "description": call.description,
        "eligible_faculties": list(call.eligible_ounits.order_by("name")),
        "study_levels": call.study_levels,
        "programmes": call.programmes,
        "required_documents": list(call.required_documents.all()),
        "weights": {
            "grades": call.weight_grades,
            "language": call.weight_language,
            "motivation": call.weight_motivation,
            "fewer_opportunities": call.weight_fewer_opportunities,
        },
        "inclusion_bonus": call.inclusion_bonus,
        "inclusion_reserved_share": call.inclusion_reserved_share,
        "response_days": call.response_days,
        "destinations": [_destination(d) for d in call.destinations.select_related("partner", "ounit")],
        "my_application": mine.first(),
    }


@router.get("/calls/{public_id}/results", response={200: CallResultsOut, **WRITE_PROBLEMS})
def call_results(request: HttpRequest, public_id: UUID, tenant: Query[CallParams]) -> dict[str, Any]:
    """The published allocation of a call (officers, admins, leadership): per destination the applicants the run
    admitted and its waiting list in priority order, and those it placed nowhere. 409 before publication."""
    reader = enter(request, tenant.institution)
    if not has_role(reader, *APPLICATION_READERS):
        raise PermissionDenied
    call = get_call_for(reader, public_id)
    run = results.published_run(call)
    if run is None or run.published_at is None:
        raise Conflict(_("The results of this call are not published yet."))
    summary = results.run_summary(run)

    def listed(person: results.Listed) -> dict[str, Any]:
        application = person.application
        return {
            "application": application.public_id if application else None,
            "name": person.name,
            "score": person.score,
        }

    return {
        "run": run.public_id,
        "seed": run.seed,
        "published_at": run.published_at,
        "destinations": [
            {
                "destination": item.destination,
                "name": item.name,
                "places": item.destination.places,
                "assigned": [listed(p) for p in item.admitted],
                "waiting_list": [listed(p) for p in item.waiting],
            }
            for item in summary.destinations
        ],
        "unplaced": [listed(p) for p in summary.unplaced],
    }


# ---- applications ----------------------------------------------------------------------------------------------


def _mine(tenant: InstitutionRequest) -> QuerySet[Application]:
    return applications_for(tenant).filter(student=tenant.user)


def _application(application: Application) -> dict[str, Any]:
    """The applicant's document: the profile, the ranked choices, the documents, and what stands in the way."""
    call = application.call
    message = ""
    if applying.missed_deadline(application):
        message = applying.deadline_message(application)
    elif application.status == Application.Status.DRAFT and (problems := eligibility.call_problems(call)):
        message = problems[0]
    choices = application.choices.select_related("destination__partner").order_by("rank")
    uploads = application.uploads.select_related("requirement")
    destinations = call.destinations.select_related("partner", "ounit__parent")
    return {
        **{name: getattr(application, name) for name in PROFILE_FIELDS},
        "choices": [{"rank": c.rank, "destination": c.destination} for c in choices],
        "documents": [
            {
                "public_id": u.public_id,
                "requirement": u.requirement.name if u.requirement else "",
                "original_name": u.original_name,
                "content_type": u.content_type,
                "size": u.size,
                "uploaded_at": u.uploaded_at,
            }
            for u in uploads
        ],
        "editable": applying.is_editable(application),
        "message": message,
        "missing": applying.submission_problems(application) if application.status == Application.Status.DRAFT else [],
        "ineligible_destinations": [
            {"destination": d.public_id, "reasons": reasons}
            for d in destinations
            if (reasons := eligibility.destination_problems(application, d))
        ],
    }


def _own(tenant: InstitutionRequest, public_id: UUID) -> Application:
    return own_application_for(tenant, public_id)


@router.get("/applications", response={200: ApplicationPage, **READ_PROBLEMS})
def list_applications(request: HttpRequest, filters: Query[ApplicationFilters]) -> dict[str, Any]:
    """Your own applications at `institution`, the latest call first."""
    tenant = enter(request, filters.institution)
    found = _mine(tenant).select_related("call")
    if filters.call:
        found = found.filter(call__public_id=filters.call)
    return paginate(found.order_by("-call__academic_year", "-call__closes_at", "-pk"), filters)


@router.post("/applications", response={200: ApplicationDetailOut, 201: ApplicationDetailOut, **WRITE_PROBLEMS})
def start_application(request: HttpRequest, tenant: Query[CallParams], payload: StartIn) -> Status[dict[str, Any]]:
    """Start your application to a call (201), or get the one you started (200): starting twice is harmless.
    A withdrawn application is re-opened as a draft while the call is open. 403 for someone who may not apply
    (students apply to student calls, staff to staff calls); 409 when the call is not open."""
    applicant = enter(request, tenant.institution)
    call = get_call_for(applicant, payload.call)
    existed = _mine(applicant).filter(call=call).exists()
    application = applying.start_application(call, student=applicant.user, actor=applicant.user)
    return Status(200 if existed else 201, _application(_own(applicant, application.public_id)))


@router.get("/applications/{public_id}", response={200: ApplicationDetailOut, **READ_PROBLEMS})
def get_application(request: HttpRequest, public_id: UUID, tenant: Query[CallParams]) -> dict[str, Any]:
    """One of your applications, with what is still missing before it can be submitted."""
    applicant = enter(request, tenant.institution)
    return _application(_own(applicant, public_id))


@router.patch("/applications/{public_id}", response={200: ApplicationDetailOut, **WRITE_PROBLEMS})
def update_application(
    request: HttpRequest, public_id: UUID, tenant: Query[CallParams], payload: ApplicationPatch
) -> dict[str, Any]:
    """Change a draft while the call is open: only the members sent change. `choices` ranks destinations by
    their public_ids (first choice first); one the call does not offer or you may not choose is refused with
    why. As the page's autosave, the valid members are saved and the others answered in one 422 problem whose
    `errors` name each refused member. 409 for a submitted or withdrawn application, or after the deadline."""
    applicant = enter(request, tenant.institution)
    application = _own(applicant, public_id)
    data = payload.model_dump(exclude_unset=True)
    if "ounit" in data:
        data["ounit"] = str(data["ounit"]) if data["ounit"] else ""
    if "choices" in data:
        data["choices"] = [str(destination) for destination in data["choices"] or []]
    problems = applying.save_draft(application, actor=applicant.user, data=data)
    if problems:
        raise ValidationError(
            [{"loc": ("body", problem.field), "msg": problem.message, "type": "invalid"} for problem in problems]
        )
    return _application(_own(applicant, public_id))


@router.post("/applications/{public_id}/submit", response={200: ApplicationDetailOut, **WRITE_PROBLEMS})
def submit_application(request: HttpRequest, public_id: UUID, tenant: Query[CallParams]) -> dict[str, Any]:
    """Submit your complete draft before the deadline. Submitting again is harmless: the answer is the first
    submission, unchanged. 400 lists everything still missing; 409 after the deadline or once withdrawn."""
    applicant = enter(request, tenant.institution)
    applying.submit_application(_own(applicant, public_id), actor=applicant.user)
    return _application(_own(applicant, public_id))


@router.post("/applications/{public_id}/withdraw", response={200: ApplicationDetailOut, **WRITE_PROBLEMS})
def withdraw_application(request: HttpRequest, public_id: UUID, tenant: Query[CallParams]) -> dict[str, Any]:
    """Withdraw your submitted application, until the results are published (409 after, or for a draft)."""
    applicant = enter(request, tenant.institution)
    applying.withdraw_application(_own(applicant, public_id), actor=applicant.user)
    return _application(_own(applicant, public_id))


# ---- results ---------------------------------------------------------------------------------------------------


def _offer(offer: Offer) -> dict[str, Any]:
    return {
        "public_id": offer.public_id,
        "status": offer.status,
        "destination": offer.destination,
        "from_waiting_list": offer.from_waiting_list,
        "respond_by": offer.respond_by,
        "responded_at": offer.responded_at,
        "created_at": offer.created_at,
    }


@router.get("/applications/{public_id}/result", response={200: ResultOut, **READ_PROBLEMS})
def application_result(request: HttpRequest, public_id: UUID, tenant: Query[CallParams]) -> dict[str, Any]:
    """The result of your application once the call's results are published: the place offered (answer it
    before `respond_by`) or accepted, why, in plain words in your language, and your places on waiting lists."""
    applicant = enter(request, tenant.institution)
    application = _own(applicant, public_id)
    with translation.override(applicant.user.language):
        result = results.result_for(application)
    accepted = [o for o in result.current if o.status == Offer.Status.ACCEPTED]
    answerable = accepted or result.current
    offer = answerable[0] if answerable else None
    return {
        "published": result.run is not None,
        "offer": _offer(offer) if offer else None,
        "offers": [_offer(o) for o in [*result.current, *result.past]],
        "explanation": result.explanation,
        "waiting_lists": [{"destination": w.name, "position": w.position} for w in result.waiting],
        "respond_by": offer.respond_by if offer and offer.status == Offer.Status.OFFERED else None,
    }


def _answer(request: HttpRequest, public_id: UUID, slug: str, accept: bool) -> dict[str, Any]:
    applicant = enter(request, slug)
    offer = get_offer_for(applicant, public_id)
    step = results.accept_offer if accept else results.decline_offer
    step(offer, actor=applicant.user)
    return _offer(get_offer_for(applicant, public_id))


@router.post("/offers/{public_id}/accept", response={200: OfferOut, **WRITE_PROBLEMS})
def accept_offer(request: HttpRequest, public_id: UUID, tenant: Query[CallParams]) -> dict[str, Any]:
    """Accept the place offered to you, before `respond_by`: you are nominated to the partner. A better place
    from a waiting list replaces a lower one. 403 for someone else's offer; 409 once answered or too late."""
    return _answer(request, public_id, tenant.institution, accept=True)


@router.post("/offers/{public_id}/decline", response={200: OfferOut, **WRITE_PROBLEMS})
def decline_offer(request: HttpRequest, public_id: UUID, tenant: Query[CallParams]) -> dict[str, Any]:
    """Decline the place offered to you, or give up the place you accepted: it goes to the next on the waiting
    list. 409 once declined, expired or replaced."""
    return _answer(request, public_id, tenant.institution, accept=False)
