"""The file views of agreements: XLSX template, import and export, an agreement's PDF and IIA XML."""

import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import etree

from mobilitas.agreements import hashing, snapshot
from mobilitas.agreements.access import with_conditions
from mobilitas.agreements.models import Agreement
from mobilitas.agreements.views.files import MAX_UPLOAD_BYTES
from mobilitas.institutions.models import Role
from tests.agreements.test_spreadsheet import STUDIES, workbook
from tests.base import TenantTestCase
from tests.factories import make_agreement, make_institution, make_member, make_ounit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FileViewsTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inst_a.schac_code = "univ-a.test"
        cls.inst_a.save()
        cls.science = make_ounit(cls.inst_a, "SCI", "Faculty of Science")
        cls.law = make_ounit(cls.inst_a, "LAW", "Faculty of Law")
        cls.cora = make_member("cora@a.test", cls.inst_a, Role.COORDINATOR, ounit=cls.science)
        cls.leo = make_member("leo@a.test", cls.inst_a, Role.LEADERSHIP)
        cls.porto = make_institution(
            name="UNIVERSIDADE DO PORTO", country="PT", erasmus_code="P  PORTO02", schac_code="up.pt"
        )
        cls.science_iia = make_agreement(cls.inst_a, cls.porto, code="SCI-1", ounit=cls.science)
        cls.law_iia = make_agreement(cls.inst_a, cls.porto, code="LAW-1", ounit=cls.law)
        cls.degree = make_agreement(cls.inst_a, cls.porto, code="DD-1", kind="double-degree", conditions=[])
        cls.b_iia = make_agreement(cls.inst_b, cls.porto, code="B-1")

    def url(self, name: str, *args: Any, slug: str = "univ-a") -> str:
        return reverse(name, args=[slug, *args])

    def sheet_codes(self, data: bytes) -> list[str]:
        sheet = openpyxl.load_workbook(io.BytesIO(data))["Agreements"]
        return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


class TemplateAndExportTests(FileViewsTestCase):
    def test_it_downloads_the_template_for_readers(self) -> None:
        for user in (self.alice, self.cora, self.leo):
            self.client.force_login(user)
            response = self.client.get(self.url("agreements-xlsx-template"))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response["Content-Type"], XLSX)
            self.assertEqual(response["Content-Disposition"], 'attachment; filename="agreements-template.xlsx"')
            self.assertEqual(self.sheet_codes(response.content), [])

    def test_students_and_other_institutions_get_no_template(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url("agreements-xlsx-template")).status_code, 403)
        self.assert_carol_gets_404(self.url("agreements-xlsx-template"))
        self.client.logout()
        self.assert_redirects_to_login(self.url("agreements-xlsx-template"))

    def test_the_export_follows_the_list_filters_and_what_the_user_may_read(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url("agreements-xlsx-export"), {"order": "code"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], XLSX)
        self.assertIn("attachment; filename=", response["Content-Disposition"])
        # Two rows per Erasmus+ agreement (one per condition), one for the double degree; never B's agreement.
        self.assertEqual(self.sheet_codes(response.content), ["DD-1", "LAW-1", "LAW-1", "SCI-1", "SCI-1"])
        response = self.client.get(self.url("agreements-xlsx-export"), {"kind": "double-degree"})
        self.assertEqual(self.sheet_codes(response.content), ["DD-1"])
        self.client.force_login(self.cora)
        response = self.client.get(self.url("agreements-xlsx-export"))
        self.assertEqual(self.sheet_codes(response.content), ["SCI-1", "SCI-1"])

    def test_the_export_explains_a_bad_filter(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url("agreements-xlsx-export"), {"year": "2026"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Write the academic year like 2026/2027.", status_code=400)

    def test_the_export_keeps_its_queries_constant(self) -> None:
        self.client.force_login(self.alice)
        url = self.url("agreements-xlsx-export")
        self.client.get(url)  # warm the session and the content types
        # session, user, memberships, agreements, conditions, subject areas, language skills, other partners
        with self.assertNumQueries(8):
            self.client.get(url)
        for n in range(5):
            make_agreement(self.inst_a, self.porto, code=f"MORE-{n}")
        with self.assertNumQueries(8):
            response = self.client.get(url)
        self.assertEqual(len(self.sheet_codes(response.content)), 2 * 2 + 1 + 5 * 2)

    def test_students_and_other_institutions_get_no_export(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url("agreements-xlsx-export")).status_code, 403)
        self.assert_carol_gets_404(self.url("agreements-xlsx-export"))


class ImportPageTests(FileViewsTestCase):
    def upload(self, data: bytes, name: str = "agreements.xlsx", user: Any = None) -> Any:
        self.client.force_login(user or self.alice)
        return self.client.post(self.url("agreements-xlsx-import"), {"file": SimpleUploadedFile(name, data)})

    def test_it_shows_the_form_instructions_and_template_link(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url("agreements-xlsx-import"))
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, self.url("agreements-xlsx-template"))
        self.assertContains(response, "Write one row per cooperation condition.")
        self.assertContains(response, '<label for="id_file">Workbook (.xlsx)</label>', html=True)

    def test_it_creates_the_agreements_of_a_workbook(self) -> None:
        data = workbook(
            [
                {"code": "NEW-1", "partner": "P  PORTO02", **STUDIES},
                {"code": "NEW-1", **STUDIES, "direction": "in"},
                {"code": "NEW-2", "partner": "up.pt", **STUDIES},
            ]
        )
        response = self.upload(data)
        self.assertContains(response, "2 agreements created")
        self.assertEqual(Agreement.objects.get(code="NEW-1").conditions.count(), 2)
        self.assertTrue(Agreement.objects.filter(code="NEW-2", institution=self.inst_a).exists())

    def test_it_lists_the_rejected_rows_and_saves_nothing(self) -> None:
        data = workbook(
            [
                {"code": "NEW-1", "partner": "P  PORTO02", **STUDIES},
                {"code": "NEW-2", "partner": "P  PORTO02", **STUDIES, "signing_date": "31/02/2026"},
                {"code": "NEW-3", "partner": "Z  NOWHERE01", **STUDIES},
            ]
        )
        response = self.upload(data)
        self.assertContains(response, "2 problems in the file: nothing was imported.", status_code=400)
        self.assertContains(
            response, "<td>3</td><td>signing date</td><td>“31/02/2026” is not a date.</td>", html=True, status_code=400
        )
        self.assertContains(response, "<td>4</td><td>partner code</td>", html=True, status_code=400)
        self.assertFalse(Agreement.objects.filter(code__startswith="NEW").exists())

    def test_it_checks_the_file_is_an_xlsx_by_its_content_not_its_name(self) -> None:
        response = self.upload(b"%PDF-1.7 not a workbook", name="agreements.xlsx")
        self.assertContains(response, "This file is not an Excel workbook (.xlsx).", status_code=400)
        response = self.upload(workbook([{"code": "NEW-1", "partner": "P  PORTO02", **STUDIES}]), name="list.bin")
        self.assertContains(response, "1 agreement created")

    def test_it_asks_for_a_file(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url("agreements-xlsx-import"), {})
        self.assertContains(response, "This field is required.", status_code=400)

    def test_it_refuses_a_file_over_5_mb(self) -> None:
        response = self.upload(b"PK\x03\x04" + b"0" * MAX_UPLOAD_BYTES)
        self.assertContains(response, "The file is larger than 5 MB", status_code=400)

    def test_only_officers_import(self) -> None:
        data = workbook([{"code": "NEW-1", "partner": "P  PORTO02", **STUDIES}])
        for user in (self.bob, self.cora, self.leo):
            self.assertEqual(self.upload(data, user=user).status_code, 403)
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url("agreements-xlsx-import")).status_code, 403)
        self.assertFalse(Agreement.objects.filter(code="NEW-1").exists())
        self.assert_carol_gets_404(self.url("agreements-xlsx-import"))
        self.assert_carol_gets_404(
            self.url("agreements-xlsx-import"), method="post", data={"file": SimpleUploadedFile("a.xlsx", data)}
        )


class AgreementDocumentTests(FileViewsTestCase):
    def test_it_serves_the_pdf_inline(self) -> None:
        for user in (self.alice, self.cora, self.leo):
            self.client.force_login(user)
            response = self.client.get(self.url("agreements-pdf", self.science_iia.public_id))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response["Content-Type"], "application/pdf")
            self.assertEqual(response["Content-Disposition"], 'inline; filename="agreement-SCI-1.pdf"')
            self.assertTrue(response.content.startswith(b"%PDF"))

    def test_it_serves_the_iia_get_response_with_its_hash(self) -> None:
        self.client.force_login(self.leo)
        response = self.client.get(self.url("agreements-xml", self.science_iia.public_id))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/xml")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="iia-SCI-1.xml"')
        root = etree.fromstring(response.content)
        self.assertEqual(etree.QName(root).localname, "iias-get-response")
        served = root.xpath("//*[local-name()='iia-hash']/text()")
        agreement = with_conditions(Agreement.objects.filter(pk=self.science_iia.pk)).get()
        self.assertEqual(served, [hashing.data_hash(snapshot.agreement_to_data(agreement))])
        self.assertIn(str(self.science_iia.public_id).encode(), response.content)

    def test_the_xml_says_why_an_agreement_cannot_go_over_ewp(self) -> None:
        self.client.force_login(self.alice)
        no_schac = make_agreement(self.inst_a, make_institution(name="No Domain", country="IT"), code="X-1")
        response = self.client.get(self.url("agreements-xml", no_schac.public_id))
        self.assertContains(response, "No Domain has no EWP identifier (SCHAC code)", status_code=409)
        response = self.client.get(self.url("agreements-xml", self.degree.public_id))
        self.assertContains(response, "Only Erasmus+ inter-institutional agreements", status_code=409)

    def test_readers_outside_the_agreement_get_404_and_students_403(self) -> None:
        for name in ("agreements-pdf", "agreements-xml"):
            self.client.force_login(self.cora)  # coordinator of science, not of law
            self.assertEqual(self.client.get(self.url(name, self.law_iia.public_id)).status_code, 404)
            self.client.force_login(self.bob)
            self.assertEqual(self.client.get(self.url(name, self.science_iia.public_id)).status_code, 403)
            self.assert_carol_gets_404(self.url(name, self.science_iia.public_id))
            # carol at her own institution, asking for A's agreement
            self.assert_carol_gets_404(self.url(name, self.science_iia.public_id, slug="univ-b"))
            self.client.force_login(self.alice)
            self.assertEqual(self.client.get(self.url(name, self.b_iia.public_id)).status_code, 404)
