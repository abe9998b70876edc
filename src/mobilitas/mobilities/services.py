"""Nominations: an accepted place of a call becomes a Mobility, and a place given up cancels it.

    (offer accepted) --nominate_from_offer--> nominated --cancel_nomination (the place is given up)--> cancelled

Both run inside the transaction of the step that calls them (`applications.services.results.accept_offer` and
`decline_offer`, through the handlers of `applications.acceptance`, registered in MobilitiesConfig.ready()):
when one raises, the acceptance rolls back with it, so an accepted place never lacks its nomination. Each is
idempotent per offer and writes an audit event when it changes something.
"""

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mobilitas import audit
from mobilitas.applications.models import Call, Offer
from mobilitas.lib.errors import Conflict
from mobilitas.mobilities.models import Mobility

_YEAR = re.compile(r"^(\d{4})/(\d{4})$")
# Erasmus+ long-term durations count 30 days a month (reference/erasmus-rules.md).
DAYS_PER_MONTH = 30
# Planned stays start with the academic year until the person and the host agree on dates.
START_MONTH, START_DAY = 9, 1

# A call's kind -> the mobility's category, kind and format.
KINDS: dict[str, tuple[str, str, str]] = {
    Call.Kind.STUDY: (Mobility.Category.STUDENT, Mobility.Kind.STUDY, Mobility.Format.LONG_TERM),
    Call.Kind.SHORT_TERM: (Mobility.Category.STUDENT, Mobility.Kind.STUDY, Mobility.Format.SHORT_TERM),
    Call.Kind.BLENDED: (Mobility.Category.STUDENT, Mobility.Kind.STUDY, Mobility.Format.BLENDED),
    Call.Kind.TRAINEESHIP: (Mobility.Category.STUDENT, Mobility.Kind.TRAINEESHIP, Mobility.Format.LONG_TERM),
    Call.Kind.STAFF_TEACHING: (Mobility.Category.STAFF, Mobility.Kind.TEACHING, Mobility.Format.LONG_TERM),
    Call.Kind.STAFF_TRAINING: (Mobility.Category.STAFF, Mobility.Kind.TRAINING, Mobility.Format.LONG_TERM),
}


def planned_dates(academic_year: str, months: Decimal | None) -> tuple[date | None, date | None]:
    """From 1 September of the year's first calendar year, `months` of 30 days; (None, None) without months."""
    match = _YEAR.match(academic_year or "")
    if not months or months <= 0 or match is None:
        return None, None
    start = date(int(match[1]), START_MONTH, START_DAY)
    days = int((months * DAYS_PER_MONTH).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return start, start + timedelta(days=days - 1)


def _load(offer: Offer) -> Offer:
    """The offer with everything a nomination copies (one query)."""
    return Offer.objects.select_related(
        "institution", "application__call", "application__student", "destination__partner"
    ).get(pk=offer.pk)


def nominate_from_offer(offer: Offer, *, actor: Any = None) -> Mobility:
    """The nomination of the person who accepted `offer` (created once; a cancelled one is nominated again).

    `actor` defaults to the applicant, who is the one accepting a place."""
    with transaction.atomic():
        # Only the mobility's row is locked (the model's ordering joins the host and the person).
        existing = Mobility.objects.select_for_update(of=("self",)).filter(offer=offer).order_by("pk").first()
        if existing is not None and existing.status == Mobility.Status.NOMINATED:
            return existing
        offer = _load(offer)
        if offer.status != Offer.Status.ACCEPTED:
            raise Conflict(
                _("Only an accepted place becomes a nomination; this one is “%(status)s”.")
                % {"status": offer.get_status_display()}
            )
        application, destination = offer.application, offer.destination
        call = application.call
        actor = actor if actor is not None else application.student
        now = timezone.now()
        if existing is not None:
            existing.status = Mobility.Status.NOMINATED
            existing.nominated_at = now
            existing.save(update_fields=["status", "nominated_at", "updated_at"])
            audit.record(
                "mobilities.nominated_again",
                actor=actor,
                institution=offer.institution,
                obj=existing,
                data={"offer": str(offer.public_id)},
            )
            return existing
        category, kind, mobility_format = KINDS.get(call.kind, KINDS[Call.Kind.STUDY])
        start, end = planned_dates(call.academic_year, destination.months)
        mobility = Mobility.objects.create(
            institution=offer.institution,
            person=application.student,
            category=category,
            direction=Mobility.Direction.OUTGOING,
            kind=kind,
            format=mobility_format,
            home=offer.institution,
            host=destination.partner,
            agreement_id=destination.agreement_id,
            condition_id=destination.condition_id,
            academic_year=call.academic_year,
            planned_start=start,
            planned_end=end,
            status=Mobility.Status.NOMINATED,
            offer=offer,
            isced_code=application.isced_code,
            eqf_level=application.study_level,
            nominated_at=now,
        )
        audit.record(
            "mobilities.nominated",
            actor=actor,
            institution=offer.institution,
            obj=mobility,
            data={
                "offer": str(offer.public_id),
                "call": str(call.public_id),
                "host": destination.partner.erasmus_code or destination.partner.name,
            },
        )
        return mobility


def cancel_nomination(offer: Offer, *, actor: Any = None) -> Mobility | None:
    """Cancel the nomination made from `offer` (the place was given up); None when there was none.

    `actor` defaults to the applicant, who is the one giving the place up."""
    with transaction.atomic():
        mobility = (
            Mobility.objects.select_for_update(of=("self",))
            .select_related("person", "institution")
            .filter(offer=offer)
            .order_by("pk")
            .first()
        )
        if mobility is None or mobility.status == Mobility.Status.CANCELLED:
            return mobility
        mobility.status = Mobility.Status.CANCELLED
        mobility.save(update_fields=["status", "updated_at"])
        audit.record(
            "mobilities.nomination_cancelled",
            actor=actor if actor is not None else mobility.person,
            institution=mobility.institution,
            obj=mobility,
            data={"offer": str(offer.public_id)},
        )
        return mobility


def _on_place_accepted(offer: Offer) -> None:
    nominate_from_offer(offer)


def _on_place_released(offer: Offer) -> None:
    cancel_nomination(offer)


def register_handlers() -> None:
    """Plug the nominations into `applications.acceptance` (MobilitiesConfig.ready())."""
    from mobilitas.applications.acceptance import register_place_handlers

    register_place_handlers(accepted=_on_place_accepted, released=_on_place_released)
