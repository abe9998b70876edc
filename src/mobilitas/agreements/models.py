"""Agreements between institutions: Erasmus+ IIAs (EWP IIA v7 semantics) and other partnership kinds.

An `Agreement` belongs to the hosted institution that keeps it (`institution`); the other side is
`partner`, an institution of the shared directory. Erasmus+ agreements carry an ordered list of
one-directional `CooperationCondition`s. Approved versions are frozen as `AgreementSnapshot`s and the
partner's copy, received as IIA v7 XML, is kept as `PartnerCopy`: both in the neutral `IiaData` shape
(see snapshot.py), so they can be compared field by field with our working copy.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mobilitas.institutions.models import Contact, Institution, OrganisationalUnit


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def current(self) -> "AgreementQuerySet":
        """Agreements that can still carry mobilities (not terminated)."""
        return self.exclude(status=Agreement.Status.TERMINATED)

    def with_conditions(self) -> "AgreementQuerySet":
        """Everything `snapshot.agreement_to_data` and the pages read, in a fixed number of queries."""
        conditions = CooperationCondition.objects.select_related("sending", "receiving").prefetch_related(
            "subject_areas", "language_skills"
        )
        return self.select_related("institution", "partner", "ounit", "signing_contact").prefetch_related(
            models.Prefetch("conditions", queryset=conditions), "additional_partners"
        )


class Agreement(models.Model):
    class Kind(models.TextChoices):
        ERASMUS = "erasmus", _("Erasmus+ inter-institutional agreement")
        DOUBLE_DEGREE = "double-degree", _("Double degree")
        JOINT_DEGREE = "joint-degree", _("Joint degree")
        COTUTELLE = "cotutelle", _("Co-tutelle (joint PhD supervision)")
        RESEARCH = "research", _("Research partnership")
        NETWORK = "network", _("Network partnership")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SHARED = "shared", _("Shared with partner")
        APPROVED_BY_US = "approved-by-us", _("Approved by us")
        APPROVED_BY_PARTNER = "approved-by-partner", _("Approved by partner")
        APPROVED = "approved", _("Approved by both")
        TERMINATED = "terminated", _("Terminated")

    # Our iia-id on EWP: never reused, never changed.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="agreements")
    ounit = models.ForeignKey(
        OrganisationalUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("responsible unit"),
    )
    partner = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="agreements_as_partner", verbose_name=_("partner")
    )
    partner_ounit_id = models.CharField(
        _("partner's unit id"), max_length=64, blank=True, help_text=_("The partner's EWP ounit-id, if any.")
    )
    partner_ounit_name = models.CharField(_("partner's unit"), max_length=300, blank=True)
    additional_partners = models.ManyToManyField(
        Institution,
        blank=True,
        related_name="agreements_as_additional_partner",
        verbose_name=_("other partners"),
        help_text=_("Further institutions of a multilateral agreement (e.g. an Erasmus Mundus consortium)."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ERASMUS)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    code = models.CharField(_("our code"), max_length=64, help_text=_("Our iia-code, e.g. 2026/E+/UPJV/012."))
    partner_iia_id = models.CharField(_("partner's agreement id"), max_length=64, blank=True)
    partner_iia_code = models.CharField(_("partner's agreement code"), max_length=64, blank=True)
    signing_contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("our signatory"),
    )
    signing_date = models.DateField(_("signed by us on"), null=True, blank=True)
    partner_signing_name = models.CharField(_("partner's signatory"), max_length=200, blank=True)
    partner_signing_email = models.EmailField(_("partner's signatory e-mail"), blank=True)
    partner_signing_date = models.DateField(_("signed by the partner on"), null=True, blank=True)
    in_effect = models.BooleanField(_("in effect"), default=False)
    terminated_as_a_whole = models.BooleanField(_("terminated as a whole"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    # The hash each side approved (EWP IIAs Approval); blank until approved.
    our_approved_hash = models.CharField(max_length=64, blank=True, editable=False)
    partner_approved_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Other agreement kinds (and a free title for any kind).
    title = models.CharField(_("title"), max_length=300, blank=True)
    programmes = models.TextField(_("programmes"), blank=True, help_text=_("One degree programme per line."))
    start_date = models.DateField(_("valid from"), null=True, blank=True)
    end_date = models.DateField(_("valid until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    renewal_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="renewals", verbose_name=_("renews")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["partner__name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="uniq_agreement_code"),
            models.CheckConstraint(condition=~Q(institution=models.F("partner")), name="agreement_not_with_itself"),
        ]
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.partner.display_name}"

    @property
    def is_erasmus(self) -> bool:
        return self.kind == self.Kind.ERASMUS

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.TERMINATED

    @property
    def programme_list(self) -> list[str]:
        return [line.strip() for line in self.programmes.splitlines() if line.strip()]


class CooperationCondition(models.Model):
    """One-directional mobility offer of an Erasmus+ agreement (an EWP `*-mobility-spec`)."""

    class Kind(models.TextChoices):
        STUDENT_STUDIES = "student-studies", _("Student mobility for studies")
        STUDENT_TRAINEESHIP = "student-traineeship", _("Student mobility for traineeships")
        STAFF_TEACHER = "staff-teacher", _("Staff mobility for teaching")
        STAFF_TRAINING = "staff-training", _("Staff mobility for training")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="conditions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("mobility type"), max_length=20, choices=Kind.choices)
    sending = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("sending institution")
    )
    receiving = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving institution")
    )
    sending_ounit_id = models.CharField(_("sending unit id"), max_length=64, blank=True)
    receiving_ounit_id = models.CharField(_("receiving unit id"), max_length=64, blank=True)
    first_year = models.CharField(_("first academic year"), max_length=9)
    last_year = models.CharField(_("last academic year"), max_length=9)
    mobilities_per_year = models.PositiveIntegerField(_("mobilities per year"), validators=[MinValueValidator(1)])
    total_months_per_year = models.DecimalField(
        _("total months per year"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    total_days_per_year = models.DecimalField(
        _("total days per year"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    blended = models.BooleanField(_("blended"), default=False)
    eqf_levels = models.JSONField(_("EQF levels"), default=list, blank=True)
    other_info = models.TextField(_("other information"), blank=True)

    class Meta:
        verbose_name = _("cooperation condition")
        verbose_name_plural = _("cooperation conditions")
        ordering = ["agreement", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.sending} → {self.receiving}"

    @property
    def is_student(self) -> bool:
        return self.kind in (self.Kind.STUDENT_STUDIES, self.Kind.STUDENT_TRAINEESHIP)

    @property
    def duration(self) -> Decimal | None:
        return self.total_months_per_year if self.is_student else self.total_days_per_year

    def covers(self, year_id: str) -> bool:
        # Academic year ids of the same shape order like their first calendar year.
        return self.first_year <= year_id <= self.last_year


class SubjectArea(models.Model):
    condition = models.ForeignKey(CooperationCondition, on_delete=models.CASCADE, related_name="subject_areas")
    position = models.PositiveSmallIntegerField(default=0)
    isced_code = models.CharField(_("ISCED-F code"), max_length=4)
    clarification = models.CharField(_("clarification"), max_length=300, blank=True)

    class Meta:
        ordering = ["condition", "position", "id"]
        indexes = [models.Index(fields=["isced_code"])]

    def __str__(self) -> str:
        return f"{self.isced_code} {self.clarification}".strip()


class LanguageSkill(models.Model):
    class Cefr(models.TextChoices):
        A1 = "A1", "A1"
        A2 = "A2", "A2"
        B1 = "B1", "B1"
        B2 = "B2", "B2"
        C1 = "C1", "C1"
        C2 = "C2", "C2"
        NS = "NS", _("native speaker")

    condition = models.ForeignKey(CooperationCondition, on_delete=models.CASCADE, related_name="language_skills")
    position = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(_("language"), max_length=20)
    cefr_level = models.CharField(_("CEFR level"), max_length=2, choices=Cefr.choices, blank=True)
    isced_code = models.CharField(_("for ISCED-F code"), max_length=4, blank=True)
    clarification = models.CharField(_("clarification"), max_length=300, blank=True)

    class Meta:
        ordering = ["condition", "position", "id"]

    def __str__(self) -> str:
        return f"{self.language} {self.cefr_level}".strip()


class AgreementSnapshot(models.Model):
    """A frozen copy of one version of an agreement, taken when someone approves it. Never edited."""

    class Event(models.TextChoices):
        APPROVED_BY_US = "approved-by-us", _("Approved by us")
        APPROVED_BY_PARTNER = "approved-by-partner", _("Approved by partner")
        APPROVED = "approved", _("Approved by both")
        TERMINATED = "terminated", _("Terminated")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveIntegerField(_("version"))
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    data = models.JSONField(_("content"))
    iia_hash = models.CharField(_("hash"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["agreement", "-created_at", "-id"]
        verbose_name = _("approved version")
        verbose_name_plural = _("approved versions")

    def __str__(self) -> str:
        return f"v{self.version} {self.get_event_display()}"


class PartnerCopy(models.Model):
    """The partner's copy of an agreement as received (IIA v7 get-response), and what we computed from it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="partner_copies")
    xml = models.TextField(_("document"))
    data = models.JSONField(_("content"))
    served_hash = models.CharField(_("hash served by the partner"), max_length=64, blank=True)
    computed_hash = models.CharField(_("hash computed here"), max_length=64)
    valid_for_approval = models.BooleanField(default=True)
    received_at = models.DateTimeField(auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["agreement", "-received_at", "-id"]
        get_latest_by = "received_at"

    def __str__(self) -> str:
        return f"{self.agreement.code} ({self.received_at:%Y-%m-%d})"

    @property
    def hash_matches(self) -> bool:
        return not self.served_hash or self.served_hash == self.computed_hash


def agreement_document_path(document: "AgreementDocument", filename: str) -> str:
    return f"agreements/{document.agreement.public_id}/{uuid.uuid4().hex}/{filename}"


class AgreementDocument(models.Model):
    """A file attached to an agreement (the signed PDF, an annex, a programme description)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=agreement_document_path, max_length=300)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["agreement", "-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class ExpiryNotice(models.Model):
    """Remembers that officers were warned about an agreement ending, so the warning goes out once."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="expiry_notices")
    last_year = models.CharField(max_length=20)  # "2027/2028", or the end date of another kind
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agreement", "last_year"], name="uniq_expiry_notice")]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.last_year}"
