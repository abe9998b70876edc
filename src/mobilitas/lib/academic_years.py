"""Academic years as EWP writes them: "2026/2027" (receiving-academic-year-id)."""

import re
from collections.abc import Iterator
from datetime import date

from django.utils.translation import gettext as _

from mobilitas.lib.errors import DomainError

ACADEMIC_YEAR_RE = re.compile(r"^(\d{4})/(\d{4})$")
# Erasmus+ reporting and most European calendars close the academic year at the end of August.
LAST_MONTH, LAST_DAY = 8, 31


def parse(year_id: str) -> int:
    """The first calendar year of an academic year id; a DomainError naming the value when malformed."""
    match = ACADEMIC_YEAR_RE.match(year_id or "")
    if not match or int(match[2]) != int(match[1]) + 1:
        raise DomainError(_("“%(value)s” is not an academic year: write it like 2026/2027.") % {"value": year_id})
    return int(match[1])


def is_valid(year_id: str) -> bool:
    try:
        parse(year_id)
    except DomainError:
        return False
    return True


def make(first_calendar_year: int) -> str:
    return f"{first_calendar_year}/{first_calendar_year + 1}"


def shift(year_id: str, years: int) -> str:
    return make(parse(year_id) + years)


def span(first: str, last: str) -> Iterator[str]:
    """Every academic year from `first` to `last`, both included."""
    for start in range(parse(first), parse(last) + 1):
        yield make(start)


def containing(day: date) -> str:
    """The academic year a day falls in (1 September to 31 August)."""
    return make(day.year if day.month > LAST_MONTH else day.year - 1)


def end_date(year_id: str) -> date:
    return date(parse(year_id) + 1, LAST_MONTH, LAST_DAY)


def start_date(year_id: str) -> date:
    return date(parse(year_id), LAST_MONTH + 1, 1)
