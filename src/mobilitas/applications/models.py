"""Calls for outgoing mobility, the applications students make to them, their review and the allocation of places.

Call:        draft --publish--> published --publish results--> results published --close--> closed
             (open for applications while published and opens_at <= now < closes_at)
Application: draft --submit--> submitted --withdraw--> withdrawn  (a draft is kept after the deadline)
Offer:       offered --accept--> accepted | --decline--> declined | --respond_by passes--> expired
             accepted --decline (give up)--> declined      (a freed place goes to the waiting list)
"""

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mobilitas.agreements.models import Agreement, CooperationCondition
from mobilitas.institutions.models import Institution, OrganisationalUnit

CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
MAX_CHOICES = 6


class Call(models.Model):
    class Kind(models.TextChoices):
        STUDY = "study", _("Student mobility for studies")
        TRAINEESHIP = "traineeship", _("Student mobility for traineeships")
        SHORT_TERM = "short-term", _("Short-term student mobility")
        BLENDED = "blended", _("Blended intensive programme")
        STAFF_TEACHING = "staff-teaching", _("Staff mobility for teaching")
        STAFF_TRAINING = "staff-training", _("Staff mobility for training")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RESULTS_PUBLISHED = "results-published", _("Results published")
        CLOSED = "closed", _("Closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="calls")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    academic_year = models.CharField(_("academic year"), max_length=9, help_text=_("As EWP writes it: 2027/2028."))
    kind = models.CharField(_("mobility kind"), max_length=20, choices=Kind.choices, default=Kind.STUDY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Who may apply: empty means everyone (of the institution, at any level, in any programme).
    eligible_ounits: "models.ManyToManyField[OrganisationalUnit, Any]" = models.ManyToManyField(
        OrganisationalUnit, blank=True, related_name="+", verbose_name=_("eligible faculties")
    )
    study_levels = models.JSONField(_("eligible study levels (EQF)"), default=list, blank=True)
    programmes = models.JSONField(_("eligible programmes"), default=list, blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    time_zone = models.CharField(
        _("time zone of the dates"), max_length=64, default="Europe/Paris",
        help_text=_("The dates are entered and announced in this time zone; each user sees them in their own."),
    )  # fmt: skip
    max_choices = models.PositiveSmallIntegerField(
        _("maximum number of ranked choices"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CHOICES)],
    )
    # Scoring: each criterion normalised to 0..1, weighted, the weighted mean put on a 0..20 scale.
    weight_grades = models.DecimalField(
        _("weight of the grade average"), max_digits=5, decimal_places=2, default=Decimal(50)
    )
    weight_language = models.DecimalField(
        _("weight of the language level"), max_digits=5, decimal_places=2, default=Decimal(20)
    )
    weight_motivation = models.DecimalField(
        _("weight of the motivation score"), max_digits=5, decimal_places=2, default=Decimal(30)
    )
    weight_fewer_opportunities = models.DecimalField(
        _("weight of fewer opportunities"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    # Inclusion policy of the allocation (applications.allocation.InclusionPolicy).
    inclusion_bonus = models.DecimalField(
        _("score bonus for fewer opportunities"), max_digits=4, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )  # fmt: skip
    inclusion_reserved_share = models.DecimalField(
        _("share of places reserved for fewer opportunities"), max_digits=3, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )  # fmt: skip
    response_days = models.PositiveSmallIntegerField(
        _("days to accept or decline a place"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    results_published_at = models.DateTimeField(null=True, blank=True)
    opening_announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-academic_year", "closes_at", "title"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"),
            models.CheckConstraint(
                condition=Q(max_choices__gte=1, max_choices__lte=MAX_CHOICES), name="call_max_choices"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.title} ({self.academic_year})"

    def is_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at

    def has_closed(self, now: Any = None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    @property
    def is_staff_call(self) -> bool:
        return self.kind in (self.Kind.STAFF_TEACHING, self.Kind.STAFF_TRAINING)


class RequiredDocument(models.Model):
    """A document every applicant to a call must upload (transcript, CV, language certificate...)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="required_documents")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=120)
    help_text = models.CharField(_("explanation"), max_length=300, blank=True)

    class Meta:
        ordering = ["call", "position", "pk"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return self.name


class CallDestination(models.Model):
    """A destination a call offers: places at a partner, usually from one cooperation condition of an agreement."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="destinations")
    partner = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner"))
    agreement = models.ForeignKey(Agreement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    condition = models.ForeignKey(
        CooperationCondition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Only students of this unit may go (the agreement's unit); None: any eligible applicant.
    ounit = models.ForeignKey(
        OrganisationalUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("reserved to"),
    )  # fmt: skip
    places = models.PositiveIntegerField(_("places"))
    isced_codes = models.JSONField(_("subject areas (ISCED-F)"), default=list, blank=True)
    eqf_levels = models.JSONField(_("study levels (EQF)"), default=list, blank=True)
    # [{"language": "es", "level": "B1"}, ...]: the applicant needs one of them at that level or above.
    languages = models.JSONField(_("language requirements"), default=list, blank=True)
    months = models.DecimalField(_("months each"), max_digits=5, decimal_places=1, null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["call", "position", "pk"]
        verbose_name = _("destination")
        verbose_name_plural = _("destinations")

    def __str__(self) -> str:
        return self.partner.display_name


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="applications")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="applications")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # What the applicant says of themselves; the coordinator checks it in the review.
    ounit = models.ForeignKey(
        OrganisationalUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("faculty"),
    )  # fmt: skip
    study_level = models.PositiveSmallIntegerField(_("study level (EQF)"), null=True, blank=True)
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    isced_code = models.CharField(_("field of study (ISCED-F)"), max_length=4, blank=True)
    grade_average = models.DecimalField(_("grade average"), max_digits=5, decimal_places=2, null=True, blank=True)
    grade_scale = models.DecimalField(_("out of"), max_digits=5, decimal_places=2, default=Decimal(20))
    # {"en": "B2", "es": "B1"}: BCP 47 language -> CEFR level (or "NS" for a native speaker).
    languages = models.JSONField(_("languages"), default=dict, blank=True)
    fewer_opportunities = models.BooleanField(_("fewer opportunities"), default=False)
    motivation = models.TextField(_("motivation"), blank=True)
    # Review.
    motivation_score = models.DecimalField(
        _("motivation score (out of 20)"), max_digits=4, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(20))],
    )  # fmt: skip
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    adjustment = models.DecimalField(_("adjustment"), max_digits=4, decimal_places=2, default=Decimal(0))
    adjustment_reason = models.CharField(_("reason for the adjustment"), max_length=300, blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["call", "-submitted_at", "pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [models.UniqueConstraint(fields=["call", "student"], name="uniq_application_per_call")]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self) -> str:
        return f"{self.student} — {self.call}"


class Choice(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="choices")
    rank = models.PositiveSmallIntegerField(_("rank"))
    destination = models.ForeignKey(CallDestination, on_delete=models.CASCADE, related_name="choices")

    class Meta:
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="uniq_choice_rank"),
            models.UniqueConstraint(fields=["application", "destination"], name="uniq_choice_destination"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.destination}"


def upload_path(instance: "Upload", filename: str) -> str:
    # The name on disk is random: the original name is kept in the row, never used as a path.
    return f"applications/{instance.application.call.public_id}/{instance.application.public_id}/{uuid.uuid4().hex}"


class Upload(models.Model):
    """A document of an application, stored under MEDIA_ROOT (outside the web root) and served by an access check."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="uploads")
    requirement = models.ForeignKey(
        RequiredDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="uploads"
    )
    file = models.FileField(upload_to=upload_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "requirement__position", "uploaded_at"]
        verbose_name = _("uploaded document")
        verbose_name_plural = _("uploaded documents")

    def __str__(self) -> str:
        return self.original_name


class AllocationRun(models.Model):
    """One run of the allocation for a call: its seed, the exact inputs and the output, kept for re-running."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="runs")
    seed = models.BigIntegerField(_("seed"))
    # The JSON of `mobilitas allocate` (applications.allocation.exchange): ids are public ids.
    inputs = models.JSONField()
    output = models.JSONField()
    # {applicant id: [{"code": ..., "params": {...}}, ...]}: explanations as data, rendered in the reader's language.
    reasons = models.JSONField(default=dict)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["call", "-created_at"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")

    def __str__(self) -> str:
        return f"{self.call} — seed {self.seed}"


class Offer(models.Model):
    """A place offered to an applicant by a published run (or later from a waiting list)."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Replaced by a better place")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="offers")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="offers")
    destination = models.ForeignKey(CallDestination, on_delete=models.CASCADE, related_name="offers")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OFFERED)
    from_waiting_list = models.BooleanField(default=False)
    # Why this place (or why none better), as the run's reasons for the applicant.
    reasons = models.JSONField(default=list)
    respond_by = models.DateTimeField(_("answer before"))
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "-created_at"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [models.Index(fields=["destination", "status"])]

    def __str__(self) -> str:
        return f"{self.application.student} → {self.destination}"
