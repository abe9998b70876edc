"""Forms of the course pages: the search filters, a course and its texts per language, the import upload."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from mobilitas.catalogue.importing import MAX_FILE_BYTES, is_xlsx
from mobilitas.catalogue.importing.columns import CellError, parse_languages
from mobilitas.catalogue.models import Course, Mode, Term
from mobilitas.catalogue.search import CourseFilters
from mobilitas.catalogue.services.courses import MAX_TEXT, MAX_TITLE, CourseInput, Problem
from mobilitas.institutions.models import Institution, OrganisationalUnit

# Languages offered in the lists (any other ISO 639 code still imports and shows): the EU's, the alliance's
# neighbours' and the most taught others.
LANGUAGE_CODES = (
    "ar", "bg", "ca", "cs", "da", "de", "el", "en", "es", "et", "eu", "fi", "fr", "ga", "gl", "hr", "hu", "is",
    "it", "ja", "lt", "lv", "mk", "mt", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sq", "sr", "sv", "tr",
    "uk", "zh",
)  # fmt: skip
_NAMES = {"mt": gettext_lazy("Maltese"), "zh": gettext_lazy("Chinese")}
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def language_name(code: str) -> str:
    """'fi' -> 'Finnish' in the active language; the code itself for a language Django does not name."""
    if code in _NAMES:
        return str(_NAMES[code])
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def language_choices(extra: Iterable[str] = ()) -> list[tuple[str, str]]:
    codes = set(LANGUAGE_CODES) | {code for code in extra if code}
    return sorted(((code, language_name(code)) for code in codes), key=lambda choice: choice[1].casefold())


def _eqf_choices(empty: str) -> list[tuple[str, str]]:
    return [("", empty)] + [(str(level), str(level)) for level in range(1, 9)]


class CourseSearchForm(forms.Form):
    """The search page's parameters: every one optional; a bad value is a message, never a 500."""

    q = forms.CharField(
        label=gettext_lazy("Words"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("In any language, in titles, descriptions and learning outcomes; or a course code."),
    )
    institution = forms.ChoiceField(label=gettext_lazy("Institution"), required=False)
    language = forms.ChoiceField(label=gettext_lazy("Taught in"), required=False)
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), required=False)
    ects_min = forms.DecimalField(
        label=gettext_lazy("ECTS from"), required=False, min_value=Decimal(0), max_digits=5, decimal_places=1
    )
    ects_max = forms.DecimalField(
        label=gettext_lazy("ECTS up to"), required=False, min_value=Decimal(0), max_digits=5, decimal_places=1
    )
    eqf_level = forms.TypedChoiceField(label=gettext_lazy("EQF level"), required=False, coerce=int, empty_value=None)
    isced = forms.RegexField(
        label=gettext_lazy("Field (ISCED-F)"),
        regex=r"^\d{2,4}$",
        required=False,
        help_text=gettext_lazy("2 to 4 digits: 06 finds 061 and 0613."),
        error_messages={"invalid": gettext_lazy("Write 2 to 4 digits, like 06 or 0613.")},
    )
    term = forms.ChoiceField(label=gettext_lazy("Term"), required=False)
    shared_only = forms.BooleanField(label=gettext_lazy("Shared with the alliance only"), required=False)
    page = forms.IntegerField(label=gettext_lazy("Page"), required=False, min_value=1, widget=forms.HiddenInput)

    FILTERS = ("institution", "language", "mode", "ects_min", "ects_max", "eqf_level", "isced", "term", "shared_only")

    def __init__(self, *args: Any, institutions: list[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institutions = {str(i.public_id): i for i in institutions}
        choices: dict[str, list[tuple[str, Any]]] = {
            "institution": [("", _("All institutions"))]
            + [(key, i.display_name) for key, i in self.institutions.items()],
            "language": [("", _("Any language")), *language_choices()],
            "mode": [("", _("Any mode")), *Mode.choices],
            "term": [("", _("Any term")), *((value, label) for value, label in Term.choices if value)],
            "eqf_level": _eqf_choices(_("Any level")),
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options
        for name in ("ects_min", "ects_max"):
            self.fields[name].widget.attrs.update({"step": "0.5", "inputmode": "decimal"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("ects_min"), data.get("ects_max")
        if low is not None and high is not None and low > high:
            self.add_error("ects_max", _("The highest ECTS is lower than the lowest."))
        return data

    def filters(self) -> CourseFilters:
        data = self.cleaned_data
        return CourseFilters(
            institution=self.institutions.get(data.get("institution") or ""),
            language=data.get("language") or "",
            mode=data.get("mode") or "",
            ects_min=data.get("ects_min"),
            ects_max=data.get("ects_max"),
            eqf_level=data.get("eqf_level"),
            isced=data.get("isced") or "",
            term=data.get("term") or "",
            shared_only=bool(data.get("shared_only")),
        )


class CourseForm(forms.Form):
    """Everything about a course but its texts (CourseTextFormSet) and its sharing (a button of its own)."""

    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=60, help_text=gettext_lazy("Unique in your catalogue.")
    )
    ounit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=OrganisationalUnit.objects.none(),
        required=False,
        to_field_name="public_id",
    )
    ects = forms.DecimalField(
        label=gettext_lazy("ECTS credits"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("999.9"),
        max_digits=4,
        decimal_places=1,
    )
    eqf_level = forms.TypedChoiceField(label=gettext_lazy("EQF level"), required=False, coerce=int, empty_value=None)
    isced_code = forms.RegexField(
        label=gettext_lazy("Field of education (ISCED-F)"),
        regex=r"^(0\d|10)\d{0,2}$",
        required=False,
        help_text=gettext_lazy("2 to 4 digits, like 06, 061 or 0613."),
        error_messages={"invalid": gettext_lazy("Write 2 to 4 digits starting 00 to 10, like 06, 061 or 0613.")},
    )
    languages = forms.CharField(
        label=gettext_lazy("Languages of instruction"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Language codes separated by commas, like en, fi."),
    )
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), choices=Mode.choices, initial=Mode.PHYSICAL)
    term = forms.ChoiceField(label=gettext_lazy("Term"), choices=Term.choices, required=False)
    programme = forms.CharField(label=gettext_lazy("Programme"), required=False, max_length=300)
    alliance_places = forms.IntegerField(
        label=gettext_lazy("Places for alliance students"),
        required=False,
        min_value=0,
        help_text=gettext_lazy("Leave empty when no limit is stated."),
    )
    contact_name = forms.CharField(label=gettext_lazy("Contact"), required=False, max_length=200)
    contact_email = forms.EmailField(label=gettext_lazy("Contact e-mail"), required=False)
    url = forms.URLField(label=gettext_lazy("Web page"), required=False, max_length=500, assume_scheme="https")

    def __init__(self, *args: Any, units: QuerySet[OrganisationalUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[OrganisationalUnit], self.fields["ounit"]).queryset = units
        cast(forms.ChoiceField, self.fields["eqf_level"]).choices = _eqf_choices(_("Not stated"))
        self.fields["languages"].widget.attrs["placeholder"] = "en, fr"

    @staticmethod
    def initial_for(course: Course) -> dict[str, Any]:
        return {
            "code": course.code,
            "ounit": course.ounit.public_id if course.ounit else None,
            "ects": course.ects,
            "eqf_level": course.eqf_level,
            "isced_code": course.isced_code,
            "languages": ", ".join(course.languages),
            "mode": course.mode,
            "term": course.term,
            "programme": course.programme,
            "alliance_places": course.alliance_places,
            "contact_name": course.contact_name,
            "contact_email": course.contact_email,
            "url": course.url,
        }

    def clean_languages(self) -> list[str]:
        try:
            return parse_languages(self.cleaned_data["languages"])
        except CellError as error:
            raise forms.ValidationError(error.message) from None


class CourseTextForm(forms.Form):
    """The course's texts in one language."""

    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    title = forms.CharField(label=gettext_lazy("Title"), required=False, max_length=MAX_TITLE)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    outcomes = forms.CharField(
        label=gettext_lazy("Learning outcomes"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, languages: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", _("Choose a language")),
            *language_choices(languages),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("language") and any(
            (data.get(name) or "").strip() for name in ("title", "description", "outcomes")
        ):
            self.add_error("language", _("Say which language these texts are in."))
        return data


class BaseCourseTextFormSet(forms.BaseFormSet[CourseTextForm]):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            language = form.cleaned_data.get("language")
            if not language:
                continue
            if language in seen:
                form.add_error(
                    "language",
                    _("%(language)s has two rows: put its texts in one.") % {"language": language_name(language)},
                )
            seen.add(language)

    def texts(self) -> dict[str, dict[str, str]]:
        """{"titles": {"fi": ...}, "descriptions": {...}, "learning_outcomes": {...}} from the filled rows."""
        texts: dict[str, dict[str, str]] = {"titles": {}, "descriptions": {}, "learning_outcomes": {}}
        for form in self.forms:
            language = form.cleaned_data.get("language")
            if not language:
                continue
            texts["titles"][language] = form.cleaned_data.get("title", "")
            texts["descriptions"][language] = form.cleaned_data.get("description", "")
            texts["learning_outcomes"][language] = form.cleaned_data.get("outcomes", "")
        return texts


CourseTextFormSet = cast(
    type[BaseCourseTextFormSet],
    forms.formset_factory(CourseTextForm, formset=BaseCourseTextFormSet, extra=0, max_num=40, validate_max=True),
)
TEXTS_PREFIX = "texts"


def text_rows(course: Course | None, languages: list[str]) -> list[dict[str, str]]:
    """The initial text rows: each language the course has texts in (else `languages`), and one empty row."""
    rows = []
    if course is not None:
        codes = list(dict.fromkeys([*course.titles, *course.descriptions, *course.learning_outcomes]))
        for code in codes:
            rows.append(
                {
                    "language": code,
                    "title": course.titles.get(code, ""),
                    "description": course.descriptions.get(code, ""),
                    "outcomes": course.learning_outcomes.get(code, ""),
                }
            )
    if not rows:
        rows = [{"language": code} for code in languages]
    rows.append({})
    return rows


def course_input(form: CourseForm, formset: BaseCourseTextFormSet) -> CourseInput:
    data = form.cleaned_data
    texts = formset.texts()
    return CourseInput(
        code=data["code"],
        titles=texts["titles"],
        descriptions=texts["descriptions"],
        learning_outcomes=texts["learning_outcomes"],
        ects=data.get("ects"),
        eqf_level=data.get("eqf_level"),
        isced_code=data.get("isced_code") or "",
        languages=data.get("languages") or [],
        mode=data.get("mode") or Mode.PHYSICAL,
        term=data.get("term") or "",
        programme=data.get("programme") or "",
        ounit=data.get("ounit"),
        alliance_places=data.get("alliance_places"),
        contact_name=data.get("contact_name") or "",
        contact_email=data.get("contact_email") or "",
        url=data.get("url") or "",
    )


_TEXT_FIELD = {"titles": "title", "descriptions": "description", "learning_outcomes": "outcomes"}


def show_problems(problems: list[Problem], form: CourseForm, formset: BaseCourseTextFormSet) -> None:
    """Each problem next to its field: `ects` on the form, `titles.fi` on the Finnish row's title."""
    for problem in problems:
        name, _dot, language = problem.field.partition(".")
        if name in _TEXT_FIELD:
            row = next((f for f in formset.forms if f.cleaned_data.get("language") == language), None)
            if language and row is not None:
                row.add_error(_TEXT_FIELD[name], problem.message)
            else:
                formset.non_form_errors().append(problem.message)
        elif name in form.fields:
            form.add_error(name, problem.message)
        else:
            form.add_error(None, problem.message)


class CourseImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Course file (.xlsx or .csv)"),
        help_text=gettext_lazy("An Excel workbook or a CSV file (UTF-8) in the template's columns, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,.csv,{XLSX_TYPE},{CSV_TYPE}"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB: split it into smaller files.")
                % {"size": MAX_FILE_BYTES // (1024 * 1024)}
            )
        data = bytes(upload.read())
        name = (upload.name or "").lower()
        if name.endswith(".xlsx") and not is_xlsx(data):
            raise forms.ValidationError(
                _("This file is named .xlsx but is not an Excel workbook. In Excel, use “Save as” and choose .xlsx.")
            )
        if name.endswith((".xls", ".ods", ".numbers")):
            raise forms.ValidationError(_("Save the file as .xlsx or as CSV UTF-8 and upload it again."))
        return data
