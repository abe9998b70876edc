"""Workflow steps of agreements: one transaction each, validated, audited.

Lifecycle: draft -> shared -> approved by us / approved by partner -> approved by both -> terminated.
Approving freezes a snapshot; changing the content of an approved agreement starts a new version and
takes it back to draft (the snapshots keep what was approved).
"""

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mobilitas import audit
from mobilitas.agreements import diff, hashing, snapshot
from mobilitas.agreements.iia_data import CONDITION_KINDS
from mobilitas.agreements.inputs import AgreementInput, ConditionInput, InvalidAgreement, Problem, validate
from mobilitas.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementSnapshot,
    CooperationCondition,
    LanguageSkill,
    SubjectArea,
)
from mobilitas.institutions.models import Institution
from mobilitas.lib import academic_years
from mobilitas.lib.errors import Conflict, DomainError

Status = Agreement.Status
KIND_ORDER: dict[str, int] = {kind: i for i, kind in enumerate(CONDITION_KINDS)}
APPROVAL_STATES = frozenset({Status.APPROVED_BY_US, Status.APPROVED_BY_PARTNER, Status.APPROVED})
AGREEMENT_FIELDS = (
    "partner",
    "code",
    "kind",
    "ounit",
    "partner_ounit_id",
    "partner_ounit_name",
    "partner_iia_code",
    "signing_contact",
    "signing_date",
    "partner_signing_name",
    "partner_signing_email",
    "partner_signing_date",
    "title",
    "programmes",
    "start_date",
    "end_date",
    "notes",
)


def _check(institution: Institution, data: AgreementInput, *, exclude_pk: int | None = None) -> None:
    problems = validate(institution, data)
    taken = Agreement.objects.filter(institution=institution, code=data.code.strip())
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if data.code.strip() and taken.exists():
        problems.insert(
            0, Problem("code", _("Another agreement already has the code “%(code)s”.") % {"code": data.code})
        )
    if problems:
        raise InvalidAgreement(problems)


def _write_conditions(agreement: Agreement, conditions: list[ConditionInput]) -> None:
    """Replace the conditions. The IIA v7 schema lists studies, then traineeships, teaching and training;
    within a kind the order is the user's (it is part of the EWP hash), so the sort is stable."""
    conditions = sorted(conditions, key=lambda c: KIND_ORDER.get(c.kind, len(KIND_ORDER)))
    agreement.conditions.all().delete()
    ours, partner = agreement.institution, agreement.partner
    rows = [
        CooperationCondition(
            agreement=agreement,
            position=position,
            kind=c.kind,
            sending=ours if c.direction == "out" else partner,
            receiving=partner if c.direction == "out" else ours,
            sending_ounit_id=c.sending_ounit_id,
            receiving_ounit_id=c.receiving_ounit_id,
            first_year=c.first_year,
            last_year=c.last_year,
            mobilities_per_year=c.mobilities_per_year,
            total_months_per_year=c.total_months_per_year,
            total_days_per_year=c.total_days_per_year,
            blended=c.blended,
            eqf_levels=sorted(c.eqf_levels),
            other_info=c.other_info,
        )
        for position, c in enumerate(conditions)
    ]
    CooperationCondition.objects.bulk_create(rows)
    SubjectArea.objects.bulk_create(
        SubjectArea(condition=row, position=i, isced_code=a.isced_code, clarification=a.clarification)
        for row, c in zip(rows, conditions, strict=True)
        for i, a in enumerate(c.subject_areas)
    )
    LanguageSkill.objects.bulk_create(
        LanguageSkill(
            condition=row,
            position=i,
            language=s.language,
            cefr_level=s.cefr_level,
            isced_code=s.isced_code,
            clarification=s.clarification,
        )
        for row, c in zip(rows, conditions, strict=True)
        for i, s in enumerate(c.language_skills)
    )


def _apply(agreement: Agreement, data: AgreementInput) -> None:
    for name in AGREEMENT_FIELDS:
        setattr(agreement, name, getattr(data, name))
    agreement.code = data.code.strip()
    agreement.save()
    agreement.additional_partners.set(data.additional_partners)
    _write_conditions(agreement, data.conditions if agreement.is_erasmus else [])


@transaction.atomic
def create_agreement(institution: Institution, data: AgreementInput, *, actor: Any) -> Agreement:
    if not institution.hosted:
        raise DomainError(_("Only an institution hosted here keeps agreements."))
    _check(institution, data)
    agreement = Agreement(institution=institution)
    _apply(agreement, data)
    audit.record(
        "agreement.created",
        actor=actor,
        institution=institution,
        obj=agreement,
        data={"partner": agreement.partner.name, "kind": agreement.kind, "conditions": len(data.conditions)},
    )
    return agreement


@transaction.atomic
def update_agreement(agreement: Agreement, data: AgreementInput, *, actor: Any) -> Agreement:
    """Replace the agreement's content. Changing an approved agreement starts a new version (back to draft)."""
    agreement = Agreement.objects.select_for_update(of=("self",)).with_conditions().get(pk=agreement.pk)
    if agreement.status == Status.TERMINATED:
        raise Conflict(_("A terminated agreement cannot be changed."))
    if agreement.partner_id != data.partner.pk and agreement.status != Status.DRAFT:
        raise Conflict(_("The partner of an agreement cannot change once it has been shared."))
    _check(agreement.institution, data, exclude_pk=agreement.pk)
    before = snapshot.agreement_to_data(agreement)
    _apply(agreement, data)
    after = snapshot.agreement_to_data(Agreement.objects.with_conditions().get(pk=agreement.pk))
    changes = diff.compare(before, after)
    new_version = agreement.status in APPROVAL_STATES and diff.blocks_approval(changes)
    if new_version:
        agreement.version += 1
        agreement.status = Status.DRAFT
        agreement.our_approved_hash = agreement.partner_approved_hash = ""
        agreement.in_effect = False
        agreement.save(update_fields=["version", "status", "our_approved_hash", "partner_approved_hash", "in_effect"])
    audit.record(
        "agreement.updated",
        actor=actor,
        institution=agreement.institution,
        obj=agreement,
        data={"version": agreement.version, "new_version": new_version, "changes": [str(c) for c in changes][:50]},
    )
    return agreement


def _transition(agreement: Agreement, allowed: set[str], action: str) -> Agreement:
    locked = Agreement.objects.select_for_update(of=("self",)).with_conditions().get(pk=agreement.pk)
    if locked.status not in allowed:
        raise Conflict(
            _("This agreement is “%(status)s”: it cannot be %(action)s now.")
            % {"status": locked.get_status_display(), "action": action}
        )
    return locked


def _freeze(agreement: Agreement, event: str, iia_hash: str, actor: Any) -> AgreementSnapshot:
    data = snapshot.to_json(snapshot.agreement_to_data(agreement))
    return AgreementSnapshot.objects.create(
        agreement=agreement,
        version=agreement.version,
        event=event,
        data=data,
        iia_hash=iia_hash,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def ewp_problems(agreement: Agreement) -> list[str]:
    """What stops this agreement from being exchanged over EWP (shown on the page, checked when sharing)."""
    problems = []
    if agreement.is_erasmus:
        for institution in (agreement.institution, agreement.partner):
            if not institution.schac_code:
                problems.append(
                    _("%(name)s has no EWP identifier (SCHAC code) in the directory.") % {"name": institution.name}
                )
        if not agreement.conditions.exists() and not agreement.terminated_as_a_whole:
            problems.append(_("An Erasmus+ agreement needs at least one cooperation condition."))
    return problems


@transaction.atomic
def share_agreement(agreement: Agreement, *, actor: Any) -> Agreement:
    agreement = _transition(agreement, {Status.DRAFT}, _("shared"))
    if problems := ewp_problems(agreement):
        raise DomainError(" ".join(problems))
    agreement.status = Status.SHARED
    agreement.save(update_fields=["status", "updated_at"])
    audit.record("agreement.shared", actor=actor, institution=agreement.institution, obj=agreement)
    return agreement


def _record_approval(agreement: Agreement, current_hash: str, event: str, approved_hash: str, actor: Any) -> None:
    """After one side's approval: the new status, the snapshots (and "approved by both"), the audit event."""
    partner_approved = agreement.partner_approved_hash == current_hash
    if agreement.our_approved_hash and partner_approved:
        agreement.status = Status.APPROVED
        agreement.in_effect = True
    else:
        agreement.status = Status.APPROVED_BY_PARTNER if partner_approved else Status.APPROVED_BY_US
    agreement.save()
    _freeze(agreement, event, current_hash, actor)
    if agreement.status == Status.APPROVED:
        _freeze(agreement, AgreementSnapshot.Event.APPROVED, current_hash, actor)
    audit.record(
        f"agreement.{event}",
        actor=actor,
        institution=agreement.institution,
        obj=agreement,
        data={"version": agreement.version, "hash": approved_hash, "status": agreement.status},
    )


@transaction.atomic
def approve_agreement(agreement: Agreement, *, actor: Any) -> Agreement:
    """We approve. With a partner's copy on file, it must say the same as ours (that is what we approve)."""
    agreement = _transition(agreement, {Status.SHARED, Status.APPROVED_BY_PARTNER}, _("approved"))
    ours = snapshot.agreement_to_data(agreement)
    current_hash = hashing.data_hash(ours)
    approved_hash = current_hash
    copy = agreement.partner_copies.first()
    if copy is not None:
        theirs = snapshot.from_json(copy.data)
        if not copy.valid_for_approval or theirs.has_v6_markers:
            raise Conflict(_("The partner's copy still has fields marked as not yet defined: it cannot be approved."))
        differences = [d for d in diff.compare_copies(ours, theirs) if d.blocks_approval]
        if differences:
            raise Conflict(
                ngettext(
                    "The partner's copy differs from ours in %(count)s place (%(first)s). Compare the copies.",
                    "The partner's copy differs from ours in %(count)s places (first: %(first)s). Compare the copies.",
                    len(differences),
                )
                % {"count": len(differences), "first": differences[0]}
            )
        approved_hash = copy.computed_hash
    agreement.our_approved_hash = approved_hash
    _record_approval(agreement, current_hash, AgreementSnapshot.Event.APPROVED_BY_US, approved_hash, actor)
    return agreement


@transaction.atomic
def record_partner_approval(agreement: Agreement, iia_hash: str, *, actor: Any) -> Agreement:
    """The partner approved our copy with `iia_hash` (EWP IIAs Approval); it must be our current hash.

    For agreements that are not Erasmus+ IIAs, this records that the partner signed; no hash is needed."""
    agreement = _transition(agreement, {Status.SHARED, Status.APPROVED_BY_US}, _("approved by the partner"))
    current_hash = hashing.data_hash(snapshot.agreement_to_data(agreement))
    iia_hash = iia_hash.strip().lower()
    if not agreement.is_erasmus:
        iia_hash = current_hash  # other kinds are signed on paper: there is no EWP hash to check
    elif not iia_hash:
        raise DomainError(_("Give the hash the partner approved (64 hexadecimal characters)."), field="iia_hash")
    if iia_hash != current_hash:
        raise Conflict(
            _(
                "The partner approved a different version of this agreement (hash %(theirs)s; ours is now "
                "%(ours)s). Share the current version again."
            )
            % {"theirs": iia_hash[:12] or "—", "ours": current_hash[:12]}
        )
    agreement.partner_approved_hash = iia_hash
    _record_approval(agreement, current_hash, AgreementSnapshot.Event.APPROVED_BY_PARTNER, iia_hash, actor)
    return agreement


@transaction.atomic
def terminate_agreement(agreement: Agreement, *, actor: Any, as_a_whole: bool = False) -> Agreement:
    """End an agreement. "As a whole" is only for a mutually approved one ended before any exchange."""
    agreement = _transition(agreement, set(APPROVAL_STATES) | {Status.SHARED}, _("terminated"))
    if as_a_whole and agreement.status != Status.APPROVED:
        raise Conflict(_("Only an agreement approved by both sides can be terminated as a whole."))
    agreement.status = Status.TERMINATED
    agreement.in_effect = False
    agreement.terminated_as_a_whole = as_a_whole
    agreement.save()
    _freeze(
        agreement,
        AgreementSnapshot.Event.TERMINATED,
        hashing.data_hash(snapshot.agreement_to_data(agreement)),
        actor,
    )
    audit.record(
        "agreement.terminated",
        actor=actor,
        institution=agreement.institution,
        obj=agreement,
        data={"as_a_whole": as_a_whole},
    )
    return agreement


@transaction.atomic
def delete_agreement(agreement: Agreement, *, actor: Any) -> None:
    """A draft never approved may be deleted; its id is never reused (UUIDs)."""
    agreement = _transition(agreement, set(Status.values) - {Status.TERMINATED}, _("deleted"))
    if agreement.status in APPROVAL_STATES or agreement.snapshots.exists():
        raise Conflict(_("This agreement was approved once: terminate it instead of deleting it."))
    audit.record(
        "agreement.deleted",
        actor=actor,
        institution=agreement.institution,
        obj=agreement,
        data={"partner": agreement.partner.name},
    )
    agreement.delete()


@transaction.atomic
def renew_agreement(agreement: Agreement, *, first_year: str, last_year: str, code: str, actor: Any) -> Agreement:
    """A new draft agreement with the same partner and conditions, for a new span of academic years."""
    for value in (first_year, last_year):
        academic_years.parse(value)
    if first_year > last_year:
        raise DomainError(_("The last academic year comes before the first."), field="last_year")
    data = AgreementInput.from_agreement(agreement)
    data.code = code
    data.signing_contact = None
    data.signing_date = data.partner_signing_date = None
    data.partner_signing_name = data.partner_signing_email = ""
    for condition in data.conditions:
        condition.first_year, condition.last_year = first_year, last_year
    if agreement.end_date and agreement.start_date:
        data.start_date = academic_years.end_date(academic_years.shift(first_year, -1)).replace(month=9, day=1)
        data.end_date = academic_years.end_date(last_year)
    renewal = create_agreement(agreement.institution, data, actor=actor)
    renewal.renewal_of = agreement
    renewal.save(update_fields=["renewal_of"])
    audit.record(
        "agreement.renewed",
        actor=actor,
        institution=agreement.institution,
        obj=agreement,
        data={"renewal": str(renewal.public_id), "first_year": first_year, "last_year": last_year},
    )
    return renewal


def next_code(institution: Institution, year: int | None = None) -> str:
    """A fresh code of the form 2026/E+/UPJV/0042 (used by forms and renewals as a suggestion)."""
    year = year or timezone.localdate().year
    prefix = f"{year}/E+/{(institution.slug or 'IIA').upper()}/"
    taken = set(
        Agreement.objects.filter(institution=institution, code__startswith=prefix).values_list("code", flat=True)
    )
    number = len(taken) + 1
    while f"{prefix}{number:04d}" in taken:
        number += 1
    return f"{prefix}{number:04d}"


def last_academic_year(agreement: Agreement) -> str | None:
    return agreement.conditions.aggregate(last=Max("last_year"))["last"]


@transaction.atomic
def add_document(agreement: Agreement, *, title: str, upload: Any, actor: Any) -> AgreementDocument:
    if not title.strip():
        raise DomainError(_("Give the document a title."), field="title")
    document = AgreementDocument(agreement=agreement, title=title.strip(), uploaded_by=actor)
    document.file.save(upload.name, upload, save=False)
    document.save()
    audit.record(
        "agreement.document_added",
        actor=actor,
        institution=agreement.institution,
        obj=agreement,
        data={"document": document.title},
    )
    return document


@transaction.atomic
def delete_document(document: AgreementDocument, *, actor: Any) -> None:
    agreement = document.agreement
    audit.record(
        "agreement.document_deleted",
        actor=actor,
        institution=agreement.institution,
        obj=agreement,
        data={"document": document.title},
    )
    name, storage = document.file.name, document.file.storage
    document.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
