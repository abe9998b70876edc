"""How pages name a destination of a call when two can share a partner: "ISCED 0714 · EQF 6 · 5 months"."""

from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils.translation import npgettext

from mobilitas.applications.models import CallDestination

SEPARATOR = " · "


def _months(months: Decimal) -> str:
    shown = str(floatformat(months, "-1"))
    # A whole number picks its own plural form; a fraction ("4.5") reads as a plural.
    count = int(months) if months == months.to_integral_value() else 2
    return npgettext("duration", "%(months)s month", "%(months)s months", count) % {"months": shown}


def destination_details(destination: CallDestination) -> str:
    """Subject areas, study levels and months of a destination, the empty ones left out ("" when all are)."""
    parts = []
    codes = [str(code).strip() for code in destination.isced_codes or [] if str(code).strip()]
    if codes:
        parts.append("ISCED " + ", ".join(codes))
    levels = [str(level) for level in destination.eqf_levels or []]
    if levels:
        parts.append("EQF " + ", ".join(levels))
    if destination.months:
        parts.append(_months(Decimal(destination.months)))
    return SEPARATOR.join(parts)
