"""The directory of institutions: every partner HEI and the institutions hosted here. Public fields only."""

from datetime import date
from uuid import UUID

from django.db.models import F
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from mobilitas.api.schemas import PROBLEM_RESPONSES, PageParams, paginate
from mobilitas.institutions.access import get_partner
from mobilitas.institutions.models import Alliance, Institution, InstitutionQuerySet, OrganisationalUnit
from mobilitas.lib import erasmus_code

router = Router(tags=["institutions"])


class InstitutionOut(Schema):
    public_id: UUID
    name: str = Field(description="The legal name.")
    names: dict[str, str] = Field(description="The name per language code, as in EWP.")
    erasmus_code: str
    schac_code: str = Field(description="The EWP hei-id.")
    pic: str
    oid: str
    country: str = Field(description="ISO 3166-1 alpha-2.")
    city: str
    latitude: float | None
    longitude: float | None
    website: str
    charter_start: date | None = Field(description="The Erasmus Charter (ECHE) is valid from this day.")
    charter_end: date | None = Field(description="The Erasmus Charter (ECHE) is valid until this day.")
    hosted: bool = Field(description="Whether the institution uses this Mobilitas installation.")


class InstitutionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[InstitutionOut]


class OrganisationalUnitOut(Schema):
    public_id: UUID
    code: str
    name: str
    names: dict[str, str]
    abbreviation: str
    kind: OrganisationalUnit.Kind
    parent: UUID | None = Field(description="The public_id of the parent unit.")

    @staticmethod
    def resolve_parent(obj: OrganisationalUnit) -> UUID | None:
        return obj.parent_public_id  # type: ignore[attr-defined]


class AllianceOut(Schema):
    public_id: UUID
    slug: str
    name: str
    website: str


class InstitutionDetailOut(InstitutionOut):
    organisational_units: list[OrganisationalUnitOut] | None = Field(
        None, description="Hosted institutions only (null for the others)."
    )
    alliances: list[AllianceOut] | None = Field(None, description="Hosted institutions only (null for the others).")


class InstitutionFilters(PageParams):
    q: str | None = Field(
        None, max_length=200, description="Words to find in names, city and codes; case and accents ignored."
    )
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 country code.")
    hosted: bool | None = None
    erasmus_code: str | None = Field(None, max_length=20, description="Spacing and case are normalised.")
    schac_code: str | None = Field(None, max_length=100)


def _filter(queryset: InstitutionQuerySet, filters: InstitutionFilters) -> InstitutionQuerySet:
    if filters.q:
        queryset = queryset.search(filters.q)
    if filters.country:
        queryset = queryset.filter(country=filters.country.upper())
    if filters.hosted is not None:
        queryset = queryset.filter(hosted=filters.hosted)
    if filters.erasmus_code:
        queryset = queryset.filter(erasmus_code=erasmus_code.normalise(filters.erasmus_code, filters.country or ""))
    if filters.schac_code:
        queryset = queryset.filter(schac_code=filters.schac_code.strip().lower())
    return queryset


@router.get("/institutions", response={200: InstitutionPage, **PROBLEM_RESPONSES})
def list_institutions(request: HttpRequest, filters: Query[InstitutionFilters]) -> dict:
    """Institutions of the directory, by country then name."""
    queryset = _filter(Institution.objects.order_by("country", "name", "pk"), filters)
    return paginate(queryset, filters)


@router.get("/institutions/{public_id}", response={200: InstitutionDetailOut, **PROBLEM_RESPONSES})
def get_institution(request: HttpRequest, public_id: UUID) -> dict:
    """One institution; a hosted one also lists its organisational units and its alliances."""
    institution = get_partner(public_id)
    detail = InstitutionOut.model_validate(institution).model_dump()
    if institution.hosted:
        detail["organisational_units"] = list(
            institution.ounits.annotate(parent_public_id=F("parent__public_id")).order_by("name", "pk")
        )
        detail["alliances"] = list(Alliance.objects.filter(members=institution).order_by("name"))
    return detail
