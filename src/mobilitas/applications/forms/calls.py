"""Forms of the call pages: the call itself, its destinations (edit, add by hand) and the list's filters.

The forms read what people type; the rules (a year well-formed, closing after opening, weights...) are the
services' (`services.calls`), whose problems the views show next to the fields.
"""

import zoneinfo
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mobilitas.applications.models import MAX_CHOICES, Call, CallDestination
from mobilitas.applications.services.calls import DEFAULT_TIME_ZONE, DocumentInput, in_zone, time_zones
from mobilitas.institutions.models import Institution, OrganisationalUnit
from mobilitas.lib import academic_years
from mobilitas.lib.errors import DomainError

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
EQF_CHOICES = [
    (5, _("EQF 5 — short cycle")),
    (6, _("EQF 6 — bachelor")),
    (7, _("EQF 7 — master")),
    (8, _("EQF 8 — doctorate")),
]


class WallClockField(forms.DateTimeField):
    """A date and time as typed, without a time zone: the call's own zone (another field) makes it aware."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", [DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"])
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime | None:
        # DateTimeField reads the value in the *user's* zone; read it in UTC and drop the zone instead.
        with timezone.override(UTC):
            result = super().to_python(value)
        if result is not None and timezone.is_aware(result):
            result = result.replace(tzinfo=None)
        return result

    def prepare_value(self, value: Any) -> Any:
        return value.strftime(DATETIME_INPUT) if isinstance(value, datetime) else value


def _zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in time_zones()]


def parse_documents(text: str) -> list[DocumentInput]:
    """ "Transcript | Grades of the last two years" per line -> documents (the explanation is optional)."""
    documents = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _sep, help_text = line.partition("|")
        documents.append(DocumentInput(name.strip(), help_text.strip()))
    return documents


def documents_text(call: Call) -> str:
    return "\n".join(f"{d.name} | {d.help_text}" if d.help_text else d.name for d in call.required_documents.all())


class CallForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who it is for, what it funds, how applicants are selected."),
    )
    academic_year = forms.CharField(
        label=_("Academic year"), max_length=9, help_text=_("The year of the mobilities, as EWP writes it: 2027/2028.")
    )
    kind = forms.ChoiceField(label=_("Kind of mobility"), choices=Call.Kind.choices)
    eligible_ounits = forms.ModelMultipleChoiceField(
        label=_("Eligible faculties"),
        queryset=OrganisationalUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("None chosen: every faculty. The students of their departments are eligible too."),
    )
    study_levels = forms.TypedMultipleChoiceField(
        label=_("Eligible study levels"),
        choices=EQF_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every level."),
    )
    programmes = forms.CharField(
        label=_("Eligible programmes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. Empty: every programme."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone of the dates"),
        choices=_zone_choices,
        initial=DEFAULT_TIME_ZONE,
        help_text=_("The dates below are read in it; each user sees them in their own time zone too."),
    )
    opens_at = WallClockField(label=_("Opens on"), help_text=_("Date and time, in the time zone above."))
    closes_at = WallClockField(label=_("Closes on"), help_text=_("The deadline, in the time zone above."))
    max_choices = forms.IntegerField(
        label=_("Destinations a student may rank"), min_value=1, max_value=MAX_CHOICES, initial=3
    )
    required_documents = forms.CharField(
        label=_("Required documents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: the name, then optionally “|” and an explanation, e.g. “Transcript | Grades of "
                    "the last two years”."),
    )  # fmt: skip
    weight_grades = forms.DecimalField(
        label=_("Weight of the grade average"), min_value=0, decimal_places=2, initial=50
    )
    weight_language = forms.DecimalField(
        label=_("Weight of the language level"), min_value=0, decimal_places=2, initial=20
    )
    weight_motivation = forms.DecimalField(
        label=_("Weight of the coordinator's motivation score"), min_value=0, decimal_places=2, initial=30
    )
    weight_fewer_opportunities = forms.DecimalField(
        label=_("Weight of fewer opportunities"), min_value=0, decimal_places=2, initial=0
    )
    inclusion_bonus = forms.DecimalField(
        label=_("Score bonus for fewer opportunities (points out of 20)"),
        min_value=0,
        max_value=Decimal("99.99"),
        decimal_places=2,
        initial=0,
    )
    inclusion_reserved_percent = forms.IntegerField(
        label=_("Places reserved for fewer opportunities (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_("The share of each destination's places kept for applicants with fewer opportunities."),
    )
    response_days = forms.IntegerField(
        label=_("Days to accept or decline a place"), min_value=1, max_value=60, initial=7
    )

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["eligible_ounits"]
        field.queryset = institution.ounits.order_by("name")

    def clean_academic_year(self) -> str:
        year = self.cleaned_data["academic_year"].strip()
        try:
            academic_years.parse(year)
        except DomainError as error:
            raise forms.ValidationError(error.message, code="invalid") from None
        return year

    @staticmethod
    def initial_for(call: Call) -> dict[str, Any]:
        return {
            "title": call.title,
            "description": call.description,
            "academic_year": call.academic_year,
            "kind": call.kind,
            "eligible_ounits": list(call.eligible_ounits.all()),
            "study_levels": call.study_levels,
            "programmes": "\n".join(call.programmes),
            "time_zone": call.time_zone,
            "opens_at": in_zone(call.opens_at, call.time_zone).replace(tzinfo=None),
            "closes_at": in_zone(call.closes_at, call.time_zone).replace(tzinfo=None),
            "max_choices": call.max_choices,
            "required_documents": documents_text(call),
            "weight_grades": call.weight_grades,
            "weight_language": call.weight_language,
            "weight_motivation": call.weight_motivation,
            "weight_fewer_opportunities": call.weight_fewer_opportunities,
            "inclusion_bonus": call.inclusion_bonus,
            "inclusion_reserved_percent": int(call.inclusion_reserved_share * 100),
            "response_days": call.response_days,
        }

    def call_fields(self) -> dict[str, Any]:
        """The cleaned data as create_call/update_call take it (dates aware in the chosen time zone)."""
        data = dict(self.cleaned_data)
        zone = zoneinfo.ZoneInfo(data["time_zone"])
        for name in ("opens_at", "closes_at"):
            data[name] = timezone.make_aware(data[name], zone) if data.get(name) else None
        data["programmes"] = [line.strip() for line in data["programmes"].splitlines() if line.strip()]
        data["required_documents"] = parse_documents(data["required_documents"])
        data["inclusion_reserved_share"] = Decimal(data.pop("inclusion_reserved_percent")) / 100
        return data

    def show_problem(self, place: str, message: str) -> None:
        name = "inclusion_reserved_percent" if place == "inclusion_reserved_share" else place
        self.add_error(name if name in self.fields else None, message)


class DestinationForm(forms.Form):
    """The places and notes of one destination (one small form per row of the table)."""

    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=9999)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args: Any, destination: CallDestination, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"d-{destination.public_id}")
        kwargs.setdefault("initial", {"places": destination.places, "notes": destination.notes})
        super().__init__(*args, **kwargs)
        self.destination = destination


class AddDestinationForm(forms.Form):
    partner = forms.CharField(
        label=_("Partner (Erasmus code or SCHAC code)"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "partner-options", "autocomplete": "off"}),
        help_text=_("As in the directory, e.g. “E  MADRID03” or “ucm.es”."),
    )
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=9999, initial=1)
    ounit = forms.ModelChoiceField(
        label=_("Reserved to"), queryset=OrganisationalUnit.objects.none(), required=False, empty_label=_("Anyone")
    )
    isced_codes = forms.CharField(
        label=_("Subject areas (ISCED-F)"), max_length=200, required=False, help_text=_("Codes separated by commas.")
    )
    eqf_levels = forms.TypedMultipleChoiceField(
        label=_("Study levels"), choices=EQF_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.CharField(
        label=_("Language requirements"),
        max_length=200,
        required=False,
        help_text=_("Language and CEFR level (A1 to C2), separated by commas, e.g. “es B1, en B2”."),
    )
    months = forms.DecimalField(
        label=_("Months each"), min_value=Decimal("0.5"), max_value=120, decimal_places=1, required=False
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "add")
        super().__init__(*args, **kwargs)
        self.institution = institution
        field: Any = self.fields["ounit"]
        field.queryset = institution.ounits.order_by("name")

    def clean_partner(self) -> Institution:
        code = self.cleaned_data["partner"].strip()
        found = Institution.objects.filter(Q(erasmus_code__iexact=code) | Q(schac_code__iexact=code))
        partner = found.exclude(pk=self.institution.pk).first()
        if partner is None:
            raise forms.ValidationError(
                _("No partner of the directory has the code “%(code)s”."), params={"code": code}, code="unknown"
            )
        return partner

    def clean_isced_codes(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["isced_codes"].split(",") if c.strip()]

    def clean_languages(self) -> list[tuple[str, str]]:
        found = []
        for item in self.cleaned_data["languages"].split(","):
            words = item.split()
            if not words:
                continue
            if len(words) > 2:
                raise forms.ValidationError(
                    _("“%(value)s”: write a language code and a level, like es B1."),
                    params={"value": item.strip()},
                    code="invalid",
                )
            found.append((words[0], words[1] if len(words) == 2 else ""))
        return found


ALL = ""


class CallFilterForm(forms.Form):
    year = forms.ChoiceField(label=_("Academic year"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[(ALL, _("Any status")), *Call.Status.choices]
    )

    def __init__(self, *args: Any, calls: QuerySet[Call], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = calls.order_by("-academic_year").values_list("academic_year", flat=True).distinct()
        field: Any = self.fields["year"]
        field.choices = [(ALL, _("Any year")), *[(y, y) for y in years]]
