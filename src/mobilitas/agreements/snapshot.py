"""Our agreement rows as `IiaData`, and `IiaData` to and from JSON (snapshots, partner copies).

The conversion writes values exactly as our XML does (decimals without trailing zeros, booleans as
flags), so the hash of a snapshot equals the hash of the XML we serve for the same version.
"""

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from mobilitas.agreements.iia_data import (
    ConditionData,
    ContactData,
    IiaData,
    LanguageSkillData,
    PartnerData,
    SubjectAreaData,
)
from mobilitas.agreements.models import Agreement, CooperationCondition


def decimal_text(value: Decimal | None) -> str:
    """5.00 -> "5", 4.50 -> "4.5": how we write decimals in XML, snapshots and the hash."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def condition_to_data(condition: CooperationCondition) -> ConditionData:
    student = condition.is_student
    return ConditionData(
        kind=condition.kind,  # type: ignore[arg-type]
        sending_hei_id=condition.sending.schac_code,
        receiving_hei_id=condition.receiving.schac_code,
        sending_ounit_id=condition.sending_ounit_id,
        receiving_ounit_id=condition.receiving_ounit_id,
        first_year=condition.first_year,
        last_year=condition.last_year,
        mobilities_per_year=str(condition.mobilities_per_year),
        language_skills=tuple(
            LanguageSkillData(
                language=skill.language,
                cefr_level=skill.cefr_level,
                subject_area=SubjectAreaData(skill.isced_code, skill.clarification) if skill.isced_code else None,
            )
            for skill in condition.language_skills.all()
        ),
        subject_areas=tuple(SubjectAreaData(a.isced_code, a.clarification) for a in condition.subject_areas.all()),
        other_info=condition.other_info,
        total_months_per_year=decimal_text(condition.total_months_per_year) if student else "",
        blended=condition.blended if student else False,
        eqf_levels=tuple(condition.eqf_levels) if student else (),
        total_days_per_year="" if student else decimal_text(condition.total_days_per_year),
    )


def agreement_to_data(agreement: Agreement) -> IiaData:
    """Our copy, as we serve it: we are the first partner.

    Expects `conditions` with their sending/receiving institutions, subject areas and language skills
    prefetched when called in a loop (see selectors.with_conditions).
    """
    contact = agreement.signing_contact
    ours = PartnerData(
        hei_id=agreement.institution.schac_code,
        ounit_id=agreement.ounit.code if agreement.ounit else "",
        iia_id=str(agreement.public_id),
        iia_code=agreement.code,
        signing_contact=ContactData(name=contact.name, email=contact.email, phone=contact.phone, role=contact.role)
        if contact
        else None,
        signing_date=agreement.signing_date,
    )
    theirs = PartnerData(
        hei_id=agreement.partner.schac_code,
        ounit_id=agreement.partner_ounit_id,
        iia_id=agreement.partner_iia_id,
        iia_code=agreement.partner_iia_code,
        signing_contact=ContactData(name=agreement.partner_signing_name, email=agreement.partner_signing_email)
        if agreement.partner_signing_name
        else None,
        signing_date=agreement.partner_signing_date,
    )
    return IiaData(
        partners=(ours, theirs),
        in_effect=agreement.in_effect,
        conditions=tuple(condition_to_data(c) for c in agreement.conditions.all()),
        terminated_as_a_whole=agreement.terminated_as_a_whole,
    )


def to_json(data: IiaData) -> dict[str, Any]:
    raw = asdict(data)
    for partner in raw["partners"]:
        if partner["signing_date"] is not None:
            partner["signing_date"] = partner["signing_date"].isoformat()
    for condition in raw["conditions"]:
        condition["not_yet_defined"] = sorted(condition["not_yet_defined"])
    raw.pop("extra", None)
    return raw


def _contact(raw: dict[str, Any] | None) -> ContactData | None:
    return ContactData(**raw) if raw else None


def _subject(raw: dict[str, Any] | None) -> SubjectAreaData | None:
    return SubjectAreaData(**raw) if raw else None


def from_json(raw: dict[str, Any]) -> IiaData:
    partners = tuple(
        PartnerData(
            **{
                **p,
                "signing_contact": _contact(p.get("signing_contact")),
                "signing_date": date.fromisoformat(p["signing_date"]) if p.get("signing_date") else None,
                "contacts": tuple(ContactData(**c) for c in p.get("contacts", ())),
            }
        )
        for p in raw["partners"]
    )
    conditions = tuple(
        ConditionData(
            **{
                **c,
                "language_skills": tuple(
                    LanguageSkillData(
                        language=s["language"], cefr_level=s["cefr_level"], subject_area=_subject(s["subject_area"])
                    )
                    for s in c["language_skills"]
                ),
                "subject_areas": tuple(SubjectAreaData(**s) for s in c["subject_areas"]),
                "eqf_levels": tuple(c["eqf_levels"]),
                "not_yet_defined": frozenset(c.get("not_yet_defined", ())),
            }
        )
        for c in raw["conditions"]
    )
    return IiaData(
        partners=(partners[0], partners[1]),
        in_effect=raw["in_effect"],
        conditions=conditions,
        terminated_as_a_whole=raw.get("terminated_as_a_whole", False),
        iia_hash=raw.get("iia_hash", ""),
        pdf_file=raw.get("pdf_file", ""),
    )
