"""The partner's copy of an agreement, received as an IIAs v7 get-response (a file today, EWP later).

Each `iia` in the document is checked (we must be the second partner, the first must be in the directory by
its hei-id, the served hash must be the hash of the content) and stored as a `PartnerCopy` of the matching
agreement; an agreement we did not have yet is created as a draft mirroring the partner's conditions.
A document is taken whole or not at all.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from lxml import etree

from mobilitas import audit
from mobilitas.agreements import services, snapshot
from mobilitas.agreements.ewp.iia_hash import iia_hash
from mobilitas.agreements.ewp.iia_xml import parse_get_response
from mobilitas.agreements.iia_data import ConditionData, IiaData
from mobilitas.agreements.inputs import (
    AgreementInput,
    ConditionInput,
    InvalidAgreement,
    LanguageSkillInput,
    SubjectAreaInput,
)
from mobilitas.agreements.models import Agreement, PartnerCopy
from mobilitas.institutions.models import Institution
from mobilitas.lib.errors import DomainError

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


def _read(xml: bytes) -> list[tuple[IiaData, etree._Element]]:
    if len(xml) > MAX_DOCUMENT_BYTES:
        raise DomainError(_("The file is larger than 5 MB."))
    return parse_get_response(xml)


def _partner_of(institution: Institution, data: IiaData, position: int) -> Institution:
    """The first partner (the HEI serving the copy), checking that the second one is us."""
    first, second = data.partners
    if second.hei_id != institution.schac_code:
        raise DomainError(
            _("Agreement %(n)s of the file is between %(first)s and %(second)s, not with us (%(ours)s).")
            % {"n": position, "first": first.hei_id, "second": second.hei_id, "ours": institution.schac_code or "—"}
        )
    partner = Institution.objects.filter(schac_code=first.hei_id).first()
    if partner is None:
        raise DomainError(
            _("Agreement %(n)s of the file: no institution with the EWP identifier “%(hei)s” in the directory.")
            % {"n": position, "hei": first.hei_id}
        )
    return partner


def _store(agreement: Agreement, data: IiaData, element: etree._Element, position: int, actor: Any) -> PartnerCopy:
    result = iia_hash(element)
    if data.iia_hash and data.iia_hash.strip().lower() != result.hash:
        raise DomainError(
            _(
                "Agreement %(n)s of the file (%(id)s): the hash in the file (%(served)s) is not the hash of its "
                "content (%(computed)s). The partner's system computed it differently; nothing was saved."
            )
            % {"n": position, "id": data.partners[0].iia_id, "served": data.iia_hash, "computed": result.hash}
        )
    theirs = data.partners[0]
    copy = PartnerCopy.objects.create(
        agreement=agreement,
        xml=etree.tostring(element, encoding="unicode"),
        data=snapshot.to_json(data),
        served_hash=data.iia_hash.strip().lower(),
        computed_hash=result.hash,
        valid_for_approval=result.valid_for_approval,
        received_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if theirs.iia_id and (agreement.partner_iia_id, agreement.partner_iia_code) != (theirs.iia_id, theirs.iia_code):
        agreement.partner_iia_id, agreement.partner_iia_code = theirs.iia_id, theirs.iia_code
        agreement.save(update_fields=["partner_iia_id", "partner_iia_code", "updated_at"])
    audit.record(
        "agreement.partner_copy_received",
        actor=actor,
        institution=agreement.institution,
        obj=agreement,
        data={"hash": result.hash, "valid_for_approval": result.valid_for_approval},
    )
    return copy


def _matches(agreement: Agreement, data: IiaData) -> bool:
    theirs, ours = data.partners
    if ours.iia_id:
        return ours.iia_id == str(agreement.public_id)
    return bool(theirs.iia_id) and theirs.iia_id == agreement.partner_iia_id


@transaction.atomic
def receive_partner_copy(agreement: Agreement, xml: bytes, *, actor: Any) -> PartnerCopy:
    """Store the partner's copy of `agreement` from a get-response holding it."""
    items = _read(xml)
    candidates = [
        (position, data, element)
        for position, (data, element) in enumerate(items, 1)
        if data.partners[0].hei_id == agreement.partner.schac_code
        and data.partners[1].hei_id == agreement.institution.schac_code
    ]
    chosen = [c for c in candidates if _matches(agreement, c[1])] or (candidates if len(candidates) == 1 else [])
    if not chosen:
        raise DomainError(
            _("The file holds no agreement of %(partner)s with us that matches this one.")
            % {"partner": agreement.partner.display_name}
        )
    position, data, element = chosen[0]
    return _store(agreement, data, element, position, actor)


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value.strip() else None
    except InvalidOperation:
        return None


def mirrored_condition(condition: ConditionData, ours: str) -> ConditionInput:
    """A partner's condition as input for our copy: same content, direction seen from our side."""
    return ConditionInput(
        kind=condition.kind,
        direction="out" if condition.sending_hei_id == ours else "in",
        first_year=condition.first_year,
        last_year=condition.last_year,
        mobilities_per_year=int(condition.mobilities_per_year),
        total_months_per_year=_decimal(condition.total_months_per_year),
        total_days_per_year=_decimal(condition.total_days_per_year),
        blended=condition.blended,
        eqf_levels=list(condition.eqf_levels),
        subject_areas=[SubjectAreaInput(a.isced_code.strip(), a.clarification) for a in condition.subject_areas],
        language_skills=[
            LanguageSkillInput(
                s.language,
                s.cefr_level,
                s.subject_area.isced_code if s.subject_area else "",
                s.subject_area.clarification if s.subject_area else "",
            )
            for s in condition.language_skills
        ],
        other_info=condition.other_info,
        sending_ounit_id=condition.sending_ounit_id,
        receiving_ounit_id=condition.receiving_ounit_id,
    )


def _find_or_create(
    institution: Institution, partner: Institution, data: IiaData, position: int, actor: Any
) -> tuple[Agreement, bool]:
    agreements = Agreement.objects.filter(institution=institution, partner=partner).select_related(
        "institution", "partner"
    )
    for agreement in agreements:
        if _matches(agreement, data):
            return agreement, False
    theirs = data.partners[0]
    proposal = AgreementInput(
        partner=partner,
        code=services.next_code(institution),
        partner_iia_code=theirs.iia_code,
        partner_ounit_id=theirs.ounit_id,
        conditions=[mirrored_condition(c, institution.schac_code) for c in data.conditions],
    )
    try:
        agreement = services.create_agreement(institution, proposal, actor=actor)
    except InvalidAgreement as error:
        raise DomainError(
            _("Agreement %(n)s of the file cannot become an agreement here: %(reason)s")
            % {"n": position, "reason": error.message}
        ) from error
    return agreement, True


@transaction.atomic
def import_partner_document(institution: Institution, xml: bytes, *, actor: Any) -> list[Agreement]:
    """Every agreement of a partner's get-response, matched to ours (or created as drafts)."""
    if not institution.schac_code:
        raise DomainError(_("Our institution has no EWP identifier (SCHAC code): set it in the directory first."))
    touched = []
    for position, (data, element) in enumerate(_read(xml), 1):
        partner = _partner_of(institution, data, position)
        agreement, _created = _find_or_create(institution, partner, data, position, actor)
        _store(agreement, data, element, position, actor)
        touched.append(agreement)
    return touched
