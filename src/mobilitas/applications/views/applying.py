"""Pages of applying: start from a call, edit the draft (autosaved), upload documents, submit, withdraw.

Applicants load their applications through `access.own_application_for`; the detail page and the documents
are also readable by the staff `access.get_application_for` lets in (coordinators of the faculty, officers).
Anything else answers 404. The steps are decided by `services.applying`; a refusal comes back as a message.

The edit form posts to the autosave URL: with HTMX on every change (a second after the last key), answered
with a small status fragment; without JavaScript through its "Save draft" button, answered with the page.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mobilitas.applications import eligibility
from mobilitas.applications.access import (
    applications_for,
    get_application_for,
    get_call_for,
    get_upload_for,
    own_application_for,
)
from mobilitas.applications.forms.applying import ApplicationForm, draft_data, posts_the_form
from mobilitas.applications.models import Application, CallDestination, RequiredDocument, Upload
from mobilitas.applications.services import applying as services
from mobilitas.applications.uploads import ACCEPT, MAX_UPLOAD_MB
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib.errors import DomainError
from mobilitas.lib.htmx import wants_partial

Status = Application.Status


def _edit_url(application: Application, slug: str, anchor: str = "") -> str:
    url = reverse("applications-edit", args=[slug, application.public_id])
    return f"{url}#{anchor}" if anchor else url


def _detail_url(application: Application, slug: str) -> str:
    return reverse("applications-application", args=[slug, application.public_id])


def _destinations(application: Application) -> list[CallDestination]:
    return list(application.call.destinations.select_related("partner", "ounit__parent").order_by("position", "pk"))


def _required_documents(application: Application) -> list[RequiredDocument]:
    return list(application.call.required_documents.all())


def _documents(application: Application) -> tuple[list[tuple[int, RequiredDocument, Upload | None]], list[Upload]]:
    """(number, required document, its upload or None) in the call's order, and the uploads for no requirement."""
    uploads = list(application.uploads.select_related("requirement"))
    by_requirement = {u.requirement_id: u for u in uploads if u.requirement_id is not None}
    required = [(n, d, by_requirement.get(d.pk)) for n, d in enumerate(_required_documents(application), start=1)]
    others = [u for u in uploads if u.requirement_id is None]
    return required, others


def _eligibility(application: Application, destinations: list[CallDestination]) -> dict[str, Any]:
    """What the eligibility panel shows: the applicant's problems and the destinations out of reach, with why."""
    out_of_reach = []
    for destination in destinations:
        reasons = eligibility.destination_reasons(application, destination)
        if reasons:
            out_of_reach.append((destination, reasons))
    return {
        "applicant_problems": eligibility.applicant_problems(application.call, application),
        "out_of_reach": out_of_reach,
    }


def _render_edit(
    request: InstitutionRequest,
    application: Application,
    *,
    form: ApplicationForm | None = None,
    submit_problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    destinations = _destinations(application)
    chosen = {d.pk for d in services.choices_of(application)}
    options = [d for d in destinations if d.pk in chosen or eligibility.is_eligible(application, d)]
    if form is None:
        form = ApplicationForm(application=application, units=_units(request), options=options)
    required, others = _documents(application)
    context = {
        "application": application,
        "call": application.call,
        "form": form,
        "required_documents": required,
        "other_uploads": others,
        "accept": ACCEPT,
        "max_upload_mb": MAX_UPLOAD_MB,
        "submit_problems": submit_problems or [],
        **_eligibility(application, destinations),
    }
    return render(request, "applications/application_edit.html", context, status=status)


def _units(request: InstitutionRequest) -> QuerySet[Any]:
    return request.institution.ounits.order_by("name")


def _bound_form(
    request: InstitutionRequest, application: Application, problems: list[services.Problem]
) -> ApplicationForm:
    destinations = _destinations(application)
    options = [d for d in destinations if eligibility.is_eligible(application, d)]
    offered = {str(d.public_id) for d in options}
    # Keep a posted choice visible (with its problem) even when it is not one the student may choose.
    posted = {request.POST.get(name, "") for name in request.POST if name.startswith("choice_")}
    options += [d for d in destinations if str(d.public_id) in posted - offered]
    form = ApplicationForm(request.POST, application=application, units=_units(request), options=options)
    form.attach_problems(problems)
    return form


# Starting and listing


@require_POST
def start(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    """The "Apply" button of a call: the applicant's draft (made once), then its edit page."""
    call = get_call_for(request, public_id)
    application = services.start_application(call, student=request.user, actor=request.user)
    if services.is_editable(application):
        return redirect(_edit_url(application, institution_slug))
    return redirect(_detail_url(application, institution_slug))


@require_safe
def my_applications(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    mine = (
        applications_for(request)
        .filter(student=request.user)
        .select_related("call")
        .order_by("-call__closes_at", "-created_at")
    )
    rows = [
        {
            "application": a,
            "editable": services.is_editable(a),
            "missed": services.missed_deadline(a),
        }
        for a in mine
    ]
    return render(request, "applications/application_list.html", {"rows": rows})


# Reading


@require_safe
def application_detail(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    application = get_application_for(request, public_id)
    own = application.student_id == request.user.pk
    required, others = _documents(application)
    context = {
        "application": application,
        "call": application.call,
        "own": own,
        "choices": services.choices_of(application),
        "required_documents": required,
        "other_uploads": others,
        "languages": [
            (eligibility.language_name(code), eligibility.level_name(level))
            for code, level in sorted((application.languages or {}).items())
        ],
        "study_level": eligibility.eqf_name(application.study_level) if application.study_level else "",
        "editable": own and services.is_editable(application),
        "can_withdraw": own and services.can_withdraw(application),
        "can_restart": own and application.status == Status.WITHDRAWN and application.call.is_open(),
        "missed": services.missed_deadline(application),
        "deadline_message": services.deadline_message(application) if services.missed_deadline(application) else "",
    }
    return render(request, "applications/application_detail.html", context)


# Editing the draft


@require_safe
def application_edit(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    application = own_application_for(request, public_id)
    if not services.is_editable(application):
        return redirect(_detail_url(application, institution_slug))
    return _render_edit(request, application)


@require_POST
def autosave(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    application = own_application_for(request, public_id)
    data = draft_data(request.POST, max_choices=application.call.max_choices, staff_call=application.call.is_staff_call)
    partial = wants_partial(request)
    try:
        problems = services.save_draft(application, actor=request.user, data=data)
    except DomainError as error:
        if not partial:
            raise
        response = render(request, "applications/application_autosave.html", {"refused": error.message})
        patch_vary_headers(response, ["HX-Request"])
        return response
    application.refresh_from_db()
    if partial:
        context = {
            "application": application,
            "problems": problems,
            "saved_at": timezone.now(),
            **_eligibility(application, _destinations(application)),
        }
        response = render(request, "applications/application_autosave.html", context)
        patch_vary_headers(response, ["HX-Request"])
        return response
    if problems:
        return _render_edit(request, application, form=_bound_form(request, application, problems), status=400)
    messages.success(request, _("Draft saved at %(time)s.") % {"time": timezone.localtime().strftime("%H:%M")})
    return redirect(_edit_url(application, institution_slug))


# Documents


def _own_upload(request: InstitutionRequest, application: Application, upload_id: UUID) -> Upload:
    upload = get_upload_for(request, upload_id)
    if upload.application_id != application.pk:
        raise Http404
    return upload


@require_POST
def upload(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    """One document, for the required document numbered `document` (1 = the call's first)."""
    application = own_application_for(request, public_id)
    documents = _required_documents(application)
    try:
        number = int(request.POST.get("document", ""))
        requirement: RequiredDocument | None = documents[number - 1] if number >= 1 else None
    except (ValueError, IndexError):
        requirement = None
        if documents:
            raise Http404 from None
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect(_edit_url(application, institution_slug, "documents"))
    try:
        stored = services.add_upload(application, actor=request.user, requirement=requirement, file=file)
    except DomainError as error:
        messages.error(
            request, _("“%(file)s” was not uploaded: %(reason)s") % {"file": file.name, "reason": error.message}
        )
        return redirect(_edit_url(application, institution_slug, "documents"))
    messages.success(request, _("“%(file)s” is uploaded.") % {"file": stored.original_name})
    return redirect(_edit_url(application, institution_slug, "documents"))


@require_safe
def download(request: InstitutionRequest, institution_slug: str, public_id: UUID, upload_id: UUID) -> FileResponse:
    upload = get_upload_for(request, upload_id)
    if upload.application.public_id != public_id:
        raise Http404
    try:
        handle = upload.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=upload.original_name, content_type=upload.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def delete_upload(request: InstitutionRequest, institution_slug: str, public_id: UUID, upload_id: UUID) -> HttpResponse:
    application = own_application_for(request, public_id)
    document = _own_upload(request, application, upload_id)
    services.delete_upload(document, actor=request.user)
    messages.success(request, _("“%(file)s” is deleted.") % {"file": document.original_name})
    return redirect(_edit_url(application, institution_slug, "documents"))


# Submitting and withdrawing


@require_POST
def submit(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    """Submit (the button of the edit form: what it carries is saved first, as the "Save draft" button does)."""
    application = own_application_for(request, public_id)
    if posts_the_form(request.POST) and services.is_editable(application):
        data = draft_data(
            request.POST, max_choices=application.call.max_choices, staff_call=application.call.is_staff_call
        )
        problems = services.save_draft(application, actor=request.user, data=data)
        application.refresh_from_db()
        if problems:
            form = _bound_form(request, application, problems)
            return _render_edit(
                request, application, form=form, submit_problems=[p.message for p in problems], status=400
            )
    before = timezone.now()
    try:
        application = services.submit_application(application, actor=request.user)
    except services.NotReady as error:
        application.refresh_from_db()
        if not services.is_editable(application):
            for problem in error.problems:
                messages.error(request, problem)
            return redirect(_detail_url(application, institution_slug))
        return _render_edit(request, application, submit_problems=error.problems, status=400)
    submitted_at = application.submitted_at or before
    if submitted_at < before:
        messages.info(
            request,
            _("This application was already submitted on %(date)s: nothing changed.")
            % {"date": eligibility.when(submitted_at)},
        )
    else:
        messages.success(
            request,
            _("Your application is submitted. A receipt is on its way to %(email)s.") % {"email": request.user.email},
        )
    return redirect(_detail_url(application, institution_slug))


@require_POST
def withdraw(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    application = own_application_for(request, public_id)
    services.withdraw_application(application, actor=request.user)
    if application.call.is_open():
        messages.success(
            request, _("Your application is withdrawn. While the call is open you can start it again from the call.")
        )
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect(_detail_url(application, institution_slug))
