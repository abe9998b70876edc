"""The alliance catalogue: courses, Pathways, joint programmes, cross-enrolment in shared courses.

Texts a course shows to readers (title, description, learning outcomes) are stored per language, like
EWP's `<name xml:lang>`: a dict from language code to text. `search_text` keeps them all, folded (lower
case, no accents), for the SQLite search; PostgreSQL searches the same column with its full-text engine.
"""

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mobilitas.institutions.models import Alliance, Institution, OrganisationalUnit
from mobilitas.lib.text import fold


def in_language(texts: dict[str, str], lang: str | None = None) -> str:
    """The text in `lang` (default: the active language), else English, else any language."""
    lang = (lang or get_language() or "en")[:2]
    return texts.get(lang) or texts.get("en") or next((t for t in texts.values() if t), "")


class Mode(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    VIRTUAL = "virtual", _("Virtual")
    BLENDED = "blended", _("Blended")


class Term(models.TextChoices):
    AUTUMN = "autumn", _("Autumn semester")
    SPRING = "spring", _("Spring semester")
    SUMMER = "summer", _("Summer")
    YEAR = "year", _("Whole year")
    ANY = "", _("Not stated")


class Course(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="courses")
    ounit = models.ForeignKey(
        OrganisationalUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("unit"),
    )
    code = models.CharField(_("code"), max_length=60)
    titles = models.JSONField(_("title per language"), default=dict)
    descriptions = models.JSONField(_("description per language"), default=dict, blank=True)
    learning_outcomes = models.JSONField(_("learning outcomes per language"), default=dict, blank=True)
    ects = models.DecimalField(_("ECTS credits"), max_digits=5, decimal_places=1, null=True, blank=True)
    eqf_level = models.PositiveSmallIntegerField(_("EQF level"), null=True, blank=True)
    isced_code = models.CharField(_("ISCED-F field"), max_length=4, blank=True)
    languages = models.JSONField(_("languages of instruction"), default=list, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.PHYSICAL)
    term = models.CharField(_("term"), max_length=10, choices=Term.choices, blank=True)
    programme = models.CharField(_("programme"), max_length=300, blank=True)
    alliance_places = models.PositiveIntegerField(
        _("places for alliance students"), null=True, blank=True, help_text=_("Empty: no limit stated.")
    )
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    url = models.URLField(_("web page"), max_length=500, blank=True)
    shared = models.BooleanField(_("shared with the alliance"), default=False)
    source = models.CharField(_("imported from"), max_length=40, blank=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["institution", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="uniq_course_code"),
            models.CheckConstraint(condition=Q(eqf_level__isnull=True) | Q(eqf_level__range=(1, 8)), name="course_eqf"),
            models.CheckConstraint(condition=Q(ects__isnull=True) | Q(ects__gt=0), name="course_ects_positive"),
        ]
        indexes = [models.Index(fields=["shared", "institution"]), models.Index(fields=["isced_code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_search_text()
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return in_language(self.titles)

    @property
    def description(self) -> str:
        return in_language(self.descriptions)

    @property
    def outcomes(self) -> str:
        return in_language(self.learning_outcomes)

    def refresh_search_text(self) -> None:
        parts = [self.code, *self.titles.values(), *self.learning_outcomes.values(), *self.descriptions.values()]
        self.search_text = fold(" ".join(p for p in parts if p))


class CrossEnrolment(models.Model):
    """A student of one member taking a shared course at another, from request to recognised credits."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        PREAPPROVED = "preapproved", _("Recognition pre-approved at home")
        ACCEPTED = "accepted", _("Accepted by the host")
        WAITLISTED = "waitlisted", _("On the waiting list")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Result received")
        RECOGNISED = "recognised", _("Recognised at home")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cross_enrolments")
    home = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="outgoing_cross_enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    motivation = models.TextField(_("motivation"), blank=True)
    recognised_as = models.ForeignKey(
        Course,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recognitions",
        verbose_name=_("counts at home as"),
    )
    recognised_credits = models.DecimalField(
        _("credits recognised at home"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    recognition_note = models.CharField(_("recognition note"), max_length=300, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    ects_earned = models.DecimalField(_("ECTS earned"), max_digits=5, decimal_places=1, null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "course"],
                condition=~Q(status__in=["withdrawn", "refused"]),
                name="uniq_active_cross_enrolment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.course}"

    @property
    def host(self) -> Institution:
        return self.course.institution

    @property
    def credits(self) -> Decimal | None:
        return self.recognised_credits if self.recognised_credits is not None else self.course.ects


class Pathway(models.Model):
    """An ordered set of components at two or more member institutions, taken as one programme."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="pathways")
    owner = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="pathways", verbose_name=_("managed by")
    )
    slug = models.SlugField(_("slug"), max_length=80)
    titles = models.JSONField(_("title per language"), default=dict)
    descriptions = models.JSONField(_("description per language"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    places = models.PositiveIntegerField(_("places"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["alliance", "slug"]
        constraints = [models.UniqueConstraint(fields=["alliance", "slug"], name="uniq_pathway_slug")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self.titles)

    @property
    def description(self) -> str:
        return in_language(self.descriptions)


class PathwayComponent(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveSmallIntegerField(default=0)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(_("title"), max_length=300)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.PHYSICAL)
    ects = models.DecimalField(_("ECTS credits"), max_digits=5, decimal_places=1)
    prerequisites = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="unlocks")

    class Meta:
        ordering = ["pathway", "position", "id"]

    def __str__(self) -> str:
        return self.title


class PathwayEnrolment(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pathway_enrolments")
    home = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    motivation = models.TextField(_("motivation"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["pathway", "student"], name="uniq_pathway_student")]

    def __str__(self) -> str:
        return f"{self.student} · {self.pathway}"


class ComponentProgress(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in-progress", _("In progress")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    enrolment = models.ForeignKey(PathwayEnrolment, on_delete=models.CASCADE, related_name="progress")
    component = models.ForeignKey(PathwayComponent, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "component"], name="uniq_component_progress")]

    def __str__(self) -> str:
        return f"{self.component}: {self.status}"


class JointProgramme(models.Model):
    """A joint, double or multiple degree run with partner institutions."""

    class Kind(models.TextChoices):
        JOINT = "joint", _("Joint degree")
        DOUBLE = "double", _("Double degree")
        MULTIPLE = "multiple", _("Multiple degree")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="joint_programmes", verbose_name=_("managed by")
    )
    alliance = models.ForeignKey(
        Alliance, on_delete=models.SET_NULL, null=True, blank=True, related_name="joint_programmes"
    )
    partners = models.ManyToManyField(Institution, related_name="partner_programmes", verbose_name=_("partners"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    titles = models.JSONField(_("title per language"), default=dict)
    degree = models.CharField(_("degree awarded"), max_length=300, blank=True)
    eqf_level = models.PositiveSmallIntegerField(_("EQF level"), null=True, blank=True)
    ects = models.DecimalField(_("ECTS credits"), max_digits=5, decimal_places=1, null=True, blank=True)
    semesters = models.PositiveSmallIntegerField(_("semesters"), default=4)
    languages = models.JSONField(_("languages of instruction"), default=list, blank=True)
    erasmus_mundus = models.BooleanField(_("Erasmus Mundus"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self.titles)


class MobilityWindow(models.Model):
    """Where the cohort studies in a given semester of a joint programme."""

    programme = models.ForeignKey(JointProgramme, on_delete=models.CASCADE, related_name="windows")
    semester = models.PositiveSmallIntegerField(_("semester"))
    host = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("host"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.PHYSICAL)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["programme", "semester", "id"]

    def __str__(self) -> str:
        return f"S{self.semester} {self.host}"


class CohortMember(models.Model):
    programme = models.ForeignKey(JointProgramme, on_delete=models.CASCADE, related_name="cohort")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    home = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    intake_year = models.CharField(_("intake"), max_length=9)
    current_semester = models.PositiveSmallIntegerField(_("current semester"), default=1)

    class Meta:
        ordering = ["programme", "intake_year", "id"]
        constraints = [models.UniqueConstraint(fields=["programme", "student"], name="uniq_cohort_member")]

    def __str__(self) -> str:
        return f"{self.student} ({self.intake_year})"
