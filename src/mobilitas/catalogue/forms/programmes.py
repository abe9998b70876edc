"""Forms of the joint programme pages. They parse what people type into `services.programmes.ProgrammeInput`;
the rules (partners per kind, hosts of the mobility windows, semesters) live in the service and come back as
problems that `show_problems` puts next to the field or the window row they concern."""

import re
import uuid
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mobilitas.accounts.models import User
from mobilitas.catalogue.models import JointProgramme, MobilityWindow, Mode
from mobilitas.catalogue.services.pathways import Problem
from mobilitas.catalogue.services.programmes import MAX_SEMESTERS, ProgrammeInput, WindowInput
from mobilitas.institutions.models import Alliance, Institution, Role
from mobilitas.lib import erasmus_code

WINDOWS_PREFIX = "windows"
MAX_WINDOWS = 40
SEPARATORS = re.compile(r"[\n;]")


def find_institution(text: str) -> Institution | None:
    """The directory institution meant by an Erasmus code, a SCHAC code or a public id."""
    text = text.split(" — ", 1)[0].strip()
    if not text:
        return None
    try:
        return Institution.objects.filter(public_id=uuid.UUID(text)).first()
    except ValueError:
        pass
    code = erasmus_code.normalise(text)
    return Institution.objects.filter(Q(erasmus_code=code) | Q(schac_code__iexact=text)).order_by("pk").first()


def identifier(institution: Institution) -> str:
    """What a code field shows for an institution: the code people know it by."""
    return institution.erasmus_code or institution.schac_code or str(institution.public_id)


def _unknown(value: str) -> forms.ValidationError:
    return forms.ValidationError(
        _("No institution of the directory has the Erasmus code, SCHAC code or id “%(value)s”."),
        params={"value": value},
        code="unknown_institution",
    )


def _languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class ProgrammeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of degree"), choices=JointProgramme.Kind.choices)
    degree = forms.CharField(label=_("Degree awarded"), max_length=300, required=False)
    eqf_level = forms.IntegerField(label=_("EQF level"), required=False, min_value=1, max_value=8)
    ects = forms.DecimalField(label=_("ECTS credits"), required=False, max_digits=5, decimal_places=1)
    semesters = forms.IntegerField(label=_("Semesters"), min_value=1, max_value=MAX_SEMESTERS, initial=4)
    languages = forms.CharField(
        label=_("Languages of instruction"),
        max_length=100,
        required=False,
        help_text=_("Language codes separated by commas: en, fr"),
    )
    erasmus_mundus = forms.BooleanField(label=_("Erasmus Mundus programme"), required=False)
    alliance = forms.ModelChoiceField(
        label=_("Alliance"),
        queryset=Alliance.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("None"),
    )
    partners = forms.CharField(
        label=_("Partner institutions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One Erasmus code (UK CARDIFF01) or SCHAC code (cardiff.ac.uk) per line, as in the directory."),
    )

    def __init__(self, *args: Any, alliances: QuerySet[Alliance], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["alliance"]).queryset = alliances
        for code, name in _languages():
            self.fields[f"title_{code}"] = forms.CharField(
                label=gettext("Title in %(language)s") % {"language": name}, max_length=300, required=False
            )

    @property
    def title_fields(self) -> list[forms.BoundField]:
        return [self[f"title_{code}"] for code, _name in _languages()]

    @staticmethod
    def initial_for(programme: JointProgramme) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "kind": programme.kind,
            "degree": programme.degree,
            "eqf_level": programme.eqf_level,
            "ects": programme.ects,
            "semesters": programme.semesters,
            "languages": ", ".join(programme.languages),
            "erasmus_mundus": programme.erasmus_mundus,
            "alliance": programme.alliance.slug if programme.alliance else None,
            "partners": "\n".join(identifier(p) for p in programme.partners.order_by("country", "name")),
        }
        for code, _name in _languages():
            initial[f"title_{code}"] = programme.titles.get(code, "")
        return initial

    def clean_partners(self) -> list[Institution]:
        found: list[Institution] = []
        unknown = []
        for line in SEPARATORS.split(self.cleaned_data["partners"]):
            if not line.strip():
                continue
            institution = find_institution(line)
            if institution is None:
                unknown.append(line.strip())
            elif institution not in found:
                found.append(institution)
        if unknown:
            raise _unknown(", ".join(unknown))
        return found

    def titles(self, kept: dict[str, str] | None = None) -> dict[str, str]:
        titles = {lang: text for lang, text in (kept or {}).items() if lang not in dict(settings.LANGUAGES)}
        for code, _name in _languages():
            titles[code] = self.cleaned_data[f"title_{code}"]
        return titles


class WindowForm(forms.Form):
    """One mobility window. An untouched extra row is skipped, so rows can be added without JavaScript."""

    semester = forms.IntegerField(label=_("Semester"), min_value=1, max_value=MAX_SEMESTERS)
    host = forms.CharField(
        label=_("Host"),
        max_length=300,
        required=False,
        help_text=_("Erasmus or SCHAC code of the partner; blank: the managing institution."),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, initial=Mode.PHYSICAL)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].widget.attrs.update({"list": "host-options", "autocomplete": "off"})

    @staticmethod
    def initial_for(window: MobilityWindow) -> dict[str, Any]:
        return {"semester": window.semester, "host": identifier(window.host), "mode": window.mode, "note": window.note}

    def clean_host(self) -> Institution | None:
        value = self.cleaned_data["host"].strip()
        if not value:
            return None
        institution = find_institution(value)
        if institution is None:
            raise _unknown(value)
        return institution


class BaseWindowFormSet(BaseFormSet[WindowForm]):
    def filled_indexes(self) -> list[int]:
        return [
            i
            for i, form in enumerate(self.forms)
            if (i < self.initial_form_count() or form.has_changed())
            and not (self.can_delete and form.cleaned_data.get("DELETE", False))
        ]


WindowFormSet = cast(
    type[BaseWindowFormSet],
    forms.formset_factory(
        WindowForm,
        formset=BaseWindowFormSet,
        extra=2,
        can_delete=True,
        can_delete_extra=False,
        max_num=MAX_WINDOWS,
        validate_max=True,
    ),
)


def programme_input(
    form: ProgrammeForm, formset: BaseWindowFormSet, managing: Institution, programme: JointProgramme | None = None
) -> tuple[ProgrammeInput, list[int]]:
    """The input for the services, and for each window its row in the formset (to place problems)."""
    data = form.cleaned_data
    rows = formset.filled_indexes()
    windows = []
    for row in rows:
        window = formset.forms[row].cleaned_data
        windows.append(WindowInput(window["semester"], window["host"] or managing, window["mode"], window["note"]))
    return (
        ProgrammeInput(
            kind=data["kind"],
            titles=form.titles(programme.titles if programme else None),
            partners=data["partners"],
            alliance=data["alliance"],
            degree=data["degree"],
            eqf_level=data["eqf_level"],
            ects=data["ects"],
            semesters=data["semesters"],
            languages=[code for code in re.split(r"[\s,;]+", data["languages"]) if code],
            erasmus_mundus=data["erasmus_mundus"],
            windows=windows,
        ),
        rows,
    )


def show_problems(problems: list[Problem], form: ProgrammeForm, formset: BaseWindowFormSet, rows: list[int]) -> None:
    first_title = f"title_{_languages()[0][0]}"
    for problem in problems:
        parts = problem.place.split(".") if problem.place else []
        if parts[:1] == ["windows"] and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(rows):
            row = formset.forms[rows[int(parts[1])]]
            name = parts[2] if len(parts) > 2 else None
            row.add_error(name if name in row.fields else None, problem.message)
        elif parts == ["title"]:
            form.add_error(first_title, problem.message)
        elif parts and parts[0] in form.fields:
            form.add_error(parts[0], problem.message)
        else:
            form.add_error(None, problem.message)


class CohortMemberForm(forms.Form):
    email = forms.EmailField(label=_("Student's e-mail"))
    home = forms.ChoiceField(label=_("Home institution"))
    intake_year = forms.CharField(label=_("Intake"), max_length=9, help_text=_("The academic year, e.g. 2026/2027"))
    current_semester = forms.IntegerField(label=_("Current semester"), min_value=1, max_value=MAX_SEMESTERS, initial=1)

    def __init__(self, *args: Any, institutions: list[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institutions = {str(i.public_id): i for i in institutions}
        cast(forms.ChoiceField, self.fields["home"]).choices = [
            (key, i.display_name) for key, i in self.institutions.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        home = self.institutions.get(data.get("home") or "")
        data["home"] = home
        email = data.get("email")
        if home is not None and email:
            student = User.objects.filter(
                email__iexact=email, memberships__institution=home, memberships__role=Role.STUDENT
            ).first()
            if student is None:
                self.add_error(
                    "email",
                    gettext("No student of %(institution)s has the e-mail “%(email)s”.")
                    % {"institution": home.display_name, "email": email},
                )
            data["student"] = student
        return data
