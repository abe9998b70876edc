"""The queries behind each role's home page.

A home page is a list of sections. A section is a function that returns the data for one partial of
`home/sections.html`, registered with the roles that see it; a user with several roles at the institution
sees each of their sections once, in the order they are declared here. To add a section (agreements,
calls, mobilities...), write one `@section(...)` function and one `{% partialdef %}` with the same key.

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

EVERYONE = frozenset(Role.values)
RECENT_EVENTS = 10
TOP_COUNTRIES = 10


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str | Promise
    roles: frozenset[str]
    load: Callable[["Dashboard"], dict[str, Any]]


@dataclass(frozen=True)
class Section:
    """One rendered section: `template` is the partial, `data` its context."""

    key: str
    title: str | Promise
    template: str
    data: dict[str, Any]


SECTIONS: list[SectionSpec] = []


def section(
    key: str, title: str | Promise, roles: Iterable[str]
) -> Callable[[Callable[["Dashboard"], dict[str, Any]]], Callable[["Dashboard"], dict[str, Any]]]:
    """Register a section shown to the members holding one of `roles`."""

    def register(load: Callable[["Dashboard"], dict[str, Any]]) -> Callable[["Dashboard"], dict[str, Any]]:
        SECTIONS.append(SectionSpec(key, title, frozenset(roles), load))
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
        return [
            Section(spec.key, spec.title, f"home/sections.html#{spec.key}", spec.load(self))
            for spec in SECTIONS
            if spec.roles & self.roles
        ]

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
