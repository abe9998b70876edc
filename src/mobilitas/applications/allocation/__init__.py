"""Allocation of mobility places: a pure algorithm (dataclasses in, dataclasses out; no database).

`allocate(destinations, applicants, seed=..., inclusion=...)` runs student-proposing deferred acceptance
(Gale and Shapley):

Priority
    By score, higher first. With `InclusionPolicy(bonus=b)` an applicant with fewer opportunities competes with
    score + b everywhere. Equal scores are ordered by the draw, `tie_break_order(ids, seed)`: the ids sorted,
    then shuffled by `random.Random(seed)`. The seed is recorded in the result, so a round can be re-run exactly.

Eligibility
    An applicant competes only for the destinations in her `eligible` set (None: all of them); other choices
    are ignored and the explanation says so.

Reserved places (`InclusionPolicy(reserved_share=s)`)
    Each destination's capacity c is split into r = round-half-up(s x c) reserved places and c - r open places.
    Among the applicants it holds, a destination fills its places in this order ("open, then reserved" slot
    priorities):

    1. the open places go to the highest priorities, whoever they are;
    2. the reserved places go to applicants with fewer opportunities among the rest, in priority order;
    3. reserved places that no such applicant claims fall back to the others, in priority order.

    Open places come first so that an applicant with fewer opportunities who wins a place on her score does
    not use up a reserved one: the reserve adds places for them rather than counting those they win anyway
    (processing reserved places first weakens the reserve; Dur, Kominers, Pathak and Sönmez, "Reserve design",
    JPE 2018). This choice rule is substitutable and fills every place it can, so deferred acceptance still
    gives the stable allocation that every applicant likes best, and no applicant gains by misreporting her
    order of choices (Hatfield and Milgrom 2005; Kominers and Sönmez 2016). Stability here means: no applicant
    prefers an eligible destination to her place while that destination, choosing among its admitted
    applicants plus her by the rule above, would take her. A fallen-back place is held like an open one:
    an applicant with fewer opportunities who proposes later takes it back.

Waiting lists
    A destination's waiting list holds every eligible applicant who ranked it above the place she got (or got
    none), in priority order (effective score, then the draw). Applicants placed at a destination they prefer
    are left out: they would not take the place. By stability nobody on a list outranks anyone admitted there
    on their kind of place, so a listed applicant displaces nobody; she moves up only when a place frees: a
    freed open place goes to the first on the list, a freed reserved place to the first applicant with fewer
    opportunities on it (or, failing one, to the first on the list).

Explanations
    `Allocation.reasons` says why for each applicant, as data (`Reason(code, params)`); `Allocation.explanations`
    holds the same in words in the active language, and `explain(reasons)` renders them again in another one.
"""

from mobilitas.applications.allocation.data import (
    Allocation,
    Applicant,
    Destination,
    InclusionPolicy,
    InvalidInput,
    Reason,
    ReasonCode,
)
from mobilitas.applications.allocation.deferred_acceptance import allocate, tie_break_order
from mobilitas.applications.allocation.explanations import explain, explain_all, format_score

__all__ = [
    "Allocation",
    "Applicant",
    "Destination",
    "InclusionPolicy",
    "InvalidInput",
    "Reason",
    "ReasonCode",
    "allocate",
    "explain",
    "explain_all",
    "format_score",
    "tie_break_order",
]
