"""The course matching page: for a course, the courses of one alliance member most likely to be recognised as
equivalent, with the reasons in plain words (issue 5, part 6).

Every member reads it (students too: it changes nothing); the course is loaded through `get_course_for`, so a
course the reader may not see answers 404. The candidates are the target's courses the reader may see, as in
`access.courses_for`: all of our own, the shared ones of the other members. The index lives in the process's
memory (matching/service.py): the page makes the same few SQL queries whatever the size of the catalogues.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django import forms
from django.http import HttpResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from mobilitas.catalogue.access import alliance_members, get_course_for
from mobilitas.catalogue.matching.explanation import Explanation
from mobilitas.catalogue.matching.metadata import CLOSE, DIFFERENT, EQUAL, RELATED, SAME
from mobilitas.catalogue.matching.service import Equivalent, suggest_equivalents
from mobilitas.catalogue.models import Course
from mobilitas.catalogue.views.courses import Text, pick
from mobilitas.institutions.models import Institution
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib.htmx import render_page_or_partial, wants_partial

SUGGESTIONS = 10
EQF_NAMES = {
    5: gettext_lazy("short cycle"),
    6: gettext_lazy("bachelor"),
    7: gettext_lazy("master"),
    8: gettext_lazy("doctorate"),
}


class TargetForm(forms.Form):
    target = forms.ChoiceField(
        label=gettext_lazy("Courses of"),
        help_text=gettext_lazy("The alliance member whose courses are compared with this one."),
    )

    def __init__(self, *args: Any, members: list[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {member.slug: member for member in members}
        field = self.fields["target"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 (for the type checker)
        field.choices = [(member.slug, member.display_name) for member in members]
        field.widget.attrs["aria-describedby"] = "id_target_help"
        field.error_messages["invalid_choice"] = _(
            "“%(value)s” is not a member of your alliances: choose one of the institutions in the list."
        )

    def chosen(self) -> Institution:
        return self.members[self.cleaned_data["target"]]


def _members(request: InstitutionRequest) -> list[Institution]:
    """Our institution first, then the other members of our alliances by name (one query)."""
    others = alliance_members(request).exclude(pk=request.institution.pk).order_by("name")
    return [request.institution, *others]


def default_target(course: Course, members: list[Institution], ours: Institution) -> Institution:
    """Another member's course is compared with our catalogue; ours with the first other member's."""
    if course.institution_id != ours.pk:
        return ours
    return next((member for member in members if member.pk != ours.pk), ours)


# Why a course was suggested, in the reader's language


def credits(value: Decimal | None) -> str:
    """6.0 -> "6", 7.5 -> "7.5" ("7,5" in French): credits as people write them."""
    if value is None:
        return "—"
    return number_format(value.to_integral_value() if value == value.to_integral_value() else value)


def _terms(terms: tuple[str, ...] | list[str]) -> str:
    # 'algoritmeja ~ algorithmen': the same word stem in two languages.
    return ", ".join(term.replace(" ~ ", " ≈ ") for term in terms)


def reasons(explanation: Explanation, query_code: str) -> list[str]:
    """The explanation's structured fields worded in the active language (Explanation.sentences() is English)."""
    said = []
    if explanation.shared_outcome_terms:
        said.append(
            _("Their learning outcomes share: %(terms)s.") % {"terms": _terms(explanation.shared_outcome_terms)}
        )
    other = [term for term in explanation.shared_terms if term not in explanation.shared_outcome_terms]
    if other:
        said.append(_("Words in common: %(terms)s.") % {"terms": _terms(other)})
    titles, texts = explanation.title_meaning_similarity, explanation.meaning_similarity
    if titles is not None and texts is not None:
        said.append(
            _("Similar in meaning (1 means the same): titles %(titles)s, texts %(texts)s.")
            % {"titles": number_format(titles, 2), "texts": number_format(texts, 2)}
        )
    elif texts is not None:
        said.append(_("Similar in meaning (1 means the same): %(texts)s.") % {"texts": number_format(texts, 2)})
    values = {
        "ects": credits(explanation.ects),
        "query_ects": credits(explanation.query_ects),
        "level": explanation.eqf_level,
        "query_level": explanation.query_eqf_level,
        "field": explanation.isced,
        "query_field": explanation.query_isced,
        "code": query_code,
    }
    if explanation.credits == EQUAL:
        said.append(_("Same credits: %(ects)s ECTS.") % values)
    elif explanation.credits == CLOSE:
        said.append(_("Close credits: %(ects)s ECTS, against %(query_ects)s for %(code)s.") % values)
    elif explanation.credits == DIFFERENT:
        said.append(_("Different credits: %(ects)s ECTS, against %(query_ects)s for %(code)s.") % values)
    else:
        said.append(_("Credits not compared: one of the two courses does not state them."))
    if explanation.level == SAME and explanation.eqf_level in EQF_NAMES:
        said.append(_("Same level: EQF %(level)s (%(name)s).") % {**values, "name": EQF_NAMES[explanation.eqf_level]})
    elif explanation.level == SAME:
        said.append(_("Same level: EQF %(level)s.") % values)
    elif explanation.level == DIFFERENT:
        said.append(_("Different level: EQF %(level)s, against %(query_level)s for %(code)s.") % values)
    if explanation.field == SAME:
        said.append(_("Same field of education: ISCED-F %(field)s.") % values)
    elif explanation.field == RELATED:
        said.append(_("Related field of education: ISCED-F %(field)s, against %(query_field)s for %(code)s.") % values)
    elif explanation.field == DIFFERENT:
        said.append(
            _("Different field of education: ISCED-F %(field)s, against %(query_field)s for %(code)s.") % values
        )
    return said


@dataclass(frozen=True)
class MatchRow:
    match: Equivalent
    title: Text
    percent: int
    reasons: list[str]


@require_safe
def course_matches(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    course = get_course_for(request, public_id)
    members = _members(request)
    chosen = request.GET.get("target") or default_target(course, members, request.institution).slug
    form = TargetForm({"target": chosen}, members=members)
    language = (get_language() or "en")[:2]
    context: dict[str, Any] = {
        "course": course,
        "title": pick(course.titles, language),
        "form": form,
        "matches_url": reverse("catalogue-course-matches", args=[institution_slug, course.public_id]),
    }
    status = 200
    if form.is_valid():
        target = form.chosen()
        found = suggest_equivalents(course, target, SUGGESTIONS, shared_only=target.pk != request.institution.pk)
        context["found"] = found
        context["rows"] = [
            MatchRow(
                match=match,
                title=pick(match.course.titles, language),
                percent=round(match.relevance * 100),
                reasons=reasons(match.explanation, course.code),
            )
            for match in found.suggestions
        ]
    elif not wants_partial(request):
        # HTMX 2 does not swap 4xx answers, so the partial says what is wrong with a 200.
        status = 400
    return render_page_or_partial(request, "catalogue/course_matches.html", "matches", context, status=status)
