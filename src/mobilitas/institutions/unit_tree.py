"""Organisational units as a tree, built in Python from the units of one query.

A unit whose parent is not among the units given is a root. The admin's raw parent field lets anyone enter a
parent cycle: every walk here stops where it meets a unit again, and units on a cycle are under no root.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from mobilitas.institutions.models import OrganisationalUnit
from mobilitas.lib.text import fold


@dataclass
class UnitNode:
    unit: OrganisationalUnit
    children: list["UnitNode"] = field(default_factory=list)
    count: int = 0  # from the counts given to unit_tree, e.g. the people attached to the unit


def children_by_parent(units: Collection[OrganisationalUnit]) -> dict[int | None, list[OrganisationalUnit]]:
    """The units under each parent's pk (None for the roots), each list sorted by display name."""
    ids = {unit.pk for unit in units}
    children: dict[int | None, list[OrganisationalUnit]] = {}
    for unit in sorted(units, key=lambda unit: fold(unit.display_name)):
        children.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)
    return children


def unit_tree(
    units: Collection[OrganisationalUnit],
    *,
    root: OrganisationalUnit | None = None,
    counts: Mapping[int | None, int] | None = None,
) -> list[UnitNode]:
    """The units under `root` (the roots when None) as nested nodes; a node's count is counts[unit pk] or 0."""
    children = children_by_parent(units)
    counts = counts or {}
    seen = {root.pk} if root else set()

    def build(unit: OrganisationalUnit) -> UnitNode:
        seen.add(unit.pk)
        nodes = [build(child) for child in children.get(unit.pk, []) if child.pk not in seen]
        return UnitNode(unit, nodes, counts.get(unit.pk, 0))

    return [build(unit) for unit in children.get(root.pk if root else None, []) if unit.pk not in seen]


def subtree_ids(units: Collection[OrganisationalUnit], unit: OrganisationalUnit) -> set[int]:
    """The pk of `unit` and of every unit below it."""
    children = children_by_parent(units)
    ids: set[int] = set()
    pending = [unit]
    while pending:
        current = pending.pop()
        if current.pk not in ids:
            ids.add(current.pk)
            pending.extend(children.get(current.pk, []))
    return ids


def ancestry(units: Collection[OrganisationalUnit], unit: OrganisationalUnit) -> list[OrganisationalUnit]:
    """`unit` (as found among `units`), its parent, ... up to its root."""
    by_pk = {each.pk: each for each in units}
    chain: list[OrganisationalUnit] = []
    current: OrganisationalUnit | None = by_pk.get(unit.pk, unit)
    while current is not None and current not in chain:
        chain.append(current)
        current = by_pk.get(current.parent_id) if current.parent_id else None
    return chain
