"""A mobility: one person's stay at another institution, from the nomination to the end of the stay.

This issue brings the first status, `nominated`; the full lifecycle (acceptance by the host, learning
agreement, arrival, departure, certificates) comes later and adds statuses to the same field.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mobilitas.agreements.models import Agreement, CooperationCondition
from mobilitas.applications.models import Offer
from mobilitas.institutions.models import Institution


class Mobility(models.Model):
    class Category(models.TextChoices):
        STUDENT = "student", _("Student")
        STAFF = "staff", _("Staff")

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", _("Outgoing")
        INCOMING = "incoming", _("Incoming")

    class Kind(models.TextChoices):
        STUDY = "study", _("Studies")
        TRAINEESHIP = "traineeship", _("Traineeship")
        TEACHING = "teaching", _("Teaching")
        TRAINING = "training", _("Training")

    class Format(models.TextChoices):
        LONG_TERM = "long-term", _("Long-term")
        SHORT_TERM = "short-term", _("Short-term")
        BLENDED = "blended", _("Blended")

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The tenant: the institution whose office manages this record (the home one for outgoing mobility).
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="mobilities")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mobilities")
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.LONG_TERM)
    home = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("home institution")
    )
    host = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("host institution")
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.SET_NULL, null=True, blank=True, related_name="mobilities"
    )
    condition = models.ForeignKey(
        CooperationCondition, on_delete=models.SET_NULL, null=True, blank=True, related_name="mobilities"
    )
    academic_year = models.CharField(_("academic year"), max_length=9)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOMINATED)
    # Where it came from: the accepted place of a call (none for mobilities recorded by hand or received by EWP).
    offer = models.OneToOneField(Offer, on_delete=models.SET_NULL, null=True, blank=True, related_name="mobility")
    isced_code = models.CharField(_("field of study (ISCED-F)"), max_length=4, blank=True)
    eqf_level = models.PositiveSmallIntegerField(_("study level (EQF)"), null=True, blank=True)
    nominated_at = models.DateTimeField(_("nominated at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-academic_year", "host__name", "person__full_name"]
        verbose_name = _("mobility")
        verbose_name_plural = _("mobilities")
        indexes = [models.Index(fields=["institution", "academic_year", "status"])]

    def __str__(self) -> str:
        return f"{self.person} → {self.host} ({self.academic_year})"
