"""Reasons in plain words, in the active language: "Your first choice, D1, was full: the last admitted score...".

Every sentence is translated once per batch (`explain_all` over a whole round), then filled in with named
placeholders. Scores are shown with at most two decimals, or more when two different scores would otherwise
read the same.
"""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext, gettext_noop, ngettext

from mobilitas.applications.allocation.data import Reason, ReasonCode

ORDINALS = (
    # Translators: the ordinal in "your first choice".
    gettext_noop("first"),
    gettext_noop("second"),
    gettext_noop("third"),
    gettext_noop("fourth"),
    gettext_noop("fifth"),
    gettext_noop("sixth"),
    gettext_noop("seventh"),
    gettext_noop("eighth"),
    gettext_noop("ninth"),
    gettext_noop("tenth"),
)
# Translators: the ordinal in "your no. 11 choice", past the tenth.
OTHER_ORDINAL = gettext_noop("no. %(number)s")

SENTENCES = {
    ReasonCode.BONUS: gettext_noop(
        "Your score of %(yours)s includes a bonus of %(bonus)s for applicants with fewer opportunities."
    ),
    ReasonCode.INELIGIBLE: gettext_noop(
        "Your %(ordinal)s choice, %(destination)s, was ignored: you are not eligible for it."
    ),
    ReasonCode.NO_PLACES: gettext_noop("Your %(ordinal)s choice, %(destination)s, offered no places."),
    ReasonCode.FULL: gettext_noop(
        "Your %(ordinal)s choice, %(destination)s, was full: the last admitted score was %(last)s, yours %(yours)s; "
        "you are number %(position)s on its waiting list."
    ),
    ReasonCode.FULL_RESERVED: gettext_noop(
        "Your %(ordinal)s choice, %(destination)s, was full: all its places were reserved for applicants with "
        "fewer opportunities and went to them; you are number %(position)s on its waiting list."
    ),
    ReasonCode.ADMITTED: gettext_noop("You were admitted to your %(ordinal)s choice, %(destination)s."),
    ReasonCode.NOT_ADMITTED: gettext_noop("You were not admitted to any of your choices."),
    ReasonCode.NO_ELIGIBLE_CHOICE: gettext_noop("You chose no destination you are eligible for."),
    ReasonCode.NO_CHOICE: gettext_noop("You chose no destination."),
}
TIE = gettext_noop(
    "Your %(ordinal)s choice, %(destination)s, was full: the last admitted score was %(last)s, the same as yours, "
    "and the draw put you after; you are number %(position)s on its waiting list."
)
ADMITTED_RESERVED = gettext_noop(
    "You were admitted to your %(ordinal)s choice, %(destination)s, on a place reserved for applicants with fewer "
    "opportunities."
)


def format_score(value: float, digits: int = 2) -> str:
    """15 -> "15", 14.25 -> "14.25", 13.333 -> "13.33": at most `digits` decimals, no trailing zeros."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_scores(first: float, second: float) -> tuple[str, str]:
    """Both scores, with enough decimals that different scores never read the same."""
    for digits in (2, 4, 6, 9):
        shown = format_score(first, digits), format_score(second, digits)
        if (shown[0] == shown[1]) == (first == second):
            return shown
    return repr(first), repr(second)


class _Sentences:
    """The sentences translated once into the active language, and the scores already formatted."""

    def __init__(self) -> None:
        self.templates = {code: gettext(text) for code, text in SENTENCES.items()}
        self.full_template = self.templates[ReasonCode.FULL]
        self.tie = gettext(TIE)
        self.admitted_reserved = gettext(ADMITTED_RESERVED)
        self.ordinals = [gettext(ordinal) for ordinal in ORDINALS]
        self.other_ordinal = gettext(OTHER_ORDINAL)
        self.scores: dict[float, str] = {}
        self.reserved_sentences: dict[int, str] = {}

    def ordinal(self, rank: int) -> str:
        if 0 < rank <= len(self.ordinals):
            return self.ordinals[rank - 1]
        return self.other_ordinal % {"number": rank}

    def score(self, value: float) -> str:
        shown = self.scores.get(value)
        if shown is None:
            shown = self.scores[value] = format_score(value)
        return shown

    def render(self, reason: Reason) -> str:
        code = ReasonCode(reason.code)  # a plain string when the reason was stored as JSON
        if code is ReasonCode.FULL:
            return self.full(reason)
        values = {
            "ordinal": self.ordinal(reason.rank) if reason.rank else "",
            "destination": reason.destination,
            "position": reason.position,
        }
        if code is ReasonCode.BONUS:
            values["yours"], values["bonus"] = self.score(reason.yours), self.score(reason.bonus)
        if code is ReasonCode.ADMITTED and reason.reserved:
            return self.admitted_reserved % values
        return self.templates[code] % values

    def full(self, reason: Reason) -> str:
        _code, rank, destination, last, yours, _bonus, reserved, position = reason
        shown_last, shown_yours = self.score(last), self.score(yours)
        if shown_last == shown_yours and last != yours:
            shown_last, shown_yours = format_scores(last, yours)
        text = (self.tie if last == yours else self.full_template) % {
            "ordinal": self.ordinal(rank),
            "destination": destination,
            "last": shown_last,
            "yours": shown_yours,
            "position": position,
        }
        return text + " " + self.kept_for_others(reserved) if reserved else text

    def kept_for_others(self, count: int) -> str:
        if count not in self.reserved_sentences:
            self.reserved_sentences[count] = ngettext(
                "Its %(count)s place reserved for applicants with fewer opportunities went to one of them.",
                "Its %(count)s places reserved for applicants with fewer opportunities went to them.",
                count,
            ) % {"count": count}
        return self.reserved_sentences[count]


def explain(reasons: Iterable[Reason]) -> str:
    """One applicant's explanation in the active language."""
    sentences = _Sentences()
    return " ".join([sentences.render(reason) for reason in reasons])


def explain_all(reasons: Mapping[str, Iterable[Reason]]) -> dict[str, str]:
    """Every applicant's explanation in the active language, translating each sentence once."""
    sentences = _Sentences()
    full, full_code = sentences.full, ReasonCode.FULL
    others: dict[Reason, str] = {}  # the other sentences recur (the same ignored choice, the same admission)

    def render(reason: Reason) -> str:
        if reason[0] == full_code:
            return full(reason)
        text = others.get(reason)
        if text is None:
            text = others[reason] = sentences.render(reason)
        return text

    return {applicant: " ".join([render(reason) for reason in listed]) for applicant, listed in reasons.items()}
