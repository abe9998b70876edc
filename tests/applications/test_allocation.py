"""`applications.allocation`: deferred acceptance with places, eligibility, a draw and an inclusion policy.

The properties are checked against a reference written here from the rules in the package docstring (sorting,
no heaps), on small random rounds where scores tie often; optimality by brute force over every allocation.
"""

import itertools
import json
import random
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilitas.applications.allocation import (
    Allocation,
    Applicant,
    Destination,
    InclusionPolicy,
    InvalidInput,
    Reason,
    ReasonCode,
    allocate,
    explain,
    format_score,
    tie_break_order,
)
from mobilitas.applications.allocation.explanations import format_scores

Round = tuple[list[Destination], list[Applicant], int, InclusionPolicy | None]

# ---------------------------------------------------------------------------------------------------------------------
# The reference: the rules of the package docstring, the slow and obvious way.


def effective_score(applicant: Applicant, policy: InclusionPolicy | None) -> float:
    bonus = policy.bonus if policy and applicant.fewer_opportunities else 0.0
    return applicant.score + bonus


def priorities(applicants: Sequence[Applicant], seed: int, policy: InclusionPolicy | None) -> dict[str, tuple]:
    """Applicant id -> a sort key, smaller first: higher effective score, then earlier in the draw."""
    draw = {
        applicant_id: position
        for position, applicant_id in enumerate(tie_break_order([a.id for a in applicants], seed))
    }
    return {a.id: (-effective_score(a, policy), draw[a.id]) for a in applicants}


def reserved_places(capacity: int, policy: InclusionPolicy | None) -> int:
    if policy is None:
        return 0
    exact = Decimal(str(policy.reserved_share)) * capacity
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def choose(
    destination: Destination, candidates: Sequence[Applicant], key: dict[str, tuple], policy: InclusionPolicy | None
) -> set[str]:
    """Whom a destination keeps among candidates: open places by priority, then reserved places (fewer opportunities
    first), reserved places left to the others."""
    reserved = reserved_places(destination.capacity, policy)
    ranked = sorted(candidates, key=lambda a: key[a.id])
    open_places = ranked[: destination.capacity - reserved]
    rest = ranked[destination.capacity - reserved :]
    rest.sort(key=lambda a: (not a.fewer_opportunities, key[a.id]))
    return {a.id for a in [*open_places, *rest[:reserved]]}


def is_eligible(applicant: Applicant, destination: str) -> bool:
    return applicant.eligible is None or destination in applicant.eligible


def rank_of(applicant: Applicant, destination: str | None) -> int:
    """Position of a destination in the applicant's list; no place at all comes after every choice."""
    return len(applicant.choices) if destination is None else list(applicant.choices).index(destination)


def blocking_pairs(round_: Round, assignments: dict[str, str | None]) -> list[tuple[str, str]]:
    destinations, applicants, seed, policy = round_
    key = priorities(applicants, seed, policy)
    by_id = {a.id: a for a in applicants}
    admitted = {d.id: [by_id[a] for a, place in assignments.items() if place == d.id] for d in destinations}
    pairs = []
    for applicant in applicants:
        place = assignments[applicant.id]
        for destination in destinations:
            wanted = destination.id in applicant.choices and rank_of(applicant, destination.id) < rank_of(
                applicant, place
            )
            if (
                wanted
                and is_eligible(applicant, destination.id)
                and applicant.id in choose(destination, [*admitted[destination.id], applicant], key, policy)
            ):
                pairs.append((applicant.id, destination.id))
    return pairs


def textbook_deferred_acceptance(round_: Round) -> dict[str, str | None]:
    """Rounds of simultaneous proposals: every applicant without a place proposes to her next eligible choice, each
    destination keeps whom `choose` picks among those it holds and the new proposers, and rejects the others."""
    destinations, applicants, seed, policy = round_
    key = priorities(applicants, seed, policy)
    by_id = {d.id: d for d in destinations}
    wanted = {a.id: [c for c in a.choices if is_eligible(a, c)] for a in applicants}
    held: dict[str, list[Applicant]] = {d.id: [] for d in destinations}
    place: dict[str, str | None] = {a.id: None for a in applicants}
    while proposers := [a for a in applicants if place[a.id] is None and wanted[a.id]]:
        for applicant in proposers:
            held[wanted[applicant.id].pop(0)].append(applicant)
        for destination_id, candidates in held.items():
            kept = choose(by_id[destination_id], candidates, key, policy)
            held[destination_id] = [a for a in candidates if a.id in kept]
            for applicant in candidates:
                place[applicant.id] = destination_id if applicant.id in kept else None
    return place


def stable_allocations(round_: Round) -> list[dict[str, str | None]]:
    """Every allocation that respects eligibility and capacities and has no blocking pair (brute force)."""
    destinations, applicants, _seed, _policy = round_
    capacity = {d.id: d.capacity for d in destinations}
    options = [[None, *[c for c in a.choices if is_eligible(a, c)]] for a in applicants]
    stable = []
    for places in itertools.product(*options):
        taken = Counter(place for place in places if place is not None)
        if any(count > capacity[d] for d, count in taken.items()):
            continue
        assignments = {a.id: place for a, place in zip(applicants, places, strict=True)}
        if not blocking_pairs(round_, assignments):
            stable.append(assignments)
    return stable


# ---------------------------------------------------------------------------------------------------------------------
# Random rounds: few destinations and scores, so that places run out and ties happen.

policies = st.one_of(
    st.none(),
    st.builds(InclusionPolicy, reserved_share=st.sampled_from([0.0, 0.25, 0.5, 1.0])),
    st.builds(InclusionPolicy, bonus=st.sampled_from([0.5, 1.0, 2.5])),
    st.builds(InclusionPolicy, reserved_share=st.sampled_from([0.34, 0.5]), bonus=st.sampled_from([0.5, 1.0])),
)


@st.composite
def rounds(draw: st.DrawFn, max_applicants: int = 8, max_destinations: int = 4) -> Round:
    ids = [f"D{number}" for number in range(1, draw(st.integers(1, max_destinations)) + 1)]
    destinations = [Destination(d, draw(st.integers(0, 3))) for d in ids]
    applicants = []
    for number in range(draw(st.integers(0, max_applicants))):
        order = draw(st.permutations(ids))
        choices = tuple(order[: draw(st.integers(0, len(order)))])
        eligible = draw(st.none() | st.sets(st.sampled_from(ids)))
        applicants.append(
            Applicant(
                id=f"S{number}",
                score=draw(st.sampled_from([10, 12, 12.5, 13.8, 14.2, 15])),
                choices=choices,
                eligible=eligible,
                fewer_opportunities=draw(st.booleans()),
            )
        )
    return destinations, applicants, draw(st.integers(0, 2**32)), draw(policies)


def run(round_: Round) -> Allocation:
    destinations, applicants, seed, policy = round_
    return allocate(destinations, applicants, seed=seed, inclusion=policy)


# ---------------------------------------------------------------------------------------------------------------------
# Properties


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_capacities_eligibility_and_every_applicant_are_respected(round_: Round) -> None:
    destinations, applicants, seed, _policy = round_
    allocation = run(round_)
    assert allocation.seed == seed
    assert list(allocation.assignments) == [a.id for a in applicants]
    taken = Counter(place for place in allocation.assignments.values() if place is not None)
    assert all(taken[d.id] <= d.capacity for d in destinations)
    for applicant in applicants:
        place = allocation.assignments[applicant.id]
        assert place is None or (place in applicant.choices and is_eligible(applicant, place))


@settings(max_examples=300, deadline=None)
@given(rounds(max_applicants=14, max_destinations=5))
def test_no_blocking_pair(round_: Round) -> None:
    assert blocking_pairs(round_, run(round_).assignments) == []


@settings(max_examples=300, deadline=None)
@given(rounds(max_applicants=20, max_destinations=5))
def test_it_finds_what_textbook_deferred_acceptance_finds(round_: Round) -> None:
    assert run(round_).assignments == textbook_deferred_acceptance(round_)


@settings(max_examples=200, deadline=None)
@given(rounds(max_applicants=5, max_destinations=3))
def test_every_applicant_gets_her_best_place_among_all_stable_allocations(round_: Round) -> None:
    _destinations, applicants, _seed, _policy = round_
    assignments = run(round_).assignments
    stable = stable_allocations(round_)
    assert assignments in stable
    for other in stable:
        for applicant in applicants:
            assert rank_of(applicant, assignments[applicant.id]) <= rank_of(applicant, other[applicant.id])


@settings(max_examples=200, deadline=None)
@given(rounds(), st.randoms(use_true_random=False))
def test_the_same_seed_gives_the_same_allocation_whatever_the_order_of_the_input(
    round_: Round, rng: random.Random
) -> None:
    destinations, applicants, seed, policy = round_
    first = run(round_)
    assert run(round_) == first
    shuffled = rng.sample(applicants, len(applicants))
    again = allocate(destinations, shuffled, seed=seed, inclusion=policy)
    assert again.assignments == first.assignments
    assert again.waiting_lists == first.waiting_lists
    assert again.explanations == first.explanations


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_waiting_lists_hold_who_would_rather_be_there_in_priority_order(round_: Round) -> None:
    destinations, applicants, seed, policy = round_
    allocation = run(round_)
    key = priorities(applicants, seed, policy)
    assert list(allocation.waiting_lists) == [d.id for d in destinations]
    for destination in destinations:
        expected = [
            a.id
            for a in applicants
            if destination.id in a.choices
            and is_eligible(a, destination.id)
            and rank_of(a, destination.id) < rank_of(a, allocation.assignments[a.id])
        ]
        assert allocation.waiting_lists[destination.id] == sorted(expected, key=key.__getitem__)


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_everyone_gets_an_explanation_that_matches_the_result(round_: Round) -> None:
    _destinations, applicants, _seed, _policy = round_
    allocation = run(round_)
    assert list(allocation.explanations) == [a.id for a in applicants]
    for applicant in applicants:
        reasons = allocation.reasons[applicant.id]
        assert allocation.explanations[applicant.id] == explain(reasons) != ""
        admitted = [r.destination for r in reasons if r.code is ReasonCode.ADMITTED]
        assert admitted == [d for d in [allocation.assignments[applicant.id]] if d is not None]
        ignored = [r.destination for r in reasons if r.code is ReasonCode.INELIGIBLE]
        assert ignored == [c for c in applicant.choices if not is_eligible(applicant, c)]
        for reason in reasons:
            if reason.code is ReasonCode.FULL:
                assert reason.last >= reason.yours
                position = allocation.waiting_lists[reason.destination].index(applicant.id) + 1
                assert reason.position == position


# ---------------------------------------------------------------------------------------------------------------------
# Examples


def student(
    id: str, score: float, *choices: str, eligible: Sequence[str] | None = None, fewer: bool = False
) -> Applicant:
    return Applicant(id=id, score=score, choices=choices, eligible=eligible, fewer_opportunities=fewer)


def test_it_explains_the_issue_example() -> None:
    allocation = allocate(
        [Destination("D1", 1), Destination("D2", 1), Destination("D3", 0)],
        [
            student("S1", 14.2, "D1", "D2"),
            student("S2", 13.8, "D3", "D1", "D2", eligible=["D1", "D2", "D3"]),
            student("S3", 12, "D2"),
            student("S4", 11, "D1", eligible=["D2"]),
            student("S5", 10),
        ],
        seed=42,
    )
    assert allocation.assignments == {"S1": "D1", "S2": "D2", "S3": None, "S4": None, "S5": None}
    assert allocation.waiting_lists == {"D1": ["S2"], "D2": ["S3"], "D3": ["S2"]}
    assert allocation.explanations == {
        "S1": "You were admitted to your first choice, D1.",
        "S2": "Your first choice, D3, offered no places. Your second choice, D1, was full: the last admitted score "
        "was 14.2, yours 13.8; you are number 1 on its waiting list. You were admitted to your third choice, D2.",
        "S3": "Your first choice, D2, was full: the last admitted score was 13.8, yours 12; you are number 1 on its "
        "waiting list. You were not admitted to any of your choices.",
        "S4": "Your first choice, D1, was ignored: you are not eligible for it. You chose no destination you are "
        "eligible for.",
        "S5": "You chose no destination.",
    }


def test_a_tie_is_broken_by_the_draw_and_said_so() -> None:
    destinations = [Destination("D1", 1)]
    applicants = [student("S1", 14, "D1"), student("S2", 14, "D1")]
    winners = set()
    for seed in range(20):
        allocation = allocate(destinations, applicants, seed=seed)
        winner = tie_break_order(["S1", "S2"], seed)[0]
        loser = "S2" if winner == "S1" else "S1"
        assert allocation.assignments[winner] == "D1"
        assert allocation.assignments[loser] is None
        assert allocation.explanations[loser].startswith(
            "Your first choice, D1, was full: the last admitted score was 14, the same as yours, and the draw put "
            "you after; you are number 1 on its waiting list."
        )
        winners.add(winner)
    assert winners == {"S1", "S2"}


def test_the_draw_depends_on_the_seed_and_the_ids_only() -> None:
    ids = [f"S{number}" for number in range(50)]
    assert tie_break_order(ids, 7) == tie_break_order(list(reversed(ids)), 7)
    assert tie_break_order(ids, 7) != tie_break_order(ids, 8)
    assert sorted(tie_break_order(ids, 7)) == sorted(ids)


def test_reserved_places_are_rounded_half_up() -> None:
    assert InclusionPolicy(reserved_share=0.2).reserved_places([1, 2, 3, 5, 8, 10]) == [0, 0, 1, 1, 2, 2]
    assert InclusionPolicy(reserved_share=0.7).reserved_places([5]) == [4]  # 3.5, although 0.7 * 5 < 3.5 in floats
    assert InclusionPolicy(reserved_share=0.5).reserved_places([1, 3]) == [1, 2]
    assert InclusionPolicy(reserved_share=1).reserved_places([0, 4]) == [0, 4]
    assert InclusionPolicy().reserved_places([10]) == [0]


def test_a_reserved_place_goes_to_fewer_opportunities_after_the_open_ones() -> None:
    places = [Destination("D1", 2)]
    applicants = [student("A", 15, "D1"), student("B", 14, "D1"), student("C", 12, "D1", fewer=True)]
    allocation = allocate(places, applicants, seed=1, inclusion=InclusionPolicy(reserved_share=0.5))
    assert allocation.assignments == {"A": "D1", "B": None, "C": "D1"}
    assert allocation.explanations["B"] == (
        "Your first choice, D1, was full: the last admitted score was 15, yours 14; you are number 1 on its waiting "
        "list. Its 1 place reserved for applicants with fewer opportunities went to one of them. You were not "
        "admitted to any of your choices."
    )
    assert allocation.explanations["C"] == (
        "You were admitted to your first choice, D1, on a place reserved for applicants with fewer opportunities."
    )


def test_who_wins_an_open_place_on_her_score_leaves_the_reserved_one_to_another() -> None:
    places = [Destination("D1", 2)]
    applicants = [student("A", 16, "D1", fewer=True), student("B", 14, "D1"), student("C", 12, "D1", fewer=True)]
    allocation = allocate(places, applicants, seed=1, inclusion=InclusionPolicy(reserved_share=0.5))
    assert allocation.assignments == {"A": "D1", "B": None, "C": "D1"}
    assert allocation.explanations["A"] == "You were admitted to your first choice, D1."


def test_a_reserved_place_nobody_claims_falls_back_to_the_others() -> None:
    places = [Destination("D1", 2)]
    applicants = [student("A", 15, "D1"), student("B", 14, "D1"), student("C", 12, "D1")]
    allocation = allocate(places, applicants, seed=1, inclusion=InclusionPolicy(reserved_share=0.5))
    assert allocation.assignments == {"A": "D1", "B": "D1", "C": None}
    assert allocation.explanations["C"].startswith(
        "Your first choice, D1, was full: the last admitted score was 14, yours 12;"
    )


def test_an_applicant_pushed_off_a_reserved_place_can_take_an_open_place_elsewhere() -> None:
    # D1: 2 open places and 1 reserved (0.34 x 3); D2: 1 open place (0.34 x 1 rounds to 0).
    places = [Destination("D1", 3), Destination("D2", 1)]
    applicants = [
        student("A", 20, "D1"),
        student("B", 18, "D1"),
        student("C", 16, "D1", "D2"),  # holds D1's reserved place until S claims it, then goes to D2
        student("Q", 15, "D2"),  # loses D2 to C
        student("S", 10, "D1", fewer=True),
    ]
    allocation = allocate(places, applicants, seed=1, inclusion=InclusionPolicy(reserved_share=0.34))
    assert allocation.assignments == {"A": "D1", "B": "D1", "C": "D2", "Q": None, "S": "D1"}
    assert allocation.waiting_lists == {"D1": ["C"], "D2": ["Q"]}
    assert allocation.explanations["C"] == (
        "Your first choice, D1, was full: the last admitted score was 18, yours 16; you are number 1 on its waiting "
        "list. Its 1 place reserved for applicants with fewer opportunities went to one of them. You were admitted "
        "to your second choice, D2."
    )


def test_when_every_place_is_reserved_and_taken_the_explanation_says_so() -> None:
    places = [Destination("D1", 1)]
    applicants = [student("A", 18, "D1"), student("B", 11, "D1", fewer=True)]
    allocation = allocate(places, applicants, seed=1, inclusion=InclusionPolicy(reserved_share=1))
    assert allocation.assignments == {"A": None, "B": "D1"}
    assert allocation.explanations["A"] == (
        "Your first choice, D1, was full: all its places were reserved for applicants with fewer opportunities and "
        "went to them; you are number 1 on its waiting list. You were not admitted to any of your choices."
    )


def test_a_bonus_lifts_fewer_opportunities_and_is_explained() -> None:
    places = [Destination("D1", 1), Destination("D2", 1)]
    applicants = [student("A", 14, "D1", "D2"), student("B", 13, "D1", fewer=True)]
    allocation = allocate(places, applicants, seed=1, inclusion=InclusionPolicy(bonus=1.5))
    assert allocation.assignments == {"A": "D2", "B": "D1"}
    assert allocation.explanations["B"] == (
        "Your score of 14.5 includes a bonus of 1.5 for applicants with fewer opportunities. You were admitted to "
        "your first choice, D1."
    )
    assert allocation.explanations["A"].startswith(
        "Your first choice, D1, was full: the last admitted score was 14.5, yours 14;"
    )


def test_scores_are_shown_with_as_few_decimals_as_tell_them_apart() -> None:
    assert [format_score(value) for value in (15, 15.0, 14.25, 13.333333, -0.001, 2.5)] == [
        "15", "15", "14.25", "13.33", "0", "2.5"
    ]  # fmt: skip
    assert format_scores(13.333, 13.334) == ("13.333", "13.334")
    assert format_scores(14.2, 14.2) == ("14.2", "14.2")
    assert format_scores(1 / 3, 0.3333333333) != ("0.33", "0.33")


def test_reasons_can_be_put_into_words_again() -> None:
    reasons = (
        Reason(ReasonCode.INELIGIBLE, 1, "D9"),
        Reason(ReasonCode.FULL, 2, "D1", 14.2, 13.8, 0.0, 2, 4),
        Reason(ReasonCode.ADMITTED, 11, "D7"),
    )
    assert explain(reasons) == (
        "Your first choice, D9, was ignored: you are not eligible for it. Your second choice, D1, was full: the last "
        "admitted score was 14.2, yours 13.8; you are number 4 on its waiting list. Its 2 places reserved for "
        "applicants with fewer opportunities went to them. You were admitted to your no. 11 choice, D7."
    )


def test_reasons_stored_as_json_read_the_same() -> None:
    allocation = allocate(
        [Destination("D1", 1), Destination("D2", 0)],
        [student("S1", 15, "D1"), student("S2", 12.5, "D2", "D1", fewer=True, eligible=["D1"]), student("S3", 9, "D2")],
        seed=3,
        inclusion=InclusionPolicy(bonus=1),
    )
    stored = json.loads(json.dumps(allocation.reasons))
    assert {key: explain(Reason(*reason) for reason in reasons) for key, reasons in stored.items()} == (
        allocation.explanations
    )


@pytest.mark.parametrize(
    ("destinations", "applicants", "message"),
    [
        ([Destination("D1", 1), Destination("D1", 2)], [], "destination D1: the id is used twice"),
        ([Destination("D1", -1)], [], "destination D1: capacity must be a whole number >= 0, not -1"),
        ([Destination("D1", 1)], [student("S1", 1), student("S1", 2)], "applicant S1: the id is used twice"),
        ([Destination("D1", 1)], [student("S7", 1, "D1", "D9")], "applicant S7: choice 'D9' is not a destination"),
        ([Destination("D1", 1)], [student("S7", 1, "D1", "D1")], "applicant S7: choice 'D1' is listed twice"),
        (
            [Destination("D1", 1)],
            [student("S7", 1, "D1", eligible=["D2"])],
            "applicant S7: eligible destination 'D2' is not a destination",
        ),
        ([Destination("D1", 1)], [student("S7", float("nan"))], "applicant S7: score must be a finite number, not nan"),
    ],
)
def test_invalid_input_is_refused_naming_the_item(
    destinations: list[Destination], applicants: list[Applicant], message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        allocate(destinations, applicants, seed=1)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ({"reserved_share": 1.5}, "inclusion: reserved_share must be between 0 and 1, not 1.5"),
        ({"reserved_share": -0.1}, "inclusion: reserved_share must be between 0 and 1, not -0.1"),
        ({"bonus": -1.0}, "inclusion: bonus must be a number >= 0, not -1.0"),
    ],
)
def test_an_impossible_policy_is_refused(policy: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        InclusionPolicy(**policy)
    assert str(refused.value) == message
