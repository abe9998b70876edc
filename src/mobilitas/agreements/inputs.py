"""What a user (page, API, spreadsheet) submits for an agreement, and the rules the IIA v7 spec states.

`validate()` returns every problem at once, each with the place it concerns (`conditions.2.subject_areas.0`)
and a translated message, so that a form, an API response or an import report can point at it.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _

from mobilitas.agreements.iia_data import LANGUAGE_REQUIRED_KINDS, STUDENT_KINDS
from mobilitas.agreements.models import Agreement, CooperationCondition, LanguageSkill
from mobilitas.institutions.models import Contact, Institution, OrganisationalUnit
from mobilitas.lib import academic_years
from mobilitas.lib.errors import DomainError

ISCED_RE = re.compile(r"^\d{4}$")
# BCP 47 as EWP uses it: a 2-3 letter language, optional subtags ("en", "pt-BR", "sr-Latn").
LANGUAGE_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
EQF_LEVELS = range(1, 9)

Direction = Literal["out", "in"]


@dataclass
class SubjectAreaInput:
    isced_code: str
    clarification: str = ""


@dataclass
class LanguageSkillInput:
    language: str
    cefr_level: str = ""
    isced_code: str = ""
    clarification: str = ""


@dataclass
class ConditionInput:
    kind: str
    direction: Direction  # "out": we send to the partner; "in": the partner sends to us
    first_year: str
    last_year: str
    mobilities_per_year: int
    total_months_per_year: Decimal | None = None
    total_days_per_year: Decimal | None = None
    blended: bool = False
    eqf_levels: list[int] = field(default_factory=list)
    subject_areas: list[SubjectAreaInput] = field(default_factory=list)
    language_skills: list[LanguageSkillInput] = field(default_factory=list)
    other_info: str = ""
    sending_ounit_id: str = ""
    receiving_ounit_id: str = ""

    @classmethod
    def from_condition(cls, condition: CooperationCondition, agreement: Agreement) -> "ConditionInput":
        return cls(
            kind=condition.kind,
            direction="out" if condition.sending_id == agreement.institution_id else "in",
            first_year=condition.first_year,
            last_year=condition.last_year,
            mobilities_per_year=condition.mobilities_per_year,
            total_months_per_year=condition.total_months_per_year,
            total_days_per_year=condition.total_days_per_year,
            blended=condition.blended,
            eqf_levels=list(condition.eqf_levels),
            subject_areas=[SubjectAreaInput(a.isced_code, a.clarification) for a in condition.subject_areas.all()],
            language_skills=[
                LanguageSkillInput(s.language, s.cefr_level, s.isced_code, s.clarification)
                for s in condition.language_skills.all()
            ],
            other_info=condition.other_info,
            sending_ounit_id=condition.sending_ounit_id,
            receiving_ounit_id=condition.receiving_ounit_id,
        )


@dataclass
class AgreementInput:
    partner: Institution
    code: str
    kind: str = Agreement.Kind.ERASMUS
    ounit: OrganisationalUnit | None = None
    partner_ounit_id: str = ""
    partner_ounit_name: str = ""
    partner_iia_code: str = ""
    signing_contact: Contact | None = None
    signing_date: date | None = None
    partner_signing_name: str = ""
    partner_signing_email: str = ""
    partner_signing_date: date | None = None
    title: str = ""
    programmes: str = ""
    start_date: date | None = None
    end_date: date | None = None
    notes: str = ""
    additional_partners: list[Institution] = field(default_factory=list)
    conditions: list[ConditionInput] = field(default_factory=list)

    @classmethod
    def from_agreement(cls, agreement: Agreement) -> "AgreementInput":
        return cls(
            partner=agreement.partner,
            code=agreement.code,
            kind=agreement.kind,
            ounit=agreement.ounit,
            partner_ounit_id=agreement.partner_ounit_id,
            partner_ounit_name=agreement.partner_ounit_name,
            partner_iia_code=agreement.partner_iia_code,
            signing_contact=agreement.signing_contact,
            signing_date=agreement.signing_date,
            partner_signing_name=agreement.partner_signing_name,
            partner_signing_email=agreement.partner_signing_email,
            partner_signing_date=agreement.partner_signing_date,
            title=agreement.title,
            programmes=agreement.programmes,
            start_date=agreement.start_date,
            end_date=agreement.end_date,
            notes=agreement.notes,
            additional_partners=list(agreement.additional_partners.all()),
            conditions=[ConditionInput.from_condition(c, agreement) for c in agreement.conditions.all()],
        )


@dataclass(frozen=True)
class Problem:
    place: str  # "code", "conditions.1.subject_areas.0.isced_code", ...
    message: str


class InvalidAgreement(DomainError):
    """Every problem found, so that a form or an API answer can show them all at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems), field=problems[0].place if problems else None)
        self.problems = problems


def _year_problems(condition: ConditionInput, at: str) -> list[Problem]:
    problems = []
    for name in ("first_year", "last_year"):
        value = getattr(condition, name)
        if not academic_years.is_valid(value):
            problems.append(
                Problem(
                    f"{at}.{name}",
                    _("“%(value)s” is not an academic year: write it like 2026/2027.") % {"value": value},
                )
            )
    if not problems and condition.first_year > condition.last_year:
        problems.append(
            Problem(
                f"{at}.last_year",
                _("The last academic year (%(last)s) comes before the first (%(first)s).")
                % {"last": condition.last_year, "first": condition.first_year},
            )
        )
    return problems


def _duration_problems(condition: ConditionInput, at: str) -> list[Problem]:
    problems = []
    student = condition.kind in STUDENT_KINDS
    months, days = condition.total_months_per_year, condition.total_days_per_year
    if student and days is not None:
        problems.append(Problem(f"{at}.total_days_per_year", _("Student mobility is counted in months, not days.")))
    if not student and months is not None:
        problems.append(Problem(f"{at}.total_months_per_year", _("Staff mobility is counted in days, not months.")))
    for name, value in (("total_months_per_year", months), ("total_days_per_year", days)):
        if value is not None and value <= 0:
            problems.append(Problem(f"{at}.{name}", _("The total duration per year must be more than zero.")))
    if not student and (condition.blended or condition.eqf_levels):
        problems.append(
            Problem(f"{at}.eqf_levels", _("Blended mobility and EQF levels apply to student mobility only."))
        )
    for level in condition.eqf_levels:
        if level not in EQF_LEVELS:
            problems.append(
                Problem(f"{at}.eqf_levels", _("EQF level %(level)s does not exist (1 to 8).") % {"level": level})
            )
    if len(set(condition.eqf_levels)) != len(condition.eqf_levels):
        problems.append(Problem(f"{at}.eqf_levels", _("An EQF level is listed twice.")))
    return problems


def _isced_problem(code: str, place: str) -> Problem | None:
    if ISCED_RE.match(code):
        return None
    return Problem(place, _("ISCED-F code “%(code)s” must have exactly four digits, e.g. 0613.") % {"code": code})


def _subject_problems(condition: ConditionInput, at: str) -> list[Problem]:
    problems = []
    codes = [a.isced_code for a in condition.subject_areas]
    for i, area in enumerate(condition.subject_areas):
        if problem := _isced_problem(area.isced_code, f"{at}.subject_areas.{i}.isced_code"):
            problems.append(problem)
    if len(set(codes)) != len(codes):
        problems.append(Problem(f"{at}.subject_areas", _("A subject area is listed twice.")))
    return problems


def _language_problems(condition: ConditionInput, at: str) -> list[Problem]:
    problems = []
    if condition.kind in LANGUAGE_REQUIRED_KINDS and not condition.language_skills:
        problems.append(
            Problem(
                f"{at}.language_skills",
                _("Mobility for studies or for teaching needs at least one recommended language skill."),
            )
        )
    cefr = set(LanguageSkill.Cefr.values)
    for i, skill in enumerate(condition.language_skills):
        place = f"{at}.language_skills.{i}"
        if not LANGUAGE_RE.match(skill.language):
            problems.append(
                Problem(
                    f"{place}.language",
                    _("“%(value)s” is not a language code: use a code like en, fr or pt-BR.")
                    % {"value": skill.language},
                )
            )
        if skill.cefr_level and skill.cefr_level not in cefr:
            problems.append(
                Problem(
                    f"{place}.cefr_level",
                    _("“%(value)s” is not a CEFR level (A1 to C2, or NS).") % {"value": skill.cefr_level},
                )
            )
        if skill.isced_code and (problem := _isced_problem(skill.isced_code, f"{place}.isced_code")):
            problems.append(problem)
        if skill.clarification and not skill.isced_code:
            problems.append(Problem(f"{place}.clarification", _("A clarification needs an ISCED-F code.")))
    return problems


def condition_problems(condition: ConditionInput, index: int) -> list[Problem]:
    at = f"conditions.{index}"
    if condition.kind not in CooperationCondition.Kind.values:
        return [Problem(f"{at}.kind", _("“%(value)s” is not a mobility type.") % {"value": condition.kind})]
    problems = []
    if condition.direction not in ("out", "in"):
        problems.append(Problem(f"{at}.direction", _("Say whether we send or receive.")))
    if condition.mobilities_per_year is None or condition.mobilities_per_year < 1:
        problems.append(Problem(f"{at}.mobilities_per_year", _("Mobilities per year must be at least 1.")))
    return (
        problems
        + _year_problems(condition, at)
        + _duration_problems(condition, at)
        + _subject_problems(condition, at)
        + _language_problems(condition, at)
    )


def validate(institution: Institution, data: AgreementInput) -> list[Problem]:
    problems: list[Problem] = []
    if not data.code.strip():
        problems.append(Problem("code", _("Give the agreement a code.")))
    if data.partner.pk == institution.pk:
        problems.append(Problem("partner", _("An agreement needs a partner other than ourselves.")))
    if data.kind not in Agreement.Kind.values:
        problems.append(Problem("kind", _("“%(value)s” is not a kind of agreement.") % {"value": data.kind}))
    if data.ounit is not None and data.ounit.institution_id != institution.pk:
        problems.append(Problem("ounit", _("The responsible unit must be one of ours.")))
    if data.start_date and data.end_date and data.start_date > data.end_date:
        problems.append(Problem("end_date", _("The agreement ends before it starts.")))
    if data.kind != Agreement.Kind.ERASMUS and data.conditions:
        problems.append(Problem("conditions", _("Only Erasmus+ agreements have cooperation conditions.")))
    for index, condition in enumerate(data.conditions):
        problems += condition_problems(condition, index)
    return problems
