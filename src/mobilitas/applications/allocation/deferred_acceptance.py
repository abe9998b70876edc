"""`allocate`: student-proposing deferred acceptance with places per destination (see the package docstring).

Inside the loop everything is an integer: applicants are numbered by priority (0 is the highest), destinations
by their position in the input, and each destination holds its admitted applicants in two heaps (open and
reserved places) whose top is the applicant it would let go first. A proposal costs O(log capacity); the
whole run O(proposals x log capacity), at most one proposal per (applicant, eligible choice).
"""

import math
import random
from collections.abc import Sequence
from heapq import heappush, heapreplace
from typing import TypeVar, cast

from mobilitas.applications.allocation.data import (
    Allocation,
    Applicant,
    Destination,
    InclusionPolicy,
    InvalidInput,
    Reason,
    ReasonCode,
)
from mobilitas.applications.allocation.explanations import explain_all

T = TypeVar("T")
NUMBERS = (int, float)


def tie_break_order(applicant_ids: Sequence[str], seed: int) -> list[str]:
    """The draw: the ids sorted, then shuffled by `random.Random(seed)`; earlier wins a tie of scores.

    Sorting first makes the draw depend on the seed and the set of applicants only, not on their order in a file.
    """
    return _shuffled(sorted(applicant_ids), seed)


def _shuffled(items: list[T], seed: int) -> list[T]:
    random.Random(seed).shuffle(items)  # noqa: S311 - a reproducible draw, recorded by its seed; not a secret
    return items


def allocate(
    destinations: Sequence[Destination],
    applicants: Sequence[Applicant],
    *,
    seed: int,
    inclusion: InclusionPolicy | None = None,
) -> Allocation:
    """Allocate places; raises `InvalidInput` naming the first bad item (duplicate id, unknown destination...)."""
    policy = inclusion or InclusionPolicy()
    index = _index_destinations(destinations)
    capacities = [destination.capacity for destination in destinations]
    reserved = policy.reserved_places(capacities)
    choices, eligible = _index_choices(applicants, index)
    bonus = policy.bonus
    applicant_ids = [applicant.id for applicant in applicants]
    given = [applicant.fewer_opportunities for applicant in applicants]
    scores = [
        applicant.score + bonus if flag else applicant.score for applicant, flag in zip(applicants, given, strict=True)
    ]

    # Priority: effective score, higher first; the draw breaks ties (a stable sort keeps the draw's order).
    count = len(applicants)
    draw = _shuffled(sorted(range(count), key=applicant_ids.__getitem__), seed)  # as tie_break_order, by number
    by_priority = sorted(draw, key=scores.__getitem__, reverse=True)

    fewer = [given[number] for number in by_priority]
    preferences = []
    for number in by_priority:
        allowed = eligible[number]
        wanted = choices[number]
        preferences.append(wanted if allowed is None else [choice for choice in wanted if choice in allowed])
    open_places = [capacity - kept for capacity, kept in zip(capacities, reserved, strict=True)]
    placed, open_held, reserved_held = _defer_acceptance(preferences, open_places, reserved, fewer)
    ranked_scores = [scores[number] for number in by_priority]
    lowest_for_others, lowest_for_fewer, kept_for_fewer, on_reserve = _cutoffs(open_held, reserved_held, count)

    # Reasons, in priority order so that each waiting list comes out in priority order as it is filled.
    ids = [destination.id for destination in destinations]
    waiting: list[list[int]] = [[] for _ in destinations]
    reasons_by_priority: list[tuple[Reason, ...]] = []
    bonus_code, ineligible_code, admitted_code, no_places_code = (
        ReasonCode.BONUS,
        ReasonCode.INELIGIBLE,
        ReasonCode.ADMITTED,
        ReasonCode.NO_PLACES,
    )
    full_code, full_reserved_code = ReasonCode.FULL, ReasonCode.FULL_RESERVED
    reason = tuple.__new__  # Reason(...) without the generated __new__ in Python: a round makes 100,000 of them
    for priority, number in enumerate(by_priority):
        allowed = eligible[number]
        place = placed[priority]
        score = ranked_scores[priority]
        reasons = []
        if bonus and fewer[priority] and preferences[priority]:
            reasons.append(reason(Reason, (bonus_code, 0, "", 0.0, score, bonus, 0, 0)))
        # What an applicant had to beat, and the reserved places she could not claim (none: she could claim them).
        lowest, reserved_taken = (lowest_for_fewer, None) if fewer[priority] else (lowest_for_others, kept_for_fewer)
        settled = False
        for rank, choice in enumerate(choices[number], 1):
            if allowed is not None and choice not in allowed:
                reasons.append(reason(Reason, (ineligible_code, rank, ids[choice], 0.0, 0.0, 0.0, 0, 0)))
            elif settled:
                continue
            elif choice == place:
                settled = True
                on_reserve_place = int(priority in on_reserve)
                reasons.append(reason(Reason, (admitted_code, rank, ids[choice], 0.0, 0.0, 0.0, on_reserve_place, 0)))
            else:
                queue = waiting[choice]
                queue.append(priority)
                last = lowest[choice]
                if not capacities[choice]:
                    reasons.append(reason(Reason, (no_places_code, rank, ids[choice], 0.0, 0.0, 0.0, 0, len(queue))))
                elif last < 0:
                    position = len(queue)
                    reasons.append(reason(Reason, (full_reserved_code, rank, ids[choice], 0.0, 0.0, 0.0, 0, position)))
                else:
                    others = 0 if reserved_taken is None else reserved_taken[choice]
                    last_score, position = ranked_scores[last], len(queue)
                    reasons.append(
                        reason(Reason, (full_code, rank, ids[choice], last_score, score, 0.0, others, position))
                    )
        if not settled:
            if preferences[priority]:
                reasons.append(Reason(ReasonCode.NOT_ADMITTED))
            elif choices[number]:
                reasons.append(Reason(ReasonCode.NO_ELIGIBLE_CHOICE))
            else:
                reasons.append(Reason(ReasonCode.NO_CHOICE))
        reasons_by_priority.append(tuple(reasons))

    priority_of = [0] * count
    for priority, number in enumerate(by_priority):
        priority_of[number] = priority
    assignments: dict[str, str | None] = {}
    reasons_by_id: dict[str, tuple[Reason, ...]] = {}
    for applicant_id, priority in zip(applicant_ids, priority_of, strict=True):
        place = placed[priority]
        assignments[applicant_id] = ids[place] if place >= 0 else None
        reasons_by_id[applicant_id] = reasons_by_priority[priority]
    waiting_lists = {
        ids[destination]: [applicant_ids[by_priority[priority]] for priority in queue]
        for destination, queue in enumerate(waiting)
    }
    return Allocation(
        seed=seed,
        assignments=assignments,
        waiting_lists=waiting_lists,
        reasons=reasons_by_id,
        explanations=explain_all(reasons_by_id),
    )


def _index_destinations(destinations: Sequence[Destination]) -> dict[str, int]:
    index: dict[str, int] = {}
    for number, destination in enumerate(destinations):
        if destination.id in index:
            raise InvalidInput(f"destination {destination.id}: the id is used twice")
        capacity = destination.capacity
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 0:
            raise InvalidInput(f"destination {destination.id}: capacity must be a whole number >= 0, not {capacity!r}")
        index[destination.id] = number
    return index


def _index_choices(
    applicants: Sequence[Applicant], index: dict[str, int]
) -> tuple[list[list[int]], list[set[int] | None]]:
    """Each applicant's choices and eligible destinations as destination numbers, checked."""
    ids = [applicant.id for applicant in applicants]
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for applicant_id in ids:
            if applicant_id in seen:
                raise InvalidInput(f"applicant {applicant_id}: the id is used twice")
            seen.add(applicant_id)
    choices: list[list[int]] = []
    eligible: list[set[int] | None] = []
    lookup = index.get
    for applicant in applicants:
        score = applicant.score
        if isinstance(score, bool) or not isinstance(score, NUMBERS) or not math.isfinite(score):
            raise InvalidInput(f"applicant {applicant.id}: score must be a finite number, not {score!r}")
        try:
            wanted = list(map(lookup, applicant.choices))  # None for an unknown destination
        except TypeError:  # an unhashable choice, such as a list
            wanted = [None]
        if None in wanted or len(set(wanted)) != len(wanted):
            _raise_for_choices(applicant, index)
        choices.append(cast(list[int], wanted))  # no None left: checked just above
        if applicant.eligible is None:
            eligible.append(None)
            continue
        try:
            allowed = set(map(lookup, applicant.eligible))
        except TypeError:
            allowed = {None}
        if None in allowed:
            unknown = next(d for d in applicant.eligible if not isinstance(d, str) or d not in index)
            raise InvalidInput(f"applicant {applicant.id}: eligible destination {unknown!r} is not a destination")
        eligible.append(cast(set[int], allowed))
    return choices, eligible


def _raise_for_choices(applicant: Applicant, index: dict[str, int]) -> None:
    listed: set[str] = set()
    for choice in applicant.choices:
        if not isinstance(choice, str) or choice not in index:
            raise InvalidInput(f"applicant {applicant.id}: choice {choice!r} is not a destination")
        if choice in listed:
            raise InvalidInput(f"applicant {applicant.id}: choice {choice!r} is listed twice")
        listed.add(choice)


def _defer_acceptance(
    preferences: list[list[int]], open_places: list[int], reserved_places: list[int], fewer: list[bool]
) -> tuple[list[int], list[list[int]], list[list[int]]]:
    """Applicants are numbered by priority (0 first). Returns each one's destination (-1: none) and the heaps.

    An open heap holds -applicant, so that its top is the lowest priority admitted. A reserved heap holds
    -(applicant + count x [not fewer opportunities]): applicants with fewer opportunities outrank all others
    there, then priority decides; `% count` recovers the applicant.

    Applicants first propose in priority order, so a newcomer rarely outranks anyone held: most rejections cost
    one comparison. Any order gives the same result; this one only makes the run shorter.
    """
    count = len(preferences)
    demoted = [0 if flag else count for flag in fewer]
    placed = [-1] * count
    proposed = [0] * count  # how many of its preferences each applicant has proposed to
    open_held: list[list[int]] = [[] for _ in open_places]
    reserved_held: list[list[int]] = [[] for _ in reserved_places]
    free = list(range(count - 1, -1, -1))
    while free:
        applicant = free.pop()
        wanted = preferences[applicant]
        rank = proposed[applicant]
        released = -1
        destination = -1
        while rank < len(wanted):
            destination = wanted[rank]
            rank += 1
            held = open_held[destination]
            # Open places first: the applicant takes one if free, or pushes out the lowest priority there.
            if len(held) < open_places[destination]:
                heappush(held, -applicant)
                break
            candidate = -heapreplace(held, -applicant) if held and applicant < -held[0] else applicant
            # Whoever is left over competes for the reserved places.
            kept = reserved_held[destination]
            key = candidate + demoted[candidate]
            if len(kept) < reserved_places[destination]:
                heappush(kept, -key)
                break
            if kept and key < -kept[0]:
                released = -heapreplace(kept, -key) % count
                break
            if candidate != applicant:
                released = candidate
                break
        else:
            destination = -1
        proposed[applicant] = rank
        placed[applicant] = destination
        if released >= 0:
            placed[released] = -1
            free.append(released)
    return placed, open_held, reserved_held


def _cutoffs(
    open_held: list[list[int]], reserved_held: list[list[int]], count: int
) -> tuple[list[int], list[int], list[int], set[int]]:
    """Per destination, from the final heaps: why it turned applicants away, and who holds a reserved place.

    Returns the lowest priority admitted that an applicant without fewer opportunities had to beat (open places,
    and reserved places that fell back to others), the same for an applicant with fewer opportunities (every
    place), how many reserved places went to applicants with fewer opportunities, and those applicants. -1:
    nobody to beat (every place was reserved and taken by applicants with fewer opportunities).
    """
    lowest_for_others, lowest_for_fewer, kept_for_fewer = [], [], []
    on_reserve: set[int] = set()
    for held, kept in zip(open_held, reserved_held, strict=True):
        lowest_other = -held[0] if held else -1
        lowest_fewer = -1
        taken = 0
        for entry in kept:
            key = -entry
            if key >= count:  # a reserved place that fell back to an applicant without fewer opportunities
                lowest_other = max(lowest_other, key - count)
            else:
                on_reserve.add(key)
                lowest_fewer = max(lowest_fewer, key)
                taken += 1
        lowest_for_others.append(lowest_other)
        lowest_for_fewer.append(max(lowest_other, lowest_fewer))
        kept_for_fewer.append(taken)
    return lowest_for_others, lowest_for_fewer, kept_for_fewer, on_reserve
