"""The agreements list's filters: shared by the page, the XLSX export and the API."""

from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mobilitas.agreements.models import Agreement, SubjectArea
from mobilitas.institutions.countries import COUNTRY_NAMES, country_choices
from mobilitas.lib import academic_years
from mobilitas.lib.text import fold

ORDER_CHOICES = [
    ("partner", _("Partner (A to Z)")),
    ("country", _("Country, then partner")),
    ("code", _("Code")),
    ("last_year", _("Ending first")),
    ("-updated", _("Recently changed")),
]
ORDERING = {
    "partner": ("partner__name", "code", "pk"),
    "country": ("partner__country", "partner__name", "pk"),
    "code": ("code", "pk"),
    "last_year": ("last_year", "partner__name", "pk"),
    "-updated": ("-updated_at", "-pk"),
}
# How far ahead "expiring" looks: the e-mail warning goes out six months before the end.
EXPIRING_MONTHS = 6


class AgreementFilterForm(forms.Form):
    """Every parameter is optional; a bad value is a message, never a 500."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200, help_text=_("Partner name, code or city."))
    country = forms.ChoiceField(label=_("Partner country"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    year = forms.CharField(label=_("Academic year"), required=False, max_length=9, help_text=_("e.g. 2026/2027"))
    isced = forms.RegexField(
        label=_("Subject area (ISCED-F)"),
        regex=r"^\d{2,4}$",
        required=False,
        help_text=_("2 to 4 digits: 06 finds 0613."),
    )
    expiring = forms.BooleanField(label=_("Ending within six months"), required=False)
    order = forms.ChoiceField(label=_("Order by"), required=False, choices=ORDER_CHOICES)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, countries: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        all_countries = country_choices(set(COUNTRY_NAMES) if countries is None else countries)
        choices: dict[str, list[tuple[str, Any]]] = {
            "country": [("", _("All countries")), *all_countries],
            "status": [("", _("Any status")), *Agreement.Status.choices],
            "kind": [("", _("Any kind")), *Agreement.Kind.choices],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options

    def clean_year(self) -> str:
        year = self.cleaned_data["year"].strip()
        if year and not academic_years.is_valid(year):
            raise forms.ValidationError(_("Write the academic year like 2026/2027."))
        return year

    def filter(self, agreements: QuerySet[Agreement], today: date) -> QuerySet[Agreement]:
        data = self.cleaned_data
        agreements = agreements.annotate(last_year=Max("conditions__last_year"))
        if q := data.get("q", "").strip():
            for word in fold(q).split()[:8]:
                agreements = agreements.filter(
                    Q(partner__search_text__icontains=word) | Q(code__icontains=word) | Q(title__icontains=word)
                )
        if data.get("country"):
            agreements = agreements.filter(partner__country=data["country"])
        if data.get("status"):
            agreements = agreements.filter(status=data["status"])
        if data.get("kind"):
            agreements = agreements.filter(kind=data["kind"])
        if year := data.get("year"):
            agreements = agreements.filter(
                Q(conditions__first_year__lte=year, conditions__last_year__gte=year)
                | Q(kind__in=_dated_kinds(), start_date__lte=academic_years.end_date(year))
                & (Q(end_date__isnull=True) | Q(end_date__gte=academic_years.start_date(year)))
            ).distinct()
        if isced := data.get("isced"):
            areas = SubjectArea.objects.filter(condition__agreement=OuterRef("pk"), isced_code__startswith=isced)
            agreements = agreements.filter(Exists(areas))
        if data.get("expiring"):
            agreements = agreements.filter(expiring_q(today)).exclude(status=Agreement.Status.TERMINATED)
        return agreements.order_by(*ORDERING[data.get("order") or "partner"])


def _dated_kinds() -> list[str]:
    return [k for k in Agreement.Kind.values if k != Agreement.Kind.ERASMUS]


def months_later(day: date, months: int) -> date:
    """The same day `months` later (the last day of the month when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def expiring_q(today: date) -> Q:
    """Agreements whose last academic year ends within six months from today (annotated `last_year`)."""
    horizon = months_later(today, EXPIRING_MONTHS)
    # The academic year ending before `horizon` (31 August) is the last one that counts as expiring.
    latest = academic_years.containing(horizon)
    if academic_years.end_date(latest) > horizon:
        latest = academic_years.shift(latest, -1)
    current = academic_years.containing(today)
    return Q(last_year__gte=current, last_year__lte=latest) | Q(
        kind__in=_dated_kinds(), end_date__gte=today, end_date__lt=horizon
    )
