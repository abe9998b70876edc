"""Results of a call: run the allocation, publish a run, answer offers, and fill freed places from the waiting lists.

    run (re-runnable, each run kept) --publish one--> offers: offered --accept--> accepted | --decline--> declined
                                                              | --respond_by passes--> expired
                                                      accepted --give up--> declined

A run stores its exact input (the JSON of `mobilitas allocate`, ids are public ids, with the seed), the output
written by `allocation.exchange` and the reasons of each applicant as data, so that a run can be re-done exactly
and explained in any language later.

Freed places (declined, given up, expired, superseded) go down the published run's waiting list of the
destination, in order: the first applicant who is still submitted, never had an offer for that destination, and
holds no offered or accepted place at it or at a destination she ranked above it gets a new offer. With a
reserved share, while fewer applicants with fewer opportunities hold a place at the destination than it has
reserved places, the place goes to the first such applicant on the list instead (failing one, to the first).
Her lower offer stays until she accepts the new one; nobody who accepted is displaced. Every step that changes offers
locks the call's row first, so two answers for the same call never count the same free place twice.
"""

import json
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mobilitas import audit
from mobilitas.applications import acceptance
from mobilitas.applications.allocation import InclusionPolicy, InvalidInput, Reason, ReasonCode, allocate, explain
from mobilitas.applications.allocation.exchange import allocation_json, read_round
from mobilitas.applications.eligibility import eligible_destination_ids
from mobilitas.applications.models import AllocationRun, Application, Call, CallDestination, Offer
from mobilitas.applications.scoring import score_of
from mobilitas.institutions.models import Membership, Role
from mobilitas.lib.errors import Conflict, DomainError, NotAllowed

OfferStatus = Offer.Status
# Offers that hold one of the destination's places.
HOLDING = (OfferStatus.OFFERED, OfferStatus.ACCEPTED)
MANAGER_ROLES = frozenset({Role.OFFICER, Role.ADMIN})
MAX_SEED = 2**31
NAMES_SHOWN = 10
REASON_FIELDS = Reason._fields[1:]  # every field but the code


# Small helpers


def _require_manager(actor: Any, call: Call) -> None:
    allowed = (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and Membership.objects.filter(
            user=actor, institution_id=call.institution_id, role__in=MANAGER_ROLES, user__is_active=True
        ).exists()
    )
    if not allowed:
        raise NotAllowed(_("Only an officer of the institution can do this."))


def _lock_call(call_id: int) -> Call:
    """Lock the call: every change of its offers waits for the one before (the free places are counted inside)."""
    return Call.objects.select_for_update(of=("self",)).select_related("institution").get(pk=call_id)


def _lock_offer(offer_id: int) -> Offer:
    return (
        Offer.objects.select_for_update(of=("self",))
        .select_related("application__student", "application__call", "destination__partner", "run")
        .get(pk=offer_id)
    )


def _call_id_of(offer: Offer) -> int:
    return Offer.objects.filter(pk=offer.pk).values_list("application__call_id", flat=True).get()


def _notify_offer(offer: Offer, event: str) -> None:
    from mobilitas.applications.result_tasks import send_offer_mail

    offer_id = offer.pk
    transaction.on_commit(lambda: send_offer_mail.enqueue(offer_id, event))


def _respond_by(call: Call, now: datetime) -> datetime:
    return now + timedelta(days=call.response_days)


def reasons_as_data(reasons: Iterable[Reason]) -> list[dict[str, Any]]:
    """[{"code": "full", "params": {"rank": 1, "destination": "<public id>", ...}}]: the fields that are set."""
    return [
        {
            "code": str(reason.code),
            "params": {field: value for field, value in zip(REASON_FIELDS, reason[1:], strict=True) if value},
        }
        for reason in reasons
    ]


def reasons_from_data(data: Iterable[Mapping[str, Any]], names: Mapping[str, str] | None = None) -> list[Reason]:
    """The reasons back from JSON, with destination ids replaced by `names` (public id -> what readers call it)."""
    reasons = []
    for item in data:
        params = {key: value for key, value in dict(item.get("params") or {}).items() if key in REASON_FIELDS}
        if names is not None and params.get("destination"):
            params["destination"] = names.get(params["destination"], params["destination"])
        reasons.append(Reason(ReasonCode(item["code"]), **params))
    return reasons


def explanation(data: Iterable[Mapping[str, Any]], names: Mapping[str, str]) -> str:
    """An applicant's explanation in plain words, in the active language."""
    return explain(reasons_from_data(data, names))


def destination_names(call: Call) -> dict[str, str]:
    """public id -> the destination as readers know it (the partner's name, with its notes when two share it)."""
    destinations = list(call.destinations.select_related("partner"))
    counts: dict[str, int] = defaultdict(int)
    for destination in destinations:
        counts[destination.partner.display_name] += 1
    names = {}
    for destination in destinations:
        name = destination.partner.display_name
        if counts[name] > 1 and destination.notes:
            name = f"{name} ({destination.notes})"
        names[str(destination.public_id)] = name
    return names


def published_run(call: Call) -> AllocationRun | None:
    return call.runs.filter(published_at__isnull=False).order_by("-published_at").first()


# The input of a run


def _names(applications: list[Application]) -> str:
    names = [application.student.get_full_name() for application in applications[:NAMES_SHOWN]]
    more = len(applications) - len(names)
    text = ", ".join(names)
    if more:
        text += " " + ngettext("and %(count)s more", "and %(count)s more", more) % {"count": more}
    return text


def allocation_input(call: Call) -> dict[str, Any]:
    """The round as `mobilitas allocate` reads it: destinations (capacity = places) and the submitted applications
    with their scores, ranked choices and eligible destinations, all named by public id.

    Refuses (Conflict, naming the students) while a submitted application has no score yet.
    """
    destinations = list(call.destinations.select_related("partner", "ounit").order_by("position", "pk"))
    public_ids = {destination.pk: str(destination.public_id) for destination in destinations}
    applications = list(
        call.applications.filter(status=Application.Status.SUBMITTED)
        .select_related("student", "ounit", "call")
        .prefetch_related("choices")
        .order_by("submitted_at", "pk")
    )
    applicants, unscored = [], []
    for application in applications:
        score = score_of(application, call)
        if score is None:
            unscored.append(application)
            continue
        choices = [
            public_ids[choice.destination_id]
            for choice in sorted(application.choices.all(), key=lambda choice: choice.rank)
            if choice.destination_id in public_ids
        ]
        eligible = eligible_destination_ids(application, destinations)
        applicants.append(
            {
                "id": str(application.public_id),
                "score": float(score),
                "choices": choices,
                "eligible": [public_ids[pk] for pk in public_ids if pk in eligible],
                "fewer_opportunities": bool(application.fewer_opportunities),
            }
        )
    if unscored:
        unscored.sort(key=lambda application: application.student.get_full_name().casefold())
        raise Conflict(
            ngettext(
                "%(count)s application has no score yet (%(names)s): score it before running the allocation.",
                "%(count)s applications have no score yet (%(names)s): score them before running the allocation.",
                len(unscored),
            )
            % {"count": len(unscored), "names": _names(unscored)}
        )
    data: dict[str, Any] = {
        "destinations": [{"id": public_ids[d.pk], "capacity": d.places} for d in destinations],
        "applicants": applicants,
    }
    if call.inclusion_bonus or call.inclusion_reserved_share:
        data["inclusion"] = {
            "reserved_share": float(call.inclusion_reserved_share),
            "bonus": float(call.inclusion_bonus),
        }
    return data


# Running and publishing


def run_problem(call: Call, now: datetime | None = None) -> str | None:
    """Why the allocation cannot run now (the page says it before anyone tries), or None."""
    if call.status == Call.Status.DRAFT:
        return _("The call is not published: there is nothing to allocate.")
    if call.results_published_at is not None:
        return _("The results of this call are published: the allocation cannot run again.")
    if call.status == Call.Status.CLOSED:
        return _("The call was closed without an allocation.")
    if not call.has_closed(now):
        return _("The call is still open for applications: run the allocation once it has closed.")
    return None


@transaction.atomic
def run_allocation(call: Call, *, actor: Any, seed: int | None = None) -> AllocationRun:
    """Allocate the call's places (seed given, or drawn) and keep the run; nothing is published yet."""
    call = _lock_call(call.pk)
    _require_manager(actor, call)
    if problem := run_problem(call):
        raise Conflict(problem)
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    elif not 0 <= seed < 2**63:
        raise DomainError(_("The seed must be a whole number from 0 upwards."), field="seed")
    inputs = {"seed": seed, **allocation_input(call)}
    try:
        round_ = read_round(json.dumps(inputs))
        allocation = allocate(round_.destinations, round_.applicants, seed=seed, inclusion=round_.inclusion)
    except InvalidInput as error:  # the input is built above: this is a bug, but say what it is
        raise DomainError(_("The allocation refused its input: %(error)s") % {"error": error}) from error
    output = json.loads("".join(allocation_json(allocation)))
    run = AllocationRun.objects.create(
        call=call,
        seed=seed,
        inputs=inputs,
        output=output,
        reasons={applicant: reasons_as_data(reasons) for applicant, reasons in allocation.reasons.items()},
        run_by=actor,
    )
    placed = sum(1 for destination in allocation.assignments.values() if destination is not None)
    audit.record(
        "applications.allocation_run",
        actor=actor,
        institution=call.institution,
        obj=run,
        data={
            "call": str(call.public_id),
            "seed": seed,
            "applicants": len(allocation.assignments),
            "placed": placed,
        },
    )
    return run


@transaction.atomic
def publish_results(run: AllocationRun, *, actor: Any) -> AllocationRun:
    """Publish a run: an offer for each place it assigns, the call's results published, a mail to each applicant."""
    call = _lock_call(run.call_id)
    _require_manager(actor, call)
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if call.results_published_at is not None or call.runs.filter(published_at__isnull=False).exists():
        raise Conflict(_("The results of this call are already published."))
    if call.status != Call.Status.PUBLISHED:
        raise Conflict(
            _("The call is “%(status)s”: its results cannot be published.") % {"status": call.get_status_display()}
        )
    now = timezone.now()
    destinations = {str(d.public_id): d for d in call.destinations.all()}
    applications = {
        str(a.public_id): a for a in call.applications.filter(public_id__in=list(run.output["assignments"]))
    }
    offers = []
    for applicant, destination_id in run.output["assignments"].items():
        application = applications.get(applicant)
        if destination_id is None or application is None or destination_id not in destinations:
            continue
        if application.status != Application.Status.SUBMITTED:
            continue  # withdrawn since the run: the place goes down the waiting list below
        offers.append(
            Offer(
                institution_id=call.institution_id,
                run=run,
                application=application,
                destination=destinations[destination_id],
                reasons=run.reasons.get(applicant, []),
                respond_by=_respond_by(call, now),
            )
        )
    Offer.objects.bulk_create(offers)
    run.published_at = now
    run.save(update_fields=["published_at"])
    call.status = Call.Status.RESULTS_PUBLISHED
    call.results_published_at = now
    call.save(update_fields=["status", "results_published_at", "updated_at"])
    audit.record(
        "applications.results_published",
        actor=actor,
        institution=call.institution,
        obj=call,
        data={"run": str(run.public_id), "seed": run.seed, "offers": len(offers)},
    )
    for destination in destinations.values():
        _promote(destination, run, call, now, notify=False)  # the result mail tells of these offers too

    from mobilitas.applications.result_tasks import send_result_mails

    run_id = run.pk
    transaction.on_commit(lambda: send_result_mails.enqueue(run_id))
    return run


# Answering an offer


def _expect_applicant(offer: Offer, actor: Any) -> None:
    if actor is None or actor.pk != offer.application.student_id:
        raise NotAllowed(_("Only the applicant can answer this offer."))


def _rank_in(run: AllocationRun, application: Application) -> dict[str, int]:
    """destination public id -> the applicant's rank for it (1 = first choice), from the run's input."""
    applicant = str(application.public_id)
    for item in run.inputs.get("applicants", []):
        if item["id"] == applicant:
            return {destination: rank for rank, destination in enumerate(item["choices"], start=1)}
    return {}


@transaction.atomic
def accept_offer(offer: Offer, *, actor: Any) -> Offer:
    """The applicant accepts, before the deadline. A better place from a waiting list supersedes her lower offers
    (an accepted lower place is released and goes down its own waiting list)."""
    call = _lock_call(_call_id_of(offer))
    offer = _lock_offer(offer.pk)
    _expect_applicant(offer, actor)
    if offer.status != OfferStatus.OFFERED:
        raise Conflict(
            _("This offer is “%(status)s”: it cannot be accepted now.") % {"status": offer.get_status_display()}
        )
    now = timezone.now()
    if now >= offer.respond_by:
        raise Conflict(_("The deadline to answer this offer has passed."))
    offer.status = OfferStatus.ACCEPTED
    offer.responded_at = now
    offer.save(update_fields=["status", "responded_at"])
    audit.record(
        "applications.offer_accepted",
        actor=actor,
        institution=call.institution,
        obj=offer,
        data={"destination": str(offer.destination.public_id), "from_waiting_list": offer.from_waiting_list},
    )
    ranks = _rank_in(offer.run, offer.application)
    mine = ranks.get(str(offer.destination.public_id), 0)
    others = (
        Offer.objects.select_for_update(of=("self",))
        .filter(application=offer.application, status__in=HOLDING)
        .exclude(pk=offer.pk)
        .select_related("destination", "run", "application")
    )
    freed = []
    for other in others:
        if ranks.get(str(other.destination.public_id), len(ranks) + 1) <= mine:
            continue  # a place she ranked higher stays hers to answer
        _end_offer(other, OfferStatus.SUPERSEDED, "applications.offer_superseded", actor, call, now,
                   {"by": str(offer.public_id)})  # fmt: skip
        freed.append(other.destination)
    acceptance.on_place_accepted(offer)
    run = offer.run
    for destination in freed:
        _promote(destination, run, call, now)
    return offer


def _end_offer(
    offer: Offer, status: str, action: str, actor: Any, call: Call, now: datetime, data: dict[str, Any]
) -> None:
    """Close a held offer (declined, or superseded by a better place), audited; an accepted place is released."""
    was = offer.status
    offer.status = status
    offer.responded_at = now
    offer.save(update_fields=["status", "responded_at"])
    audit.record(action, actor=actor, institution=call.institution, obj=offer, data={**data, "was": was})
    if was == OfferStatus.ACCEPTED:
        acceptance.on_place_released(offer)


@transaction.atomic
def decline_offer(offer: Offer, *, actor: Any) -> Offer:
    """The applicant declines an offered place, or gives up an accepted one: it goes down the waiting list."""
    call = _lock_call(_call_id_of(offer))
    offer = _lock_offer(offer.pk)
    _expect_applicant(offer, actor)
    if offer.status not in HOLDING:
        raise Conflict(
            _("This offer is “%(status)s”: it cannot be declined now.") % {"status": offer.get_status_display()}
        )
    now = timezone.now()
    _end_offer(offer, OfferStatus.DECLINED, "applications.offer_declined", actor, call, now,
               {"destination": str(offer.destination.public_id)})  # fmt: skip
    _promote(offer.destination, offer.run, call, now)
    return offer


def expire_offers(*, now: datetime | None = None) -> int:
    """Offers not answered by their deadline expire (each in its own transaction); their places are promoted."""
    now = now or timezone.now()
    due = list(
        Offer.objects.filter(status=OfferStatus.OFFERED, respond_by__lte=now)
        .order_by("respond_by", "pk")
        .values_list("pk", "application__call_id")
    )
    expired = 0
    for offer_id, call_id in due:
        with transaction.atomic():
            call = _lock_call(call_id)
            offer = _lock_offer(offer_id)
            if offer.status != OfferStatus.OFFERED or offer.respond_by > now:
                continue
            offer.status = OfferStatus.EXPIRED
            offer.save(update_fields=["status"])
            audit.record(
                "applications.offer_expired",
                institution=call.institution,
                obj=offer,
                data={"destination": str(offer.destination.public_id), "respond_by": offer.respond_by.isoformat()},
            )
            _notify_offer(offer, "expired")
            _promote(offer.destination, offer.run, call, now)
            expired += 1
    return expired


# Promotion from the waiting lists


def free_places(destination: CallDestination) -> int:
    return destination.places - Offer.objects.filter(destination=destination, status__in=HOLDING).count()


def reserved_places(destination: CallDestination, call: Call) -> int:
    """The destination's places reserved for applicants with fewer opportunities (0 without a reserved share)."""
    if not call.inclusion_reserved_share:
        return 0
    policy = InclusionPolicy(reserved_share=float(call.inclusion_reserved_share))
    return policy.reserved_places([destination.places])[0]


def _fewer_opportunities(run: AllocationRun) -> Callable[[Application], bool]:
    """Whether an applicant has fewer opportunities, as the run's input says (what the allocation was decided on);
    the application's own flag for one the run does not list."""
    flags = {item["id"]: bool(item.get("fewer_opportunities")) for item in run.inputs.get("applicants", [])}
    return lambda application: flags.get(str(application.public_id), application.fewer_opportunities)


def _promote(
    destination: CallDestination, run: AllocationRun, call: Call, now: datetime, *, notify: bool = True
) -> list[Offer]:
    """Offer the destination's free places down the run's waiting list (the call is locked by the caller).

    While fewer applicants with fewer opportunities hold a place there than it has reserved places, a freed place
    goes to the first of them on the list (failing one, to the first on the list); otherwise to the first.
    """
    free = free_places(destination)
    key = str(destination.public_id)
    waiting = list(run.output.get("waiting_lists", {}).get(key, []))
    if free <= 0 or not waiting:
        return []
    applications = {str(a.public_id): a for a in call.applications.filter(public_id__in=waiting)}
    held: dict[int, list[Offer]] = defaultdict(list)
    for existing in Offer.objects.filter(application__in=list(applications.values())).select_related("destination"):
        held[existing.application_id].append(existing)
    choices = {item["id"]: item["choices"] for item in run.inputs.get("applicants", [])}

    def may_move_up(applicant: str) -> bool:
        application = applications.get(applicant)
        if application is None or application.status != Application.Status.SUBMITTED:
            return False
        offers = held[application.pk]
        if any(existing.destination_id == destination.pk for existing in offers):
            return False  # declined, let expire or moved on from this one: not offered again
        ranked = choices.get(applicant, [])
        at_least_as_good = set(ranked[: ranked.index(key) + 1]) if key in ranked else set(ranked)
        return not any(
            existing.status in HOLDING and str(existing.destination.public_id) in at_least_as_good
            for existing in offers
        )

    candidates = [applicant for applicant in waiting if may_move_up(applicant)]
    reserved = reserved_places(destination, call)
    fewer = _fewer_opportunities(run)
    holding_fewer = 0
    if reserved:
        holders = Offer.objects.filter(destination=destination, status__in=HOLDING).select_related("application")
        holding_fewer = sum(1 for holder in holders if fewer(holder.application))
    promoted = []
    while free > 0 and candidates:
        applicant = candidates[0]
        if reserved and holding_fewer < reserved:
            # A reserved place is free: the first applicant with fewer opportunities on the list takes it.
            applicant = next((a for a in candidates if fewer(applications[a])), applicant)
        candidates.remove(applicant)
        application = applications[applicant]
        offer = Offer.objects.create(
            institution_id=call.institution_id,
            run=run,
            application=application,
            destination=destination,
            from_waiting_list=True,
            reasons=run.reasons.get(applicant, []),
            respond_by=_respond_by(call, now),
        )
        held[application.pk].append(offer)
        audit.record(
            "applications.offer_promoted",
            institution=call.institution,
            obj=offer,
            data={"destination": key, "position": waiting.index(applicant) + 1},
        )
        if notify:
            _notify_offer(offer, "promoted")
        promoted.append(offer)
        free -= 1
        if fewer(application):
            holding_fewer += 1
    return promoted


# What the pages read


@dataclass(frozen=True)
class Listed:
    application: Application | None
    applicant_id: str
    name: str
    score: float


@dataclass(frozen=True)
class DestinationResult:
    destination: CallDestination
    name: str
    admitted: list[Listed]
    waiting: list[Listed]


@dataclass(frozen=True)
class RunSummary:
    destinations: list[DestinationResult]
    unplaced: list[Listed]
    explanations: list[tuple[Listed, str | None, str]]  # applicant, the destination's name or None, explanation
    explanation_of: dict[str, str]  # applicant id -> explanation

    @property
    def applicants(self) -> int:
        return len(self.explanations)

    @property
    def placed(self) -> int:
        return sum(len(item.admitted) for item in self.destinations)

    @property
    def places(self) -> int:
        """The places of every destination of the call."""
        return sum(item.destination.places for item in self.destinations)


def run_summary(run: AllocationRun) -> RunSummary:
    """Per destination the admitted and the waiting list, the unplaced, and every explanation in the active
    language (destinations named, not numbered)."""
    call = run.call
    names = destination_names(call)
    applicants = run.inputs.get("applicants", [])
    scores = {item["id"]: item["score"] for item in applicants}
    applications = {
        str(a.public_id): a for a in call.applications.filter(public_id__in=list(scores)).select_related("student")
    }

    def listed(applicant: str) -> Listed:
        application = applications.get(applicant)
        name = application.student.get_full_name() if application else applicant
        return Listed(application, applicant, name, scores.get(applicant, 0.0))

    people = {applicant: listed(applicant) for applicant in scores}
    assignments: dict[str, str | None] = run.output.get("assignments", {})
    admitted: dict[str, list[Listed]] = defaultdict(list)
    for applicant, assigned in assignments.items():
        if assigned is not None:
            admitted[assigned].append(people[applicant])
    destinations = []
    for destination in call.destinations.select_related("partner").order_by("position", "pk"):
        key = str(destination.public_id)
        destinations.append(
            DestinationResult(
                destination=destination,
                name=names.get(key, key),
                admitted=sorted(admitted[key], key=lambda person: (-person.score, person.name.casefold())),
                waiting=[people[a] for a in run.output.get("waiting_lists", {}).get(key, []) if a in people],
            )
        )
    unplaced = sorted(
        (people[a] for a, destination in assignments.items() if destination is None and a in people),
        key=lambda person: (-person.score, person.name.casefold()),
    )
    explanation_of = {applicant: explanation(run.reasons.get(applicant, []), names) for applicant in people}
    explanations = [
        (people[applicant], names.get(assignments.get(applicant) or "", None), explanation_of[applicant])
        for applicant in sorted(people, key=lambda a: people[a].name.casefold())
    ]
    return RunSummary(destinations, unplaced, explanations, explanation_of)


@dataclass(frozen=True)
class OfferCounts:
    """The offers of a published run by status, and how many went to someone next on a waiting list."""

    offered: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    superseded: int = 0
    from_waiting_list: int = 0

    @property
    def total(self) -> int:
        return self.offered + self.accepted + self.declined + self.expired + self.superseded

    def by_status(self) -> list[tuple[str, int]]:
        """(what the status is called, how many), in the order officers read them."""
        return [
            (str(OfferStatus.ACCEPTED.label), self.accepted),
            (str(OfferStatus.DECLINED.label), self.declined),
            (str(OfferStatus.EXPIRED.label), self.expired),
            (_("Waiting for an answer"), self.offered),
            (str(OfferStatus.SUPERSEDED.label), self.superseded),
        ]


def offer_counts(run: AllocationRun) -> OfferCounts:
    """The offers of the run counted by status (one query)."""
    counts: dict[str, int] = defaultdict(int)
    from_waiting_list = 0
    for status, promoted in run.offers.values_list("status", "from_waiting_list"):
        counts[status] += 1
        from_waiting_list += bool(promoted)
    return OfferCounts(
        offered=counts[OfferStatus.OFFERED],
        accepted=counts[OfferStatus.ACCEPTED],
        declined=counts[OfferStatus.DECLINED],
        expired=counts[OfferStatus.EXPIRED],
        superseded=counts[OfferStatus.SUPERSEDED],
        from_waiting_list=from_waiting_list,
    )


@dataclass(frozen=True)
class WaitingPosition:
    name: str
    position: int


@dataclass(frozen=True)
class Result:
    """What the applicant reads: her offers (current first), the explanation and the waiting lists she is on."""

    run: AllocationRun | None
    current: list[Offer]  # offered or accepted
    past: list[Offer]
    explanation: str
    waiting: list[WaitingPosition]
    in_run: bool = False  # False: the application was not part of the published allocation (not submitted)


def result_for(application: Application) -> Result:
    call = application.call
    run = published_run(call)
    if run is None:
        return Result(None, [], [], "", [])
    names = destination_names(call)
    offers = list(application.offers.select_related("destination__partner").order_by("-created_at", "-pk"))
    current = [offer for offer in offers if offer.status in HOLDING]
    past = [offer for offer in offers if offer.status not in HOLDING]
    applicant = str(application.public_id)
    ranks = _rank_in(run, application)
    offered_at = {str(offer.destination.public_id) for offer in offers}
    waiting = [
        WaitingPosition(names.get(destination, destination), listed.index(applicant) + 1)
        for destination, listed in sorted(
            run.output.get("waiting_lists", {}).items(), key=lambda item: ranks.get(item[0], len(ranks) + 1)
        )
        if applicant in listed and destination not in offered_at  # an offer there says more than the list
    ]
    in_run = applicant in run.output.get("assignments", {})
    return Result(run, current, past, explanation(run.reasons.get(applicant, []), names), waiting, in_run)
