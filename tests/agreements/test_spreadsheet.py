"""Agreements in workbooks: the template, the import (all rows or none, every problem by line) and the export."""

import io
import tempfile
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from mobilitas.agreements import services
from mobilitas.agreements.access import with_conditions
from mobilitas.agreements.inputs import AgreementInput, LanguageSkillInput, SubjectAreaInput
from mobilitas.agreements.models import Agreement
from mobilitas.agreements.spreadsheet import COLUMNS, ImportRejected, import_agreements, write_workbook
from mobilitas.agreements.spreadsheet.cells import (
    CellError,
    parse_date,
    parse_decimal,
    parse_eqf_levels,
    parse_language_skills,
    parse_subject_areas,
    parse_yes_no,
)
from mobilitas.agreements.spreadsheet.importer import _comparable
from mobilitas.audit.models import AuditEvent
from mobilitas.institutions.models import Contact
from tests.base import TenantTestCase
from tests.factories import make_agreement, make_institution, make_ounit, studies_condition

KEYS = [column.key for column in COLUMNS]
HEADER = [str(column.label) for column in COLUMNS]
STUDIES: dict[str, Any] = {
    "condition_kind": "student-studies",
    "direction": "out",
    "first_year": "2026/2027",
    "last_year": "2028/2029",
    "mobilities_per_year": 2,
    "total_months_per_year": 10,
    "eqf_levels": "6, 7",
    "subject_areas": "0613 Software",
    "language_skills": "en B2",
}


def workbook(rows: list[dict[str, Any]] | list[list[Any]], header: list[str] | None = None) -> bytes:
    """A workbook with the template's header (or `header`) and `rows` (dicts by column key, or plain lists)."""
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append([row.get(key) for key in KEYS] if isinstance(row, dict) else row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def messages(rejected: ImportRejected) -> list[str]:
    return [str(rejection) for rejection in rejected.rejections]


# --- cells ------------------------------------------------------------------------------------------------------


def test_it_reads_dates_as_cells_iso_or_day_first() -> None:
    assert parse_date(date(2026, 3, 31)) == date(2026, 3, 31)
    assert parse_date("2026-03-31") == parse_date("31/03/2026") == parse_date("31.03.2026") == date(2026, 3, 31)
    assert parse_date("") is None
    with pytest.raises(CellError, match=r"“31/02/2026” is not a date\.$"):
        parse_date("31/02/2026")
    with pytest.raises(CellError, match="is not a date: write it like 2026-03-31"):
        parse_date("March 2026")


def test_it_reads_lists_the_way_the_template_writes_them() -> None:
    assert parse_subject_areas("0613 Software engineering; 0714") == [
        SubjectAreaInput("0613", "Software engineering"),
        SubjectAreaInput("0714", ""),
    ]
    assert parse_subject_areas(613) == [SubjectAreaInput("0613", "")]  # Excel ate the leading zero
    assert parse_language_skills("en B2; fr b1 0613 Software; es") == [
        LanguageSkillInput("en", "B2"),
        LanguageSkillInput("fr", "B1", "0613", "Software"),
        LanguageSkillInput("es", ""),
    ]
    with pytest.raises(CellError, match="after the language comes a CEFR level"):
        parse_language_skills("en fluent")
    assert parse_eqf_levels("6, 7") == parse_eqf_levels("6;7") == [6, 7]
    assert parse_eqf_levels(6) == [6]
    with pytest.raises(CellError, match="not a list of EQF levels"):
        parse_eqf_levels("bachelor")


def test_it_reads_numbers_and_yes_no() -> None:
    assert parse_decimal(4.5) == Decimal("4.5")
    assert parse_decimal("4,5") == Decimal("4.5")
    assert parse_decimal(None) is None
    with pytest.raises(CellError, match="at most two decimals"):
        parse_decimal("4.555")
    with pytest.raises(CellError, match="is not a number"):
        parse_decimal("ten")
    assert parse_yes_no("yes") and parse_yes_no("Oui") and parse_yes_no(True)
    assert not parse_yes_no("no") and not parse_yes_no(None) and not parse_yes_no("non")
    with pytest.raises(CellError, match="write yes or no"):
        parse_yes_no("maybe")


# --- template ---------------------------------------------------------------------------------------------------


def test_the_template_has_every_column_drop_down_lists_and_a_read_me() -> None:
    book = openpyxl.load_workbook(io.BytesIO(write_workbook()))
    assert book.sheetnames == ["Agreements", "Read me"]
    sheet = book["Agreements"]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert sheet.max_row == 1  # no example row that would be imported by mistake
    assert sheet.freeze_panes == "B2"
    lists = {validation.formula1 for validation in sheet.data_validations.dataValidation}
    assert '"out,in"' in lists
    assert '"student-studies,student-traineeship,staff-teacher,staff-training"' in lists
    assert any("double-degree" in formula for formula in lists)
    assert '"yes,no"' in lists
    read_me = [[cell.value for cell in row] for row in book["Read me"].iter_rows()]
    documented = {row[0] for row in read_me}
    assert set(HEADER) <= documented
    subject_row = next(row for row in read_me if row[0] == "subject areas")
    assert subject_row[4] == "0613 Software; 0714"


class SpreadsheetImportTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.madrid = make_institution(
            name="UNIVERSIDAD POLITÉCNICA DE MADRID", country="ES", erasmus_code="E  MADRID05", schac_code="upm.es"
        )
        cls.porto = make_institution(name="UNIVERSIDADE DO PORTO", country="PT", erasmus_code="P  PORTO02")
        cls.unit = make_ounit(cls.inst_a, "INSSET", "INSSET")
        cls.rector = Contact.objects.create(
            institution=cls.inst_a, partner=cls.inst_a, name="Rector", email="rector@a.test"
        )

    def import_rows(self, rows: list[dict[str, Any]], **kwargs: Any) -> Any:
        return import_agreements(self.inst_a, workbook(rows), actor=self.alice, **kwargs)

    def rejected(self, data: bytes) -> list[str]:
        with self.assertRaises(ImportRejected) as caught:
            import_agreements(self.inst_a, data, actor=self.alice)
        self.assertFalse(Agreement.objects.exists(), "a rejected import saves nothing")
        return messages(caught.exception)

    def test_it_imports_agreements_with_their_conditions(self) -> None:
        report = self.import_rows(
            [
                {
                    "code": "2026/E+/A/0001",
                    "partner": "E MADRID05",  # collapsed padding, as published lists write it
                    "ounit": "insset",
                    "signing_contact": "Rector@a.test",
                    "signing_date": date(2026, 3, 31),
                    "partner_signing_name": "María López",
                    "partner_signing_date": "02/04/2026",
                    **STUDIES,
                    "blended": "yes",
                    "subject_areas": "0613 Software; 0714",
                    "language_skills": "es B1; en B2 0613 Software",
                },
                {
                    "code": "2026/E+/A/0001",
                    "condition_kind": "staff-teacher",
                    "direction": "in",
                    "first_year": "2026/2027",
                    "last_year": "2027/2028",
                    "mobilities_per_year": 1,
                    "total_days_per_year": 5,
                    "language_skills": "en C1",
                },
                {"code": "DD-1", "partner": "upm.es", "kind": "double-degree", "start_date": "2026-09-01",
                 "programmes": "MSc Networks; MSc Software", "title": "Double degree"},
            ]
        )  # fmt: skip
        self.assertEqual((report.created, report.updated, report.unchanged, report.rows), (2, 0, 0, 3))
        erasmus = Agreement.objects.get(code="2026/E+/A/0001")
        self.assertEqual(
            (erasmus.partner, erasmus.ounit, erasmus.signing_contact), (self.madrid, self.unit, self.rector)
        )
        self.assertEqual((erasmus.signing_date, erasmus.partner_signing_date), (date(2026, 3, 31), date(2026, 4, 2)))
        studies, teaching = erasmus.conditions.order_by("position")
        self.assertEqual(
            (studies.kind, studies.sending, studies.receiving), ("student-studies", self.inst_a, self.madrid)
        )
        self.assertEqual((studies.total_months_per_year, studies.eqf_levels, studies.blended), (10, [6, 7], True))
        self.assertEqual([str(a) for a in studies.subject_areas.all()], ["0613 Software", "0714"])
        skills = [(s.language, s.cefr_level, s.isced_code, s.clarification) for s in studies.language_skills.all()]
        self.assertEqual(skills, [("es", "B1", "", ""), ("en", "B2", "0613", "Software")])
        self.assertEqual(
            (teaching.kind, teaching.sending, teaching.total_days_per_year), ("staff-teacher", self.madrid, 5)
        )
        degree = Agreement.objects.get(code="DD-1")
        self.assertEqual((degree.kind, degree.start_date), ("double-degree", date(2026, 9, 1)))
        self.assertEqual(degree.programme_list, ["MSc Networks", "MSc Software"])
        self.assertFalse(degree.conditions.exists())
        self.assertEqual(AuditEvent.objects.filter(action="agreement.created", actor=self.alice).count(), 2)
        event = AuditEvent.objects.get(action="agreements.imported")
        self.assertEqual((event.institution, event.data["created"]), (self.inst_a, 2))

    def test_it_reports_every_rejected_row_by_line_and_column_and_saves_nothing(self) -> None:
        rows = [
            {"code": "GOOD", "partner": "E  MADRID05", **STUDIES},
            {"code": "BAD-1", "partner": "E  MADRID05", "signing_date": "31/02/2026", **STUDIES},
            {"code": "BAD-2", "partner": "X  NOWHERE01", **STUDIES},
            {"code": "BAD-3", "partner": "P  PORTO02", **STUDIES, "condition_kind": "student-party"},
            {
                "code": "BAD-4",
                "partner": "P  PORTO02",
                **STUDIES,
                "subject_areas": "613a",
                "mobilities_per_year": "two",
            },
            {"code": "BAD-5", "partner": "P  PORTO02", **STUDIES, "language_skills": None, "ounit": "NOPE"},
            {"partner": "P  PORTO02", **STUDIES},
        ]
        found = self.rejected(workbook(rows))
        self.assertEqual(
            found,
            [
                "line 3, column 'signing date': “31/02/2026” is not a date.",
                "line 4, column 'partner code': No institution of the directory has the Erasmus or SCHAC code "
                "“X  NOWHERE01”.",
                "line 5, column 'mobility type': “student-party” is not one of: student-studies, "
                "student-traineeship, staff-teacher, staff-training.",
                "line 6, column 'mobilities per year': “two” is not a whole number.",
                "line 6, column 'subject areas': ISCED-F code “613a” must have exactly four digits, e.g. 0613.",
                "line 7, column 'our unit code': “NOPE” is not the code of one of your units.",
                "line 7, column 'language skills': Mobility for studies or for teaching needs at least one "
                "recommended language skill.",
                "line 8, column 'agreement code': The agreement code is missing: every row repeats it.",
            ],
        )
        self.assertFalse(AuditEvent.objects.exists())

    def test_it_names_a_wrong_or_missing_column(self) -> None:
        header = [("partnr code" if label == "partner code" else label) for label in HEADER]
        found = self.rejected(workbook([["X", "E  MADRID05"]], header=header))
        self.assertEqual(
            found,
            [
                "line 1, column 'partnr code': This is not a column of the template: did you mean 'partner code'?",
                "line 1, column 'partner code': This column is missing.",
            ],
        )
        found = self.rejected(
            workbook(
                [["X", "E  MADRID05", "student-studies"]], header=["agreement code", "partner code", "mobility type"]
            )
        )
        self.assertIn("line 1, column 'direction': This column is missing.", found)
        self.assertIn("line 1, column 'first academic year': This column is missing.", found)

    def test_it_refuses_a_column_twice_or_values_without_a_column_name(self) -> None:
        found = self.rejected(
            workbook([["A", "E  MADRID05", "x", "B"]], header=["agreement code", "Partner Code", "", "partner code"])
        )
        self.assertEqual(
            found,
            [
                "line 1, column 'partner code': This column appears twice.",
                "line 1, column 'C': This column has values but no name in the first row.",
            ],
        )

    def test_blank_rows_are_skipped_and_lines_stay_those_of_the_sheet(self) -> None:
        rows: list[dict[str, Any]] = [{"code": "A", "partner": "E  MADRID05", **STUDIES}, {}, {}]
        found = self.rejected(workbook([*rows, {"code": "A", **STUDIES, "first_year": "2026-2027"}]))
        self.assertEqual(
            found,
            ["line 5, column 'first academic year': “2026-2027” is not an academic year: write it like 2026/2027."],
        )

    def test_columns_may_come_in_any_order_and_be_left_out(self) -> None:
        data = workbook([["research", "upm.es", "R-1"]], header=["Kind", "partner code", "Agreement  code"])
        import_agreements(self.inst_a, data, actor=self.alice)
        self.assertEqual(Agreement.objects.get().kind, "research")

    def test_it_refuses_a_file_that_is_not_a_workbook(self) -> None:
        expected = ["The file is not an Excel workbook (.xlsx) that can be read. Save it as .xlsx and try again."]
        self.assertEqual(self.rejected(b"agreement code;partner code\n"), expected)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        self.assertEqual(self.rejected(buffer.getvalue()), expected)
        self.assertEqual(
            self.rejected(workbook([])[:2000]),
            expected,
            "a truncated upload",
        )

    def test_rows_of_one_agreement_must_agree(self) -> None:
        rows = [
            {"code": "A", "partner": "E  MADRID05", "title": "Computing", **STUDIES},
            {"code": "A", **STUDIES, "direction": "in"},  # blank agreement cells repeat the agreement
            {"code": "A", "partner": "P  PORTO02", **STUDIES},
        ]
        found = self.rejected(workbook(rows))
        self.assertEqual(
            found,
            [
                "line 4, column 'partner code': It differs from line 2 of the same agreement: the rows of one "
                "agreement must agree."
            ],
        )

    def test_an_existing_draft_is_updated_and_a_shared_agreement_rejected(self) -> None:
        self.inst_a.schac_code = "a.test"
        self.inst_a.save()
        draft = make_agreement(self.inst_a, self.madrid, code="DRAFT", conditions=[studies_condition()])
        shared = services.share_agreement(make_agreement(self.inst_a, self.madrid, code="SHARED"), actor=self.alice)
        rows = [{"code": "DRAFT", "partner": "E  MADRID05", **STUDIES, "mobilities_per_year": 5}]
        with self.assertRaises(ImportRejected) as caught:
            self.import_rows([*rows, {"code": "SHARED", "partner": "E  MADRID05", **STUDIES}])
        self.assertEqual(
            messages(caught.exception),
            [
                "line 3, column 'agreement code': An agreement with this code already exists and is “Shared with "
                "partner”: an import only updates drafts. Change it on its page, or give the row another code."
            ],
        )
        self.assertEqual(draft.conditions.get().mobilities_per_year, 2, "nothing saved")
        report = self.import_rows(rows)
        self.assertEqual((report.created, report.updated, report.unchanged), (0, 1, 0))
        self.assertEqual(draft.conditions.get().mobilities_per_year, 5)
        self.assertEqual(Agreement.objects.get(pk=shared.pk).status, Agreement.Status.SHARED)
        self.assertTrue(AuditEvent.objects.filter(action="agreement.updated", object_id=str(draft.public_id)))

    def test_importing_the_same_file_twice_changes_nothing(self) -> None:
        data = workbook(
            [{"code": "A", "partner": "E  MADRID05", **STUDIES}, {"code": "A", **STUDIES, "direction": "in"}]
        )
        first = import_agreements(self.inst_a, data, actor=self.alice)
        second = import_agreements(self.inst_a, data, actor=self.alice)
        self.assertEqual((first.created, second.created, second.updated, second.unchanged), (1, 0, 0, 1))
        self.assertEqual(Agreement.objects.count(), 1)
        self.assertFalse(AuditEvent.objects.filter(action="agreement.updated").exists())

    def test_an_export_imports_again_unchanged(self) -> None:
        teaching = studies_condition(
            "in",
            kind="staff-teacher",
            total_months_per_year=None,
            total_days_per_year=Decimal("7.5"),
            eqf_levels=[],
            language_skills=[LanguageSkillInput("fr", "C1", "0613", "Génie logiciel")],
            other_info="Two weeks in spring;\nhosted by the ICT faculty",
            sending_ounit_id="ETSIT",
        )
        studies = studies_condition(blended=True, eqf_levels=[7, 6], total_months_per_year=Decimal("4.5"))
        make_agreement(
            self.inst_a,
            self.madrid,
            code="2026/E+/A/0002",
            conditions=[teaching, studies],
            ounit=self.unit,
            signing_contact=self.rector,
            signing_date=date(2026, 1, 15),
            partner_signing_name="María",
            partner_signing_email="maria@upm.es",
            partner_ounit_name="ETSI",
            partner_iia_code="=SUM(A1)",  # exported as text, never as a formula
            notes="Renewed from 2021",
        )
        make_agreement(
            self.inst_a,
            self.porto,
            code="JD-1",
            kind="joint-degree",
            conditions=[],
            title="Erasmus Mundus",
            programmes="MSc A\nMSc B",
            start_date=date(2026, 9, 1),
            end_date=date(2030, 8, 31),
            additional_partners=[self.madrid],
        )
        before = {
            a.code: _comparable(AgreementInput.from_agreement(a)) for a in with_conditions(Agreement.objects.all())
        }
        exported = write_workbook(with_conditions(Agreement.objects.order_by("code")))

        again = import_agreements(self.inst_a, exported, actor=self.alice)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 2))

        Agreement.objects.all().delete()
        report = import_agreements(self.inst_a, exported, actor=self.alice)
        self.assertEqual(report.created, 2)
        after = {
            a.code: _comparable(AgreementInput.from_agreement(a)) for a in with_conditions(Agreement.objects.all())
        }
        self.assertEqual(after, before)
        cell = openpyxl.load_workbook(io.BytesIO(exported))["Agreements"]["G2"]
        self.assertEqual((cell.value, cell.data_type), ("=SUM(A1)", "s"))

    def test_the_command_imports_a_file_or_lists_its_rejected_rows(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            good, bad = Path(folder, "good.xlsx"), Path(folder, "bad.xlsx")
            good.write_bytes(workbook([{"code": "A", "partner": "E  MADRID05", **STUDIES}]))
            bad.write_bytes(workbook([{"code": "B", "partner": "E  MADRID05", **STUDIES, "first_year": "2026"}]))
            out, err = io.StringIO(), io.StringIO()
            call_command("import-agreements", str(good), institution="univ-a", actor="alice@a.test", stdout=out)
            self.assertIn("good.xlsx: 1 agreement created, 0 updated, 0 unchanged", out.getvalue())
            self.assertTrue(AuditEvent.objects.filter(action="agreements.imported", actor=self.alice).exists())
            with self.assertRaisesMessage(CommandError, "bad.xlsx: 1 problem in the file: nothing was imported."):
                call_command("import-agreements", str(bad), institution="univ-a", stdout=out, stderr=err)
            self.assertIn(
                "bad.xlsx: line 2, column 'first academic year': “2026” is not an academic year", err.getvalue()
            )
            with self.assertRaisesMessage(CommandError, "No hosted institution has the slug 'nope'."):
                call_command("import-agreements", str(good), institution="nope")
        self.assertEqual(list(Agreement.objects.values_list("code", flat=True)), ["A"])
