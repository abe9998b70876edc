from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import F, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mobilitas.institutions.countries import country_choices
from mobilitas.institutions.models import (
    Alliance,
    Contact,
    Institution,
    InstitutionQuerySet,
    OrganisationalUnit,
    charter_valid_on,
)

# Words beyond this are ignored: each word is one more LIKE over the whole directory.
MAX_SEARCH_WORDS = 8

ORDER_CHOICES = [
    ("name", _("Name (A to Z)")),
    ("-name", _("Name (Z to A)")),
    ("country", _("Country, then name")),
    ("city", _("City, then name")),
    ("-charter_end", _("Charter valid longest")),
]


def display_name_expression(lang: str) -> Lower:
    """SQL for Institution.display_name in `lang` (then English, then the legal name), lower-cased for sorting."""
    return Lower(
        Coalesce(
            NullIf(KeyTextTransform(lang, "names"), Value("")),
            NullIf(KeyTextTransform("en", "names"), Value("")),
            "name",
            output_field=TextField(),
        )
    )


def ordering(order: str, lang: str) -> tuple[Any, ...]:
    """The ORDER BY of a choice; the primary key last keeps pages stable when names repeat."""
    name = display_name_expression(lang)
    return {
        "name": (name.asc(), "pk"),
        "-name": (name.desc(), "-pk"),
        "country": ("country", name.asc(), "pk"),
        "city": (Lower("city"), name.asc(), "pk"),
        "-charter_end": (F("charter_end").desc(nulls_last=True), name.asc(), "pk"),
    }[order]


# The columns the directory table shows (search_text and the timestamps stay in the database).
DIRECTORY_COLUMNS = (
    "public_id", "name", "names", "country", "city", "erasmus_code", "schac_code", "charter_start", "charter_end",
    "hosted",
)  # fmt: skip


class DirectoryForm(forms.Form):
    """The directory's GET parameters. Every one is optional; a bad value is an error message, never a 500."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Name in any language, city, Erasmus code, SCHAC code or PIC."),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    alliance = forms.ChoiceField(label=_("Member of"), required=False)
    hosted = forms.BooleanField(label=_("Hosted here only"), required=False)
    valid_charter = forms.BooleanField(label=_("Charter valid today"), required=False)
    order = forms.ChoiceField(label=_("Order by"), required=False, choices=ORDER_CHOICES)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, countries: list[str], alliances: list[Alliance], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = cast(forms.ChoiceField, self.fields["country"])
        country.choices = [("", _("All countries")), *country_choices(countries)]
        if alliances:
            alliance = cast(forms.ChoiceField, self.fields["alliance"])
            alliance.choices = [("", _("Any institution")), *((a.slug, a.name) for a in alliances)]
        else:
            del self.fields["alliance"]
        for name in ("country", "alliance", "hosted", "valid_charter", "order"):
            if name in self.fields:
                # The page's script-free form submits as usual; HTMX listens for changes on these.
                self.fields[name].widget.attrs["class"] = "directory-filter"

    def filter(self, queryset: InstitutionQuerySet, today: date) -> InstitutionQuerySet:
        """Apply the validated parameters; every search word must occur in the folded search text."""
        data = self.cleaned_data
        queryset = queryset.search(data["q"], max_words=MAX_SEARCH_WORDS)
        if data["country"]:
            queryset = queryset.filter(country=data["country"])
        if data.get("alliance"):
            queryset = queryset.filter(alliance_memberships__alliance__slug=data["alliance"])
        if data["hosted"]:
            queryset = queryset.filter(hosted=True)
        if data["valid_charter"]:
            queryset = queryset.filter(charter_valid_on(today))
        lang = (get_language() or "en")[:2]
        return queryset.only(*DIRECTORY_COLUMNS).order_by(*ordering(data["order"] or "name", lang))


class ContactForm(forms.ModelForm):
    """A person at a partner. The view hands the fields to services.add_contact; the form never saves."""

    # Units are chosen by public id: integer keys never leave the database.
    ounit = forms.ModelChoiceField(
        label=_("Unit"), required=False, queryset=OrganisationalUnit.objects.none(), to_field_name="public_id"
    )

    class Meta:
        model = Contact
        fields = ["name", "role", "email", "phone", "ounit"]

    def __init__(self, *args: Any, partner: Institution, units: list[OrganisationalUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units:
            field = cast(forms.ModelChoiceField, self.fields["ounit"])
            field.queryset = OrganisationalUnit.objects.filter(institution=partner)
            # The units are already loaded for the page: list them without a second query.
            field.choices = [("", _("None")), *((str(u.public_id), u.display_name) for u in units)]
        else:
            del self.fields["ounit"]
