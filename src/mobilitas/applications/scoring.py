"""The score of an application: the weighted mean of normalised criteria, on 0..20, plus the officer's adjustment.

Each criterion is normalised to 0..1:

- grade average: grade_average / grade_scale (capped to 0..1);
- language level: the best CEFR level declared, A1 = 1/6 ... C2 = 6/6, a native speaker ("NS") = 1;
- motivation: the coordinator's motivation score / 20;
- fewer opportunities: 1 when declared, else 0.

score = 20 x sum(weight x value) / sum(weights) + adjustment, rounded half up to two decimals. A criterion whose
weight is above 0 but whose value is missing (no motivation score yet, no grade, no language) leaves the
application "not scored yet": `score_of` answers None, and the allocation cannot run until it is scored.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mobilitas.applications.models import CEFR_LEVELS, Application, Call

CENT = Decimal("0.01")
SCALE = Decimal(20)
NATIVE = "NS"
LEVELS = {level: Decimal(number) / Decimal(len(CEFR_LEVELS)) for number, level in enumerate(CEFR_LEVELS, start=1)}
LEVELS[NATIVE] = Decimal(1)

GRADES, LANGUAGE, MOTIVATION, FEWER_OPPORTUNITIES = "grades", "language", "motivation", "fewer_opportunities"
LABELS: dict[str, Promise] = {
    GRADES: _("Grade average"),
    LANGUAGE: _("Language level"),
    MOTIVATION: _("Motivation"),
    FEWER_OPPORTUNITIES: _("Fewer opportunities"),
}


@dataclass(frozen=True)
class Criterion:
    """One criterion of one application: `value` on 0..1 (None: missing), `points` its share of the 0..20 score."""

    key: str
    label: Any
    weight: Decimal
    shown: str  # what the applicant or the coordinator gave: "14.00/20", "B2", "15/20", "yes"
    value: Decimal | None
    points: Decimal | None

    @property
    def counts(self) -> bool:
        return self.weight > 0

    @property
    def missing(self) -> bool:
        return self.counts and self.value is None


def _number(value: Decimal) -> str:
    """14.50 -> "14.5", 14.00 -> "14": as people write grades."""
    return format(value.normalize(), "f")


def best_language_level(languages: Any) -> tuple[str, Decimal] | None:
    """The best level declared (("C1", 5/6), ("NS", 1)), or None when none is a CEFR level."""
    if not isinstance(languages, dict):
        return None
    best: tuple[str, Decimal] | None = None
    for level in languages.values():
        code = str(level).strip().upper()
        value = LEVELS.get(code)
        if value is not None and (best is None or value > best[1]):
            best = (code, value)
    return best


def _grades(application: Application) -> tuple[str, Decimal | None]:
    average, scale = application.grade_average, application.grade_scale
    if average is None or not scale or scale <= 0:
        return ("—" if average is None else _number(Decimal(average))), None
    value = min(max(Decimal(average) / Decimal(scale), Decimal(0)), Decimal(1))
    return f"{_number(Decimal(average))}/{_number(Decimal(scale))}", value


def _language(application: Application) -> tuple[str, Decimal | None]:
    best = best_language_level(application.languages)
    if best is None:
        return "—", None
    language = next(
        (code for code, level in application.languages.items() if str(level).strip().upper() == best[0]), ""
    )
    return (f"{best[0]} ({language})" if language else best[0]), best[1]


def _motivation(application: Application) -> tuple[str, Decimal | None]:
    score = application.motivation_score
    if score is None:
        return "—", None
    return f"{_number(Decimal(score))}/20", min(max(Decimal(score) / SCALE, Decimal(0)), Decimal(1))


def _fewer(application: Application) -> tuple[str, Decimal | None]:
    return (str(_("yes")) if application.fewer_opportunities else str(_("no"))), Decimal(
        int(application.fewer_opportunities)
    )


def breakdown(application: Application, call: Call | None = None) -> list[Criterion]:
    """Every criterion of the call (weight 0 included), its value on 0..1 and the points it brings on 0..20."""
    call = call or application.call
    weights = {
        GRADES: Decimal(call.weight_grades),
        LANGUAGE: Decimal(call.weight_language),
        MOTIVATION: Decimal(call.weight_motivation),
        FEWER_OPPORTUNITIES: Decimal(call.weight_fewer_opportunities),
    }
    total = sum(weights.values(), Decimal(0))
    values = {
        GRADES: _grades(application),
        LANGUAGE: _language(application),
        MOTIVATION: _motivation(application),
        FEWER_OPPORTUNITIES: _fewer(application),
    }
    criteria = []
    for key, (shown, value) in values.items():
        weight = weights[key]
        points = None
        if value is not None and total > 0:
            points = (SCALE * weight * value / total).quantize(CENT, rounding=ROUND_HALF_UP)
        criteria.append(Criterion(key, LABELS[key], weight, shown, value, points))
    return criteria


def score_from(criteria: list[Criterion], adjustment: Decimal) -> Decimal | None:
    """The score from a breakdown (exact sum, rounded once at the end), None while a weighted criterion is missing."""
    if any(criterion.missing for criterion in criteria):
        return None
    total = sum((criterion.weight for criterion in criteria), Decimal(0))
    mean = Decimal(0)
    if total > 0:
        weighted = sum(
            (criterion.weight * criterion.value for criterion in criteria if criterion.value is not None), Decimal(0)
        )
        mean = SCALE * weighted / total
    return (mean + Decimal(adjustment or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def score_of(application: Application, call: Call | None = None) -> Decimal | None:
    """The application's score on 0..20 (adjustment included), or None while it is not scored yet."""
    return score_from(breakdown(application, call), Decimal(application.adjustment or 0))


def missing_criteria(application: Application, call: Call | None = None) -> list[str]:
    """The labels of the weighted criteria still missing (what keeps the application unscored)."""
    return [str(criterion.label) for criterion in breakdown(application, call) if criterion.missing]
