import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mobilitas.institutions import countries
from mobilitas.lib.text import fold


def pick_name(names: dict[str, str], fallback: str, lang: str | None = None) -> str:
    """The name in the active language, else English, else the fallback (EWP-style names per language)."""
    lang = (lang or get_language() or "en")[:2]
    return names.get(lang) or names.get("en") or fallback


def charter_valid_on(day: date) -> Q:
    """Institutions whose Erasmus Charter covers `day`, in SQL: Institution.charter_state(day) == "valid"."""
    return Q(charter_end__gte=day) & (Q(charter_start__isnull=True) | Q(charter_start__lte=day))


class InstitutionQuerySet(models.QuerySet["Institution"]):
    def search(self, text: str, *, max_words: int | None = None) -> "InstitutionQuerySet":
        """Institutions whose folded search text (refresh_search_text) holds every word of `text`."""
        queryset = self
        for word in fold(text).split()[:max_words]:
            queryset = queryset.filter(search_text__contains=word)
        return queryset


class Institution(models.Model):
    """A higher education institution: a partner in the shared directory, or one hosted here (a tenant)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("legal name"), max_length=300)
    names = models.JSONField(_("names per language"), default=dict, blank=True)
    erasmus_code = models.CharField(_("Erasmus code"), max_length=20, blank=True)
    schac_code = models.CharField(
        _("SCHAC code"), max_length=100, blank=True, help_text=_("The EWP hei-id, the institution's Internet domain.")
    )
    pic = models.CharField(_("PIC"), max_length=9, blank=True)
    oid = models.CharField(_("OID"), max_length=9, blank=True)
    country = models.CharField(_("country"), max_length=2, db_index=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    street = models.CharField(_("street"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    charter_start = models.DateField(_("ECHE valid from"), null=True, blank=True)
    charter_end = models.DateField(_("ECHE valid until"), null=True, blank=True)
    hosted = models.BooleanField(_("hosted here"), default=False)
    slug = models.SlugField(_("slug"), max_length=40, blank=True, help_text=_("URL prefix of a hosted institution."))
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.UniqueConstraint(fields=["erasmus_code"], condition=~Q(erasmus_code=""), name="uniq_erasmus_code"),
            models.UniqueConstraint(fields=["schac_code"], condition=~Q(schac_code=""), name="uniq_schac_code"),
            models.UniqueConstraint(fields=["slug"], condition=~Q(slug=""), name="uniq_institution_slug"),
            models.CheckConstraint(condition=Q(hosted=False) | ~Q(slug=""), name="hosted_has_slug"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_search_text()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return pick_name(self.names, self.name)

    @property
    def country_name(self) -> str:
        return countries.country_name(self.country)

    def charter_state(self, day: date) -> str:
        """valid, expired, future or unknown (no end date) on `day`; valid is what charter_valid_on(day) selects."""
        start, end = self.charter_start, self.charter_end
        if end is None:
            return "unknown"
        if end < day:
            return "expired"
        if start is not None and start > day:
            return "future"
        return "valid"

    def refresh_search_text(self) -> None:
        parts = [self.name, *self.names.values(), self.city, self.erasmus_code, self.schac_code, self.pic, self.oid]
        self.search_text = fold(" ".join(p for p in parts if p))


class OrganisationalUnit(models.Model):
    """A faculty, department or office of an institution; units form a tree."""

    class Kind(models.TextChoices):
        FACULTY = "faculty", _("Faculty")
        DEPARTMENT = "department", _("Department")
        INSTITUTE = "institute", _("Institute")
        OFFICE = "office", _("Office")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="ounits")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    names = models.JSONField(_("names per language"), default=dict, blank=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FACULTY)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        constraints = [models.UniqueConstraint(fields=["institution", "code"], name="uniq_ounit_code")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick_name(self.names, self.name)


class Alliance(models.Model):
    """A European university alliance; its office reads across the member institutions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    coordinator = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="coordinated_alliances"
    )
    members: "models.ManyToManyField[Institution, AllianceMember]" = models.ManyToManyField(
        Institution, through="AllianceMember", related_name="alliances"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")

    def __str__(self) -> str:
        return self.name


class AllianceMember(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="alliance_memberships")
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alliance", "institution"], name="uniq_alliance_member")]

    def __str__(self) -> str:
        return f"{self.institution} in {self.alliance}"


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    STAFF = "staff", _("Staff member")
    COORDINATOR = "coordinator", _("Faculty coordinator")
    OFFICER = "officer", _("International relations officer")
    HR = "hr", _("Human resources")
    ALLIANCE_OFFICE = "alliance_office", _("Alliance office")
    LEADERSHIP = "leadership", _("Leadership")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    """What a user is at a hosted institution; a user may hold several."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    ounit = models.ForeignKey(
        OrganisationalUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisational unit"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "institution", "role"], name="uniq_membership_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.institution}"

    def clean(self) -> None:
        if self.ounit is not None and self.institution_id and self.ounit.institution_id != self.institution_id:
            raise ValidationError({"ounit": _("The unit must belong to the institution of the membership.")})


class Contact(models.Model):
    """A person an institution keeps in its address book: at a partner, or in one of its own units."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="contacts")
    partner = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="contacts_held_by_others", verbose_name=_("works at")
    )
    ounit = models.ForeignKey(OrganisationalUnit, on_delete=models.SET_NULL, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name
