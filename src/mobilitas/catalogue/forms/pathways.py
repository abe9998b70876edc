"""Forms of the Pathway pages. They parse what people type into `services.pathways.PathwayInput`; the rules
(two member institutions, credits, prerequisites) live in the service and come back as problems that
`show_problems` puts next to the row and field they concern."""

import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mobilitas.catalogue.models import ComponentProgress, Course, Mode, Pathway, PathwayComponent
from mobilitas.catalogue.services.pathways import ComponentInput, PathwayInput, Problem
from mobilitas.institutions.models import Alliance, Institution

COMPONENTS_PREFIX = "components"
MAX_ROWS = 60
NUMBERS = re.compile(r"[\s,;]+")


def _languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class PathwayForm(forms.Form):
    """The Pathway's own fields: a title and a description per language of the site, its address, its places.

    Texts in other languages (imported, say in Finnish) are kept as they are by `texts()`."""

    alliance = forms.ModelChoiceField(
        label=_("Alliance"), queryset=Alliance.objects.none(), to_field_name="slug", empty_label=None
    )
    slug = forms.CharField(
        label=_("Address"),
        max_length=80,
        required=False,
        help_text=_("Lower-case letters, digits and hyphens, for the public page. Blank: made from the title."),
    )
    places = forms.IntegerField(
        label=_("Places"), required=False, min_value=1, max_value=100000, help_text=_("Blank: no limit.")
    )

    def __init__(self, *args: Any, alliances: QuerySet[Alliance] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if alliances is None:  # editing: the alliance of a Pathway does not change
            del self.fields["alliance"]
        else:
            cast(forms.ModelChoiceField, self.fields["alliance"]).queryset = alliances
        for code, name in _languages():
            self.fields[f"title_{code}"] = forms.CharField(
                label=gettext("Title in %(language)s") % {"language": name}, max_length=300, required=False
            )
        for code, name in _languages():
            self.fields[f"description_{code}"] = forms.CharField(
                label=gettext("Description in %(language)s") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    @property
    def title_fields(self) -> list[forms.BoundField]:
        return [self[f"title_{code}"] for code, _name in _languages()]

    @property
    def description_fields(self) -> list[forms.BoundField]:
        return [self[f"description_{code}"] for code, _name in _languages()]

    @staticmethod
    def initial_for(pathway: Pathway) -> dict[str, Any]:
        initial: dict[str, Any] = {"slug": pathway.slug, "places": pathway.places}
        for code, _name in _languages():
            initial[f"title_{code}"] = pathway.titles.get(code, "")
            initial[f"description_{code}"] = pathway.descriptions.get(code, "")
        return initial

    def texts(self, prefix: str, kept: dict[str, str] | None = None) -> dict[str, str]:
        texts = {lang: text for lang, text in (kept or {}).items() if lang not in dict(settings.LANGUAGES)}
        for code, _name in _languages():
            texts[code] = self.cleaned_data[f"{prefix}_{code}"]
        return texts


class ComponentForm(forms.Form):
    """One component: a course of the catalogue (institution and code), or a module (institution and title)."""

    institution = forms.ChoiceField(label=_("Member institution"), required=False)
    course_code = forms.CharField(
        label=_("Course code"),
        max_length=60,
        required=False,
        help_text=_("A course of the catalogue: its title, mode and credits are taken from it."),
    )
    title = forms.CharField(
        label=_("Module title"),
        max_length=300,
        required=False,
        help_text=_("For a module that is not in the catalogue (or to name a course differently)."),
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        required=False,
        choices=[("", _("As the course (physical for a module)")), *Mode.choices],
    )
    ects = forms.DecimalField(
        label=_("ECTS credits"), required=False, max_digits=5, decimal_places=1, help_text=_("Blank: the course's.")
    )
    prerequisites = forms.CharField(
        label=_("Requires components"),
        max_length=200,
        required=False,
        help_text=_("The numbers of earlier components, e.g. 1, 2"),
    )

    def __init__(
        self,
        *args: Any,
        institutions: dict[str, Institution] | None = None,
        courses: QuerySet[Course] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.institutions = institutions or {}
        self.courses = courses if courses is not None else Course.objects.none()
        choices = [(key, i.display_name) for key, i in self.institutions.items()]
        cast(forms.ChoiceField, self.fields["institution"]).choices = [("", _("— choose —")), *choices]

    @staticmethod
    def initial_for(component: PathwayComponent, number_of: dict[int, int]) -> dict[str, Any]:
        return {
            "institution": str(component.institution.public_id),
            "course_code": component.course.code if component.course else "",
            "title": component.title,
            "mode": component.mode,
            "ects": component.ects,
            "prerequisites": ", ".join(
                str(number_of[p.pk]) for p in component.prerequisites.all() if p.pk in number_of
            ),
        }

    def clean_prerequisites(self) -> list[int]:
        text = self.cleaned_data["prerequisites"].strip()
        numbers = [n for n in NUMBERS.split(text) if n]
        if not all(n.isdigit() for n in numbers):
            raise forms.ValidationError(
                _("Write the numbers of earlier components, separated by commas (e.g. 1, 2)."), code="numbers"
            )
        return [int(n) for n in numbers]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        institution = self.institutions.get(data.get("institution") or "")
        data["institution"] = institution
        code = (data.get("course_code") or "").strip()
        data["course"] = None
        if code:
            found = self.courses.filter(code__iexact=code)
            if institution is not None:
                found = found.filter(institution=institution)
            courses = list(found.select_related("institution")[:2])
            if not courses:
                where = institution.display_name if institution else gettext("the catalogue")
                self.add_error(
                    "course_code",
                    gettext(
                        "No course with the code “%(code)s” at %(where)s among the courses you can see (ours and "
                        "the alliance's shared courses)."
                    )
                    % {"code": code, "where": where},
                )
            elif len(courses) > 1:
                self.add_error(
                    "course_code",
                    gettext("Several institutions have a course “%(code)s”: choose the institution.") % {"code": code},
                )
            else:
                data["course"] = courses[0]
        return data

    def to_input(self, existing: PathwayComponent | None) -> ComponentInput:
        data = self.cleaned_data
        ects: Decimal | None = data.get("ects")
        return ComponentInput(
            institution=data["institution"],
            course=data["course"],
            title=(data.get("title") or "").strip(),
            mode=data.get("mode") or "",
            ects=ects,
            existing=existing,
        )


class BaseComponentFormSet(BaseFormSet[ComponentForm]):
    """The rows of components. Rows are numbered on the page (1, 2, ...): prerequisites name those numbers."""

    def filled_indexes(self) -> list[int]:
        """The rows to save, in order: every existing row unless removed, and the extra rows filled in."""
        return [
            i
            for i, form in enumerate(self.forms)
            if (i < self.initial_form_count() or form.has_changed())
            and not (self.can_delete and form.cleaned_data.get("DELETE", False))
        ]

    def clean(self) -> None:
        # Checked even when other rows have errors, so that every mistake shows at once.
        filled = set(self.filled_indexes())
        for i in filled:
            form = self.forms[i]
            for number in form.cleaned_data.get("prerequisites", []):
                if not 1 <= number <= len(self.forms) or number - 1 not in filled:
                    form.add_error(
                        "prerequisites",
                        gettext("There is no component %(number)s (an empty or removed row).") % {"number": number},
                    )


ComponentFormSet = cast(
    type[BaseComponentFormSet],
    forms.formset_factory(
        ComponentForm,
        formset=BaseComponentFormSet,
        extra=3,
        can_delete=True,
        can_delete_extra=False,
        max_num=MAX_ROWS,
        validate_max=True,
    ),
)


def pathway_input(
    form: PathwayForm,
    formset: BaseComponentFormSet,
    existing: list[PathwayComponent],
    pathway: Pathway | None = None,
) -> tuple[PathwayInput, list[int]]:
    """The input for the services, and for each component its row in the formset (to place problems).

    Row i of the formset edits existing[i] (the rows were drawn from them in order)."""
    rows = formset.filled_indexes()
    index_of = {row: i for i, row in enumerate(rows)}
    components = []
    for row in rows:
        row_form = formset.forms[row]
        item = row_form.to_input(existing[row] if row < len(existing) else None)
        item.prerequisites = [index_of[n - 1] for n in row_form.cleaned_data["prerequisites"] if n - 1 in index_of]
        components.append(item)
    data = form.cleaned_data
    return (
        PathwayInput(
            titles=form.texts("title", pathway.titles if pathway else None),
            slug=(data.get("slug") or "").strip(),
            descriptions=form.texts("description", pathway.descriptions if pathway else None),
            places=data.get("places"),
            components=components,
        ),
        rows,
    )


def show_problems(problems: list[Problem], form: PathwayForm, formset: BaseComponentFormSet, rows: list[int]) -> None:
    """Put each problem next to what it concerns: `slug` on the form, `components.1.ects` on that row."""
    first_title = f"title_{_languages()[0][0]}"
    for problem in problems:
        parts = problem.place.split(".") if problem.place else []
        if parts[:1] == ["components"] and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(rows):
            row = formset.forms[rows[int(parts[1])]]
            name = parts[2] if len(parts) > 2 else None
            if name in row.fields:
                row.add_error(name, problem.message)
            else:
                row.add_error(None, problem.message)
        elif parts == ["title"]:
            form.add_error(first_title, problem.message)
        elif parts and parts[0] in form.fields:
            form.add_error(parts[0], problem.message)
        else:
            form.add_error(None, problem.message)


class ApplyForm(forms.Form):
    motivation = forms.CharField(
        label=_("Why this Pathway?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A few lines for the people who decide: what you hope to learn, how it fits your studies."),
    )


class DecisionForm(forms.Form):
    """Accept or refuse: the two submit buttons carry `decision`, so one page can hold a form per application."""

    decision = forms.ChoiceField(label=_("Decision"), choices=[("accept", _("Accept")), ("refuse", _("Refuse"))])
    note = forms.CharField(
        label=_("Note to the student"),
        max_length=300,
        required=False,
        help_text=_("Sent with the decision by e-mail."),
    )


class ProgressForm(forms.Form):
    """Where a student stands on one component; prefixed per component (`c3-status`), one form per row."""

    status = forms.ChoiceField(label=_("Status"), choices=ComponentProgress.Status.choices)
    grade = forms.CharField(label=_("Grade"), max_length=20, required=False)
