"""The application form: it renders the draft; the service (save_draft) parses and validates what it posts.

Every field is lenient here (optional text) so that a bound form always renders what the student typed, with
the problems the service found attached to the fields (`attach_problems`).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mobilitas.applications.eligibility import EQF_LABELS, LEVEL_RANK, language_name, level_name
from mobilitas.applications.labels import destination_details
from mobilitas.applications.models import Application, CallDestination
from mobilitas.applications.services.applying import EQF_LEVELS, MAX_MOTIVATION, Problem, number_text
from mobilitas.institutions.models import OrganisationalUnit

LANGUAGE_ROWS = 4
ORDINALS = (
    _("1st choice"),
    _("2nd choice"),
    _("3rd choice"),
    _("4th choice"),
    _("5th choice"),
    _("6th choice"),
)
# Where a problem of the service is shown on the form.
PROBLEM_FIELDS = {"languages": "language_0", "choices": "choice_1"}


# The languages offered: the EU's official languages and those most asked for by partners.
LANGUAGE_CODES = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt", "nl",
    "pl", "pt", "ro", "sk", "sl", "sv",
    "ar", "bs", "ca", "cy", "eu", "fa", "gl", "he", "hi", "is", "ja", "ko", "lb", "mk", "no", "ru", "sq", "sr",
    "tr", "uk", "zh",
)  # fmt: skip


def _language_codes(extra: Iterable[str]) -> list[tuple[str, str]]:
    codes = set(LANGUAGE_CODES) | set(extra)
    return sorted(((code, language_name(code)) for code in codes), key=lambda pair: pair[1].casefold())


def _select(choices: Sequence[tuple[str, Any]], **attrs: str) -> forms.Select:
    return forms.Select(choices=choices, attrs=attrs)


def destination_label(destination: CallDestination) -> str:
    """ "Universidad de Oviedo (Oviedo, notes) — ISCED 0714 · EQF 6 · 5 months": two of one partner told apart."""
    label = destination.partner.display_name
    details = [str(destination.partner.city or "").strip(), destination.notes.strip()]
    details = [d for d in details if d]
    if details:
        label = f"{label} ({', '.join(details)})"
    more = destination_details(destination)
    return f"{label} — {more}" if more else label


class ApplicationForm(forms.Form):
    ounit = forms.CharField(label=_("Faculty"), required=False)
    study_level = forms.CharField(label=_("Study level"), required=False)
    programme = forms.CharField(
        label=_("Programme"), required=False, max_length=200, help_text=_("The degree you are enrolled in.")
    )
    isced_code = forms.CharField(
        label=_("Field of study (ISCED-F code)"),
        required=False,
        help_text=_("Four digits, like 0613 for software development; ask your coordinator if unsure."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "4", "size": "6"}),
    )
    grade_average = forms.CharField(
        label=_("Grade average"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "8"}),
    )
    grade_scale = forms.CharField(
        label=_("Out of"),
        required=False,
        help_text=_("The top of your grading scale: 20 in France."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "8"}),
    )
    fewer_opportunities = forms.BooleanField(
        label=_("I am a participant with fewer opportunities"),
        required=False,
        help_text=_("For example a grant holder, a disability, or a family situation; the office may ask for proof."),
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        required=False,
        help_text=_("Why you want to go, and why to the destinations you chose."),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": str(MAX_MOTIVATION)}),
    )

    def __init__(
        self,
        *args: Any,
        application: Application,
        units: Iterable[OrganisationalUnit],
        options: Sequence[CallDestination],
        **kwargs: Any,
    ) -> None:
        """`options`: the destinations to offer in the choice lists (those the applicant is eligible for, and
        the ones already chosen)."""
        kwargs.setdefault("initial", initial_data(application))
        super().__init__(*args, **kwargs)
        call = application.call
        self.staff_call = call.is_staff_call
        self.fields["ounit"].widget = _select(
            [("", "—"), *((str(u.public_id), u.display_name) for u in units)], autocomplete="off"
        )
        if self.staff_call:
            for name in ("study_level", "grade_average", "grade_scale"):
                del self.fields[name]
        else:
            self.fields["study_level"].widget = _select(
                [("", "—"), *((str(level), EQF_LABELS[level]) for level in EQF_LEVELS)]
            )
        if call.programmes:
            current = (
                [application.programme]
                if application.programme and application.programme not in call.programmes
                else []
            )
            self.fields["programme"].widget = _select([("", "—"), *((p, p) for p in [*call.programmes, *current])])
        codes = _language_codes((application.languages or {}).keys())
        levels = [("", "—"), *((level, level_name(level)) for level in LEVEL_RANK)]
        self.language_rows = []
        for i in range(LANGUAGE_ROWS):
            number = {"number": i + 1}
            self.fields[f"language_{i}"] = forms.CharField(
                label=gettext("Language %(number)s") % number, required=False, widget=_select([("", "—"), *codes])
            )
            self.fields[f"level_{i}"] = forms.CharField(
                label=gettext("Level in language %(number)s") % number, required=False, widget=_select(levels)
            )
            self.language_rows.append((i + 1, f"language_{i}", f"level_{i}"))
        destinations = [("", _("— none —")), *((str(d.public_id), destination_label(d)) for d in options)]
        self.choice_names = []
        for rank in range(1, call.max_choices + 1):
            name = f"choice_{rank}"
            self.fields[name] = forms.CharField(label=ORDINALS[rank - 1], required=False, widget=_select(destinations))
            self.choice_names.append(name)
        self.order_fields(["ounit", "study_level", "programme", "isced_code", "grade_average", "grade_scale"])

    def profile_fields(self) -> list[forms.BoundField]:
        names = ["ounit", "study_level", "programme", "isced_code", "grade_average", "grade_scale"]
        return [self[name] for name in names if name in self.fields]

    def languages(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(n, self[language], self[level]) for n, language, level in self.language_rows]

    def choices(self) -> list[forms.BoundField]:
        return [self[name] for name in self.choice_names]

    def attach_problems(self, problems: Iterable[Problem]) -> None:
        self.is_valid()
        for problem in problems:
            field = PROBLEM_FIELDS.get(problem.field, problem.field)
            self.add_error(field if field in self.fields else None, problem.message)


def initial_data(application: Application) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ounit": str(application.ounit.public_id) if application.ounit else "",
        "study_level": str(application.study_level or ""),
        "programme": application.programme,
        "isced_code": application.isced_code,
        "grade_average": "" if application.grade_average is None else number_text(application.grade_average),
        "grade_scale": number_text(application.grade_scale),
        "fewer_opportunities": application.fewer_opportunities,
        "motivation": application.motivation,
    }
    for i, (code, level) in enumerate(sorted((application.languages or {}).items())[:LANGUAGE_ROWS]):
        data[f"language_{i}"], data[f"level_{i}"] = code, level
    ranked = application.choices.select_related("destination").order_by("rank")
    for choice in ranked:
        data[f"choice_{choice.rank}"] = str(choice.destination.public_id)
    return data


def draft_data(post: QueryDict, *, max_choices: int, staff_call: bool) -> dict[str, Any]:
    """What the form posted, shaped for services.applying.save_draft (only the fields the form has)."""
    names = ["ounit", "programme", "isced_code", "motivation"]
    if not staff_call:
        names += ["study_level", "grade_scale", "grade_average"]
    data: dict[str, Any] = {name: post.get(name, "") for name in names}
    data["fewer_opportunities"] = post.get("fewer_opportunities", "")
    data["languages"] = [(post.get(f"language_{i}", ""), post.get(f"level_{i}", "")) for i in range(LANGUAGE_ROWS)]
    data["choices"] = [post.get(f"choice_{rank}", "") for rank in range(1, max_choices + 1)]
    return data


def posts_the_form(post: QueryDict) -> bool:
    """Whether a POST carries the application form (the submit button belongs to it)."""
    return "motivation" in post
