"""Importing courses: CSV and XLSX files (all rows or none, every rejected row by line), the template, the shipped
datasets, the import page and the `import-courses` command."""

import io
import tempfile
from decimal import Decimal
from pathlib import Path

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse

from mobilitas.audit.models import AuditEvent
from mobilitas.catalogue.importing import (
    ImportRejected,
    import_courses,
    import_dataset,
    normalise_term,
    template_csv,
    template_xlsx,
)
from mobilitas.catalogue.importing.datasets import course_code
from mobilitas.catalogue.models import Course
from mobilitas.catalogue.services.courses import CourseInput, create_course, share_course
from tests.base import TenantTestCase
from tests.factories import make_ounit

HEADER = (
    "code,title_en,title_fr,description_en,outcomes_en,ects,eqf_level,isced,languages,mode,term,programme,"
    "unit_code,alliance_places,contact_name,contact_email,url,shared"
)
GOOD_CSV = (
    HEADER
    + '\nINF-101,Programming 1,Programmation 1,Basics of Python.,Write small programs.,5,6,0613,"en, fr",blended,'
    "autumn,Licence Informatique,SCI,4,Ada,ada@a.test,https://a.test/inf-101,yes"
    '\nECO-201,Behavioural economics,Économie comportementale,,,"7,5",7,031,fr,,spring,,,,,,,no\n'
)


def rejections(error: ImportRejected) -> list[tuple[int, str, str]]:
    return [(r.line, r.column, r.message) for r in error.rejections]


class CsvImportTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.unit = make_ounit(cls.inst_a, "SCI", "Faculty of Science")

    def import_text(self, text: str, *, encoding: str = "utf-8") -> object:
        return import_courses(self.inst_a, text.encode(encoding), actor=self.alice)

    def test_it_imports_every_column(self) -> None:
        report = import_courses(self.inst_a, GOOD_CSV.encode(), actor=self.alice)
        self.assertEqual((report.created, report.updated, report.unchanged, report.rows), (2, 0, 0, 2))
        course = Course.objects.get(institution=self.inst_a, code="INF-101")
        self.assertEqual(course.titles, {"en": "Programming 1", "fr": "Programmation 1"})
        self.assertEqual(course.descriptions, {"en": "Basics of Python."})
        self.assertEqual(course.learning_outcomes, {"en": "Write small programs."})
        self.assertEqual(course.ects, Decimal(5))
        self.assertEqual((course.eqf_level, course.isced_code, course.languages), (6, "0613", ["en", "fr"]))
        self.assertEqual((course.mode, course.term, course.programme), ("blended", "autumn", "Licence Informatique"))
        self.assertEqual(course.ounit, self.unit)
        self.assertEqual((course.alliance_places, course.contact_name, course.contact_email), (4, "Ada", "ada@a.test"))
        self.assertEqual(course.url, "https://a.test/inf-101")
        self.assertTrue(course.shared)
        self.assertIn("programmation", course.search_text)
        other = Course.objects.get(institution=self.inst_a, code="ECO-201")
        self.assertEqual((other.ects, other.mode, other.shared), (Decimal("7.5"), "physical", False))
        self.assertIn("economie comportementale", other.search_text)

    def test_it_records_one_audit_event_per_import(self) -> None:
        import_courses(self.inst_a, GOOD_CSV.encode(), actor=self.alice)
        event = AuditEvent.objects.get(action="courses.imported")
        self.assertEqual((event.institution, event.actor), (self.inst_a, self.alice))
        self.assertEqual(event.data["created"], 2)

    def test_it_reads_semicolons_and_a_byte_order_mark(self) -> None:
        text = "code;title_de;ects\nMAT-1;Analysis I;10\nMAT-2;Lineare Algebra;7,5\n"
        report = import_courses(self.inst_a, ("\ufeff" + text).encode(), actor=self.alice)
        self.assertEqual(report.created, 2)
        self.assertEqual(Course.objects.get(code="MAT-2").ects, Decimal("7.5"))

    def test_it_rejects_every_bad_row_with_its_line_and_saves_nothing(self) -> None:
        text = (
            "code,title_en,title_fi,ects,eqf_level,isced,unit_code,mode,term,shared\n"
            "OK-1,Fine course,,5,6,0613,SCI,virtual,spring,no\n"  # line 2: fine
            "BAD-3,Credits,,five,6,,,,,\n"  # line 3
            "BAD-4,Zero credits,,0,,,,,,\n"
            "BAD-5,Level,,,9,,,,,\n"
            "BAD-6,Field,,,,12345,,,,\n"
            "BAD-7,Unit,,,,,NOPE,,,\n"
            "BAD-8,,,,,,,,,\n"  # no title in any language
            "OK-1,Again,,,,,,,,\n"  # duplicate code
            "BAD-10,Mode,,,,,,onsite,,\n"
            "BAD-11,Term,,,,,,,winter,\n"
            ",No code,,,,,,,,\n"
            "BAD-13,Shared,,,,,,,,maybe\n"
            "BAD-14,Too fine,,2.25,,,,,,\n"
        )
        with self.assertRaises(ImportRejected) as caught:
            self.import_text(text)
        found = rejections(caught.exception)
        self.assertEqual([line for line, _column, _message in found], [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
        by_line = {line: (column, message) for line, column, message in found}
        self.assertEqual(by_line[3][0], "ects")
        self.assertIn("“five” is not a number", by_line[3][1])
        self.assertIn("more than 0", by_line[4][1])
        self.assertEqual(by_line[5][0], "eqf_level")
        self.assertIn("1 to 8", by_line[5][1])
        self.assertEqual(by_line[6][0], "isced")
        self.assertEqual(by_line[7], ("unit_code", "“NOPE” is not the code of one of your units."))
        self.assertEqual(by_line[8][0], "title_en, title_fi")
        self.assertIn("title in at least one language", by_line[8][1])
        self.assertIn("also on line 2", by_line[9][1])
        self.assertEqual(by_line[10][0], "mode")
        self.assertIn("physical, virtual, blended", by_line[10][1])
        self.assertEqual(by_line[11][0], "term")
        self.assertIn("autumn, spring, summer, year", by_line[11][1])
        self.assertEqual(by_line[12], ("code", "The course code is missing."))
        self.assertIn("yes or no", by_line[13][1])
        self.assertIn("one decimal", by_line[14][1])
        self.assertEqual(str(caught.exception.message), "12 problems in the file: nothing was imported.")
        self.assertFalse(Course.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="courses.imported").exists())

    def test_it_names_wrong_and_missing_header_columns(self) -> None:
        with self.assertRaises(ImportRejected) as caught:
            self.import_text("titel_en,ects,ects,colour\nA,5,5,red\n")
        found = rejections(caught.exception)
        columns = {column: message for _line, column, message in found}
        self.assertIn("did you mean 'title_en'", columns["titel_en"])
        self.assertIn("appears twice", columns["ects"])
        self.assertIn("not a column of the template", columns["colour"])
        self.assertIn("missing", columns["code"])
        self.assertIn("no title column", columns["title_en"])
        self.assertTrue(all(line == 1 for line, _column, _message in found))

    def test_it_accepts_headers_as_people_write_them(self) -> None:
        report = self.import_text("Code;Title EN;Learning outcomes FI;EQF;Unit code\nX-1;Title;Osaa;6;sci\n")
        self.assertEqual(report.created, 1)
        course = Course.objects.get(code="X-1")
        self.assertEqual((course.learning_outcomes, course.eqf_level, course.ounit), ({"fi": "Osaa"}, 6, self.unit))

    def test_it_updates_in_place_and_reports_unchanged_courses(self) -> None:
        import_courses(self.inst_a, GOOD_CSV.encode(), actor=self.alice)
        first = Course.objects.get(code="INF-101")
        again = import_courses(self.inst_a, GOOD_CSV.encode(), actor=self.alice)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 2))
        changed = GOOD_CSV.replace("Programming 1,", "Programming One,")
        report = import_courses(self.inst_a, changed.encode(), actor=self.alice)
        self.assertEqual((report.created, report.updated, report.unchanged), (0, 1, 1))
        course = Course.objects.get(code="INF-101")
        self.assertEqual(course.pk, first.pk)
        self.assertEqual(course.public_id, first.public_id)
        self.assertEqual(course.titles["en"], "Programming One")
        self.assertIn("programming one", course.search_text)
        self.assertEqual(Course.objects.count(), 2)

    def test_columns_left_out_keep_their_values_and_an_empty_shared_cell_keeps_sharing(self) -> None:
        import_courses(self.inst_a, GOOD_CSV.encode(), actor=self.alice)
        report = self.import_text("code,title_sv,shared\nINF-101,Programmering 1,\n")
        self.assertEqual(report.updated, 1)
        course = Course.objects.get(code="INF-101")
        self.assertEqual(course.titles, {"en": "Programming 1", "fr": "Programmation 1", "sv": "Programmering 1"})
        self.assertEqual((course.ects, course.ounit, course.shared), (Decimal(5), self.unit, True))

    def test_an_empty_text_cell_removes_that_language(self) -> None:
        import_courses(self.inst_a, GOOD_CSV.encode(), actor=self.alice)
        self.import_text("code,title_fr\nINF-101,\n")
        self.assertEqual(Course.objects.get(code="INF-101").titles, {"en": "Programming 1"})

    def test_it_leaves_other_institutions_courses_alone(self) -> None:
        create_course(self.inst_b, CourseInput(code="INF-101", titles={"es": "Programación"}), actor=self.carol)
        report = import_courses(self.inst_a, GOOD_CSV.encode(), actor=self.alice)
        self.assertEqual(report.created, 2)
        self.assertEqual(Course.objects.get(institution=self.inst_b).titles, {"es": "Programación"})

    def test_it_refuses_files_it_cannot_read(self) -> None:
        cases = [
            ("é".encode("latin-1") + b",title_en\n", "not in UTF-8"),
            (b"PK\x03\x04 not really a zip", "not an Excel workbook"),
            (b"", "empty"),
            ("code,title_en\n".encode("utf-16"), "UTF-16"),
        ]
        for data, expected in cases:
            with self.subTest(expected=expected), self.assertRaises(ImportRejected) as caught:
                import_courses(self.inst_a, data, actor=self.alice)
            self.assertIn(expected, str(caught.exception.rejections[0]))


class XlsxImportTests(TenantTestCase):
    def test_the_template_documents_every_column_and_imports_once_filled_in(self) -> None:
        workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(self.inst_b)))
        sheet = workbook["Courses"]
        headers = [cell.value for cell in sheet[1]]
        self.assertEqual(headers[:4], ["code", "title_en", "title_fr", "title_es"])  # univ-b is Spanish
        self.assertIn("outcomes_es", headers)
        read_me = "\n".join(str(cell.value) for row in workbook["Read me"].iter_rows() for cell in row if cell.value)
        for column in ("eqf_level", "isced", "unit_code", "alliance_places", "title_<language>", "All rows or none"):
            self.assertIn(column, read_me)
        row = {"code": "TEL-1", "title_es": "Señales y sistemas", "title_en": "Signals and systems", "ects": 6}
        row |= {"eqf_level": 6, "isced": "0714", "languages": "es", "mode": "physical", "term": "autumn"}
        for position, header in enumerate(headers, start=1):
            if header in row:
                sheet.cell(row=2, column=position, value=row[header])
        buffer = io.BytesIO()
        workbook.save(buffer)
        report = import_courses(self.inst_b, buffer.getvalue(), actor=self.carol)
        self.assertEqual(report.created, 1)
        course = Course.objects.get(institution=self.inst_b)
        self.assertEqual(course.titles, {"en": "Signals and systems", "es": "Señales y sistemas"})
        self.assertEqual((course.ects, course.eqf_level, course.isced_code), (Decimal(6), 6, "0714"))

    def test_a_number_that_lost_its_leading_zero_is_explained(self) -> None:
        workbook = openpyxl.Workbook()
        workbook.active.append(["code", "title_en", "isced"])
        workbook.active.append(["A", "Software", 613])
        buffer = io.BytesIO()
        workbook.save(buffer)
        with self.assertRaises(ImportRejected) as caught:
            import_courses(self.inst_a, buffer.getvalue(), actor=self.alice)
        self.assertIn("format the column as text", caught.exception.rejections[0].message)
        self.assertEqual(caught.exception.rejections[0].line, 2)

    def test_the_csv_template_is_the_header_row(self) -> None:
        text = template_csv(self.inst_a).decode("utf-8-sig")
        self.assertTrue(text.startswith("code,title_en,title_fr,description_en"))
        report = import_courses(self.inst_a, (text + "A-1," + "Title\n").encode(), actor=self.alice)
        self.assertEqual(report.created, 1)


class DatasetImportTests(TenantTestCase):
    def test_it_imports_a_shipped_source_and_updates_in_place(self) -> None:
        report = import_dataset("ionian", self.inst_b, actor=self.carol, create_units=True)
        self.assertEqual((report.created, report.rows, report.units_created), (75, 75, 1))
        course = Course.objects.get(institution=self.inst_b, code="HY-642")
        self.assertEqual(course.titles, {"el": "Θεωρία Γραφημάτων και Εφαρμογές"})
        self.assertEqual((course.ects, course.eqf_level, course.isced_code), (Decimal(4), 6, "061"))
        self.assertEqual((course.languages, course.term, course.source), (["el"], "spring", "ionian"))
        self.assertEqual(course.ounit.name, "Department of Informatics")
        self.assertEqual(AuditEvent.objects.get(action="courses.imported").data["source"], "ionian")
        # Officers' additions survive a new import; nothing else changes.
        share_course(course, actor=self.carol)
        Course.objects.filter(pk=course.pk).update(contact_name="Secretariat")
        again = import_dataset("ionian", self.inst_b, actor=self.carol)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 75))
        course.refresh_from_db()
        self.assertEqual((course.contact_name, course.shared), ("Secretariat", True))

    def test_it_keeps_one_institution_of_a_source_and_can_share_everything(self) -> None:
        report = import_dataset("glasgow_deakin", self.inst_a, only="Deakin University", shared=True, limit=10)
        self.assertEqual(report.created, 10)
        self.assertEqual(Course.objects.filter(institution=self.inst_a, shared=True).count(), 10)
        self.assertFalse(Course.objects.filter(code__startswith="COMPSCI").exists())  # Glasgow's

    def test_long_codes_are_cut_the_same_way_every_time(self) -> None:
        long = "abv_2018/deutsch-als-fremdsprache-vertiefungsmodul-a-interaktionsfelder-im-akademischen-b"
        code = course_code(long)
        self.assertEqual(len(code), 60)
        self.assertEqual(code, course_code(long))
        self.assertNotEqual(code, course_code(long.replace("-a-", "-b-")))
        self.assertEqual(course_code("CS-A1110"), "CS-A1110")

    def test_terms_as_sources_write_them(self) -> None:
        cases = {
            "autumn 2025": "autumn",
            "spring 2026": "spring",
            "summer 2025": "summer",
            "S1": "autumn",
            "semester 6": "spring",
            "Semester 1": "autumn",
            "autumn, spring": "year",
            "Full Year": "year",
            "Runs Throughout Semesters 1 and 2": "year",
            "Trimester 1: Burwood (Melbourne), Online": "",
            "": "",
        }
        for text, term in cases.items():
            with self.subTest(text=text):
                self.assertEqual(normalise_term(text), term)


class ImportPageTests(TenantTestCase):
    def url(self) -> str:
        return reverse("catalogue-import", args=[self.inst_a.slug])

    def test_it_imports_an_uploaded_file_and_shows_the_counts(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.url()), "title_&lt;language&gt;")
        upload = SimpleUploadedFile("courses.csv", GOOD_CSV.replace(",SCI,", ",,").encode(), content_type="text/csv")
        response = self.client.post(self.url(), {"file": upload})
        self.assertContains(response, "2 courses created")
        self.assertEqual(Course.objects.filter(institution=self.inst_a).count(), 2)

    def test_it_lists_every_rejected_row(self) -> None:
        self.client.force_login(self.alice)
        upload = SimpleUploadedFile("courses.csv", b"code,title_en,eqf_level\nA,One,9\nB,,\n")
        response = self.client.post(self.url(), {"file": upload})
        self.assertContains(response, "2 problems in the file: nothing was imported.", status_code=400)
        self.assertContains(response, "is not an EQF level", status_code=400)
        self.assertContains(response, "title in at least one language", status_code=400)
        self.assertFalse(Course.objects.exists())

    def test_it_refuses_a_file_named_xlsx_that_is_not_one(self) -> None:
        self.client.force_login(self.alice)
        upload = SimpleUploadedFile("courses.xlsx", b"code,title_en\nA,B\n")
        response = self.client.post(self.url(), {"file": upload})
        self.assertContains(response, "is not an Excel workbook", status_code=400)

    def test_students_may_not_import_and_other_institutions_get_404(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url()).status_code, 403)
        self.assert_carol_gets_404(self.url())

    def test_members_download_the_template(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(reverse("catalogue-template", args=[self.inst_a.slug]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK\x03\x04"))
        self.assertIn("courses-template.xlsx", response["Content-Disposition"])
        csv = self.client.get(reverse("catalogue-template", args=[self.inst_a.slug]), {"format": "csv"})
        self.assertTrue(csv.content.decode("utf-8-sig").startswith("code,"))


class CommandTests(TenantTestCase):
    def test_it_imports_a_file_and_a_dataset(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "courses.csv"
            path.write_text(GOOD_CSV.replace(",SCI,", ",,"), encoding="utf-8")
            out = io.StringIO()
            call_command("import-courses", str(path), institution="univ-a", actor="alice@a.test", stdout=out)
            self.assertIn("2 courses created", out.getvalue())
        out = io.StringIO()
        call_command("import-courses", dataset="uvt", institution="univ-b", limit=5, shared=True, stdout=out)
        self.assertIn("5 courses created", out.getvalue())
        self.assertEqual(Course.objects.filter(institution=self.inst_b, shared=True, source="uvt").count(), 5)

    def test_it_lists_rejected_rows_and_fails(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "courses.csv"
            path.write_text("code,title_en,ects\nA,One,-1\n", encoding="utf-8")
            err = io.StringIO()
            with self.assertRaises(CommandError):
                call_command("import-courses", str(path), institution="univ-a", stderr=err)
            self.assertIn("line 2, column 'ects'", err.getvalue())

    def test_it_needs_a_file_or_a_dataset_and_a_hosted_institution(self) -> None:
        with self.assertRaises(CommandError):
            call_command("import-courses", institution="univ-a")
        with self.assertRaises(CommandError):
            call_command("import-courses", dataset="uvt", institution="nowhere")


class TemplateLanguagesTests(TestCase):
    def test_a_french_institution_gets_english_and_french_columns(self) -> None:
        from tests.factories import make_hosted_institution

        text = template_csv(make_hosted_institution("fr-x", country="FR")).decode("utf-8-sig")
        self.assertTrue(text.startswith("code,title_en,title_fr,description_en,description_fr,"))
