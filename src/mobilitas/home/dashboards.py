"""The queries behind each role's home page.

A home page is a list of sections. A section is a function that returns the data for one partial of
`home/sections.html`, registered with the roles that see it; a user with several roles at the institution
sees each of their sections once, in the order they are declared here. To add a section (agreements,
calls, mobilities...), write one `@section(...)` function and one `{% partialdef %}` with the same key. A section
whose function returns None has nothing to say to this user and is left out (the offers waiting for an answer);
a `prominent` one stands out on the page.

Sections share what several of them read (the units, the alliances) through the Dashboard's cached
properties, and each runs a fixed number of queries: the page's query count does not grow with the rows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mobilitas.applications.access import CALL_MANAGERS, applications_for, calls_for, reviewer_units
from mobilitas.applications.models import Application, Call, Offer
from mobilitas.audit.models import AuditEvent
from mobilitas.institutions.access import READERS_OF_ACTIVITY, alliances_for
from mobilitas.institutions.countries import country_name
from mobilitas.institutions.facts import institution_facts
from mobilitas.institutions.models import (
    Alliance,
    Institution,
    Membership,
    OrganisationalUnit,
    Role,
    charter_valid_on,
)
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.institutions.unit_tree import UnitNode, ancestry, subtree_ids, unit_tree
from mobilitas.mobilities.access import nominations_for

EVERYONE = frozenset(Role.values)
APPLICANT_ROLES = frozenset({Role.STUDENT, Role.STAFF})
STAFF_KINDS = (Call.Kind.STAFF_TEACHING, Call.Kind.STAFF_TRAINING)
RECENT_EVENTS = 10
TOP_COUNTRIES = 10


Loader = Callable[["Dashboard"], dict[str, Any] | None]


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str | Promise
    roles: frozenset[str]
    load: Loader
    prominent: bool = False


@dataclass(frozen=True)
class Section:
    """One rendered section: `template` is the partial, `data` its context."""

    key: str
    title: str | Promise
    template: str
    data: dict[str, Any]
    prominent: bool = False


SECTIONS: list[SectionSpec] = []


def section(
    key: str, title: str | Promise, roles: Iterable[str], *, prominent: bool = False
) -> Callable[[Loader], Loader]:
    """Register a section shown to the members holding one of `roles`."""

    def register(load: Loader) -> Loader:
        SECTIONS.append(SectionSpec(key, title, frozenset(roles), load, prominent))
        return load

    return register


class Dashboard:
    """What the home page of request.institution holds for request.user."""

    def __init__(self, request: InstitutionRequest) -> None:
        self.request = request
        self.institution: Institution = request.institution
        self.user = request.user
        self.memberships: list[Membership] = request.memberships
        self.roles: frozenset[str] = request.roles

    def sections(self) -> list[Section]:
        sections = []
        for spec in SECTIONS:
            if spec.roles & self.roles:
                data = spec.load(self)
                if data is not None:
                    sections.append(
                        Section(spec.key, spec.title, f"home/sections.html#{spec.key}", data, spec.prominent)
                    )
        return sections

    def membership(self, role: str) -> Membership | None:
        return next((m for m in self.memberships if m.role == role), None)

    # Shared reads, one query each, whatever the number of sections using them.

    @cached_property
    def units(self) -> dict[int, OrganisationalUnit]:
        return {unit.pk: unit for unit in self.institution.ounits.order_by("name")}

    @cached_property
    def alliances(self) -> list[Alliance]:
        members = Institution.objects.order_by("country", "name")
        return list(
            alliances_for(self.request)
            .select_related("coordinator")
            .prefetch_related(Prefetch("members", queryset=members))
            .order_by("name")
        )

    def within(self, unit_id: int | None, ancestor_ids: set[int]) -> bool:
        """The unit is one of `ancestor_ids` or below one of them (walked through `units`: no query)."""
        seen: set[int] = set()
        while unit_id is not None and unit_id not in seen:
            if unit_id in ancestor_ids:
                return True
            seen.add(unit_id)
            unit = self.units.get(unit_id)
            unit_id = unit.parent_id if unit else None
        return False

    def people_by_unit(self, role: str | None = None) -> dict[int | None, int]:
        """How many people (not memberships: one person may hold several roles) each unit has."""
        memberships = Membership.objects.filter(institution=self.institution)
        if role:
            memberships = memberships.filter(role=role)
        rows = memberships.order_by().values("ounit_id").annotate(n=Count("user", distinct=True))
        return {row["ounit_id"]: row["n"] for row in rows}


def share(part: int, whole: int) -> int:
    """Whole percent of `part` in `whole` (0 for an empty whole)."""
    return round(100 * part / whole) if whole else 0


# Sections, in page order: the person first, then what their roles look after.


@section("offers", _("A place is offered to you"), APPLICANT_ROLES, prominent=True)
def offers(dash: Dashboard) -> dict[str, Any] | None:
    """The places offered to the user still waiting for their answer, the soonest deadline first; first on the page."""
    waiting = (
        Offer.objects.filter(
            institution=dash.institution,
            application__student=dash.user,
            status=Offer.Status.OFFERED,
            respond_by__gt=timezone.now(),
        )
        .select_related("application__call", "destination__partner")
        .order_by("respond_by", "pk")
    )
    rows = list(waiting)
    return {"offers": rows} if rows else None


@section("me", _("You at this institution"), EVERYONE)
def me(dash: Dashboard) -> dict[str, Any]:
    return {"memberships": dash.memberships}


@section("faculty", _("Your faculty"), {Role.STUDENT})
def faculty(dash: Dashboard) -> dict[str, Any]:
    membership = dash.membership(Role.STUDENT)
    unit = membership.ounit if membership else None
    if unit is None:
        return {"unit": None}
    chain = ancestry(dash.units.values(), unit)
    # The faculty is the nearest enclosing unit of kind faculty, else the top of the tree.
    faculty = next((u for u in chain if u.kind == OrganisationalUnit.Kind.FACULTY), chain[-1])
    coordinators = (
        Membership.objects.filter(institution=dash.institution, role=Role.COORDINATOR, ounit__in=chain)
        .exclude(user=dash.user)
        .select_related("user", "ounit")
        .order_by("ounit__name", "user__full_name", "user__email")
    )
    return {"unit": dash.units.get(unit.pk, unit), "faculty": faculty, "coordinators": list(coordinators)}


def _applicant_units(dash: Dashboard) -> dict[bool, int | None]:
    """The unit the user applies from: as a student to student calls (False), as staff to staff calls (True)."""
    units: dict[bool, int | None] = {}
    for role, staff in ((Role.STUDENT, False), (Role.STAFF, True)):
        membership = dash.membership(role)
        if membership is not None:
            units[staff] = membership.ounit_id
    return units


@section("applying", _("Calls for mobility"), APPLICANT_ROLES)
def applying(dash: Dashboard) -> dict[str, Any]:
    """The calls open now the user may apply to, with their deadline, and the user's applications with their state."""
    now = timezone.now()
    mine = list(
        applications_for(dash.request)
        .filter(student=dash.user)
        .exclude(call__status=Call.Status.CLOSED)
        .select_related("call")
        .order_by("call__closes_at", "call__title", "pk")
    )
    applied = {a.call_id for a in mine if a.status != Application.Status.WITHDRAWN}
    units = _applicant_units(dash)
    open_calls = (
        calls_for(dash.request)
        .filter(status=Call.Status.PUBLISHED, opens_at__lte=now, closes_at__gt=now)
        .prefetch_related("eligible_ounits")
        .order_by("closes_at", "title")
    )
    calls = []
    for call in open_calls:
        staff = call.kind in STAFF_KINDS
        if staff not in units or call.pk in applied:
            continue
        eligible = {unit.pk for unit in call.eligible_ounits.all()}
        if eligible and not dash.within(units[staff], eligible):
            continue
        calls.append(call)
    applications = []
    for application in mine:
        call = application.call
        if application.status == Application.Status.DRAFT:
            state = "draft" if call.is_open(now) else "missed" if call.has_closed(now) else "waiting"
        elif application.status == Application.Status.SUBMITTED:
            state = "result" if call.results_published_at else "submitted"
        else:
            state = "withdrawn"
        applications.append({"application": application, "call": call, "state": state})
    return {"calls": calls, "applications": applications}


@section("coordinated_unit", _("Your unit"), {Role.COORDINATOR})
def coordinated_unit(dash: Dashboard) -> dict[str, Any]:
    membership = dash.membership(Role.COORDINATOR)
    unit = membership.ounit if membership else None
    if unit is None:
        return {"unit": None}
    unit = dash.units.get(unit.pk, unit)
    colleagues = (
        Membership.objects.filter(institution=dash.institution, ounit__in=subtree_ids(dash.units.values(), unit))
        .exclude(user=dash.user)
        .select_related("user", "ounit")
        .order_by("user__full_name", "user__email", "role")
    )
    return {
        "unit": unit,
        "parent": dash.units.get(unit.parent_id) if unit.parent_id else None,
        "subunits": unit_tree(dash.units.values(), root=unit),
        "colleagues": list(colleagues),
    }


@section("review", _("Applications to score"), {Role.COORDINATOR})
def review(dash: Dashboard) -> dict[str, Any]:
    """Per call open or closed and not decided yet: the submitted applications of the coordinator's faculties, and
    how many of them still lack a motivation score."""
    units = reviewer_units(dash.request)
    if not units:
        return {"has_unit": False, "calls": []}
    calls = list(
        calls_for(dash.request)
        .filter(status=Call.Status.PUBLISHED, results_published_at__isnull=True, opens_at__lte=timezone.now())
        .order_by("closes_at", "title")
    )
    counts = {
        row["call"]: row
        for row in applications_for(dash.request)
        .filter(call__in=[call.pk for call in calls], status=Application.Status.SUBMITTED)
        .filter(Q(ounit__in=units) | Q(ounit__parent__in=units))  # the faculties the coordinator reviews
        .order_by()
        .values("call")
        .annotate(submitted=Count("id"), unscored=Count("id", filter=Q(motivation_score__isnull=True)))
    }
    rows = [
        {
            "call": call,
            "submitted": counts.get(call.pk, {}).get("submitted", 0),
            "unscored": counts.get(call.pk, {}).get("unscored", 0),
        }
        for call in calls
    ]
    return {"has_unit": True, "calls": rows}


@section("exchange_partners", _("Where you could go"), {Role.STUDENT, Role.STAFF})
def exchange_partners(dash: Dashboard) -> dict[str, Any]:
    """The other members of the institution's alliances: the universities a student or staff member can visit."""
    partners: dict[int, dict[str, Any]] = {}
    for alliance in dash.alliances:
        for member in alliance.members.all():
            if member.pk != dash.institution.pk:
                partners.setdefault(member.pk, {"institution": member, "alliances": []})["alliances"].append(alliance)
    rows = sorted(partners.values(), key=lambda row: (row["institution"].country_name, row["institution"].display_name))
    return {"partners": rows, "has_alliance": bool(dash.alliances)}


@section("facts", _("The institution"), EVERYONE)
def facts(dash: Dashboard) -> dict[str, Any]:
    return {"institution": dash.institution, "facts": institution_facts(dash.institution)}


@section("calls_in_progress", _("Calls in progress"), CALL_MANAGERS)
def calls_in_progress(dash: Dashboard) -> dict[str, Any]:
    """The calls still being worked on (drafts, published ones, decided ones with offers waiting for an answer),
    with their submitted applications, and the nominations to send."""
    now = timezone.now()
    calls = (
        calls_for(dash.request)
        .exclude(status=Call.Status.CLOSED)
        .annotate(
            submitted=Count("applications", filter=Q(applications__status=Application.Status.SUBMITTED), distinct=True),
            pending=Count(
                "applications__offers", filter=Q(applications__offers__status=Offer.Status.OFFERED), distinct=True
            ),
        )
        .filter(
            Q(status__in=[Call.Status.DRAFT, Call.Status.PUBLISHED])
            | Q(status=Call.Status.RESULTS_PUBLISHED, pending__gt=0)
        )
        .order_by("closes_at", "title")
    )
    rows = []
    for call in calls:
        if call.status == Call.Status.DRAFT:
            stage = "draft"
        elif call.status == Call.Status.RESULTS_PUBLISHED:
            stage = "offers"
        elif call.has_closed(now):
            stage = "allocation"
        else:
            stage = "open" if call.opens_at <= now else "upcoming"
        rows.append({"call": call, "stage": stage})
    return {"calls": rows, "nominations": nominations_for(dash.request).count()}


@section("members", _("Members"), {Role.OFFICER, Role.ADMIN, Role.LEADERSHIP})
def members(dash: Dashboard) -> dict[str, Any]:
    memberships = Membership.objects.filter(institution=dash.institution)
    counts = dict(memberships.order_by().values_list("role").annotate(n=Count("id")))
    people = memberships.aggregate(n=Count("user", distinct=True))["n"]
    return {"roles": [(role.label, counts.get(role.value, 0)) for role in Role], "people": people}


@section("units", _("Organisational units"), {Role.OFFICER, Role.ADMIN})
def units(dash: Dashboard) -> dict[str, Any]:
    counts = dash.people_by_unit()
    return {
        "tree": unit_tree(dash.units.values(), counts=counts),
        "total": len(dash.units),
        "unattached": counts.get(None, 0),
    }


@section("staff_by_unit", _("Staff members by unit"), {Role.HR})
def staff_by_unit(dash: Dashboard) -> dict[str, Any]:
    counts = dash.people_by_unit(Role.STAFF)
    rows = []

    def walk(nodes: list[UnitNode], parent: OrganisationalUnit | None) -> None:
        for node in nodes:
            rows.append({"unit": node.unit, "parent": parent, "count": node.count})
            walk(node.children, node.unit)

    walk(unit_tree(dash.units.values(), counts=counts), None)
    return {"rows": rows, "unattached": counts.get(None, 0), "total": sum(counts.values())}


@section("directory", _("Partner directory"), {Role.OFFICER, Role.ADMIN, Role.LEADERSHIP})
def directory(dash: Dashboard) -> dict[str, Any]:
    today = timezone.localdate()
    partners = Institution.objects.exclude(pk=dash.institution.pk)
    totals = partners.aggregate(
        total=Count("id"),
        charters=Count("id", filter=charter_valid_on(today)),
        geocoded=Count("id", filter=Q(latitude__isnull=False, longitude__isnull=False)),
    )
    countries = partners.order_by().values("country").annotate(n=Count("id")).order_by("-n", "country")
    return {
        **totals,
        "charters_share": share(totals["charters"], totals["total"]),
        "geocoded_share": share(totals["geocoded"], totals["total"]),
        "countries": [{**row, "name": country_name(row["country"])} for row in countries[:TOP_COUNTRIES]],
    }


@section("alliance_members", _("Alliance members"), {Role.ALLIANCE_OFFICE})
def alliance_members(dash: Dashboard) -> dict[str, Any]:
    member_ids = {member.pk for alliance in dash.alliances for member in alliance.members.all()}
    unit_counts = dict(
        OrganisationalUnit.objects.filter(institution__in=member_ids)
        .order_by()
        .values_list("institution")
        .annotate(n=Count("id"))
    )
    alliances = [
        {
            "alliance": alliance,
            "members": [
                {"institution": member, "units": unit_counts.get(member.pk, 0)} for member in alliance.members.all()
            ],
        }
        for alliance in dash.alliances
    ]
    return {"alliances": alliances}


@section("alliances", _("Alliances"), EVERYONE - {Role.STUDENT, Role.ALLIANCE_OFFICE})
def alliances(dash: Dashboard) -> dict[str, Any]:
    return {"alliances": dash.alliances}


@section("activity", _("Recent activity"), READERS_OF_ACTIVITY)
def activity(dash: Dashboard) -> dict[str, Any]:
    events = AuditEvent.objects.filter(institution=dash.institution).select_related("actor")
    return {"events": list(events.order_by("-created_at", "-id")[:RECENT_EVENTS])}
