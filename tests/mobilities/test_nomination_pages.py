"""Nominations pages: the nominations grouped by partner with each partner's workbook, the list of mobilities and a
mobility's page; who may read them."""

import io
import uuid
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from mobilitas.applications.models import Call
from mobilitas.institutions.models import Role
from mobilitas.mobilities import services
from tests.applications.factories import make_call, make_destination
from tests.factories import make_institution, make_member
from tests.mobilities.test_nominations import NominationTestCase, nominate
from tests.test_accessibility import PageStructure


class NominationPagesTestCase(NominationTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.bob.full_name = "DURAND Bob"
        cls.bob.save()
        cls.leader = make_member("lead@a.test", cls.inst_a, Role.LEADERSHIP, full_name="Lea Leader")
        cls.other_partner = make_institution(name="Aalto-yliopisto", country="FI", erasmus_code="SF ESPOO12")
        cls.other_destination = make_destination(cls.call, cls.other_partner)

    def student(self, number: int):  # type: ignore[no-untyped-def]
        return make_member(f"s{number}@a.test", self.inst_a, Role.STUDENT, full_name=f"Student Number{number}")

    def url(self, name: str, *args: object, slug: str = "univ-a") -> str:
        return reverse(name, args=[slug, *args])

    def xlsx_url(self, partner, slug: str = "univ-a") -> str:  # type: ignore[no-untyped-def]
        return self.url("mobilities-nominations-xlsx", partner.public_id, slug=slug)

    def assert_accessible(self, response) -> None:  # type: ignore[no-untyped-def]
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.unlabelled(), [])
        self.assertEqual(page.h1_count, 1)


class NominationsPageTests(NominationPagesTestCase):
    def test_nominations_are_grouped_by_partner_with_their_workbook(self) -> None:
        nominate(self.call, self.destination, self.bob)
        nominate(self.call, self.destination, self.student(1))
        nominate(self.call, self.other_destination, self.student(2))
        self.client.force_login(self.alice)
        response = self.client.get(self.url("mobilities-nominations"))
        self.assertContains(response, "3 nominations")
        self.assertContains(response, "to 2 partners")
        self.assertContains(response, "Universidade do Porto")
        self.assertContains(response, "2 nominees")
        self.assertContains(response, "1 nominee")
        self.assertContains(response, self.xlsx_url(self.partner))
        self.assertContains(response, self.xlsx_url(self.other_partner))
        self.assertContains(response, "DURAND Bob")
        self.assert_accessible(response)

    def test_a_cancelled_nomination_is_not_to_be_sent(self) -> None:
        mobility = nominate(self.call, self.destination, self.bob)
        services.cancel_nomination(mobility.offer)  # type: ignore[arg-type]
        self.client.force_login(self.alice)
        response = self.client.get(self.url("mobilities-nominations"))
        self.assertContains(response, "0 nominations")
        self.assertNotContains(response, "DURAND Bob")

    def test_filters_by_year_kind_and_partner(self) -> None:
        nominate(self.call, self.destination, self.bob)
        later = make_call(self.inst_a, academic_year="2028/2029", kind=Call.Kind.TRAINEESHIP, title="Traineeships")
        nominate(later, make_destination(later, self.other_partner), self.student(1))
        self.client.force_login(self.alice)
        by_year = self.client.get(self.url("mobilities-nominations"), {"year": "2028/2029"})
        self.assertContains(by_year, "Student Number1")
        self.assertNotContains(by_year, "DURAND Bob")
        self.assertContains(by_year, f"{self.xlsx_url(self.other_partner)}?year=2028%2F2029")
        by_kind = self.client.get(self.url("mobilities-nominations"), {"kind": "study"})
        self.assertContains(by_kind, "DURAND Bob")
        self.assertNotContains(by_kind, "Student Number1")
        by_partner = self.client.get(self.url("mobilities-nominations"), {"partner": "porto"})
        self.assertContains(by_partner, "DURAND Bob")
        self.assertNotContains(by_partner, "Student Number1")
        by_code = self.client.get(self.url("mobilities-nominations"), {"partner": "ESPOO12"})
        self.assertContains(by_code, "Student Number1")
        self.assertNotContains(by_code, "DURAND Bob")

    def test_an_unknown_year_is_refused_with_a_message(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url("mobilities-nominations"), {"year": "1999/2000"})
        self.assertContains(response, "could not be filtered", status_code=400)

    def test_the_number_of_queries_does_not_grow_with_the_nominations(self) -> None:
        nominate(self.call, self.destination, self.bob)
        self.client.force_login(self.alice)
        url = self.url("mobilities-nominations")
        self.client.get(url)  # warm the session and the content types
        with self.assertNumQueries(5):
            self.client.get(url)
        for number in range(6):
            nominate(self.call, self.destination if number % 2 else self.other_destination, self.student(number))
        with self.assertNumQueries(5):
            response = self.client.get(url)
        self.assertContains(response, "7 nominations")

    def test_leadership_reads_it(self) -> None:
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get(self.url("mobilities-nominations")).status_code, 200)

    def test_students_and_coordinators_get_403(self) -> None:
        coordinator = make_member("coord@a.test", self.inst_a, Role.COORDINATOR)
        mobility = nominate(self.call, self.destination, self.bob)
        urls = [
            self.url("mobilities-nominations"),
            self.xlsx_url(self.partner),
            self.url("mobilities-list"),
            self.url("mobilities-mobility", mobility.public_id),
        ]
        for user in (self.bob, coordinator):
            self.client.force_login(user)
            for url in urls:
                with self.subTest(user=user.email, url=url):
                    self.assertEqual(self.client.get(url).status_code, 403)

    def test_carol_gets_404(self) -> None:
        mobility = nominate(self.call, self.destination, self.bob)
        self.assert_carol_gets_404(self.url("mobilities-nominations"))
        self.assert_carol_gets_404(self.xlsx_url(self.partner))
        self.assert_carol_gets_404(self.url("mobilities-list"))
        self.assert_carol_gets_404(self.url("mobilities-mobility", mobility.public_id))

    def test_anonymous_users_are_sent_to_the_login(self) -> None:
        self.assert_redirects_to_login(self.url("mobilities-nominations"))


class WorkbookTests(NominationPagesTestCase):
    def read(self, response):  # type: ignore[no-untyped-def]
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return load_workbook(io.BytesIO(response.content)).worksheets[0]

    def test_one_row_per_nominee_in_the_columns_a_partner_expects(self) -> None:
        nominate(self.call, self.destination, self.bob, isced_code="0613", study_level=6)
        nominate(self.call, self.other_destination, self.student(1))  # another partner: not in this workbook
        self.client.force_login(self.alice)
        response = self.client.get(self.xlsx_url(self.partner))
        self.assertIn('filename="nominations-P-PORTO02-2027-2028.xlsx"', response["Content-Disposition"])
        sheet = self.read(response)
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(
            list(rows[0]),
            [
                "Last name", "First name", "Full name", "E-mail", "Home institution", "Home Erasmus code",
                "Host institution", "Host Erasmus code", "Academic year", "Mobility kind", "Study level (EQF)",
                "Field of study (ISCED-F)", "Planned start", "Planned end", "Agreement code",
            ],
        )  # fmt: skip
        self.assertEqual(len(rows), 2)
        row = dict(zip(rows[0], rows[1], strict=True))
        self.assertEqual((row["Last name"], row["First name"], row["Full name"]), ("DURAND", "Bob", "DURAND Bob"))
        self.assertEqual(row["E-mail"], "bob@a.test")
        self.assertEqual(
            (row["Home institution"], row["Home Erasmus code"]), ("Université A", self.inst_a.erasmus_code)
        )
        self.assertEqual((row["Host institution"], row["Host Erasmus code"]), ("Universidade do Porto", "P  PORTO02"))
        self.assertEqual((row["Academic year"], row["Mobility kind"]), ("2027/2028", "Studies"))
        self.assertEqual((row["Study level (EQF)"], row["Field of study (ISCED-F)"]), (6, "0613"))
        self.assertEqual(
            (row["Planned start"].date().isoformat(), row["Planned end"].date().isoformat()),
            ("2027-09-01", "2028-06-26"),
        )
        self.assertEqual(row["Agreement code"], "2026/E+/PT/001")
        self.assertTrue(sheet["A1"].font.b)
        self.assertEqual(sheet.freeze_panes, "A2")

    def test_text_is_never_a_formula(self) -> None:
        self.bob.full_name = '=HYPERLINK("http://evil.test")'
        self.bob.save()
        nominate(self.call, self.destination, self.bob)
        self.client.force_login(self.alice)
        sheet = self.read(self.client.get(self.xlsx_url(self.partner)))
        self.assertEqual(sheet["C2"].data_type, "s")

    def test_the_year_filter_chooses_the_rows(self) -> None:
        nominate(self.call, self.destination, self.bob)
        later = make_call(self.inst_a, academic_year="2028/2029", title="Next year")
        nominate(later, make_destination(later, self.partner, months=Decimal(5)), self.student(1))
        self.client.force_login(self.alice)
        everything = self.client.get(self.xlsx_url(self.partner))
        self.assertIn("nominations-P-PORTO02-all-years.xlsx", everything["Content-Disposition"])
        self.assertEqual(self.read(everything).max_row, 3)
        one_year = self.client.get(self.xlsx_url(self.partner), {"year": "2028/2029"})
        self.assertIn("nominations-P-PORTO02-2028-2029.xlsx", one_year["Content-Disposition"])
        sheet = self.read(one_year)
        self.assertEqual((sheet.max_row, sheet["C2"].value), (2, "Student Number1"))

    def test_a_partner_without_nominations_is_not_found(self) -> None:
        nominate(self.call, self.destination, self.bob)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.xlsx_url(self.other_partner)).status_code, 404)

    def test_another_institutions_nominations_are_not_found(self) -> None:
        nominate(self.call, self.destination, self.bob)
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(self.xlsx_url(self.partner, slug="univ-b")).status_code, 404)


class MobilityPagesTests(NominationPagesTestCase):
    def test_the_list_shows_every_mobility_with_filters(self) -> None:
        kept = nominate(self.call, self.destination, self.bob)
        cancelled = nominate(self.call, self.other_destination, self.student(1))
        services.cancel_nomination(cancelled.offer)  # type: ignore[arg-type]
        self.client.force_login(self.alice)
        response = self.client.get(self.url("mobilities-list"))
        self.assertContains(response, "2 mobilities found")
        self.assertContains(response, self.url("mobilities-mobility", kept.public_id))
        self.assert_accessible(response)
        only_cancelled = self.client.get(self.url("mobilities-list"), {"status": "cancelled"})
        self.assertContains(only_cancelled, "1 mobility found")
        self.assertContains(only_cancelled, "Student Number1")
        by_person = self.client.get(self.url("mobilities-list"), {"q": "durand"})
        self.assertContains(by_person, "1 mobility found")
        self.assertContains(by_person, "DURAND Bob")

    def test_the_list_is_paged(self) -> None:
        for number in range(51):
            nominate(self.call, self.destination, self.student(number))
        self.client.force_login(self.alice)
        response = self.client.get(self.url("mobilities-list"))
        self.assertContains(response, "Page 1 of 2")
        second = self.client.get(self.url("mobilities-list"), {"page": 2})
        self.assertEqual(len(second.context["page_obj"].object_list), 1)

    def test_the_detail_says_where_it_comes_from(self) -> None:
        mobility = nominate(self.call, self.destination, self.bob, isced_code="0613")
        self.client.force_login(self.alice)
        response = self.client.get(self.url("mobilities-mobility", mobility.public_id))
        self.assertContains(response, "DURAND Bob at Universidade do Porto, 2027/2028")
        self.assertContains(response, "Nominated")
        self.assertContains(response, "2026/E+/PT/001")
        self.assertContains(response, self.url("applications-call", self.call.public_id))
        self.assertContains(response, "0613")
        self.assert_accessible(response)

    def test_an_unknown_mobility_is_not_found(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url("mobilities-mobility", uuid.uuid4()))
        self.assertEqual(response.status_code, 404)


class AdminTests(NominationPagesTestCase):
    def test_officers_read_their_own_mobilities_in_the_admin_without_changing_them(self) -> None:
        mobility = nominate(self.call, self.destination, self.bob)
        self.client.force_login(self.alice)
        response = self.client.get(reverse("admin:mobilities_mobility_changelist"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["cl"].queryset), [mobility])
        detail = self.client.get(reverse("admin:mobilities_mobility_change", args=[mobility.pk]))
        self.assertEqual(detail.status_code, 200)
        self.assertNotContains(detail, 'name="_save"')
        self.client.force_login(self.carol)
        response = self.client.get(reverse("admin:mobilities_mobility_changelist"))
        self.assertEqual(list(response.context["cl"].queryset), [])
