"""Reading one cell of an agreements workbook: what openpyxl gives (text, number, date, bool) to an input value.

Each parser raises `CellError` with a translated message that quotes the value, so that the import can say
"line 7, column 'signing date': “31/02/2026” is not a date."
"""

import functools
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import override

from mobilitas.agreements.inputs import LanguageSkillInput, SubjectAreaInput
from mobilitas.agreements.models import Agreement, CooperationCondition, LanguageSkill, SubjectArea
from mobilitas.lib.text import fold

# Dates typed as text: ISO (2026-03-31) or day first, as Europe writes them (31/03/2026, 31.03.2026).
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_INTEGER = re.compile(r"^\+?\d+$")
_LIST_SEPARATOR = re.compile(r"\s*[;\n]\s*")
_CEFR = {level.upper(): level for level in LanguageSkill.Cefr.values}
# The largest value a duration column holds (DecimalField(max_digits=7, decimal_places=2)).
_MAX_DURATION = Decimal("99999.99")


class CellError(ValueError):
    """What is wrong with one cell; `message` is translated and quotes the value."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _quoted(value: Any) -> str:
    return f"“{value}”"


def cell_text(value: Any) -> str:
    """A cell's value as the text a person sees: 2 for 2.0, 2026-03-31 for a date cell, '' for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


# --- the value parsers: a cell value (as openpyxl reads it) to what the inputs hold ----------------------------


def parse_text(value: Any, max_length: int | None = None) -> str:
    text = cell_text(value)
    if max_length is not None and len(text) > max_length:
        raise CellError(
            _("%(value)s is longer than %(max)d characters.")
            % {"value": _quoted(text if len(text) <= 40 else text[:40] + "…"), "max": max_length}
        )
    return text


def parse_date(value: Any) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if match := _ISO_DATE.match(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _DAY_FIRST_DATE.match(text):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    else:
        raise CellError(
            _("%(value)s is not a date: write it like 2026-03-31 or 31/03/2026.") % {"value": _quoted(text)}
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(_("%(value)s is not a date.") % {"value": _quoted(text)}) from None


def parse_whole_number(value: Any) -> int:
    """A positive whole number; 0 for an empty cell (the rules then say the number is missing)."""
    text = cell_text(value)
    if not text:
        return 0
    if not _INTEGER.match(text):
        raise CellError(_("%(value)s is not a whole number.") % {"value": _quoted(text)})
    return int(text)


def parse_decimal(value: Any) -> Decimal | None:
    if isinstance(value, float):
        value = repr(value)  # 4.5 stays 4.5, not 4.5000000000000001...
    text = cell_text(value).replace(",", ".").replace(" ", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("%(value)s is not a number.") % {"value": _quoted(cell_text(value))}) from None
    exponent = number.normalize().as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise CellError(_("%(value)s: give at most two decimals.") % {"value": _quoted(cell_text(value))})
    if abs(number) > _MAX_DURATION:
        raise CellError(_("%(value)s is too large.") % {"value": _quoted(cell_text(value))})
    return number


@functools.cache
def yes_no_words() -> tuple[frozenset[str], frozenset[str]]:
    """The words read as yes and as no, in every language of the site."""
    yes, no = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
    for code, _name in settings.LANGUAGES:
        with override(code):
            yes.add(fold(_("yes")))
            no.add(fold(_("no")))
    return frozenset(yes), frozenset(no)


def parse_yes_no(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = fold(cell_text(value))
    if not text:
        return False
    yes, no = yes_no_words()
    if text in yes:
        return True
    if text in no:
        return False
    raise CellError(_("%(value)s: write yes or no.") % {"value": _quoted(cell_text(value))})


def parse_eqf_levels(value: Any) -> list[int]:
    """'6, 7' -> [6, 7]; a number cell 6 -> [6]."""
    text = cell_text(value)
    if not text:
        return []
    words = [word for word in re.split(r"[\s,;]+", text) if word]
    if not all(word.isdigit() for word in words):
        raise CellError(_("%(value)s is not a list of EQF levels: write them like 6, 7.") % {"value": _quoted(text)})
    return [int(word) for word in words]


def split_list(value: Any) -> list[str]:
    """The items of a cell that lists several things, separated by ';' or line breaks."""
    return [item for item in _LIST_SEPARATOR.split(cell_text(value)) if item]


def _isced(word: str, value: Any) -> str:
    # Excel turns a typed 0613 into the number 613 unless the cell is text: give the zero back.
    return word.zfill(4) if isinstance(value, int | float) else word


def parse_subject_areas(value: Any) -> list[SubjectAreaInput]:
    """'0613 Software; 0714' -> two subject areas (ISCED-F code, then an optional clarification)."""
    areas = []
    limit = _max_length(SubjectArea, "clarification")
    for item in split_list(value):
        code, _sep, clarification = item.partition(" ")
        if len(clarification.strip()) > limit:
            raise CellError(
                _("The clarification of %(code)s is longer than %(max)d characters.") % {"code": code, "max": limit}
            )
        areas.append(SubjectAreaInput(_isced(code, value), clarification.strip()))
    return areas


def parse_language_skills(value: Any) -> list[LanguageSkillInput]:
    """'en B2; fr B1 0613 Software' -> language, optional CEFR level, optional ISCED-F code and clarification."""
    skills = []
    for item in split_list(value):
        words = item.split()
        language, rest = words[0], words[1:]
        level = ""
        if rest and rest[0].upper() in _CEFR:
            level = _CEFR[rest.pop(0).upper()]
        isced = ""
        if rest and rest[0].isdigit():
            isced = rest.pop(0)
        clarification = " ".join(rest)
        if clarification and not isced:
            raise CellError(
                _(
                    "%(value)s: after the language comes a CEFR level (A1 to C2, or NS), then an optional ISCED-F "
                    "code and clarification, e.g. “en B2 0613 Software”."
                )
                % {"value": _quoted(item)}
            )
        if len(language) > _max_length(LanguageSkill, "language"):
            raise CellError(
                _("%(value)s is not a language code: use a code like en, fr or pt-BR.") % {"value": _quoted(language)}
            )
        if len(clarification) > _max_length(LanguageSkill, "clarification"):
            raise CellError(_("The clarification of %(value)s is too long.") % {"value": _quoted(item[:40])})
        skills.append(LanguageSkillInput(language, level, isced, clarification))
    return skills


def _max_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


def choice_parser(allowed: Callable[[], list[str]], blank: str = "") -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = cell_text(value).lower()
        if not text:
            return blank
        if text not in allowed():
            raise CellError(
                _("%(value)s is not one of: %(allowed)s.")
                % {"value": _quoted(cell_text(value)), "allowed": ", ".join(allowed())}
            )
        return text

    return parse


def text_parser(model: Any = None, name: str = "") -> Callable[[Any], str]:
    limit = _max_length(model, name) if model is not None else None
    return lambda value: parse_text(value, limit)


def parse_email(value: Any) -> str:
    text = parse_text(value, _max_length(Agreement, "partner_signing_email"))
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(_("%(value)s is not an e-mail address.") % {"value": _quoted(text)}) from None
    return text


def parse_programmes(value: Any) -> str:
    return "\n".join(split_list(value))


def agreement_kinds() -> list[str]:
    return list(Agreement.Kind.values)


def mobility_types() -> list[str]:
    return list(CooperationCondition.Kind.values)


def directions() -> list[str]:
    return ["out", "in"]
