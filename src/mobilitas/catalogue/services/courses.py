"""Courses of the catalogue: create, edit, share and unshare. One transaction and one audit event each.

What a page, the API or an import submits for a course is a `CourseInput`; `validate_course` returns every
problem at once, each with the field it concerns (`titles.fi` for one language's title) and a translated
message, so that a form, an API answer or an import report can point at it. Imports (`catalogue.importing`)
check their rows with the same rules and write them in one transaction with one audit event per import.
"""

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from mobilitas import audit
from mobilitas.catalogue.models import Course, Mode, Term
from mobilitas.institutions.models import Institution, OrganisationalUnit
from mobilitas.lib.errors import Conflict, DomainError

# ISO 639-1 codes (639-2/3 for the few languages without one): "en", "fi", "sv", "smn".
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
# ISCED-F 2013: a broad field (2 digits, 00 to 10), a narrow field (3) or a detailed field (4).
ISCED_RE = re.compile(r"^(0\d|10)\d{0,2}$")
MAX_ECTS = Decimal("999.9")
MAX_TITLE = 500
MAX_TEXT = 20_000
MAX_LANGUAGES = 10
TEXT_FIELDS = ("titles", "descriptions", "learning_outcomes")
# The fields a CourseInput sets on a course, in the order forms and reports list them.
FIELDS = (
    "code",
    "titles",
    "descriptions",
    "learning_outcomes",
    "ects",
    "eqf_level",
    "isced_code",
    "languages",
    "mode",
    "term",
    "programme",
    "ounit",
    "alliance_places",
    "contact_name",
    "contact_email",
    "url",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a course: `field` is a CourseInput field, or `titles.fi` for one language's text."""

    field: str
    message: str


class InvalidCourse(DomainError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(p.message for p in problems), field=problems[0].field if problems else None)
        self.problems = problems


@dataclass
class CourseInput:
    code: str
    titles: dict[str, str]
    descriptions: dict[str, str] = field(default_factory=dict)
    learning_outcomes: dict[str, str] = field(default_factory=dict)
    ects: Decimal | None = None
    eqf_level: int | None = None
    isced_code: str = ""
    languages: list[str] = field(default_factory=list)
    mode: str = Mode.PHYSICAL
    term: str = ""
    programme: str = ""
    ounit: OrganisationalUnit | None = None
    alliance_places: int | None = None
    contact_name: str = ""
    contact_email: str = ""
    url: str = ""

    @classmethod
    def from_course(cls, course: Course) -> "CourseInput":
        values = {name: getattr(course, name) for name in FIELDS}
        for name in TEXT_FIELDS:
            values[name] = dict(values[name] or {})
        values["languages"] = list(values["languages"] or [])
        return cls(**values)

    def normalised(self) -> "CourseInput":
        """Spaces trimmed, empty texts dropped, language codes in lower case and each once."""
        return replace(
            self,
            code=self.code.strip(),
            titles=_texts(self.titles),
            descriptions=_texts(self.descriptions),
            learning_outcomes=_texts(self.learning_outcomes),
            isced_code=self.isced_code.strip(),
            languages=list(dict.fromkeys(code.strip().lower() for code in self.languages if code.strip())),
            mode=self.mode or Mode.PHYSICAL,
            term=self.term or "",
            programme=self.programme.strip(),
            contact_name=self.contact_name.strip(),
            contact_email=self.contact_email.strip(),
            url=self.url.strip(),
        )


def _texts(texts: dict[str, str]) -> dict[str, str]:
    cleaned = {}
    for language, text in texts.items():
        text = (text or "").strip()
        if text:
            cleaned[language.strip().lower()] = text
    return cleaned


def validate_course(institution: Institution, data: CourseInput) -> list[Problem]:
    """Every problem of `data` (normalised first), none when it can be saved (the code's uniqueness aside)."""
    data = data.normalised()
    problems: list[Problem] = []

    def problem(name: str, message: str) -> None:
        problems.append(Problem(name, message))

    if not data.code:
        problem("code", _("The course code is missing."))
    elif len(data.code) > 60:
        problem("code", _("The course code is longer than 60 characters."))
    if not data.titles:
        problem("titles", _("Give the course a title in at least one language."))
    for name in TEXT_FIELDS:
        limit = MAX_TITLE if name == "titles" else MAX_TEXT
        for language, text in getattr(data, name).items():
            if not LANGUAGE_RE.match(language):
                problem(
                    f"{name}.{language}",
                    _("“%(code)s” is not a language code: write it like en, fr or fi.") % {"code": language},
                )
            elif len(text) > limit:
                problem(
                    f"{name}.{language}",
                    _("The text in “%(language)s” is longer than %(max)d characters.")
                    % {"language": language, "max": limit},
                )
    problems += [Problem("ects", m) for m in ects_problems(data.ects)]
    if data.eqf_level is not None and not 1 <= data.eqf_level <= 8:
        problem("eqf_level", _("The EQF level is %(level)s: it must be 1 to 8.") % {"level": data.eqf_level})
    if data.isced_code and not ISCED_RE.match(data.isced_code):
        problem(
            "isced_code",
            _("“%(code)s” is not an ISCED-F field: write 2 to 4 digits starting 00 to 10, like 06, 061 or 0613.")
            % {"code": data.isced_code},
        )
    for code in data.languages:
        if not LANGUAGE_RE.match(code):
            problem(
                "languages",
                _("“%(code)s” is not a language code: write codes like en, fr or fi.") % {"code": code},
            )
    if len(data.languages) > MAX_LANGUAGES:
        problem("languages", _("Give at most %(max)d languages of instruction.") % {"max": MAX_LANGUAGES})
    if data.mode not in Mode.values:
        problem(
            "mode",
            _("“%(mode)s” is not a mode: choose %(choices)s.") % {"mode": data.mode, "choices": ", ".join(Mode.values)},
        )
    if data.term not in Term.values:
        terms = ", ".join(t for t in Term.values if t)
        problem("term", _("“%(term)s” is not a term: choose %(choices)s.") % {"term": data.term, "choices": terms})
    if len(data.programme) > 300:
        problem("programme", _("The programme is longer than 300 characters."))
    if data.ounit is not None and data.ounit.institution_id != institution.pk:
        problem("ounit", _("This unit is not one of your institution's."))
    if data.alliance_places is not None and data.alliance_places < 0:
        problem("alliance_places", _("The number of places cannot be negative."))
    if len(data.contact_name) > 200:
        problem("contact_name", _("The contact's name is longer than 200 characters."))
    if data.contact_email:
        try:
            validate_email(data.contact_email)
        except ValidationError:
            problem("contact_email", _("“%(email)s” is not an e-mail address.") % {"email": data.contact_email})
    if data.url:
        try:
            URLValidator(schemes=["http", "https"])(data.url)
        except ValidationError:
            problem("url", _("“%(url)s” is not a web address starting with https://.") % {"url": data.url})
        else:
            if len(data.url) > 500:
                problem("url", _("The web address is longer than 500 characters."))
    return problems


def ects_problems(ects: Decimal | None) -> list[str]:
    if ects is None:
        return []
    try:
        finite = ects.is_finite()
    except (AttributeError, InvalidOperation):
        finite = False
    if not finite:
        return [_("The ECTS credits are not a number.")]
    if ects <= 0:
        return [_("The ECTS credits are %(ects)s: they must be more than 0.") % {"ects": ects}]
    if ects > MAX_ECTS:
        return [_("The ECTS credits are %(ects)s: that is more than %(max)s.") % {"ects": ects, "max": MAX_ECTS}]
    exponent = ects.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -1:
        return [_("The ECTS credits are %(ects)s: give at most one decimal, like 7.5.") % {"ects": ects}]
    return []


def apply_input(course: Course, data: CourseInput) -> list[str]:
    """Set `data` on `course` (not saved); returns the names of the fields that changed."""
    changed = []
    for name in FIELDS:
        value = getattr(data, name)
        if name == "ounit":
            if course.ounit_id != (value.pk if value else None):
                course.ounit = value
                changed.append(name)
        elif getattr(course, name) != value:
            setattr(course, name, value)
            changed.append(name)
    course.refresh_search_text()
    return changed


def _check(institution: Institution, data: CourseInput, *, exclude_pk: int | None = None) -> None:
    problems = validate_course(institution, data)
    taken = Course.objects.filter(institution=institution, code=data.code)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if data.code and taken.exists():
        problems.insert(0, Problem("code", _("Another course already has the code “%(code)s”.") % {"code": data.code}))
    if problems:
        raise InvalidCourse(problems)


@transaction.atomic
def create_course(institution: Institution, data: CourseInput, *, actor: Any) -> Course:
    if not institution.hosted:
        raise DomainError(_("Only an institution hosted here keeps a catalogue."))
    data = data.normalised()
    _check(institution, data)
    course = Course(institution=institution)
    apply_input(course, data)
    course.save()
    audit.record("course.created", actor=actor, institution=institution, obj=course, data={"code": course.code})
    return course


@transaction.atomic
def update_course(course: Course, data: CourseInput, *, actor: Any) -> Course:
    course = Course.objects.select_for_update(of=("self",)).select_related("institution").get(pk=course.pk)
    data = data.normalised()
    _check(course.institution, data, exclude_pk=course.pk)
    changed = apply_input(course, data)
    if changed:
        course.save()
        audit.record(
            "course.updated", actor=actor, institution=course.institution, obj=course, data={"changed": changed}
        )
    return course


def _set_shared(course: Course, shared: bool, *, actor: Any) -> Course:
    locked = Course.objects.select_for_update(of=("self",)).select_related("institution").get(pk=course.pk)
    if locked.shared == shared:
        if shared:
            raise Conflict(_("This course is already shared with the alliance."))
        raise Conflict(_("This course is not shared with the alliance."))
    locked.shared = shared
    locked.save(update_fields=["shared", "search_text", "updated_at"])
    audit.record(
        "course.shared" if shared else "course.unshared",
        actor=actor,
        institution=locked.institution,
        obj=locked,
        data={"code": locked.code},
    )
    return locked


@transaction.atomic
def share_course(course: Course, *, actor: Any) -> Course:
    """Offer the course to the students of the alliance's other members."""
    return _set_shared(course, True, actor=actor)


@transaction.atomic
def unshare_course(course: Course, *, actor: Any) -> Course:
    """Take the course out of the shared catalogue; enrolments already requested go on."""
    return _set_shared(course, False, actor=actor)


# The language taught in most at an institution of each country, offered next to English and French.
LOCAL_LANGUAGES = {
    "AT": "de", "BE": "nl", "BG": "bg", "CH": "de", "CY": "el", "CZ": "cs", "DE": "de", "DK": "da", "EE": "et",
    "ES": "es", "FI": "fi", "FR": "fr", "GR": "el", "HR": "hr", "HU": "hu", "IE": "en", "IS": "is", "IT": "it",
    "LI": "de", "LT": "lt", "LU": "fr", "LV": "lv", "MK": "mk", "MT": "mt", "NL": "nl", "NO": "no", "PL": "pl",
    "PT": "pt", "RO": "ro", "RS": "sr", "SE": "sv", "SI": "sl", "SK": "sk", "TR": "tr", "GB": "en", "UA": "uk",
}  # fmt: skip


def text_languages(institution: Institution) -> list[str]:
    """The languages a new course's texts are asked in: English, French and the institution's own."""
    local = LOCAL_LANGUAGES.get(institution.country, "")
    return list(dict.fromkeys(code for code in ("en", "fr", local) if code))
