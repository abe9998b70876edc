"""What goes into an allocation and what comes out of it: plain dataclasses, no database."""

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple


class InvalidInput(ValueError):
    """The input cannot be allocated; the message names the item (`applicant S7: choice 'D9' is not a destination`)."""


@dataclass(frozen=True, slots=True)
class Destination:
    id: str
    capacity: int


@dataclass(frozen=True, slots=True)
class Applicant:
    """One applicant: `choices` best first; `eligible` None means eligible for every destination."""

    id: str
    score: float
    choices: Sequence[str]
    eligible: Collection[str] | None = None
    fewer_opportunities: bool = False


@dataclass(frozen=True, slots=True)
class InclusionPolicy:
    """Priority for applicants with fewer opportunities; both parts may be combined, both default to nothing.

    `bonus` is added to their score before anything else. `reserved_share` of each destination's places
    (rounded half up: 0.2 of 3 places is 1, of 2 places 0, of 8 places 2) are reserved places: see the
    package docstring for who gets them.
    """

    reserved_share: float = 0.0
    bonus: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.reserved_share) and 0 <= self.reserved_share <= 1):
            raise InvalidInput(f"inclusion: reserved_share must be between 0 and 1, not {self.reserved_share!r}")
        if not (math.isfinite(self.bonus) and self.bonus >= 0):
            raise InvalidInput(f"inclusion: bonus must be a number >= 0, not {self.bonus!r}")

    def reserved_places(self, capacities: Sequence[int]) -> list[int]:
        """The reserved places of each capacity, rounded half up in exact decimal arithmetic (0.7 x 5 = 3.5 -> 4)."""
        numerator, denominator = Fraction(str(self.reserved_share)).as_integer_ratio()
        return [(2 * numerator * capacity + denominator) // (2 * denominator) for capacity in capacities]


class ReasonCode(StrEnum):
    """What one sentence of an explanation says; `explanations.explain` puts reasons into words."""

    BONUS = "bonus"  # yours (the score with the bonus), bonus
    INELIGIBLE = "ineligible"  # rank, destination
    NO_PLACES = "no_places"  # rank, destination, position: its capacity is 0
    FULL = "full"  # rank, destination, last, yours, reserved (places kept for others), position (waiting list)
    FULL_RESERVED = "full_reserved"  # rank, destination, position: every place was reserved, and taken
    ADMITTED = "admitted"  # rank, destination, reserved (1 when on a place reserved for fewer opportunities)
    NOT_ADMITTED = "not_admitted"
    NO_ELIGIBLE_CHOICE = "no_eligible_choice"
    NO_CHOICE = "no_choice"


class Reason(NamedTuple):
    """Why, as data, to be put into words later in any language; the fields a code does not use stay 0.

    `rank` counts the applicant's choices from 1 as she listed them (ineligible ones included). Scores are the
    effective ones (bonus included). `last` is the lowest score admitted on a place she competed for.
    """

    code: ReasonCode
    rank: int = 0
    destination: str = ""
    last: float = 0.0
    yours: float = 0.0
    bonus: float = 0.0
    reserved: int = 0
    position: int = 0


@dataclass(frozen=True, slots=True)
class Allocation:
    """The result. Every mapping lists applicants (or destinations) in input order.

    `assignments`: applicant -> destination, or None. `waiting_lists`: destination -> the eligible applicants
    who ranked it above the place they got (or got none), in priority order. `reasons`: the explanation of
    each applicant in data; `explanations`: the same in words, in the language active when `allocate` ran.
    """

    seed: int
    assignments: dict[str, str | None]
    waiting_lists: dict[str, list[str]]
    reasons: dict[str, tuple[Reason, ...]]
    explanations: dict[str, str]
