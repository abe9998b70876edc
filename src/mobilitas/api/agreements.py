"""Agreements of a hosted institution: the reads, rules and workflow steps of the agreement pages, as JSON.

Pages find their institution in the `/<slug>/` prefix; the API has none, so every endpoint here takes the slug
as the `institution` query parameter and checks it against the token user's memberships the same way
(api/tenancy.py): not a member answers 404, like an unknown slug. Then the roles decide, as on the pages:
officers and admins read and write everything, leadership reads everything, coordinators read their units'
agreements, everyone else (students, staff) gets 403.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError

from mobilitas.agreements import hashing, services, snapshot
from mobilitas.agreements.access import READERS, agreements_for, can_edit, with_conditions
from mobilitas.agreements.filters import AgreementFilterForm
from mobilitas.agreements.iia_data import PartnerData
from mobilitas.agreements.inputs import (
    AgreementInput,
    ConditionInput,
    InvalidAgreement,
    LanguageSkillInput,
    Problem,
    SubjectAreaInput,
    validate,
)
from mobilitas.agreements.models import Agreement, AgreementSnapshot, CooperationCondition
from mobilitas.api.agreement_schemas import (
    AgreementDetailOut,
    AgreementFilters,
    AgreementIn,
    AgreementPage,
    ConditionIn,
    InstitutionRef,
    TenantParams,
    TerminateIn,
)
from mobilitas.api.schemas import PROBLEM_RESPONSES, paginate
from mobilitas.api.schemas import Problem as ProblemOut
from mobilitas.api.tenancy import enter
from mobilitas.institutions.access import has_role
from mobilitas.institutions.models import Institution
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib import erasmus_code

router = Router(tags=["agreements"])

READ_PROBLEMS: dict[int, Any] = {**PROBLEM_RESPONSES, 403: ProblemOut}
# 400: a rule refused the step (e.g. sharing without hei-ids); 409: the agreement's state does not allow it.
WRITE_PROBLEMS: dict[int, Any] = {**READ_PROBLEMS, 400: ProblemOut, 409: ProblemOut}


# Members of the detail document read as they are from the agreement row or its select_related relations.
PLAIN_FIELDS = (
    "public_id", "code", "kind", "status", "version", "in_effect", "title", "institution", "partner", "ounit",
    "partner_ounit_id", "partner_ounit_name", "partner_iia_id", "partner_iia_code", "signing_contact", "signing_date",
    "partner_signing_name", "partner_signing_email", "partner_signing_date", "terminated_as_a_whole", "start_date",
    "end_date", "notes", "created_at", "updated_at",
)  # fmt: skip


# ---- tenancy and roles -----------------------------------------------------------------------------------------


def _reader(request: HttpRequest, slug: str) -> InstitutionRequest:
    tenant = enter(request, slug)
    if not has_role(tenant, *READERS):
        raise PermissionDenied
    return tenant


def _editor(request: HttpRequest, slug: str) -> InstitutionRequest:
    tenant = enter(request, slug)
    if not can_edit(tenant):
        raise PermissionDenied
    return tenant


# ---- reading ---------------------------------------------------------------------------------------------------


def _with_detail(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Everything the detail document shows, in a fixed number of queries."""
    snapshots = AgreementSnapshot.objects.only(
        "public_id", "agreement_id", "version", "event", "iia_hash", "created_at"
    )
    return (
        with_conditions(agreements)
        .annotate(renewal_of_public_id=F("renewal_of__public_id"))
        .prefetch_related(Prefetch("snapshots", queryset=snapshots))
    )


def _get(tenant: InstitutionRequest, public_id: UUID) -> Agreement:
    return get_object_or_404(_with_detail(agreements_for(tenant)), public_id=public_id)


def _find(tenant: InstitutionRequest, public_id: UUID) -> Agreement:
    """The row alone, for a service (which reloads and locks it)."""
    return get_object_or_404(agreements_for(tenant), public_id=public_id)


def _iia_partner(data: PartnerData, institution: Institution) -> dict[str, Any]:
    contact = data.signing_contact
    return {
        "hei_id": data.hei_id,
        "name": institution.name,
        "erasmus_code": institution.erasmus_code,
        "ounit_id": data.ounit_id,
        "iia_id": data.iia_id,
        "iia_code": data.iia_code,
        "signing_name": contact.name if contact else "",
        "signing_email": contact.email if contact else "",
        "signing_date": data.signing_date,
    }


def _condition(condition: CooperationCondition, agreement: Agreement) -> dict[str, Any]:
    # The input's own shape (ConditionInput), so that a detail can be sent back as it is.
    return {
        **asdict(ConditionInput.from_condition(condition, agreement)),
        "sending_hei_id": condition.sending.schac_code,
        "receiving_hei_id": condition.receiving.schac_code,
    }


def _detail(agreement: Agreement) -> dict[str, Any]:
    data = snapshot.agreement_to_data(agreement)
    conditions = list(agreement.conditions.all())
    hash_computable = agreement.is_erasmus and all(partner.hei_id for partner in data.partners)
    return {
        **{name: getattr(agreement, name) for name in PLAIN_FIELDS},
        "last_year": max((c.last_year for c in conditions), default=None),
        "partners": [
            _iia_partner(data.partners[0], agreement.institution),
            _iia_partner(data.partners[1], agreement.partner),
        ],
        "programmes": agreement.programme_list,
        "additional_partners": list(agreement.additional_partners.all()),
        "renewal_of": agreement.renewal_of_public_id,  # type: ignore[attr-defined]
        "conditions": [_condition(c, agreement) for c in conditions],
        "iia_hash": hashing.data_hash(data) if hash_computable else None,
        "snapshots": list(agreement.snapshots.all()),
    }


def _form_data(filters: AgreementFilters) -> dict[str, Any]:
    values = {
        "q": filters.q,
        "country": filters.country.upper() if filters.country else None,
        "status": filters.status,
        "kind": filters.kind,
        "year": filters.year,
        "isced": filters.isced,
        "expiring": filters.expiring,
        "order": filters.order,
    }
    return {name: value for name, value in values.items() if value is not None}


@router.get("/agreements", response={200: AgreementPage, **READ_PROBLEMS})
def list_agreements(request: HttpRequest, filters: Query[AgreementFilters]) -> dict[str, Any]:
    """The agreements of `institution` the user may read, with the filters of the agreements page.

    Ordered by partner name unless `order` says otherwise.
    """
    tenant = _reader(request, filters.institution)
    form = AgreementFilterForm(_form_data(filters))
    if not form.is_valid():
        # The form's own messages, at the query parameter they are about.
        raise ValidationError(
            [
                {"loc": ("query", name), "msg": error["message"], "type": error["code"] or "invalid"}
                for name, errors in form.errors.get_json_data().items()
                for error in errors
            ]
        )
    agreements = form.filter(agreements_for(tenant), timezone.localdate()).select_related("partner", "ounit")
    return paginate(agreements, filters)


@router.get("/agreements/{public_id}", response={200: AgreementDetailOut, **READ_PROBLEMS})
def get_agreement(request: HttpRequest, public_id: UUID, tenant: Query[TenantParams]) -> dict[str, Any]:
    """One agreement: both partners as in the IIA, the conditions in order, the current IIA v7 hash and the
    approved versions."""
    return _detail(_get(_reader(request, tenant.institution), public_id))


# ---- writing ---------------------------------------------------------------------------------------------------


@contextmanager
def _problems_as_422() -> Iterator[None]:
    """The domain's problems, each at its place (`conditions.0.subject_areas.0.isced_code`), answered like the
    API's own validation errors: one 422 problem whose `errors` name every field of the body."""
    try:
        yield
    except InvalidAgreement as error:
        raise ValidationError(
            [
                {"loc": ("body", *problem.place.split(".")), "msg": problem.message, "type": "invalid"}
                for problem in error.problems
            ]
        ) from error


def _institution(ref: InstitutionRef, place: str, problems: list[Problem]) -> Institution | None:
    """The directory institution every identifier of `ref` names (blank ones are ignored)."""
    lookup: dict[str, Any] = {}
    if ref.public_id:
        lookup["public_id"] = ref.public_id
    if code := erasmus_code.normalise(ref.erasmus_code or ""):
        lookup["erasmus_code"] = code
    if schac := (ref.schac_code or "").strip():
        lookup["schac_code__iexact"] = schac
    institution = Institution.objects.filter(**lookup).first() if lookup else None
    if institution is None:
        given = " + ".join(str(value) for value in lookup.values())
        # The agreement form's message, so that pages and API say the same.
        message = _(
            "No institution of the directory has the Erasmus code, SCHAC code or id “%(value)s”. "
            "Look it up in the partner directory and copy its code."
        )
        problems.append(Problem(place, message % {"value": given}))
    return institution


def _condition_input(condition: ConditionIn) -> ConditionInput:
    return ConditionInput(
        kind=condition.kind,
        direction=condition.direction,
        first_year=condition.first_year.strip(),
        last_year=condition.last_year.strip(),
        mobilities_per_year=condition.mobilities_per_year,
        total_months_per_year=condition.total_months_per_year,
        total_days_per_year=condition.total_days_per_year,
        blended=condition.blended,
        eqf_levels=condition.eqf_levels,
        subject_areas=[SubjectAreaInput(a.isced_code.strip(), a.clarification) for a in condition.subject_areas],
        language_skills=[
            LanguageSkillInput(s.language.strip(), s.cefr_level, s.isced_code.strip(), s.clarification)
            for s in condition.language_skills
        ],
        other_info=condition.other_info,
        sending_ounit_id=condition.sending_ounit_id,
        receiving_ounit_id=condition.receiving_ounit_id,
    )


def _agreement_input(tenant: InstitutionRequest, payload: AgreementIn) -> AgreementInput:
    """The body as the services take it: references looked up, each one that fails a problem at its place."""
    institution = tenant.institution
    problems: list[Problem] = []
    partner = _institution(payload.partner, "partner", problems)
    additional = [
        _institution(ref, f"additional_partners.{i}", problems) for i, ref in enumerate(payload.additional_partners)
    ]
    ounit = None
    if payload.ounit is not None:
        ounit = institution.ounits.filter(code=payload.ounit.code.strip()).first()
        if ounit is None:
            problems.append(
                Problem("ounit", _("We have no unit with the code “%(code)s”.") % {"code": payload.ounit.code})
            )
    contact = None
    if payload.signing_contact is not None:
        contact = institution.contacts.filter(public_id=payload.signing_contact.public_id, partner=institution).first()
        if contact is None:
            problems.append(Problem("signing_contact", _("Our signatory must be one of our contacts who works here.")))
    data = None
    if partner is not None:
        data = AgreementInput(
            partner=partner,
            code=payload.code,
            kind=payload.kind,
            ounit=ounit,
            partner_ounit_id=payload.partner_ounit_id.strip(),
            partner_ounit_name=payload.partner_ounit_name.strip(),
            partner_iia_code=payload.partner_iia_code.strip(),
            signing_contact=contact,
            signing_date=payload.signing_date,
            partner_signing_name=payload.partner_signing_name.strip(),
            partner_signing_email=payload.partner_signing_email.strip(),
            partner_signing_date=payload.partner_signing_date,
            title=payload.title.strip(),
            programmes="\n".join(payload.programmes),
            start_date=payload.start_date,
            end_date=payload.end_date,
            notes=payload.notes,
            additional_partners=[p for p in additional if p is not None],
            conditions=[_condition_input(c) for c in payload.conditions],
        )
    if problems or data is None:
        # Answer the rest of the body's problems too, when there is a partner to check them against.
        raise InvalidAgreement(problems + (validate(institution, data) if data is not None else []))
    return data


@router.post("/agreements", response={201: AgreementDetailOut, **WRITE_PROBLEMS})
def create_agreement(request: HttpRequest, tenant: Query[TenantParams], payload: AgreementIn) -> Status[dict[str, Any]]:
    """A new draft agreement of `institution` (officers and admins).

    The partner is named by its public_id, Erasmus code or SCHAC code (hei-id); our responsible unit by its
    code. Every broken rule is listed in `errors`, each at its place in the body
    (`conditions.0.subject_areas.0.isced_code`).
    """
    editor = _editor(request, tenant.institution)
    with _problems_as_422():
        agreement = services.create_agreement(editor.institution, _agreement_input(editor, payload), actor=editor.user)
    return Status(201, _detail(_get(editor, agreement.public_id)))


@router.put("/agreements/{public_id}", response={200: AgreementDetailOut, **WRITE_PROBLEMS})
def update_agreement(
    request: HttpRequest, public_id: UUID, tenant: Query[TenantParams], payload: AgreementIn
) -> dict[str, Any]:
    """Replace the whole content of an agreement (officers and admins); the body is the same as for creating.

    Changing what an approved agreement says starts a new version, back to draft. A terminated agreement
    cannot be changed (409), nor can the partner of one already shared.
    """
    editor = _editor(request, tenant.institution)
    agreement = _find(editor, public_id)
    with _problems_as_422():
        services.update_agreement(agreement, _agreement_input(editor, payload), actor=editor.user)
    return _detail(_get(editor, public_id))


# ---- workflow steps --------------------------------------------------------------------------------------------


@router.post("/agreements/{public_id}/share", response={200: AgreementDetailOut, **WRITE_PROBLEMS})
def share_agreement(request: HttpRequest, public_id: UUID, tenant: Query[TenantParams]) -> dict[str, Any]:
    """Draft -> shared with the partner. Both institutions need an EWP hei-id, an Erasmus+ agreement a
    condition (400 otherwise); 409 when it is not a draft."""
    editor = _editor(request, tenant.institution)
    services.share_agreement(_find(editor, public_id), actor=editor.user)
    return _detail(_get(editor, public_id))


@router.post("/agreements/{public_id}/approve", response={200: AgreementDetailOut, **WRITE_PROBLEMS})
def approve_agreement(request: HttpRequest, public_id: UUID, tenant: Query[TenantParams]) -> dict[str, Any]:
    """We approve the current version (shared, or approved by the partner); a snapshot keeps what was approved.
    409 when the state does not allow it or the partner's copy on file says something else."""
    editor = _editor(request, tenant.institution)
    services.approve_agreement(_find(editor, public_id), actor=editor.user)
    return _detail(_get(editor, public_id))


@router.post("/agreements/{public_id}/terminate", response={200: AgreementDetailOut, **WRITE_PROBLEMS})
def terminate_agreement(
    request: HttpRequest, public_id: UUID, tenant: Query[TenantParams], payload: TerminateIn | None = None
) -> dict[str, Any]:
    """End a shared or approved agreement; 409 in any other state."""
    editor = _editor(request, tenant.institution)
    as_a_whole = payload.as_a_whole if payload is not None else False
    services.terminate_agreement(_find(editor, public_id), actor=editor.user, as_a_whole=as_a_whole)
    return _detail(_get(editor, public_id))
