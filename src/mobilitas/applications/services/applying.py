"""A student (or a staff member, for staff calls) applies to a call.

    start --> draft --save (autosave), choose, upload--> draft --submit--> submitted --withdraw--> withdrawn
    withdrawn --start again while the call is open--> draft (the content is kept)

A draft is edited only by its applicant while the call is open. After the deadline it stays, read-only, as an
unsubmitted draft: nothing is ever deleted. Submitting twice is harmless (the second answer is the first
submission, unchanged). Every refusal is a sentence the applicant reads; `submit_application` lists every
problem at once. The receipt e-mail goes out through `application_tasks` once the transaction has committed.

Autosaving a draft is not audited (it happens every few seconds while the student types); starting, uploads,
submitting, withdrawing and re-opening are.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mobilitas import audit
from mobilitas.accounts.models import User
from mobilitas.applications import eligibility
from mobilitas.applications.models import Application, Call, CallDestination, Choice, RequiredDocument, Upload
from mobilitas.applications.uploads import check
from mobilitas.institutions.models import Membership, OrganisationalUnit, Role
from mobilitas.lib.errors import Conflict, DomainError, NotAllowed

Status = Application.Status

EQF_LEVELS = (5, 6, 7, 8)
MAX_MOTIVATION = 5000
MAX_GRADE = Decimal("999.99")
CENT = Decimal("0.01")
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
ISCED_CODE = re.compile(r"^\d{4}$")
# The fields save_draft accepts, in the order their problems are listed.
DRAFT_FIELDS = (
    "ounit",
    "study_level",
    "programme",
    "isced_code",
    "grade_scale",
    "grade_average",
    "languages",
    "fewer_opportunities",
    "motivation",
    "choices",
)


@dataclass(frozen=True)
class Problem:
    """Why one field of a draft was not saved (field: a name of DRAFT_FIELDS) or why it cannot be submitted."""

    field: str
    message: str


class NotReady(DomainError):
    """The application cannot be submitted: every reason at once in `problems`."""

    def __init__(self, problems: list[str]) -> None:
        message = _("The application cannot be submitted yet:") + " " + " ".join(problems)
        super().__init__(message)
        self.problems = problems


def number_text(value: Decimal) -> str:
    """20.00 -> "20", 13.50 -> "13.5" (never "2E+1")."""
    return f"{value.normalize():f}"


# Who applies, and when


def applicant_role(call: Call) -> str:
    return Role.STAFF if call.is_staff_call else Role.STUDENT


def applicant_membership(call: Call, user: Any) -> Membership | None:
    """The membership that lets `user` apply to `call` (student, or staff for staff calls), or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    memberships = Membership.objects.filter(user=user, institution_id=call.institution_id, role=applicant_role(call))
    return memberships.select_related("ounit").first()


def _require_membership(call: Call, user: Any) -> Membership:
    membership = applicant_membership(call, user)
    if membership is None:
        institution = call.institution.display_name
        if call.is_staff_call:
            raise NotAllowed(
                _("Only staff members of %(institution)s can apply to this call.") % {"institution": institution}
            )
        raise NotAllowed(_("Only students of %(institution)s can apply to this call.") % {"institution": institution})
    return membership


def _require_applicant(application: Application, actor: Any) -> None:
    if actor is None or actor.pk != application.student_id:
        raise NotAllowed(_("Only the applicant can change this application."))


def missed_deadline(application: Application, now: Any = None) -> bool:
    """A draft whose call has closed: it is kept, read-only, and can no longer be submitted."""
    return application.status == Status.DRAFT and application.call.has_closed(now)


def deadline_message(application: Application) -> str:
    return _(
        "This application was not submitted before the deadline (%(deadline)s): it cannot be submitted any more."
    ) % {"deadline": eligibility.when(application.call.closes_at)}


def is_editable(application: Application, now: Any = None) -> bool:
    return application.status == Status.DRAFT and application.call.is_open(now)


def can_withdraw(application: Application) -> bool:
    call = application.call
    return (
        application.status == Status.SUBMITTED
        and call.status == Call.Status.PUBLISHED
        and call.results_published_at is None
    )


def _require_editable(application: Application) -> None:
    if application.status == Status.SUBMITTED:
        raise Conflict(
            _("This application was submitted on %(date)s: withdraw it first to change it.")
            % {"date": eligibility.when(application.submitted_at or application.updated_at)}
        )
    if application.status == Status.WITHDRAWN:
        raise Conflict(_("This application was withdrawn: start it again from the call to change it."))
    if missed_deadline(application):
        raise Conflict(deadline_message(application))
    problems = eligibility.call_problems(application.call)
    if problems:
        raise Conflict(problems[0])


def _lock(application: Application) -> Application:
    """The application re-read under a row lock (its own row only), with what the steps read."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call__institution", "student", "ounit__parent", "institution")
        .get(pk=application.pk)
    )


def _notify_submitted(application: Application) -> None:
    from mobilitas.applications.application_tasks import send_submission_receipt

    application_id = application.pk
    transaction.on_commit(lambda: send_submission_receipt.enqueue(application_id))


# Starting


@transaction.atomic
def start_application(call: Call, *, student: User, actor: User) -> Application:
    """The student's application to `call`: the existing one (a withdrawn one re-opened as a draft while the
    call is open), else a new draft with the faculty of the student's membership."""
    membership = _require_membership(call, student)
    if actor is None or actor.pk != student.pk:
        raise NotAllowed(_("Only the applicant can start an application."))
    existing = Application.objects.filter(call=call, student=student).first()
    if existing is not None:
        if existing.status == Status.WITHDRAWN and call.is_open():
            return _reopen(existing, actor=actor)
        return existing
    problems = eligibility.call_problems(call)
    if problems:
        raise Conflict(problems[0])
    try:
        with transaction.atomic():  # a savepoint: a concurrent double click ends here, not in a broken transaction
            application = Application.objects.create(
                call=call, institution_id=call.institution_id, student=student, ounit=membership.ounit
            )
    except IntegrityError:
        return Application.objects.get(call=call, student=student)
    audit.record(
        "applications.application_started",
        actor=actor,
        institution=call.institution,
        obj=application,
        data={"call": str(call.public_id)},
    )
    return application


def _reopen(application: Application, *, actor: User) -> Application:
    application = _lock(application)
    if application.status != Status.WITHDRAWN:
        return application
    application.status = Status.DRAFT
    application.submitted_at = None
    application.withdrawn_at = None
    application.save(update_fields=["status", "submitted_at", "withdrawn_at", "updated_at"])
    audit.record("applications.application_reopened", actor=actor, institution=application.institution, obj=application)
    return application


# Saving the draft (autosave): every valid field is saved, the others answer a problem each


def _text(raw: Any) -> str:
    return "" if raw is None else str(raw).strip()


def _decimal(raw: Any) -> Decimal | None:
    text = _text(raw).replace(",", ".").replace(" ", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _parse_ounit(application: Application, raw: Any) -> OrganisationalUnit | None:
    if isinstance(raw, OrganisationalUnit):
        raw = raw.public_id
    text = _text(raw)
    if not text:
        return None
    try:
        unit = application.institution.ounits.select_related("parent").filter(public_id=UUID(text)).first()
    except ValueError:
        unit = None
    if unit is None:
        raise DomainError(_("Choose your faculty from the list."))
    return unit


def _parse_study_level(application: Application, raw: Any) -> int | None:
    text = _text(raw)
    if not text:
        return None
    try:
        level = int(text)
    except ValueError:
        level = 0
    if level not in EQF_LEVELS:
        raise DomainError(_("Choose your study level from the list (EQF 5 to 8)."))
    return level


def _parse_programme(application: Application, raw: Any) -> str:
    text = " ".join(_text(raw).split())
    if len(text) > 200:
        raise DomainError(_("The programme can be at most 200 characters long."))
    return text


def _parse_isced_code(application: Application, raw: Any) -> str:
    text = _text(raw).replace(" ", "")
    if text and not ISCED_CODE.match(text):
        raise DomainError(_("Write the 4-digit ISCED-F code of your field of study, like 0613."))
    return text


def _parse_grade_scale(application: Application, raw: Any) -> Decimal:
    try:
        scale = _decimal(raw)
    except ValueError:
        raise DomainError(_("Write the top of your grading scale as a number, like 20 or 4.")) from None
    if scale is None:
        return Decimal(20)
    if scale <= 0 or scale > MAX_GRADE:
        raise DomainError(_("The top of the grading scale must be more than 0 and at most 999.99."))
    return scale


def _parse_grade_average(application: Application, raw: Any) -> Decimal | None:
    try:
        grade = _decimal(raw)
    except ValueError:
        raise DomainError(_("Write your grade average as a number, like 13.5.")) from None
    if grade is None:
        return None
    if grade < 0 or grade > application.grade_scale:
        raise DomainError(
            _("The grade average must be between 0 and %(scale)s (the top of your grading scale).")
            % {"scale": number_text(application.grade_scale)}
        )
    return grade


def _parse_languages(application: Application, raw: Any) -> dict[str, str]:
    """{"es": "B1"}, or [("es", "B1"), ...]: each a language code and a CEFR level (or NS for a native speaker)."""
    pairs = list(raw.items()) if isinstance(raw, dict) else list(raw or [])
    languages: dict[str, str] = {}
    for pair in pairs:
        code, level = (_text(pair[0]).lower(), _text(pair[1]).upper()) if len(pair) == 2 else ("", "")
        if not code and not level:
            continue
        if not LANGUAGE_TAG.match(code):
            raise DomainError(_("Choose each language from the list."))
        if level not in eligibility.LEVEL_RANK:
            raise DomainError(
                _("Give your level in %(language)s (A1 to C2, or native speaker).")
                % {"language": eligibility.language_name(code)}
            )
        if code in languages:
            raise DomainError(
                _("%(language)s is given twice: keep one level.") % {"language": eligibility.language_name(code)}
            )
        languages[code] = level
    return languages


def _parse_flag(application: Application, raw: Any) -> bool:
    return raw is True or _text(raw).lower() in ("on", "true", "1", "yes")


def _parse_motivation(application: Application, raw: Any) -> str:
    text = "" if raw is None else str(raw).replace("\r\n", "\n").strip()
    if len(text) > MAX_MOTIVATION:
        raise DomainError(
            _("The motivation can be at most %(max)s characters long (yours has %(length)s).")
            % {"max": MAX_MOTIVATION, "length": len(text)}
        )
    return text


PARSERS: dict[str, Callable[[Application, Any], Any]] = {
    "ounit": _parse_ounit,
    "study_level": _parse_study_level,
    "programme": _parse_programme,
    "isced_code": _parse_isced_code,
    "grade_scale": _parse_grade_scale,
    "grade_average": _parse_grade_average,
    "languages": _parse_languages,
    "fewer_opportunities": _parse_flag,
    "motivation": _parse_motivation,
}


@transaction.atomic
def save_draft(application: Application, *, actor: User, data: dict[str, Any]) -> list[Problem]:
    """Save the fields of `data` (raw values, as a form or the API sends them) that are valid; return a problem
    for each of the others, which keep their saved value. Fields absent from `data` are left as they are.

    `choices` is a list of destination public ids in rank order (empty entries are skipped)."""
    application = _lock(application)
    _require_applicant(application, actor)
    _require_editable(application)
    problems: list[Problem] = []
    changed: list[str] = []
    for field, parse in PARSERS.items():
        if field not in data:
            continue
        try:
            value = parse(application, data[field])
        except DomainError as error:
            problems.append(Problem(field, error.message))
            continue
        if field == "ounit":
            unit = value if isinstance(value, OrganisationalUnit) else None
            if application.ounit_id != (unit.pk if unit else None):
                application.ounit = unit
                changed.append(field)
        elif getattr(application, field) != value:
            setattr(application, field, value)
            changed.append(field)
    if changed:
        application.save(update_fields=[*changed, "updated_at"])
    if "choices" in data:
        try:
            _set_choices(application, [_text(c) for c in data["choices"] or []])
        except DomainError as error:
            problems.append(Problem("choices", error.message))
    return problems


# Choosing destinations


def choices_of(application: Application) -> list[CallDestination]:
    """The chosen destinations in rank order."""
    choices = application.choices.select_related("destination__partner", "destination__ounit").order_by("rank")
    return [c.destination for c in choices]


def _uuids(texts: list[str]) -> list[UUID]:
    """The well-formed public ids among `texts` (a malformed one is then simply "not offered")."""
    found = []
    for text in texts:
        try:
            found.append(UUID(text))
        except ValueError:
            continue
    return found


def _set_choices(application: Application, destination_ids: list[str]) -> None:
    wanted = [i for i in destination_ids if i]
    call = application.call
    if len(wanted) > call.max_choices:
        raise DomainError(
            _("You can rank at most %(max)s destinations; you chose %(count)s.")
            % {"max": call.max_choices, "count": len(wanted)},
            field="choices",
        )
    offered = {
        str(d.public_id): d
        for d in call.destinations.filter(public_id__in=_uuids(wanted)).select_related("partner", "ounit__parent")
    }
    chosen: list[CallDestination] = []
    for identifier in wanted:
        destination = offered.get(identifier)
        if destination is None:
            raise DomainError(
                _("The destination “%(id)s” is not offered by this call.") % {"id": identifier}, field="choices"
            )
        if destination in chosen:
            raise DomainError(
                _("You chose %(destination)s twice: rank each destination once.")
                % {"destination": destination.partner.display_name},
                field="choices",
            )
        reasons = eligibility.destination_reasons(application, destination)
        if reasons:
            raise DomainError(
                _("You cannot choose %(destination)s: %(reasons)s.")
                % {"destination": destination.partner.display_name, "reasons": "; ".join(reasons)},
                field="choices",
            )
        chosen.append(destination)
    current = [c.destination_id for c in application.choices.order_by("rank")]
    if current == [d.pk for d in chosen]:
        return
    application.choices.all().delete()
    Choice.objects.bulk_create(
        [Choice(application=application, rank=rank, destination=d) for rank, d in enumerate(chosen, start=1)]
    )


@transaction.atomic
def set_choices(application: Application, *, actor: User, destination_ids: list[UUID | str]) -> list[CallDestination]:
    """Rank the destinations (public ids, first choice first); refuses one the call does not offer, one the
    applicant is not eligible for, a duplicate, or more than the call's maximum, naming it."""
    application = _lock(application)
    _require_applicant(application, actor)
    _require_editable(application)
    _set_choices(application, [_text(i) for i in destination_ids])
    application.save(update_fields=["updated_at"])
    return choices_of(application)


# Documents


def _delete_file_on_commit(upload: Upload) -> None:
    storage, name = upload.file.storage, upload.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def add_upload(
    application: Application, *, actor: User, requirement: RequiredDocument | None, file: UploadedFile
) -> Upload:
    """Store a PDF, PNG or JPEG for `requirement` (replacing the one uploaded before for it)."""
    application = _lock(application)
    _require_applicant(application, actor)
    _require_editable(application)
    if requirement is not None and requirement.call_id != application.call_id:
        raise DomainError(_("This document is not asked for by the call."), field="requirement")
    checked = check(file)
    if requirement is not None:
        for previous in application.uploads.filter(requirement=requirement):
            _delete_file_on_commit(previous)
            previous.delete()
    upload = Upload(
        application=application,
        requirement=requirement,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    upload.file.save(checked.original_name, file, save=False)
    stored = upload.file.name
    try:
        upload.save()
        audit.record(
            "applications.document_uploaded",
            actor=actor,
            institution=application.institution,
            obj=application,
            data={
                "document": requirement.name if requirement else "",
                "file": checked.original_name,
                "size": checked.size,
                "sha256": checked.sha256,
            },
        )
    except Exception:
        upload.file.storage.delete(stored)
        raise
    return upload


@transaction.atomic
def delete_upload(upload: Upload, *, actor: User) -> None:
    application = _lock(upload.application)
    _require_applicant(application, actor)
    _require_editable(application)
    upload = application.uploads.get(pk=upload.pk)
    _delete_file_on_commit(upload)
    upload.delete()
    audit.record(
        "applications.document_deleted",
        actor=actor,
        institution=application.institution,
        obj=application,
        data={"file": upload.original_name, "sha256": upload.sha256},
    )


# Submitting and withdrawing


def submission_problems(application: Application, now: Any = None) -> list[str]:
    """Everything that stops `application` from being submitted now, in the order of the form."""
    call = application.call
    problems: list[str] = []
    if missed_deadline(application, now):
        return [deadline_message(application)]
    problems += eligibility.call_problems(call, now)
    if applicant_membership(call, application.student) is None:
        problems.append(_("You no longer hold a membership that lets you apply to this call."))
    problems += eligibility.applicant_problems(call, application)
    if not call.is_staff_call:
        if application.study_level is None:
            problems.append(_("Give your study level."))
        if application.grade_average is None:
            problems.append(_("Give your grade average."))
    if not application.languages:
        problems.append(_("Give at least one language and your level in it."))
    chosen = choices_of(application)
    if not chosen:
        problems.append(_("Choose at least one destination."))
    elif len(chosen) > call.max_choices:
        problems.append(
            _("You can rank at most %(max)s destinations; you chose %(count)s.")
            % {"max": call.max_choices, "count": len(chosen)}
        )
    for destination in chosen:
        problems += eligibility.destination_problems(application, destination)
    uploaded = {u.requirement_id for u in application.uploads.all()}
    for document in call.required_documents.all():
        if document.pk not in uploaded:
            problems.append(_("Upload the document “%(document)s”.") % {"document": document.name})
    return problems


@transaction.atomic
def submit_application(application: Application, *, actor: User) -> Application:
    """Submit a complete draft while the call is open. An application already submitted is returned unchanged
    (a double click, or two requests at once: the second waits for the lock and finds it submitted)."""
    application = _lock(application)
    _require_applicant(application, actor)
    if application.status == Status.SUBMITTED:
        return application
    if application.status == Status.WITHDRAWN:
        raise Conflict(_("This application was withdrawn: start it again from the call to submit it."))
    now = timezone.now()
    problems = submission_problems(application, now)
    if problems:
        raise NotReady(problems)
    application.status = Status.SUBMITTED
    application.submitted_at = now
    application.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record(
        "applications.application_submitted",
        actor=actor,
        institution=application.institution,
        obj=application,
        data={"call": str(application.call.public_id), "choices": [str(d.public_id) for d in choices_of(application)]},
    )
    _notify_submitted(application)
    return application


@transaction.atomic
def withdraw_application(application: Application, *, actor: User) -> Application:
    """The applicant withdraws a submitted application, until the results are published (even after the
    deadline). While the call is open they can start it again from the call page."""
    application = _lock(application)
    _require_applicant(application, actor)
    if application.status == Status.WITHDRAWN:
        return application
    if application.status != Status.SUBMITTED:
        raise Conflict(_("Only a submitted application can be withdrawn."))
    if not can_withdraw(application):
        raise Conflict(_("The results of this call are published: the application can no longer be withdrawn."))
    application.status = Status.WITHDRAWN
    application.withdrawn_at = timezone.now()
    application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit.record(
        "applications.application_withdrawn",
        actor=actor,
        institution=application.institution,
        obj=application,
        data={"submitted_at": application.submitted_at.isoformat() if application.submitted_at else ""},
    )
    return application
