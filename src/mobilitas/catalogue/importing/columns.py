"""The columns of a course file (CSV or XLSX): one list for the template, its "Read me" sheet and the import.

A file has one row per course. Its first row names the columns, in any order: `code` and at least one title
column are required, every other column may be left out. Texts take one column per language, named with the
language's code: `title_en`, `title_fi`, `description_de`, `outcomes_fr` (learning outcomes).

Each parser takes what a cell holds (text from a CSV; text, a number or a bool from XLSX) and returns the value
of the course, or raises `CellError` with a translated message that quotes the value.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mobilitas.catalogue.models import Mode, Term
from mobilitas.lib.text import fold

# title_en, description_fi, outcomes_sv (the language code in lower case).
TEXT_COLUMN_RE = re.compile(r"^(title|description|outcomes)_([a-z]{2,3})$")
TEXT_KINDS = {"title": "titles", "description": "descriptions", "outcomes": "learning_outcomes"}
_LIST_SEPARATOR = re.compile(r"[,;/\s]+")
_INTEGER = re.compile(r"^\+?\d+$")
_YES = {"yes", "y", "true", "1", "x", "oui", "o", "vrai", "ja", "si", "kylla"}
_NO = {"no", "n", "false", "0", "non", "faux", "nein", "ei"}


class CellError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _quoted(text: str) -> str:
    return f"“{text if len(text) <= 40 else text[:40] + '…'}”"


def cell_text(value: Any) -> str:
    """A cell as a person reads it: 6 for 6.0, 2026-03-31 for a date cell, '' for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def parse_text(value: Any) -> str:
    return cell_text(value)


def parse_ects(value: Any) -> Decimal | None:
    if isinstance(value, float):
        value = repr(value)  # 7.5 stays 7.5
    text = cell_text(value).replace(",", ".").replace(" ", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(
            _("%(value)s is not a number of ECTS credits.") % {"value": _quoted(cell_text(value))}
        ) from None
    if not number.is_finite():
        raise CellError(_("%(value)s is not a number of ECTS credits.") % {"value": _quoted(cell_text(value))})
    return number


def parse_whole_number(value: Any) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    if not _INTEGER.match(text):
        raise CellError(_("%(value)s is not a whole number.") % {"value": _quoted(text)})
    return int(text)


def parse_eqf(value: Any) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    if not _INTEGER.match(text) or not 1 <= int(text) <= 8:
        raise CellError(_("%(value)s is not an EQF level: write a number from 1 to 8.") % {"value": _quoted(text)})
    return int(text)


def parse_isced(value: Any) -> str:
    text = cell_text(value)
    if text and not re.fullmatch(r"\d{2,4}", text):
        raise CellError(
            _("%(value)s is not an ISCED-F field: write 2 to 4 digits, like 06, 061 or 0613.")
            % {"value": _quoted(text)}
        )
    if text and not re.match(r"^(0\d|10)", text):
        raise CellError(
            _(
                "%(value)s is not an ISCED-F field: fields start with 00 to 10. If a spreadsheet dropped a leading "
                "zero, format the column as text."
            )
            % {"value": _quoted(text)}
        )
    return text


def parse_languages(value: Any) -> list[str]:
    text = cell_text(value)
    codes = [code.lower() for code in _LIST_SEPARATOR.split(text) if code]
    for code in codes:
        if not re.fullmatch(r"[a-z]{2,3}", code):
            raise CellError(
                _("%(value)s is not a language code: write codes like en, fr, fi separated by commas.")
                % {"value": _quoted(code)}
            )
    return list(dict.fromkeys(codes))


_CHOICE_ALIASES = {"fall": "autumn", "annual": "year", "full year": "year", "online": "virtual", "hybrid": "blended"}


def _choice(value: Any, choices: list[tuple[str, Any]], name: Promise, default: str) -> str:
    text = fold(cell_text(value))
    if not text:
        return default
    text = _CHOICE_ALIASES.get(text, text)
    for key, label in choices:
        if key and text in (key, fold(str(label))):
            return str(key)
    allowed = ", ".join(key for key, _label in choices if key)
    raise CellError(
        _("%(value)s is not a %(name)s: write one of %(allowed)s.")
        % {"value": _quoted(cell_text(value)), "name": name, "allowed": allowed}
    )


def parse_mode(value: Any) -> str:
    return _choice(value, Mode.choices, gettext_lazy("mode"), Mode.PHYSICAL)


def parse_term(value: Any) -> str:
    return _choice(value, Term.choices, gettext_lazy("term"), "")


def parse_yes_no(value: Any) -> bool | None:
    """True or False; None for an empty cell (an existing course then keeps its value)."""
    text = fold(cell_text(value))
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(_("%(value)s: write yes or no.") % {"value": _quoted(cell_text(value))})


@dataclass(frozen=True)
class Column:
    key: str  # the header the template writes; also the name of the value
    meaning: Promise
    allowed: Promise
    example: str
    parse: Callable[[Any], Any]
    required: bool = False
    width: int = 14
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        gettext_lazy("The course code at your institution; a code already in the catalogue updates that course."),
        gettext_lazy("Text, at most 60 characters, once per file."),
        "CS-A1110",
        parse_text,
        required=True,
        width=14,
        aliases=("course_code",),
    ),
    Column(
        "ects",
        gettext_lazy("ECTS credits."),
        gettext_lazy("A number more than 0 with at most one decimal (7.5 or 7,5)."),
        "5",
        parse_ects,
        width=8,
        aliases=("credits", "ects_credits"),
    ),
    Column(
        "eqf_level",
        gettext_lazy("The level of study on the European Qualifications Framework: 6 bachelor, 7 master, 8 doctorate."),
        gettext_lazy("A whole number from 1 to 8."),
        "6",
        parse_eqf,
        width=9,
        aliases=("eqf",),
    ),
    Column(
        "isced",
        gettext_lazy("The ISCED-F 2013 field of education."),
        gettext_lazy("2 to 4 digits (broad, narrow or detailed field), like 06, 061 or 0613."),
        "0613",
        parse_isced,
        width=8,
        aliases=("isced_code", "isced_f"),
    ),
    Column(
        "languages",
        gettext_lazy("The languages the course is taught in."),
        gettext_lazy("Language codes separated by commas."),
        "en, fi",
        parse_languages,
        width=12,
        aliases=("languages_of_instruction", "language"),
    ),
    Column(
        "mode",
        gettext_lazy("How the course is taught; blank means physical."),
        gettext_lazy("physical, virtual or blended."),
        "blended",
        parse_mode,
        width=10,
    ),
    Column(
        "term",
        gettext_lazy("When the course runs; blank means not stated."),
        gettext_lazy("autumn, spring, summer or year."),
        "autumn",
        parse_term,
        width=10,
        aliases=("semester",),
    ),
    Column(
        "programme",
        gettext_lazy("The programme the course belongs to."),
        gettext_lazy("Text, at most 300 characters."),
        "Bachelor's Programme in Science and Technology",
        parse_text,
        width=24,
        aliases=("program",),
    ),
    Column(
        "unit_code",
        gettext_lazy("The code of your organisational unit that teaches the course."),
        gettext_lazy("The code of one of your units (see the Organisation page), or blank."),
        "SCI",
        parse_text,
        width=10,
        aliases=("unit", "ounit"),
    ),
    Column(
        "alliance_places",
        gettext_lazy("Places for students of the other alliance members; blank means no limit stated."),
        gettext_lazy("A whole number."),
        "5",
        parse_whole_number,
        width=9,
        aliases=("places",),
    ),
    Column(
        "contact_name",
        gettext_lazy("Who answers questions about the course."),
        gettext_lazy("Text, at most 200 characters."),
        "Student services",
        parse_text,
        width=18,
        aliases=("contact",),
    ),
    Column(
        "contact_email",
        gettext_lazy("The contact's e-mail."),
        gettext_lazy("An e-mail address."),
        "studies@example.edu",
        parse_text,
        width=22,
        aliases=("email",),
    ),
    Column(
        "url",
        gettext_lazy("The course's web page."),
        gettext_lazy("A web address starting with https://."),
        "https://example.edu/courses/cs-a1110",
        parse_text,
        width=24,
        aliases=("web_page", "link"),
    ),
    Column(
        "shared",
        gettext_lazy(
            "Whether the alliance shares the course. Blank keeps a course's current setting (new courses: no)."
        ),
        gettext_lazy("yes or no."),
        "yes",
        parse_yes_no,
        width=8,
    ),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
# Header as a person may write it (folded, spaces and hyphens as underscores) -> column key.
HEADER_NAMES = {name: column.key for column in COLUMNS for name in (column.key, *column.aliases)}
TEXT_KIND_ALIASES = {"name": "title", "learning_outcomes": "outcomes", "content": "description"}

# The text columns the template offers, with what each means.
TEXT_COLUMN_HELP = (
    ("title", gettext_lazy("The course title in that language; at least one title is required.")),
    ("description", gettext_lazy("The description (content) in that language.")),
    ("outcomes", gettext_lazy("The learning outcomes in that language.")),
)


def header_key(header: str) -> str:
    """'Title EN' -> 'title_en', 'Unit code' -> 'unit_code': how headers are compared."""
    return re.sub(r"[\s\-]+", "_", fold(header)).strip("_")


def text_column(key: str) -> tuple[str, str] | None:
    """'title_fi' -> ('titles', 'fi'); also 'name_fi', 'learning_outcomes_fi'; None for another column."""
    for alias, kind in TEXT_KIND_ALIASES.items():
        if key.startswith(alias + "_"):
            key = kind + key[len(alias) :]
            break
    if match := TEXT_COLUMN_RE.match(key):
        return TEXT_KINDS[match[1]], match[2]
    return None
