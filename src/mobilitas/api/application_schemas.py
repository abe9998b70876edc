"""The shapes of the calls, applications and results endpoints.

Inputs check types and bound lengths only: the rules are the domain's (applications/services), so the API and
the pages refuse the same things with the same messages. Review data (scores, comments) is not in the
applicant's documents.
"""

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema

from mobilitas.api.agreement_schemas import SLUG_PATTERN, InstitutionBrief, UnitBrief, choice
from mobilitas.api.schemas import PageParams
from mobilitas.applications.models import Application, Call, Offer

TENANT_DESCRIPTION = (
    "The slug of the hosted institution whose calls these are (as in its page addresses, e.g. `upjv`). The "
    "token's user must be a member of it; for anyone else it answers 404, as for an unknown slug."
)
YEAR_PATTERN = r"^\d{4}/\d{4}$"


class CallParams(Schema):
    institution: str = Field(..., max_length=40, pattern=SLUG_PATTERN, description=TENANT_DESCRIPTION)


# ---- calls ---------------------------------------------------------------------------------------------------


class CallFilters(CallParams, PageParams):
    year: str | None = Field(None, pattern=YEAR_PATTERN, description="Academic year, e.g. 2027/2028.")
    open: bool | None = Field(
        None, description="true: only the calls open for applications now; false: only the others."
    )


class CallOut(Schema):
    public_id: UUID
    title: str
    academic_year: str
    kind: str = choice(Call.Kind)
    status: str = choice(Call.Status)
    opens_at: datetime
    closes_at: datetime
    time_zone: str = Field(description="The zone the call's dates were set in (IANA name).")
    is_open: bool = Field(description="Open for applications now.")
    max_choices: int = Field(description="How many destinations an applicant may rank, 1 to 6.")
    results_published_at: datetime | None


class CallPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CallOut]


class LanguageRequirement(Schema):
    language: str = Field(description="BCP 47 language code.")
    level: str = Field(description="The CEFR level needed, or above.")


class DestinationOut(Schema):
    public_id: UUID = Field(description="What `choices` names.")
    partner: InstitutionBrief
    places: int
    isced_codes: list[str] = Field(description="Subject areas (ISCED-F); empty: any.")
    eqf_levels: list[int] = Field(description="Study levels (EQF); empty: any.")
    languages: list[LanguageRequirement] = Field(description="One of them is needed; empty: none.")
    months: float | None = Field(description="Months each place lasts.")
    notes: str
    reserved_to: UnitBrief | None = Field(description="Only applicants of this unit (or its sub-units) may go.")


class RequiredDocumentOut(Schema):
    name: str
    help_text: str


class WeightsOut(Schema):
    grades: float
    language: float
    motivation: float
    fewer_opportunities: float


class CallDetailOut(CallOut):
    description: str
    eligible_faculties: list[UnitBrief] = Field(description="Empty: every faculty.")
    study_levels: list[int] = Field(description="Eligible study levels (EQF); empty: any.")
    programmes: list[str] = Field(description="Eligible programmes; empty: any.")
    required_documents: list[RequiredDocumentOut]
    weights: WeightsOut = Field(description="The weights of the scoring criteria.")
    inclusion_bonus: float = Field(description="Score bonus for applicants with fewer opportunities.")
    inclusion_reserved_share: float = Field(description="Share of places reserved for fewer opportunities, 0 to 1.")
    response_days: int = Field(description="Days to accept or decline an offered place.")
    destinations: list[DestinationOut]
    my_application: UUID | None = Field(description="Your application to this call, if you started one.")


# ---- applications --------------------------------------------------------------------------------------------


class ApplicationFilters(CallParams, PageParams):
    call: UUID | None = Field(None, description="Only your application to this call.")


class StartIn(Schema):
    call: UUID = Field(..., description="The call's public_id.")


class CallBrief(Schema):
    public_id: UUID
    title: str
    academic_year: str
    kind: str = choice(Call.Kind)
    closes_at: datetime


class DestinationBrief(Schema):
    public_id: UUID
    partner: InstitutionBrief


class ChoiceOut(Schema):
    rank: int = Field(description="1 is the first choice.")
    destination: DestinationBrief


class DocumentOut(Schema):
    public_id: UUID
    requirement: str = Field(description="The required document it answers, if any.")
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime


class ApplicationOut(Schema):
    public_id: UUID
    call: CallBrief
    status: str = choice(Application.Status)
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    updated_at: datetime


class ApplicationPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ApplicationOut]


class IneligibleDestination(Schema):
    destination: UUID
    reasons: list[str]


class ApplicationDetailOut(ApplicationOut):
    ounit: UnitBrief | None = Field(description="Your faculty.")
    study_level: int | None = Field(description="EQF 5 to 8.")
    programme: str
    isced_code: str
    grade_average: float | None
    grade_scale: float
    languages: dict[str, str] = Field(description='Language -> CEFR level or NS, e.g. {"en": "B2"}.')
    fewer_opportunities: bool
    motivation: str
    choices: list[ChoiceOut]
    documents: list[DocumentOut]
    created_at: datetime
    editable: bool = Field(description="Whether PATCH is possible now (a draft while the call is open).")
    message: str = Field(description="What stands in the way, e.g. a deadline missed; blank when nothing does.")
    missing: list[str] = Field(description="For a draft: what must be done before it can be submitted.")
    ineligible_destinations: list[IneligibleDestination] = Field(
        description="The call's destinations you may not choose, each with why."
    )


class ApplicationPatch(Schema):
    """Only the members sent are changed; the valid ones are saved even when others are refused (422)."""

    ounit: UUID | None = Field(None, description="Your faculty: the public_id of one of the institution's units.")
    study_level: int | None = Field(None, description="EQF 5 to 8.")
    programme: str | None = Field(None, max_length=1000)
    isced_code: str | None = Field(None, max_length=20, description="ISCED-F, 4 digits.")
    grade_scale: Decimal | None = Field(None, description="The top of your grading scale (20 by default).")
    grade_average: Decimal | None = None
    languages: dict[str, str] | None = Field(None, max_length=30, description='e.g. {"en": "B2", "es": "NS"}.')
    fewer_opportunities: bool | None = None
    motivation: str | None = Field(None, max_length=20_000)
    choices: list[UUID] | None = Field(
        None, max_length=20, description="Destination public_ids, first choice first (replaces the ranking)."
    )


# ---- results -------------------------------------------------------------------------------------------------


class OfferOut(Schema):
    public_id: UUID = Field(description="For /offers/{public_id}/accept and /decline.")
    status: str = choice(Offer.Status)
    destination: DestinationBrief
    from_waiting_list: bool
    respond_by: datetime = Field(description="Answer before this moment.")
    responded_at: datetime | None
    created_at: datetime


class WaitingOut(Schema):
    destination: str = Field(description="The destination's name.")
    position: int = Field(description="1: the next one offered a freed place.")


class ResultOut(Schema):
    published: bool = Field(description="Whether the call's results are published (nothing else is set before).")
    offer: OfferOut | None = Field(description="The place to answer or accepted, if any (the best one).")
    offers: list[OfferOut] = Field(description="Every offer made to you, the latest first.")
    explanation: str = Field(description="Why this result, in plain words, in your language.")
    waiting_lists: list[WaitingOut]
    respond_by: datetime | None = Field(description="The deadline of the offer to answer, if one is waiting.")


class ListedOut(Schema):
    application: UUID | None = Field(description="The application's public_id.")
    name: str
    score: float


class DestinationResultOut(Schema):
    destination: DestinationBrief
    name: str
    places: int
    assigned: list[ListedOut] = Field(description="Admitted by the run, best score first.")
    waiting_list: list[ListedOut] = Field(description="In priority order.")


class CallResultsOut(Schema):
    run: UUID
    seed: int
    published_at: datetime
    destinations: list[DestinationResultOut]
    unplaced: list[ListedOut]
