"""Pathways: create and edit them with their components, publish and close them, applications, progress.

A Pathway is an ordered set of components (a course of the catalogue or a free-standing module) at two or more
member institutions of its alliance. Prerequisites point only to earlier components of the same Pathway.

Lifecycle of a Pathway: draft -> published -> closed (-> published again).
Lifecycle of an enrolment: applied -> accepted | refused; accepted -> completed, automatically when every
component is passed (`complete_pathway_enrolment` then calls the completion hook, `catalogue.completion`).
Who may call what is decided by the views through `catalogue.access` (`can_edit_pathway`); these functions keep
the rules of the domain.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mobilitas import audit
from mobilitas.catalogue import completion
from mobilitas.catalogue.models import (
    ComponentProgress,
    Course,
    Mode,
    Pathway,
    PathwayComponent,
    PathwayEnrolment,
)
from mobilitas.institutions.models import Alliance, Institution, Membership, Role
from mobilitas.lib.errors import Conflict, DomainError, NotAllowed

Status = Pathway.Status
EnrolmentStatus = PathwayEnrolment.Status
ProgressStatus = ComponentProgress.Status
MAX_COMPONENTS = 60
SLUG_LENGTH = 80
GRADE_LENGTH = 20
# Students who hold a place: the places limit counts them.
HOLDING_A_PLACE = (EnrolmentStatus.ACCEPTED, EnrolmentStatus.COMPLETED)


@dataclass(frozen=True)
class Problem:
    place: str  # "title", "slug", "components", "components.2.ects", ... (the input's field it concerns)
    message: str


class InvalidInput(DomainError):
    """Every problem found, so that a form can show each next to its field and an API answer list them all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(p.message for p in problems), field=problems[0].place if problems else None)
        self.problems = problems


@dataclass
class ComponentInput:
    institution: Institution | None = None  # a course's own institution wins
    course: Course | None = None
    title: str = ""  # blank for a course: its title in the catalogue
    mode: str = ""  # blank: the course's mode, physical for a module
    ects: Decimal | None = None  # None for a course: its credits in the catalogue
    prerequisites: list[int] = field(default_factory=list)  # indexes of other components of the same input
    existing: PathwayComponent | None = None  # the stored component this row edits (None: a new one)

    @property
    def resolved_institution(self) -> Institution | None:
        return self.course.institution if self.course is not None else self.institution

    @property
    def resolved_title(self) -> str:
        return self.title.strip() or (self.course.title if self.course is not None else "")

    @property
    def resolved_mode(self) -> str:
        return self.mode or (self.course.mode if self.course is not None else Mode.PHYSICAL)

    @property
    def resolved_ects(self) -> Decimal | None:
        if self.ects is not None:
            return self.ects
        return self.course.ects if self.course is not None else None


@dataclass
class PathwayInput:
    titles: dict[str, str]
    slug: str = ""
    descriptions: dict[str, str] = field(default_factory=dict)
    places: int | None = None
    components: list[ComponentInput] = field(default_factory=list)


# Reading a Pathway (the pages and the tasks use these; nothing here queries)


def total_ects(components: Iterable[PathwayComponent]) -> Decimal:
    return sum((c.ects for c in components), Decimal(0))


def ects_text(value: Decimal) -> str:
    """15.0 -> "15", 7.5 -> "7.5": credits as the audit trail records them."""
    return format(value.normalize(), "f")


def institutions_of(components: Iterable[PathwayComponent]) -> list[Institution]:
    """The institutions a Pathway takes its students to, in the order of the components."""
    seen: dict[int, Institution] = {}
    for component in components:
        seen.setdefault(component.institution_id, component.institution)
    return list(seen.values())


def modes_of(components: Iterable[PathwayComponent]) -> list[str]:
    """The modes used (labels), in the order of Mode's choices."""
    used = {c.mode for c in components}
    return [str(label) for value, label in Mode.choices if value in used]


@dataclass(frozen=True)
class PathwaySummary:
    """What the lists show of a Pathway, from its components (prefetched with their institutions)."""

    pathway: Pathway
    components: list[PathwayComponent]

    @property
    def total_ects(self) -> Decimal:
        return total_ects(self.components)

    @property
    def institutions(self) -> list[Institution]:
        return institutions_of(self.components)

    @property
    def modes(self) -> list[str]:
        return modes_of(self.components)


def summarise(pathways: Iterable[Pathway]) -> list[PathwaySummary]:
    """Summaries of Pathways loaded with `with_components`."""
    return [PathwaySummary(p, list(p.components.all())) for p in pathways]


def with_components(pathways: QuerySet[Pathway]) -> QuerySet[Pathway]:
    """Pathways with their components, each with its institution and course: one query more, however many."""
    components = PathwayComponent.objects.select_related("institution", "course")
    return pathways.prefetch_related(Prefetch("components", queryset=components))


# Validation


def _number(component: ComponentInput, index: int) -> str:
    """How a message names a component: its title, else its place in the list."""
    return component.resolved_title or _("component %(number)s") % {"number": index + 1}


def _find_cycle(prerequisites: list[list[int]]) -> list[int] | None:
    """A cycle in "i requires j" (as a list of indexes, first == last), or None."""
    state = [0] * len(prerequisites)  # 0 unseen, 1 on the current path, 2 done
    path: list[int] = []

    def visit(node: int) -> list[int] | None:
        state[node] = 1
        path.append(node)
        for nxt in prerequisites[node]:
            if not 0 <= nxt < len(prerequisites):
                continue
            if state[nxt] == 1:
                return [*path[path.index(nxt) :], nxt]
            if state[nxt] == 0 and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in range(len(prerequisites)):
        if state[start] == 0 and (found := visit(start)):
            return found
    return None


def _prerequisite_problems(components: list[ComponentInput]) -> list[Problem]:
    problems = []
    graph = [list(dict.fromkeys(c.prerequisites)) for c in components]
    for i, component in enumerate(components):
        for j in graph[i]:
            if j == i:
                problems.append(
                    Problem(
                        f"components.{i}.prerequisites",
                        _("“%(component)s” cannot be its own prerequisite.") % {"component": _number(component, i)},
                    )
                )
            elif not 0 <= j < len(components):
                problems.append(
                    Problem(
                        f"components.{i}.prerequisites",
                        _("“%(component)s” requires a component that is not part of this Pathway.")
                        % {"component": _number(component, i)},
                    )
                )
    if problems:
        return problems
    cycle = _find_cycle(graph)
    if cycle is not None:
        names = " → ".join(f"“{_number(components[k], k)}”" for k in cycle)
        return [
            Problem(
                f"components.{cycle[0]}.prerequisites",
                _(
                    "The prerequisites go round in a circle: %(cycle)s. A component can only require components "
                    "that come before it."
                )
                % {"cycle": names},
            )
        ]
    for i, component in enumerate(components):
        for j in graph[i]:
            if j > i:
                problems.append(
                    Problem(
                        f"components.{i}.prerequisites",
                        _(
                            "“%(component)s” requires “%(prerequisite)s”, which comes after it: put the prerequisite "
                            "first."
                        )
                        % {"component": _number(component, i), "prerequisite": _number(components[j], j)},
                    )
                )
    return problems


def _component_problems(
    alliance: Alliance, members: set[int], component: ComponentInput, i: int, pathway: Pathway | None
) -> list[Problem]:
    at = f"components.{i}"
    problems = []
    institution = component.resolved_institution
    if component.existing is not None and (pathway is None or component.existing.pathway_id != pathway.pk):
        problems.append(Problem(at, _("This row edits a component of another Pathway.")))
    if institution is None:
        problems.append(Problem(f"{at}.institution", _("Choose the member institution where it is taught.")))
    elif institution.pk not in members:
        problems.append(
            Problem(
                f"{at}.institution",
                _("%(institution)s is not a member of %(alliance)s: components are taught at member institutions.")
                % {"institution": institution.display_name, "alliance": alliance.name},
            )
        )
    if not component.resolved_title:
        problems.append(Problem(f"{at}.title", _("Give a module title or choose a course of the catalogue.")))
    elif len(component.resolved_title) > 300:
        problems.append(Problem(f"{at}.title", _("The title is longer than 300 characters.")))
    ects = component.resolved_ects
    if ects is None or ects <= 0:
        problems.append(
            Problem(
                f"{at}.ects",
                _("Give the ECTS credits of “%(component)s” (more than 0).") % {"component": _number(component, i)},
            )
        )
    elif ects >= 1000:
        problems.append(Problem(f"{at}.ects", _("A component cannot weigh 1,000 ECTS credits or more.")))
    if component.resolved_mode not in Mode.values:
        problems.append(Problem(f"{at}.mode", _("Choose physical, virtual or blended.")))
    return problems


def _removal_problems(pathway: Pathway, components: list[ComponentInput]) -> list[Problem]:
    kept = {c.existing.pk for c in components if c.existing is not None}
    removed = pathway.components.exclude(pk__in=kept)
    with_progress = (
        removed.filter(pk__in=ComponentProgress.objects.exclude(status=ProgressStatus.PLANNED).values("component_id"))
        .order_by("position")
        .values_list("title", flat=True)
    )
    return [
        Problem(
            "components",
            _("“%(component)s” cannot be removed: students already have progress recorded on it.")
            % {"component": title},
        )
        for title in with_progress
    ]


def validate(alliance: Alliance, owner: Institution, data: PathwayInput, *, pathway: Pathway | None = None) -> None:
    """Raise InvalidInput with every problem of `data`, or return."""
    problems = []
    if not any(t.strip() for t in data.titles.values()):
        problems.append(Problem("title", _("Give the Pathway a title.")))
    slug = data.slug
    if not slug and not data.titles:
        pass  # the address comes from the title, which the problem above asks for
    elif slug != slugify(slug) or not slug or len(slug) > SLUG_LENGTH:
        problems.append(
            Problem("slug", _("Write the address with lower-case letters, digits and hyphens (at most 80)."))
        )
    else:
        taken = Pathway.objects.filter(alliance=alliance, slug=slug)
        if pathway is not None:
            taken = taken.exclude(pk=pathway.pk)
        if taken.exists():
            problems.append(
                Problem(
                    "slug",
                    _("Another Pathway of %(alliance)s already has the address “%(slug)s”.")
                    % {"alliance": alliance.name, "slug": slug},
                )
            )
    if data.places is not None and data.places < 1:
        problems.append(Problem("places", _("Leave the places empty for no limit, or give at least 1.")))
    elif data.places is not None and pathway is not None:
        holding = pathway.enrolments.filter(status__in=HOLDING_A_PLACE).count()
        if data.places < holding:
            problems.append(
                Problem(
                    "places",
                    _("%(count)s students already hold a place: the places cannot be fewer.") % {"count": holding},
                )
            )
    members = set(alliance.memberships.values_list("institution_id", flat=True))
    if owner.pk not in members:
        problems.append(
            Problem(
                "",
                _("%(institution)s is not a member of %(alliance)s.")
                % {"institution": owner.display_name, "alliance": alliance.name},
            )
        )
    components = data.components
    if len(components) > MAX_COMPONENTS:
        problems.append(Problem("components", _("A Pathway has at most 60 components.")))
    for i, component in enumerate(components):
        problems.extend(_component_problems(alliance, members, component, i, pathway))
    located = [i for i in (c.resolved_institution for c in components) if i is not None]
    if len(components) < 2 or len({i.pk for i in located}) < 2:
        if located:
            message = _(
                "A Pathway takes its students to two or more member institutions of the alliance: every component "
                "is at %(institution)s. Add a component at another member."
            ) % {"institution": located[0].display_name}
        else:
            message = _(
                "Add the components of the Pathway: at least two, at two or more member institutions of the alliance."
            )
        problems.append(Problem("components", message))
    problems.extend(_prerequisite_problems(components))
    if pathway is not None:
        problems.extend(_removal_problems(pathway, components))
    if problems:
        raise InvalidInput(problems)


def _clean(data: PathwayInput) -> PathwayInput:
    titles = {lang: text.strip() for lang, text in data.titles.items() if text and text.strip()}
    descriptions = {lang: text.strip() for lang, text in data.descriptions.items() if text and text.strip()}
    slug = data.slug.strip() or slugify(next(iter(titles.values()), ""))[:SLUG_LENGTH].strip("-")
    return PathwayInput(titles, slug, descriptions, data.places, data.components)


# Writing


def _write_components(pathway: Pathway, components: list[ComponentInput]) -> None:
    """Update the components in place (progress recorded on them stays), add the new ones, drop the others."""
    kept = {c.existing.pk for c in components if c.existing is not None}
    pathway.components.exclude(pk__in=kept).delete()
    rows = []
    for position, item in enumerate(components, start=1):
        row = item.existing or PathwayComponent(pathway=pathway)
        row.position = position
        row.institution = item.resolved_institution  # type: ignore[assignment]  # validated: not None
        row.course = item.course
        row.title = item.resolved_title
        row.mode = item.resolved_mode
        row.ects = item.resolved_ects  # type: ignore[assignment]  # validated: not None
        row.save()
        rows.append(row)
    for row, item in zip(rows, components, strict=True):
        row.prerequisites.set([rows[j] for j in dict.fromkeys(item.prerequisites)])


def _described(pathway: Pathway, components: Sequence[ComponentInput]) -> dict[str, Any]:
    return {
        "slug": pathway.slug,
        "components": len(components),
        "ects": ects_text(sum((c.resolved_ects or Decimal(0) for c in components), Decimal(0))),
        "places": pathway.places,
    }


@transaction.atomic
def create_pathway(alliance: Alliance, owner: Institution, data: PathwayInput, *, actor: Any) -> Pathway:
    data = _clean(data)
    validate(alliance, owner, data)
    pathway = Pathway.objects.create(
        alliance=alliance,
        owner=owner,
        slug=data.slug,
        titles=data.titles,
        descriptions=data.descriptions,
        places=data.places,
    )
    _write_components(pathway, data.components)
    audit.record(
        "catalogue.pathway_created",
        actor=actor,
        institution=owner,
        obj=pathway,
        data={"alliance": alliance.slug, **_described(pathway, data.components)},
    )
    return pathway


@transaction.atomic
def update_pathway(pathway: Pathway, data: PathwayInput, *, actor: Any) -> Pathway:
    pathway = Pathway.objects.select_for_update().select_related("alliance", "owner").get(pk=pathway.pk)
    data = _clean(data)
    validate(pathway.alliance, pathway.owner, data, pathway=pathway)
    pathway.slug = data.slug
    pathway.titles = data.titles
    pathway.descriptions = data.descriptions
    pathway.places = data.places
    pathway.save()
    _write_components(pathway, data.components)
    audit.record(
        "catalogue.pathway_updated",
        actor=actor,
        institution=pathway.owner,
        obj=pathway,
        data=_described(pathway, data.components),
    )
    return pathway


def stored_input(pathway: Pathway) -> PathwayInput:
    """The input that would save the Pathway as it is (to check it again before publishing)."""
    components = list(pathway.components.select_related("institution", "course").prefetch_related("prerequisites"))
    index = {c.pk: i for i, c in enumerate(components)}
    return PathwayInput(
        titles=dict(pathway.titles),
        slug=pathway.slug,
        descriptions=dict(pathway.descriptions),
        places=pathway.places,
        components=[
            ComponentInput(
                institution=c.institution,
                title=c.title,
                mode=c.mode,
                ects=c.ects,
                prerequisites=[index[p.pk] for p in c.prerequisites.all() if p.pk in index],
                existing=c,
            )
            for c in components
        ],
    )


def _transition(pathway: Pathway, allowed: Iterable[str], target: str) -> Pathway:
    locked = Pathway.objects.select_for_update().select_related("alliance", "owner").get(pk=pathway.pk)
    if locked.status not in allowed:
        raise Conflict(
            _("This Pathway is “%(status)s”: it cannot become “%(target)s”.")
            % {"status": locked.get_status_display(), "target": Status(target).label}
        )
    return locked


@transaction.atomic
def publish_pathway(pathway: Pathway, *, actor: Any) -> Pathway:
    """Open the Pathway to applications (and its public page). Its components are checked again first."""
    pathway = _transition(pathway, (Status.DRAFT, Status.CLOSED), Status.PUBLISHED)
    validate(pathway.alliance, pathway.owner, stored_input(pathway), pathway=pathway)
    previous = pathway.status
    pathway.status = Status.PUBLISHED
    pathway.save(update_fields=["status", "updated_at"])
    audit.record(
        "catalogue.pathway_published", actor=actor, institution=pathway.owner, obj=pathway, data={"from": previous}
    )
    return pathway


@transaction.atomic
def close_pathway(pathway: Pathway, *, actor: Any) -> Pathway:
    """No more applications; accepted students go on and can still complete it."""
    pathway = _transition(pathway, (Status.PUBLISHED,), Status.CLOSED)
    pathway.status = Status.CLOSED
    pathway.save(update_fields=["status", "updated_at"])
    audit.record("catalogue.pathway_closed", actor=actor, institution=pathway.owner, obj=pathway)
    return pathway


# Applications


def places_left(pathway: Pathway) -> int | None:
    """Places not yet given (None: no limit)."""
    if pathway.places is None:
        return None
    return max(0, pathway.places - pathway.enrolments.filter(status__in=HOLDING_A_PLACE).count())


def _enqueue(task_name: str, *args: Any) -> None:
    from mobilitas.catalogue import pathway_tasks

    task = getattr(pathway_tasks, task_name)
    transaction.on_commit(lambda: task.enqueue(*args))


@transaction.atomic
def apply_to_pathway(pathway: Pathway, *, student: Any, home: Institution, motivation: str = "") -> PathwayEnrolment:
    """A student of a member institution of the Pathway's alliance applies to a published Pathway."""
    locked = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if locked.status != Status.PUBLISHED:
        raise Conflict(_("Applications are open only while the Pathway is published."))
    if not locked.alliance.memberships.filter(institution=home).exists():
        raise NotAllowed(
            _("Students of %(institution)s cannot apply: it is not a member of %(alliance)s.")
            % {"institution": home.display_name, "alliance": locked.alliance.name}
        )
    if not Membership.objects.filter(user=student, institution=home, role=Role.STUDENT).exists():
        raise NotAllowed(_("Only students of a member institution of the alliance can apply to a Pathway."))
    existing = locked.enrolments.filter(student=student).first()
    if existing is not None:
        raise Conflict(
            _("You have already applied to this Pathway (%(status)s).") % {"status": existing.get_status_display()}
        )
    if places_left(locked) == 0:
        raise Conflict(_("All %(places)s places of this Pathway are taken.") % {"places": locked.places})
    enrolment = PathwayEnrolment.objects.create(
        pathway=locked, student=student, home=home, motivation=motivation.strip()
    )
    audit.record(
        "catalogue.pathway_applied",
        actor=student,
        institution=locked.owner,
        obj=enrolment,
        data={"pathway": locked.slug, "home": home.display_name},
    )
    _enqueue("send_pathway_application_notices", enrolment.pk)
    return enrolment


def _lock(enrolment: PathwayEnrolment) -> PathwayEnrolment:
    return PathwayEnrolment.objects.select_for_update().get(pk=enrolment.pk)


@transaction.atomic
def decide_application(enrolment: PathwayEnrolment, *, actor: Any, accept: bool, note: str = "") -> PathwayEnrolment:
    """Accept (within the places) or refuse an application; the student is told by e-mail, with the note."""
    enrolment = _lock(enrolment)
    if enrolment.status != EnrolmentStatus.APPLIED:
        raise Conflict(
            _("This application was already decided (%(status)s).") % {"status": enrolment.get_status_display()}
        )
    pathway = Pathway.objects.select_for_update().get(pk=enrolment.pathway_id)
    if accept and places_left(pathway) == 0:
        raise Conflict(
            _("All %(places)s places are taken: refuse the application or give the Pathway more places.")
            % {"places": pathway.places}
        )
    note = note.strip()
    enrolment.status = EnrolmentStatus.ACCEPTED if accept else EnrolmentStatus.REFUSED
    enrolment.save(update_fields=["status"])
    audit.record(
        "catalogue.pathway_application_accepted" if accept else "catalogue.pathway_application_refused",
        actor=actor,
        institution=pathway.owner,
        obj=enrolment,
        data={"pathway": pathway.slug, "note": note},
    )
    _enqueue("send_pathway_decision", enrolment.pk, note)
    return enrolment


# Progress and completion


def _passed(enrolment: PathwayEnrolment) -> set[int]:
    return set(enrolment.progress.filter(status=ProgressStatus.PASSED).values_list("component_id", flat=True))


def _names(components: Iterable[PathwayComponent]) -> str:
    return ", ".join(f"“{c.title}”" for c in components)


@transaction.atomic
def record_component_progress(
    enrolment: PathwayEnrolment, component: PathwayComponent, *, actor: Any, status: str, grade: str = ""
) -> ComponentProgress:
    """Record where an accepted student stands on one component. Passing the last one completes the Pathway."""
    enrolment = _lock(enrolment)
    if enrolment.status != EnrolmentStatus.ACCEPTED:
        raise Conflict(
            _("Progress is recorded only for accepted students: this enrolment is “%(status)s”.")
            % {"status": enrolment.get_status_display()}
        )
    if component.pathway_id != enrolment.pathway_id:
        raise DomainError(_("This component is not part of the student's Pathway."))
    if status not in ProgressStatus.values:
        raise DomainError(_("Choose planned, in progress, passed or failed."), field="status")
    grade = grade.strip()
    if len(grade) > GRADE_LENGTH:
        raise DomainError(_("Write the grade in at most 20 characters."), field="grade")
    passed = _passed(enrolment)
    if status != ProgressStatus.PLANNED:
        missing = [p for p in component.prerequisites.order_by("position") if p.pk not in passed]
        if missing:
            raise DomainError(
                _(
                    "“%(component)s” requires %(prerequisites)s: record them as passed before any progress on "
                    "“%(component)s”."
                )
                % {"component": component.title, "prerequisites": _names(missing)},
                field="status",
            )
    if status != ProgressStatus.PASSED and component.pk in passed:
        started = enrolment.progress.filter(component__in=component.unlocks.all()).exclude(
            status=ProgressStatus.PLANNED
        )
        dependants = list(PathwayComponent.objects.filter(pk__in=started.values("component_id")).order_by("position"))
        if dependants:
            raise DomainError(
                _("“%(component)s” must stay passed: %(dependants)s, which require it, already have progress recorded.")
                % {"component": component.title, "dependants": _names(dependants)},
                field="status",
            )
    progress, _created = ComponentProgress.objects.update_or_create(
        enrolment=enrolment, component=component, defaults={"status": status, "grade": grade}
    )
    audit.record(
        "catalogue.pathway_progress_recorded",
        actor=actor,
        institution=component.pathway.owner,
        obj=enrolment,
        data={"component": component.title, "position": component.position, "status": status, "grade": grade},
    )
    if status == ProgressStatus.PASSED and is_every_component_passed(enrolment):
        complete_pathway_enrolment(enrolment, actor=actor)
    return progress


def is_every_component_passed(enrolment: PathwayEnrolment) -> bool:
    components = set(PathwayComponent.objects.filter(pathway_id=enrolment.pathway_id).values_list("pk", flat=True))
    return bool(components) and components <= _passed(enrolment)


@transaction.atomic
def complete_pathway_enrolment(enrolment: PathwayEnrolment, *, actor: Any) -> PathwayEnrolment:
    """Mark the Pathway completed (every component passed), tell the student, and run the completion hook."""
    enrolment = _lock(enrolment)
    if enrolment.status != EnrolmentStatus.ACCEPTED:
        raise Conflict(
            _("Only an accepted student can complete the Pathway: this enrolment is “%(status)s”.")
            % {"status": enrolment.get_status_display()}
        )
    if not is_every_component_passed(enrolment):
        raise DomainError(_("The Pathway is completed when every component is passed; some are not yet."))
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.completed_at = timezone.now()
    enrolment.save(update_fields=["status", "completed_at"])
    pathway = Pathway.objects.select_related("owner").get(pk=enrolment.pathway_id)
    audit.record(
        "catalogue.pathway_completed",
        actor=actor,
        institution=pathway.owner,
        obj=enrolment,
        data={"pathway": pathway.slug, "ects": ects_text(total_ects(pathway.components.all()))},
    )
    _enqueue("send_pathway_completion", enrolment.pk)
    completion.on_pathway_completed(enrolment)
    return enrolment
