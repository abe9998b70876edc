"""The shapes of /api/v1/agreements. Inputs check types and lengths only: the rules of an agreement are the
domain's (agreements/inputs.py), so the API and the pages refuse the same things with the same messages.

A detail document carries every member of the input under the same name and shape (unknown members are
ignored on input), so a client can GET an agreement, change it and PUT it back.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import TextChoices
from ninja import Field, Schema
from pydantic import JsonValue, field_validator, model_validator

from mobilitas.agreements.models import Agreement, AgreementSnapshot, CooperationCondition, LanguageSkill
from mobilitas.api.schemas import PageParams

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


def choice(choices: type[TextChoices], default: Any = ..., description: str | None = None, blank: bool = False) -> Any:
    """A string listed as an enum in the OpenAPI document. The domain (or the list page's form) checks the value,
    with its own message, so enum members stay plain strings here and name no schema component."""
    values: list[JsonValue] = [*choices.values, *([""] if blank else [])]
    return Field(default, description=description, json_schema_extra={"enum": values})


# The keys of agreements.filters.ORDERING (a test keeps them equal).
Order = Literal["partner", "country", "code", "last_year", "-updated"]

# What sits in front of every agreements endpoint, as the `/<slug>/` prefix sits in front of the pages.
TENANT_DESCRIPTION = (
    "The slug of the hosted institution whose agreements these are (as in its page addresses, e.g. `upjv`). "
    "The token's user must be a member of it; for anyone else it answers 404, as for an unknown slug."
)


class TenantParams(Schema):
    institution: str = Field(..., max_length=40, pattern=SLUG_PATTERN, description=TENANT_DESCRIPTION)


# ---- references in a request body -------------------------------------------------------------------------


class InstitutionRef(Schema):
    """An institution of the directory, by any of its identifiers: all those given (not blank) must name it."""

    public_id: UUID | None = None
    erasmus_code: str | None = Field(None, max_length=20, description="Spacing and case are normalised.")
    schac_code: str | None = Field(None, max_length=100, description="The EWP hei-id.")

    @model_validator(mode="after")
    def _one_identifier_at_least(self) -> "InstitutionRef":
        if not (self.public_id or (self.erasmus_code or "").strip() or (self.schac_code or "").strip()):
            raise ValueError("Give the public_id, the erasmus_code or the schac_code of the institution.")
        return self


class UnitRef(Schema):
    code: str = Field(..., max_length=40, description="The code of one of our organisational units.")


class ContactRef(Schema):
    public_id: UUID = Field(..., description="A contact of our address book who works at our institution.")


# ---- conditions -----------------------------------------------------------------------------------------------


class SubjectAreaSchema(Schema):
    isced_code: str = Field(..., max_length=20, description="ISCED-F code, exactly four digits (e.g. 0613).")
    clarification: str = Field("", max_length=300)


class LanguageSkillSchema(Schema):
    language: str = Field(..., max_length=20, description="BCP 47 language code, e.g. en, fr, pt-BR.")
    cefr_level: str = choice(LanguageSkill.Cefr, "", "A1 to C2, NS (native speaker) or blank.", blank=True)
    isced_code: str = Field("", max_length=20, description="The subject area this level is recommended for.")
    clarification: str = Field("", max_length=300, description="Needs an ISCED-F code.")


class ConditionBase(Schema):
    kind: str = choice(CooperationCondition.Kind)
    direction: Literal["out", "in"] = Field(
        ..., description="`out`: we send to the partner; `in`: the partner sends to us."
    )
    first_year: str = Field(..., max_length=20, description="Academic year, e.g. 2026/2027.")
    last_year: str = Field(..., max_length=20, description="Academic year, e.g. 2030/2031.")
    mobilities_per_year: int = Field(..., le=100_000, description="At least 1.")
    blended: bool = Field(False, description="Student mobility only.")
    eqf_levels: list[int] = Field(default_factory=list, max_length=8, description="Student mobility only: 1 to 8.")
    subject_areas: list[SubjectAreaSchema] = Field(default_factory=list, max_length=100)
    language_skills: list[LanguageSkillSchema] = Field(
        default_factory=list, max_length=100, description="At least one for studies and for teaching."
    )
    other_info: str = Field("", max_length=5000)
    sending_ounit_id: str = Field("", max_length=64, description="The EWP ounit-id of the sending unit, if any.")
    receiving_ounit_id: str = Field("", max_length=64, description="The EWP ounit-id of the receiving unit, if any.")


class ConditionIn(ConditionBase):
    total_months_per_year: Decimal | None = Field(
        None, max_digits=7, decimal_places=2, description="Student mobility only."
    )
    total_days_per_year: Decimal | None = Field(
        None, max_digits=7, decimal_places=2, description="Staff mobility only."
    )


class ConditionOut(ConditionBase):
    total_months_per_year: float | None
    total_days_per_year: float | None
    sending_hei_id: str = Field(description="The EWP hei-id of the sending institution.")
    receiving_hei_id: str = Field(description="The EWP hei-id of the receiving institution.")


# ---- agreements -----------------------------------------------------------------------------------------------


class AgreementIn(Schema):
    partner: InstitutionRef
    code: str = Field(..., max_length=64, description="Our code (iia-code), unique among our agreements.")
    kind: str = choice(Agreement.Kind, Agreement.Kind.ERASMUS.value)
    ounit: UnitRef | None = Field(None, description="Our responsible unit.")
    partner_ounit_id: str = Field("", max_length=64, description="The partner's EWP ounit-id, if any.")
    partner_ounit_name: str = Field("", max_length=300)
    partner_iia_code: str = Field("", max_length=64)
    signing_contact: ContactRef | None = Field(None, description="Our signatory.")
    signing_date: date | None = None
    partner_signing_name: str = Field("", max_length=200)
    partner_signing_email: str = Field("", max_length=254)
    partner_signing_date: date | None = None
    title: str = Field("", max_length=300)
    programmes: list[str] = Field(default_factory=list, max_length=200, description="Degree programmes, one each.")
    start_date: date | None = Field(None, description="Other kinds than Erasmus+: valid from.")
    end_date: date | None = Field(None, description="Other kinds than Erasmus+: valid until.")
    notes: str = Field("", max_length=10_000)
    additional_partners: list[InstitutionRef] = Field(
        default_factory=list, max_length=100, description="The other institutions of a multilateral agreement."
    )
    conditions: list[ConditionIn] = Field(
        default_factory=list, max_length=200, description="Erasmus+ only; kept in this order within each kind."
    )

    @field_validator("partner_signing_email")
    @classmethod
    def _an_email_address(cls, value: str) -> str:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError as error:
                raise ValueError(error.messages[0]) from error
        return value

    @field_validator("programmes")
    @classmethod
    def _one_line_each(cls, value: list[str]) -> list[str]:
        return [line for item in value for line in (part.strip() for part in item.splitlines()) if line]


class TerminateIn(Schema):
    as_a_whole: bool = Field(
        False, description="Only for an agreement approved by both, ended before any exchange took place."
    )


class InstitutionBrief(Schema):
    public_id: UUID
    name: str
    erasmus_code: str
    schac_code: str = Field(description="The EWP hei-id.")
    country: str = Field(description="ISO 3166-1 alpha-2.")


class UnitBrief(Schema):
    public_id: UUID
    code: str
    name: str


class ContactBrief(Schema):
    public_id: UUID
    name: str
    email: str
    role: str


class IiaPartnerOut(Schema):
    """One `partner` of the IIA as EWP serves it: we are the first, the partner the second."""

    hei_id: str
    name: str
    erasmus_code: str
    ounit_id: str = Field(description="Ours: the code of our responsible unit; theirs: their EWP ounit-id.")
    iia_id: str = Field(description="Ours: the agreement's public_id; theirs: once known.")
    iia_code: str
    signing_name: str
    signing_email: str
    signing_date: date | None


class SnapshotOut(Schema):
    public_id: UUID
    version: int
    event: str = choice(AgreementSnapshot.Event)
    iia_hash: str
    created_at: datetime


class AgreementOut(Schema):
    public_id: UUID = Field(description="Also our EWP iia-id.")
    code: str
    kind: str = choice(Agreement.Kind)
    status: str = choice(Agreement.Status)
    version: int = Field(description="Grows by one when an approved agreement is changed.")
    in_effect: bool
    title: str
    partner: InstitutionBrief
    ounit: UnitBrief | None
    last_year: str | None = Field(description="The last academic year of any condition (Erasmus+).")
    updated_at: datetime


class AgreementPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[AgreementOut]


class AgreementDetailOut(AgreementOut):
    institution: InstitutionBrief = Field(description="The hosted institution keeping this agreement.")
    partners: list[IiaPartnerOut] = Field(description="The two partners as in the IIA: us first.")
    partner_ounit_id: str
    partner_ounit_name: str
    partner_iia_id: str
    partner_iia_code: str
    signing_contact: ContactBrief | None
    signing_date: date | None
    partner_signing_name: str
    partner_signing_email: str
    partner_signing_date: date | None
    terminated_as_a_whole: bool
    programmes: list[str]
    start_date: date | None
    end_date: date | None
    notes: str
    additional_partners: list[InstitutionBrief]
    renewal_of: UUID | None = Field(description="The public_id of the agreement this one renews.")
    conditions: list[ConditionOut]
    iia_hash: str | None = Field(
        description="The IIA v7 hash of the current content; null for other kinds than Erasmus+ and while either "
        "institution has no EWP hei-id."
    )
    snapshots: list[SnapshotOut] = Field(description="Approved and terminated versions, newest first.")
    created_at: datetime


class AgreementFilters(TenantParams, PageParams):
    q: str | None = Field(None, max_length=200, description="Words to find in the partner's names, codes or city.")
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="The partner's country (ISO alpha-2).")
    status: str | None = choice(Agreement.Status, None)
    kind: str | None = choice(Agreement.Kind, None)
    year: str | None = Field(None, max_length=9, description="Agreements covering this academic year: 2026/2027.")
    isced: str | None = Field(None, max_length=4, description="A subject area code or its start: 06 finds 0613.")
    expiring: bool | None = Field(None, description="Only agreements ending within six months.")
    order: Order | None = Field(None, description="partner (the default), country, code, last_year or -updated.")
