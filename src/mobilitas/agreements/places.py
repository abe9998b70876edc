"""The places agreements offer in one academic year: what calls (applications app) put on offer."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from mobilitas.agreements.models import Agreement, CooperationCondition
from mobilitas.institutions.models import Institution


@dataclass(frozen=True)
class Place:
    condition: CooperationCondition
    agreement: Agreement
    partner: Institution
    outgoing: bool
    mobilities: int
    # Months for students, days for staff; None when the agreement does not say.
    duration: Decimal | None
    approved: bool

    @property
    def isced_codes(self) -> list[str]:
        return [a.isced_code for a in self.condition.subject_areas.all()]

    @property
    def months_each(self) -> Decimal | None:
        """Average length of one mobility, when the agreement gives a total."""
        if self.duration is None or not self.mobilities:
            return None
        return (self.duration / self.mobilities).quantize(Decimal("0.1"))


def conditions_in_year(
    institution: Institution, year_id: str, *, outgoing: bool | None = None, kinds: list[str] | None = None
) -> QuerySet[CooperationCondition]:
    conditions = CooperationCondition.objects.filter(
        agreement__institution=institution, first_year__lte=year_id, last_year__gte=year_id
    ).exclude(agreement__status=Agreement.Status.TERMINATED)
    if outgoing is True:
        conditions = conditions.filter(sending=institution)
    elif outgoing is False:
        conditions = conditions.filter(receiving=institution)
    if kinds:
        conditions = conditions.filter(kind__in=kinds)
    return conditions.select_related("agreement__partner", "agreement__ounit").prefetch_related(
        "subject_areas", "language_skills"
    )


def places_for_year(
    institution: Institution,
    year_id: str,
    *,
    outgoing: bool | None = None,
    kinds: list[str] | None = None,
    approved_only: bool = False,
) -> list[Place]:
    """Every cooperation condition of `institution`'s agreements that covers `year_id`, as places.

    `approved_only` keeps agreements approved by both sides (what a call should offer); the places page
    shows the others too, marked, so the office sees what is still being negotiated.
    """
    conditions = conditions_in_year(institution, year_id, outgoing=outgoing, kinds=kinds)
    if approved_only:
        conditions = conditions.filter(agreement__status=Agreement.Status.APPROVED)
    return [
        Place(
            condition=c,
            agreement=c.agreement,
            partner=c.agreement.partner,
            outgoing=c.sending_id == institution.pk,
            mobilities=c.mobilities_per_year,
            duration=c.duration,
            approved=c.agreement.status == Agreement.Status.APPROVED,
        )
        for c in conditions.order_by("agreement__partner__name", "agreement_id", "position")
    ]
