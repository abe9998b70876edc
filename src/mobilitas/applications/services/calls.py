"""Calls for outgoing mobility: create and edit them, the destinations they offer, publish and close them.

    draft --publish--> published --(results published, services.results)--> results-published --close--> closed
    published --close (by hand)--> closed

A call is edited (dates and year included) until its results are published; then it is read-only. Destinations
come from the agreements' places for the call's year and kind (`sync_destinations`, re-runnable: it never
duplicates a condition and keeps the officer's places and notes), or are added by hand. A destination an
application has chosen is never removed. Who may call these is decided by the views (`access.can_manage_calls`).
"""

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, cast

from django.db import models, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mobilitas import audit
from mobilitas.agreements.models import CooperationCondition
from mobilitas.agreements.places import Place, places_for_year
from mobilitas.applications.models import CEFR_LEVELS, MAX_CHOICES, Call, CallDestination, RequiredDocument
from mobilitas.institutions.models import Institution, OrganisationalUnit
from mobilitas.lib import academic_years
from mobilitas.lib.errors import Conflict, DomainError

Status = Call.Status
Kind = Call.Kind
DEFAULT_TIME_ZONE = "Europe/Paris"
EQF_LEVELS = (5, 6, 7, 8)
# The cooperation conditions whose places a call of each kind offers.
CONDITION_KINDS: dict[str, list[str]] = {
    Kind.STUDY: [CooperationCondition.Kind.STUDENT_STUDIES],
    Kind.SHORT_TERM: [CooperationCondition.Kind.STUDENT_STUDIES],
    Kind.BLENDED: [CooperationCondition.Kind.STUDENT_STUDIES],
    Kind.TRAINEESHIP: [CooperationCondition.Kind.STUDENT_TRAINEESHIP],
    Kind.STAFF_TEACHING: [CooperationCondition.Kind.STAFF_TEACHER],
    Kind.STAFF_TRAINING: [CooperationCondition.Kind.STAFF_TRAINING],
}
# Statuses in which the call and its destinations may still change.
EDITABLE = frozenset({Status.DRAFT, Status.PUBLISHED})
WEIGHTS = ("weight_grades", "weight_language", "weight_motivation", "weight_fewer_opportunities")
MAX_WEIGHT = Decimal("999.99")
MAX_BONUS = Decimal("99.99")
MAX_RESPONSE_DAYS = 60
MAX_PROGRAMMES = 100
MAX_DOCUMENTS = 20
# What create_call/update_call take, besides eligible_ounits and required_documents.
CALL_FIELDS = (
    "title",
    "description",
    "academic_year",
    "kind",
    "study_levels",
    "programmes",
    "time_zone",
    "opens_at",
    "closes_at",
    "max_choices",
    *WEIGHTS,
    "inclusion_bonus",
    "inclusion_reserved_share",
    "response_days",
)


@dataclass(frozen=True)
class Problem:
    place: str  # the input's field it concerns ("closes_at", "required_documents", ...)
    message: str


class InvalidCall(DomainError):
    """Every problem found in a call's input, so that a form shows each next to its field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(p.message for p in problems), field=problems[0].place if problems else None)
        self.problems = problems


@dataclass(frozen=True)
class DocumentInput:
    name: str
    help_text: str = ""


@cache
def time_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def in_zone(moment: datetime, name: str) -> datetime:
    """`moment` as a wall-clock time in the time zone `name`."""
    return timezone.localtime(moment, zoneinfo.ZoneInfo(name))


# Validation


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _integer(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _aware(value: Any, zone: str) -> datetime | None:
    """An aware datetime: a naive one is read as a wall-clock time in the call's time zone."""
    if not isinstance(value, datetime):
        return None
    if timezone.is_naive(value):
        return timezone.make_aware(value, zoneinfo.ZoneInfo(zone))
    return value


def _documents(value: Iterable[Any]) -> list[DocumentInput]:
    documents = []
    for item in value:
        if isinstance(item, DocumentInput):
            documents.append(item)
        elif isinstance(item, dict):
            documents.append(DocumentInput(str(item.get("name", "")), str(item.get("help_text", ""))))
        else:
            name, help_text = [*list(item), "", ""][:2]
            documents.append(DocumentInput(str(name), str(help_text)))
    return [DocumentInput(d.name.strip(), d.help_text.strip()) for d in documents]


def _clean_texts(values: dict[str, Any], problems: list[Problem]) -> None:
    title = str(values.get("title") or "").strip()
    if not title:
        problems.append(Problem("title", _("Give the call a title.")))
    elif len(title) > 200:
        problems.append(Problem("title", _("The title can be at most 200 characters long.")))
    values["title"] = title
    values["description"] = str(values.get("description") or "").strip()
    year = str(values.get("academic_year") or "").strip()
    try:
        academic_years.parse(year)
    except DomainError as error:
        problems.append(Problem("academic_year", error.message))
    values["academic_year"] = year
    if values.get("kind") not in Kind.values:
        problems.append(Problem("kind", _("Choose the kind of mobility.")))


def _clean_eligibility(values: dict[str, Any], problems: list[Problem]) -> None:
    levels = []
    for level in values.get("study_levels") or []:
        number = _integer(level)
        if number not in EQF_LEVELS:
            problems.append(
                Problem("study_levels", _("“%(value)s” is not a study level: use EQF 5 to 8.") % {"value": level})
            )
        elif number not in levels:
            levels.append(number)
    values["study_levels"] = sorted(levels)
    programmes: list[str] = []
    for programme in values.get("programmes") or []:
        name = str(programme).strip()
        if len(name) > 200:
            problems.append(
                Problem("programmes", _("A programme name can be at most 200 characters long: “%(name)s…”.")
                % {"name": name[:40]})
            )  # fmt: skip
        elif name and name.casefold() not in {p.casefold() for p in programmes}:
            programmes.append(name)
    if len(programmes) > MAX_PROGRAMMES:
        problems.append(Problem("programmes", _("List at most %(max)s programmes.") % {"max": MAX_PROGRAMMES}))
    values["programmes"] = programmes


def _clean_dates(values: dict[str, Any], problems: list[Problem]) -> None:
    zone = str(values.get("time_zone") or DEFAULT_TIME_ZONE)
    if zone not in time_zones():
        problems.append(Problem("time_zone", _("“%(value)s” is not a time zone.") % {"value": zone}))
        zone = DEFAULT_TIME_ZONE
    values["time_zone"] = zone
    opens_at, closes_at = _aware(values.get("opens_at"), zone), _aware(values.get("closes_at"), zone)
    if opens_at is None:
        problems.append(Problem("opens_at", _("Give the date and time the call opens.")))
    if closes_at is None:
        problems.append(Problem("closes_at", _("Give the date and time the call closes.")))
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        problems.append(Problem("closes_at", _("The call must close after it opens.")))
    values["opens_at"], values["closes_at"] = opens_at, closes_at


def _clean_numbers(values: dict[str, Any], problems: list[Problem]) -> None:
    max_choices = _integer(values.get("max_choices"))
    if max_choices is None or not 1 <= max_choices <= MAX_CHOICES:
        problems.append(
            Problem("max_choices", _("Students may rank from 1 to %(max)s destinations.") % {"max": MAX_CHOICES})
        )
    values["max_choices"] = max_choices
    for name in WEIGHTS:
        weight = _decimal(values.get(name, 0))
        if weight is None or weight < 0 or weight > MAX_WEIGHT:
            problems.append(Problem(name, _("A weight is a number from 0 to %(max)s.") % {"max": MAX_WEIGHT}))
        values[name] = weight
    if all(values[name] is not None for name in WEIGHTS) and not any(values[name] for name in WEIGHTS):
        problems.append(Problem(WEIGHTS[0], _("At least one criterion must have a weight above 0.")))
    bonus = _decimal(values.get("inclusion_bonus", 0))
    if bonus is None or bonus < 0 or bonus > MAX_BONUS:
        problems.append(
            Problem("inclusion_bonus", _("The bonus is a number of points from 0 to %(max)s.") % {"max": MAX_BONUS})
        )
    values["inclusion_bonus"] = bonus
    share = _decimal(values.get("inclusion_reserved_share", 0))
    if share is None or share < 0 or share > 1:
        problems.append(Problem("inclusion_reserved_share", _("The reserved share is between 0 and 1 (0% to 100%).")))
    else:
        share = share.quantize(Decimal("0.01"))
    values["inclusion_reserved_share"] = share
    days = _integer(values.get("response_days"))
    if days is None or not 1 <= days <= MAX_RESPONSE_DAYS:
        problems.append(
            Problem("response_days", _("Give students 1 to %(max)s days to answer.") % {"max": MAX_RESPONSE_DAYS})
        )
    values["response_days"] = days


def _clean_units(institution: Institution, units: Iterable[OrganisationalUnit], problems: list[Problem]) -> list[Any]:
    found = list(dict.fromkeys(units))
    foreign = [u for u in found if u.institution_id != institution.pk]
    if foreign:
        problems.append(
            Problem("eligible_ounits", _("“%(unit)s” is not a unit of %(institution)s.")
            % {"unit": foreign[0].display_name, "institution": institution.display_name})
        )  # fmt: skip
    return found


def _clean_documents(documents: list[DocumentInput], problems: list[Problem]) -> list[DocumentInput]:
    kept: list[DocumentInput] = []
    for document in documents:
        if not document.name and not document.help_text:
            continue
        if not document.name:
            problems.append(
                Problem("required_documents", _("Name the document explained as “%(text)s”.")
                % {"text": document.help_text[:40]})
            )  # fmt: skip
        elif len(document.name) > 120 or len(document.help_text) > 300:
            problems.append(
                Problem("required_documents", _("“%(name)s”: at most 120 characters for a name, 300 for its "
                "explanation.") % {"name": document.name[:40]})
            )  # fmt: skip
        elif document.name.casefold() in {d.name.casefold() for d in kept}:
            problems.append(Problem("required_documents", _("“%(name)s” is listed twice.") % {"name": document.name}))
        else:
            kept.append(document)
    if len(kept) > MAX_DOCUMENTS:
        problems.append(Problem("required_documents", _("List at most %(max)s documents.") % {"max": MAX_DOCUMENTS}))
    return kept


def _clean(institution: Institution, fields: dict[str, Any], base: dict[str, Any]) -> tuple[dict[str, Any], Any, Any]:
    """The validated values (`fields` over `base`), the units and documents (None: unchanged); InvalidCall else."""
    unknown = set(fields) - {*CALL_FIELDS, "eligible_ounits", "required_documents"}
    if unknown:
        raise TypeError(f"Unknown call fields: {', '.join(sorted(unknown))}")
    values = {**base, **{k: v for k, v in fields.items() if k in CALL_FIELDS}}
    problems: list[Problem] = []
    _clean_texts(values, problems)
    _clean_eligibility(values, problems)
    _clean_dates(values, problems)
    _clean_numbers(values, problems)
    units = documents = None
    if "eligible_ounits" in fields:
        units = _clean_units(institution, fields["eligible_ounits"] or [], problems)
    if "required_documents" in fields:
        documents = _clean_documents(_documents(fields["required_documents"] or []), problems)
    if problems:
        raise InvalidCall(problems)
    return values, units, documents


def _values_of(call: Call) -> dict[str, Any]:
    return {name: getattr(call, name) for name in CALL_FIELDS}


def _defaults() -> dict[str, Any]:
    return {
        name: cast("models.Field[Any, Any]", Call._meta.get_field(name)).get_default()
        for name in CALL_FIELDS
        if name not in ("opens_at", "closes_at", "title", "academic_year")
    }


def label_of(name: str) -> str:
    """The verbose name of a field of Call (the labels of the scoring criteria on the pages)."""
    return str(cast("models.Field[Any, Any]", Call._meta.get_field(name)).verbose_name)


def _save_documents(call: Call, documents: list[DocumentInput]) -> None:
    """The call's documents become `documents`, in order; a document with uploads is never dropped."""
    existing = {d.name.casefold(): d for d in call.required_documents.annotate(uploaded=Count("uploads"))}
    wanted = {d.name.casefold() for d in documents}
    dropped = [d for key, d in existing.items() if key not in wanted]
    in_use = [d for d in dropped if d.uploaded]
    if in_use:
        raise InvalidCall(
            [Problem("required_documents", _("“%(name)s” cannot be removed: applicants have uploaded it already.")
            % {"name": in_use[0].name})]
        )  # fmt: skip
    RequiredDocument.objects.filter(pk__in=[d.pk for d in dropped]).delete()
    for position, document in enumerate(documents):
        row = existing.get(document.name.casefold()) or RequiredDocument(call=call)
        row.position, row.name, row.help_text = position, document.name, document.help_text
        row.save()


def _audit_data(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, Decimal) else v
            for k, v in values.items()}  # fmt: skip


# Create and edit


@transaction.atomic
def create_call(institution: Institution, *, actor: Any, **fields: Any) -> Call:
    """A draft call of `institution`. `fields`: those of CALL_FIELDS, plus `eligible_ounits` (units of the
    institution) and `required_documents` (DocumentInput, (name, explanation) pairs or dicts). Dates are aware
    datetimes, or naive ones read in `time_zone` (default Europe/Paris)."""
    values, units, documents = _clean(institution, fields, _defaults())
    call = Call.objects.create(institution=institution, created_by=actor if _is_user(actor) else None, **values)
    if units:
        call.eligible_ounits.set(units)
    if documents:
        _save_documents(call, documents)
    audit.record("applications.call_created", actor=actor, institution=institution, obj=call,
                 data=_audit_data(values))  # fmt: skip
    return call


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _lock(call: Call) -> Call:
    return Call.objects.select_for_update().select_related("institution").get(pk=call.pk)


def _expect_editable(call: Call) -> None:
    if call.status not in EDITABLE:
        raise Conflict(
            _("The call is “%(status)s”: it can no longer be changed.") % {"status": call.get_status_display()}
        )


@transaction.atomic
def update_call(call: Call, *, actor: Any, **fields: Any) -> Call:
    """Change some of a call's fields (same input as create_call); refused once its results are published."""
    call = _lock(call)
    _expect_editable(call)
    before = _values_of(call)
    values, units, documents = _clean(call.institution, fields, before)
    changed = {k: v for k, v in values.items() if before.get(k) != v}
    for name, value in values.items():
        setattr(call, name, value)
    call.save()
    if units is not None:
        previous = set(call.eligible_ounits.values_list("pk", flat=True))
        if previous != {u.pk for u in units}:
            call.eligible_ounits.set(units)
            changed["eligible_ounits"] = [u.code for u in units]
    if documents is not None:
        _save_documents(call, documents)
        changed["required_documents"] = [d.name for d in documents]
    audit.record("applications.call_updated", actor=actor, institution=call.institution, obj=call,
                 data=_audit_data(changed))  # fmt: skip
    return call


# Destinations


@dataclass
class SyncReport:
    """What "Fill from agreements" did."""

    added: int = 0
    refreshed: int = 0
    removed: list[str] = field(default_factory=list)  # destinations whose condition is gone, no one chose them
    kept: list[str] = field(default_factory=list)  # condition gone, but applications chose them: left in place


def _facts(place: Place) -> dict[str, Any]:
    """What a destination copies from its cooperation condition (its places and notes stay the officer's)."""
    condition = place.condition
    unit = place.agreement.ounit
    return {
        "partner": place.partner,
        "agreement": place.agreement,
        # An agreement held by a faculty is for its students; one held by an office (the international
        # relations office) is for everyone's.
        "ounit": unit if unit is not None and unit.kind != OrganisationalUnit.Kind.OFFICE else None,
        "isced_codes": place.isced_codes,
        "eqf_levels": list(condition.eqf_levels or []),
        "languages": [
            {"language": s.language, "level": s.cefr_level} for s in condition.language_skills.all() if s.language
        ],
        # Staff conditions count days, not months: a staff destination states no months.
        "months": place.months_each if condition.is_student else None,
    }


def _describe(destination: CallDestination) -> str:
    agreement = destination.agreement
    return f"{destination.partner.display_name} ({agreement.code})" if agreement else destination.partner.display_name


@transaction.atomic
def sync_destinations_report(call: Call, *, actor: Any) -> SyncReport:
    """Fill the call's destinations from the approved agreements' places of its year and kind (see module doc)."""
    call = _lock(call)
    _expect_editable(call)
    places = places_for_year(
        call.institution, call.academic_year, outgoing=True, kinds=CONDITION_KINDS[call.kind], approved_only=True
    )
    current = {d.condition_id: d for d in call.destinations.filter(condition__isnull=False)}
    report = SyncReport()
    position = (call.destinations.aggregate(last=Max("position"))["last"] or 0) + 1
    for place in places:
        facts = _facts(place)
        destination = current.pop(place.condition.pk, None)
        if destination is None:
            CallDestination.objects.create(
                call=call, condition=place.condition, places=place.mobilities, position=position, **facts
            )
            position += 1
            report.added += 1
        elif any(getattr(destination, k) != v for k, v in facts.items()):
            for name, value in facts.items():
                setattr(destination, name, value)
            destination.save()
            report.refreshed += 1
    # From an agreement once, its condition gone (deleted, terminated, not approved, no longer this year's).
    gone = call.destinations.filter(agreement__isnull=False).exclude(condition__in=[p.condition for p in places])
    for destination in gone.select_related("partner", "agreement").annotate(chosen=Count("choices")):
        if destination.chosen:
            report.kept.append(_describe(destination))
        else:
            report.removed.append(_describe(destination))
            destination.delete()
    audit.record(
        "applications.call_destinations_synced",
        actor=actor,
        institution=call.institution,
        obj=call,
        data={"added": report.added, "refreshed": report.refreshed, "removed": report.removed, "kept": report.kept},
    )
    return report


def sync_destinations(call: Call, *, actor: Any) -> int:
    """Fill the destinations from the agreements (sync_destinations_report); returns the number added."""
    return sync_destinations_report(call, actor=actor).added


def _places(value: Any) -> int:
    places = _integer(value)
    if places is None or places < 1 or places > 9999:
        raise DomainError(_("A destination offers at least one place (a whole number)."), field="places")
    return places


def _notes(value: Any) -> str:
    notes = str(value or "").strip()
    if len(notes) > 300:
        raise DomainError(_("The notes can be at most 300 characters long."), field="notes")
    return notes


def _lock_destination(destination: CallDestination) -> CallDestination:
    _expect_editable(_lock(destination.call))
    return (
        CallDestination.objects.select_for_update(of=("self",)).select_related("call", "partner").get(pk=destination.pk)
    )


@transaction.atomic
def update_destination(destination: CallDestination, *, actor: Any, places: Any, notes: str = "") -> CallDestination:
    destination = _lock_destination(destination)
    before = {"places": destination.places, "notes": destination.notes}
    destination.places, destination.notes = _places(places), _notes(notes)
    destination.save(update_fields=["places", "notes"])
    audit.record(
        "applications.call_destination_updated",
        actor=actor,
        institution=destination.call.institution,
        obj=destination.call,
        data={"destination": _describe(destination), "from": before, "to": {"places": destination.places,
              "notes": destination.notes}},
    )  # fmt: skip
    return destination


@transaction.atomic
def remove_destination(destination: CallDestination, *, actor: Any) -> None:
    """Remove a destination no application has chosen (one that was chosen stays: edit its places instead)."""
    destination = _lock_destination(destination)
    chosen = destination.choices.count()
    if chosen:
        raise Conflict(
            _("%(destination)s cannot be removed: %(count)s application(s) chose it. Change its places instead.")
            % {"destination": _describe(destination), "count": chosen}
        )
    description = _describe(destination)
    call = destination.call
    destination.delete()
    audit.record("applications.call_destination_removed", actor=actor, institution=call.institution, obj=call,
                 data={"destination": description})  # fmt: skip


def _languages(values: Sequence[Any]) -> list[dict[str, str]]:
    languages = []
    for item in values:
        language, level = (item.get("language", ""), item.get("level", "")) if isinstance(item, dict) else item
        language, level = str(language).strip().lower(), str(level).strip().upper()
        if not language or len(language) > 20 or (level and level not in CEFR_LEVELS):
            raise DomainError(
                _("“%(value)s” is not a language requirement: write a language code and a CEFR level, like es B1.")
                % {"value": f"{language} {level}".strip()},
                field="languages",
            )
        languages.append({"language": language, "level": level})
    return languages


@transaction.atomic
def add_destination(
    call: Call,
    *,
    actor: Any,
    partner: Institution,
    places: Any,
    notes: str = "",
    ounit: OrganisationalUnit | None = None,
    isced_codes: Sequence[str] = (),
    eqf_levels: Sequence[int] = (),
    languages: Sequence[Any] = (),
    months: Decimal | None = None,
) -> CallDestination:
    """A destination added by hand (a partner of the directory, no agreement behind it)."""
    call = _lock(call)
    _expect_editable(call)
    if partner.pk == call.institution_id:
        raise DomainError(_("A destination is a partner institution, not your own."), field="partner")
    if ounit is not None and ounit.institution_id != call.institution_id:
        raise DomainError(_("The unit must be one of your institution's."), field="ounit")
    codes = [str(c).strip() for c in isced_codes if str(c).strip()]
    if any(not (c.isdigit() and 2 <= len(c) <= 4) for c in codes):
        raise DomainError(_("ISCED-F codes are 2 to 4 digits, like 0613."), field="isced_codes")
    levels = sorted({int(level) for level in eqf_levels})
    if any(level not in EQF_LEVELS for level in levels):
        raise DomainError(_("Study levels are EQF 5 to 8."), field="eqf_levels")
    if months is not None and (months <= 0 or months > 120):
        raise DomainError(_("The months each are a number above 0."), field="months")
    position = (call.destinations.aggregate(last=Max("position"))["last"] or 0) + 1
    destination = CallDestination.objects.create(
        call=call,
        partner=partner,
        places=_places(places),
        notes=_notes(notes),
        ounit=ounit,
        isced_codes=codes,
        eqf_levels=levels,
        languages=_languages(languages),
        months=months,
        position=position,
    )
    audit.record("applications.call_destination_added", actor=actor, institution=call.institution, obj=call,
                 data={"destination": _describe(destination), "places": destination.places})  # fmt: skip
    return destination


# Publish and close


@transaction.atomic
def publish_call(call: Call, *, actor: Any) -> Call:
    call = _lock(call)
    if call.status != Status.DRAFT:
        raise Conflict(
            _("The call is “%(status)s”: only a draft is published.") % {"status": call.get_status_display()}
        )
    if not call.destinations.exists():
        raise Conflict(_("The call offers no destination yet: fill them from the agreements or add one first."))
    call.status = Status.PUBLISHED
    call.published_at = timezone.now()
    call.save(update_fields=["status", "published_at", "updated_at"])
    audit.record("applications.call_published", actor=actor, institution=call.institution, obj=call,
                 data={"opens_at": call.opens_at.isoformat(), "closes_at": call.closes_at.isoformat()})  # fmt: skip
    if call.opens_at <= call.published_at and call.opening_announced_at is None:
        # Already open: announce it now rather than at the next hourly run. The task announces each call once
        # (opening_announced_at, under the call's lock), so the hourly run will not announce it again.
        from mobilitas.applications.call_tasks import send_call_notifications  # call_tasks imports this module

        transaction.on_commit(lambda: send_call_notifications.enqueue())
    return call


@transaction.atomic
def close_call(call: Call, *, actor: Any) -> Call:
    """Close a call whose results are published, or a published call by hand (no allocation: it just ends)."""
    call = _lock(call)
    if call.status not in (Status.PUBLISHED, Status.RESULTS_PUBLISHED):
        raise Conflict(
            _("The call is “%(status)s”: only a published call is closed.") % {"status": call.get_status_display()}
        )
    previous = call.status
    call.status = Status.CLOSED
    call.save(update_fields=["status", "updated_at"])
    audit.record("applications.call_closed", actor=actor, institution=call.institution, obj=call,
                 data={"from": previous})  # fmt: skip
    return call
