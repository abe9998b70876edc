"""The columns of the agreements workbook: one list for the template, the import and the export.

A workbook has one row per cooperation condition. The agreement's columns are repeated on each of its rows
(the rows of one agreement share its code); an agreement without conditions (another kind, or an Erasmus+
agreement still being written) takes one row with the condition columns left blank.

Cells are written and read in one place each (`Column.parse` for reading, `writer.py` for writing), so what
an export writes is what an import reads: an exported workbook imports again unchanged.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, override

from mobilitas.agreements.models import Agreement, CooperationCondition
from mobilitas.agreements.spreadsheet.cells import (
    agreement_kinds,
    choice_parser,
    directions,
    mobility_types,
    parse_date,
    parse_decimal,
    parse_email,
    parse_eqf_levels,
    parse_language_skills,
    parse_programmes,
    parse_subject_areas,
    parse_whole_number,
    parse_yes_no,
    split_list,
    text_parser,
)  # fmt: skip
from mobilitas.lib.text import fold

Level = Literal["agreement", "condition"]


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise  # the header, in the language of the workbook
    level: Level
    meaning: Promise
    allowed: Promise
    example: str
    parse: Callable[[Any], Any]
    width: int = 16
    required: bool = False
    # Values offered by the cell's drop-down list (data validation).
    choices: Callable[[], list[str]] | None = None
    # Cells formatted as text, so that Excel keeps 0613 and "6, 7" as typed.
    text: bool = False
    is_date: bool = False

    def labels(self) -> set[str]:
        """The header in every language of the site, folded: a French template imports in an English session."""
        names = {fold(self.key.replace("_", " "))}
        for code, _name in settings.LANGUAGES:
            with override(code):
                names.add(fold(str(self.label)))
        return names


def _agreement(
    key: str,
    label: Promise,
    meaning: Promise,
    allowed: Promise,
    example: str,
    parse: Callable[[Any], Any],
    **kwargs: Any,
) -> Column:
    return Column(key, label, "agreement", meaning, allowed, example, parse, **kwargs)


def _condition(
    key: str,
    label: Promise,
    meaning: Promise,
    allowed: Promise,
    example: str,
    parse: Callable[[Any], Any],
    **kwargs: Any,
) -> Column:
    return Column(key, label, "condition", meaning, allowed, example, parse, **kwargs)


_TEXT = gettext_lazy("Text.")
_DATE = gettext_lazy("A date: 2026-03-31 or 31/03/2026 (or a date cell).")

COLUMNS: tuple[Column, ...] = (
    _agreement(
        "code",
        gettext_lazy("agreement code"),
        gettext_lazy("Our code for the agreement. Every row of the same agreement repeats it."),
        gettext_lazy("Text, unique among your agreements (at most 64 characters)."),
        "2026/E+/UPJV/0012",
        text_parser(Agreement, "code"),
        width=22,
        required=True,
        text=True,
    ),
    _agreement(
        "partner",
        gettext_lazy("partner code"),
        gettext_lazy("The partner institution, by its Erasmus code or its SCHAC code (EWP hei-id)."),
        gettext_lazy("An institution of the directory."),
        "E  MADRID05",
        text_parser(),
        width=18,
        required=True,
        text=True,
    ),
    _agreement(
        "kind",
        gettext_lazy("kind"),
        gettext_lazy("The kind of agreement; blank means erasmus."),
        gettext_lazy("erasmus, double-degree, joint-degree, cotutelle, research, network."),
        "erasmus",
        choice_parser(agreement_kinds, Agreement.Kind.ERASMUS),
        width=15,
        choices=agreement_kinds,
    ),
    _agreement(
        "ounit",
        gettext_lazy("our unit code"),
        gettext_lazy("The code of our organisational unit responsible for the agreement."),
        gettext_lazy("The code of one of your units, or blank."),
        "INSSET",
        text_parser(),
        width=14,
        text=True,
    ),
    _agreement(
        "partner_ounit_id",
        gettext_lazy("partner unit id"),
        gettext_lazy("The partner's EWP ounit-id, if any."),
        _TEXT,
        "",
        text_parser(Agreement, "partner_ounit_id"),
        width=16,
        text=True,
    ),
    _agreement(
        "partner_ounit_name",
        gettext_lazy("partner unit name"),
        gettext_lazy("The name of the partner's faculty or department, if any."),
        _TEXT,
        "ETSI Telecomunicación",
        text_parser(Agreement, "partner_ounit_name"),
        width=22,
    ),
    _agreement(
        "partner_iia_code",
        gettext_lazy("partner agreement code"),
        gettext_lazy("The partner's code for the agreement."),
        _TEXT,
        "2026-ERA-0345",
        text_parser(Agreement, "partner_iia_code"),
        width=18,
        text=True,
    ),
    _agreement(
        "signing_contact",
        gettext_lazy("our signatory e-mail"),
        gettext_lazy("The e-mail of the person who signs for us: a contact of your institution in your address book."),
        gettext_lazy("An e-mail address, or blank."),
        "rector@u-picardie.fr",
        text_parser(),
        width=24,
    ),
    _agreement(
        "signing_date",
        gettext_lazy("signing date"),
        gettext_lazy("When we signed."),
        _DATE,
        "2026-03-31",
        parse_date,
        width=13,
        is_date=True,
    ),
    _agreement(
        "partner_signing_name",
        gettext_lazy("partner signatory name"),
        gettext_lazy("Who signs for the partner."),
        _TEXT,
        "María López",
        text_parser(Agreement, "partner_signing_name"),
        width=20,
    ),
    _agreement(
        "partner_signing_email",
        gettext_lazy("partner signatory e-mail"),
        gettext_lazy("The e-mail of the partner's signatory."),
        gettext_lazy("An e-mail address, or blank."),
        "rectora@upm.es",
        parse_email,
        width=22,
    ),
    _agreement(
        "partner_signing_date",
        gettext_lazy("partner signing date"),
        gettext_lazy("When the partner signed."),
        _DATE,
        "2026-04-02",
        parse_date,
        width=13,
        is_date=True,
    ),
    _agreement(
        "title",
        gettext_lazy("title"),
        gettext_lazy("A title for the agreement (mostly for other kinds)."),
        _TEXT,
        "Double degree in telecommunications",
        text_parser(Agreement, "title"),
        width=24,
    ),
    _agreement(
        "programmes",
        gettext_lazy("programmes"),
        gettext_lazy("The degree programmes the agreement covers."),
        gettext_lazy("Programmes separated by ; or line breaks."),
        "MSc Networks; MSc Software",
        parse_programmes,
        width=24,
    ),
    _agreement(
        "start_date",
        gettext_lazy("start date"),
        gettext_lazy("Valid from (other kinds)."),
        _DATE,
        "2026-09-01",
        parse_date,
        width=13,
        is_date=True,
    ),
    _agreement(
        "end_date",
        gettext_lazy("end date"),
        gettext_lazy("Valid until (other kinds)."),
        _DATE,
        "2029-08-31",
        parse_date,
        width=13,
        is_date=True,
    ),
    _agreement("notes", gettext_lazy("notes"), gettext_lazy("Internal notes."), _TEXT, "", text_parser(), width=24),
    _agreement(
        "additional_partners",
        gettext_lazy("other partner codes"),
        gettext_lazy("Further partners of a multilateral agreement, by Erasmus or SCHAC code."),
        gettext_lazy("Codes separated by ;"),
        "I  MILANO02; D  BERLIN02",
        split_list,
        width=18,
        text=True,
    ),
    _condition(
        "condition_kind",
        gettext_lazy("mobility type"),
        gettext_lazy("What the cooperation condition offers."),
        gettext_lazy("student-studies, student-traineeship, staff-teacher, staff-training."),
        "student-studies",
        choice_parser(mobility_types),
        width=19,
        choices=mobility_types,
    ),
    _condition(
        "direction",
        gettext_lazy("direction"),
        gettext_lazy("out: we send people to the partner; in: the partner sends people to us."),
        gettext_lazy("out or in."),
        "out",
        choice_parser(directions),
        width=10,
        choices=directions,
    ),
    _condition(
        "first_year",
        gettext_lazy("first academic year"),
        gettext_lazy("The first academic year of the condition."),
        gettext_lazy("An academic year like 2026/2027."),
        "2026/2027",
        text_parser(),
        width=12,
        text=True,
    ),
    _condition(
        "last_year",
        gettext_lazy("last academic year"),
        gettext_lazy("The last academic year of the condition."),
        gettext_lazy("An academic year like 2026/2027."),
        "2028/2029",
        text_parser(),
        width=12,
        text=True,
    ),
    _condition(
        "mobilities_per_year",
        gettext_lazy("mobilities per year"),
        gettext_lazy("How many people may go each year."),
        gettext_lazy("A whole number, at least 1."),
        "2",
        parse_whole_number,
        width=11,
    ),
    _condition(
        "total_months_per_year",
        gettext_lazy("total months per year"),
        gettext_lazy("Student mobility: the months of all mobilities of one year together."),
        gettext_lazy("A number (up to two decimals); blank for staff."),
        "10",
        parse_decimal,
        width=11,
    ),
    _condition(
        "total_days_per_year",
        gettext_lazy("total days per year"),
        gettext_lazy("Staff mobility: the days of all mobilities of one year together."),
        gettext_lazy("A number (up to two decimals); blank for students."),
        "",
        parse_decimal,
        width=11,
    ),
    _condition(
        "blended",
        gettext_lazy("blended"),
        gettext_lazy("Student mobility: blended mobility is possible."),
        gettext_lazy("yes or no (blank means no)."),
        "no",
        parse_yes_no,
        width=9,
    ),
    _condition(
        "eqf_levels",
        gettext_lazy("EQF levels"),
        gettext_lazy("Student mobility: the study levels (EQF) it is for."),
        gettext_lazy("Levels 1 to 8 separated by commas."),
        "6, 7",
        parse_eqf_levels,
        width=10,
        text=True,
    ),
    _condition(
        "subject_areas",
        gettext_lazy("subject areas"),
        gettext_lazy("The ISCED-F fields of education, each with an optional clarification."),
        gettext_lazy("4-digit ISCED-F codes, each followed by an optional clarification, separated by ;"),
        "0613 Software; 0714",
        parse_subject_areas,
        width=24,
        text=True,
    ),
    _condition(
        "language_skills",
        gettext_lazy("language skills"),
        gettext_lazy(
            "Recommended language skills: the language, the CEFR level, and optionally the ISCED-F code and "
            "clarification it applies to. Required for studies and teaching."
        ),
        gettext_lazy("Language code (en, fr, pt-BR) and level (A1 to C2, NS), separated by ;"),
        "en B2; fr B1",
        parse_language_skills,
        width=18,
        text=True,
    ),
    _condition(
        "sending_ounit_id",
        gettext_lazy("sending unit id"),
        gettext_lazy("The EWP ounit-id of the sending unit, when the condition is limited to one."),
        _TEXT,
        "",
        text_parser(CooperationCondition, "sending_ounit_id"),
        width=14,
        text=True,
    ),
    _condition(
        "receiving_ounit_id",
        gettext_lazy("receiving unit id"),
        gettext_lazy("The EWP ounit-id of the receiving unit, when the condition is limited to one."),
        _TEXT,
        "",
        text_parser(CooperationCondition, "receiving_ounit_id"),
        width=14,
        text=True,
    ),
    _condition(
        "other_info",
        gettext_lazy("other information"),
        gettext_lazy("Anything else the condition says."),
        _TEXT,
        "",
        text_parser(),
        width=24,
    ),
)

COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
AGREEMENT_KEYS = tuple(c.key for c in COLUMNS if c.level == "agreement")
CONDITION_KEYS = tuple(c.key for c in COLUMNS if c.level == "condition")
REQUIRED_KEYS = tuple(c.key for c in COLUMNS if c.required)
