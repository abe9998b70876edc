"""The agreement pages: who sees what, the list with its filters and paging, the detail page.

The other page tests (forms, lifecycle, comparison, places, documents) build on `AgreementPagesTestCase`.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mobilitas.agreements import hashing, services, snapshot
from mobilitas.agreements.inputs import SubjectAreaInput
from mobilitas.agreements.models import Agreement
from mobilitas.institutions.models import Role
from tests.base import TenantTestCase
from tests.factories import make_agreement, make_institution, make_member, make_ounit, studies_condition
from tests.test_accessibility import PageStructure

PARIS = ZoneInfo("Europe/Paris")


class AgreementPagesTestCase(TenantTestCase):
    """Université A (SCHAC a.test) with an agreement with Oviedo (Faculty of Science) and one with Munich (Law)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inst_a.schac_code = "a.test"
        cls.inst_a.save()
        cls.slug = cls.inst_a.slug
        cls.oviedo = make_institution(
            name="Universidad de Oviedo",
            country="ES",
            city="Oviedo",
            erasmus_code="E  OVIEDO02",
            schac_code="uniovi.es",
        )
        cls.munich = make_institution(
            name="Ludwig-Maximilians-Universität München", country="DE", city="München", erasmus_code="D  MUNCHEN01",
            schac_code="lmu.de",
        )  # fmt: skip
        cls.science = make_ounit(cls.inst_a, "SCI", "Faculty of Science")
        cls.law = make_ounit(cls.inst_a, "LAW", "Faculty of Law")
        cls.coordinator = make_member("coord@a.test", cls.inst_a, Role.COORDINATOR, ounit=cls.science)
        cls.leader = make_member("lead@a.test", cls.inst_a, Role.LEADERSHIP)
        cls.staff = make_member("staff@a.test", cls.inst_a, Role.STAFF)
        cls.agreement = make_agreement(cls.inst_a, cls.oviedo, actor=cls.alice, ounit=cls.science, code="A/OVIEDO")
        cls.munich_agreement = make_agreement(
            cls.inst_a,
            cls.munich,
            actor=cls.alice,
            ounit=cls.law,
            code="A/MUNICH",
            conditions=[
                studies_condition(
                    "out", first_year="2024/2025", last_year="2026/2027", subject_areas=[SubjectAreaInput("0714")]
                )
            ],
        )

    def url(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.slug, *args])

    def detail_url(self, agreement: Agreement | None = None) -> str:
        return self.url("agreements-detail", (agreement or self.agreement).public_id)

    def login(self, user: Any = None) -> None:
        self.client.force_login(user or self.alice)

    def read_urls(self) -> list[str]:
        public_id = self.agreement.public_id
        return [
            self.url("agreements-list"),
            self.url("agreements-places"),
            self.detail_url(),
            self.url("agreements-compare", public_id),
        ]

    def officer_urls(self) -> list[str]:
        public_id = self.agreement.public_id
        return [
            self.url("agreements-create"),
            self.url("agreements-edit", public_id),
            self.url("agreements-renew", public_id),
            self.url("agreements-import-xml"),
        ]

    def post_urls(self) -> list[str]:
        public_id = self.agreement.public_id
        return [
            self.url(name, public_id)
            for name in (
                "agreements-share",
                "agreements-approve",
                "agreements-partner-approval",
                "agreements-terminate",
                "agreements-delete",
                "agreements-partner-copy",
                "agreements-document-add",
            )
        ]


class AccessTests(AgreementPagesTestCase):
    def test_it_shows_every_page_to_an_officer(self) -> None:
        self.login()
        for url in self.read_urls() + self.officer_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_it_labels_every_control_and_has_one_h1(self) -> None:
        self.login()
        for url in [
            *self.read_urls(),
            *self.officer_urls(),
            self.url("agreements-list") + "?country=ES&year=2026/2027",
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                page = PageStructure()
                page.feed(response.content.decode())
                self.assertEqual(page.unlabelled(), [], f"form controls without a label on {url}")
                self.assertEqual(page.h1_count, 1, url)

    def test_it_links_the_agreements_in_the_navigation_for_readers_only(self) -> None:
        home = reverse("home-institution", args=[self.slug])
        for user, shown in ((self.alice, True), (self.coordinator, True), (self.leader, True), (self.bob, False)):
            with self.subTest(user=user.email):
                self.login(user)
                response = self.client.get(home)
                self.assertEqual(self.url("agreements-list") in response.content.decode(), shown)

    def test_carol_gets_404_on_every_url_of_a(self) -> None:
        for url in self.read_urls() + self.officer_urls():
            with self.subTest(url=url):
                self.assert_carol_gets_404(url)
        for url in self.post_urls():
            with self.subTest(url=url):
                self.assert_carol_gets_404(url, method="post")
        self.assertEqual(Agreement.objects.get(pk=self.agreement.pk).status, Agreement.Status.DRAFT)

    def test_an_officer_of_a_gets_404_for_an_agreement_of_b(self) -> None:
        self.inst_b.schac_code = "b.test"
        self.inst_b.save()
        theirs = make_agreement(self.inst_b, self.oviedo, code="B/1")
        self.login()
        self.assertEqual(self.client.get(self.detail_url(theirs)).status_code, 404)
        self.assertEqual(self.client.post(self.url("agreements-share", theirs.public_id)).status_code, 404)

    def test_students_and_staff_get_403(self) -> None:
        for user in (self.bob, self.staff):
            self.login(user)
            for url in self.read_urls() + self.officer_urls():
                with self.subTest(user=user.email, url=url):
                    self.assertEqual(self.client.get(url).status_code, 403)
            with self.subTest(user=user.email, url="share"):
                self.assertEqual(
                    self.client.post(self.url("agreements-share", self.agreement.public_id)).status_code, 403
                )

    def test_anonymous_visitors_are_sent_to_the_login_page(self) -> None:
        for url in self.read_urls() + self.officer_urls():
            with self.subTest(url=url):
                self.assert_redirects_to_login(url)

    def test_a_coordinator_reads_only_the_agreements_of_their_unit(self) -> None:
        self.login(self.coordinator)
        response = self.client.get(self.url("agreements-list"))
        self.assertEqual([row.agreement for row in response.context["rows"]], [self.agreement])
        self.assertNotContains(response, self.url("agreements-create"))
        self.assertEqual(self.client.get(self.detail_url()).status_code, 200)
        self.assertEqual(self.client.get(self.detail_url(self.munich_agreement)).status_code, 404)

    def test_a_coordinator_cannot_change_anything(self) -> None:
        self.login(self.coordinator)
        response = self.client.get(self.detail_url())
        self.assertNotContains(response, self.url("agreements-edit", self.agreement.public_id))
        self.assertNotContains(response, self.url("agreements-share", self.agreement.public_id))
        for url in self.officer_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
        for url in self.post_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url).status_code, 403)
        self.assertEqual(self.client.get(self.url("agreements-edit", self.munich_agreement.public_id)).status_code, 403)

    def test_leadership_reads_everything_and_changes_nothing(self) -> None:
        self.login(self.leader)
        response = self.client.get(self.url("agreements-list"))
        self.assertEqual(response.context["page_obj"].paginator.count, 2)
        self.assertEqual(self.client.get(self.detail_url(self.munich_agreement)).status_code, 200)
        self.assertEqual(self.client.get(self.url("agreements-edit", self.agreement.public_id)).status_code, 403)

    def test_transitions_are_post_only(self) -> None:
        self.login()
        self.assertEqual(self.client.get(self.url("agreements-share", self.agreement.public_id)).status_code, 405)


class ListTests(AgreementPagesTestCase):
    def found(self, **params: Any) -> set[str]:
        self.login()
        response = self.client.get(self.url("agreements-list"), params)
        self.assertEqual(response.status_code, 200, response.content[:2000])
        return {row.agreement.code for row in response.context["rows"]}

    def test_it_lists_the_agreements_with_a_summary_of_their_conditions(self) -> None:
        self.login()
        response = self.client.get(self.url("agreements-list"))
        self.assertContains(response, "2 agreements found")
        self.assertContains(response, "Universidad de Oviedo")
        self.assertContains(response, self.url("institutions-detail", self.oviedo.public_id))
        self.assertContains(response, "2 out / 2 in, 2026/2027–2028/2029")
        self.assertContains(response, "2 out / 0 in, 2024/2025–2026/2027")
        self.assertContains(response, '<span class="badge status-draft">Draft</span>', html=True)
        for name in (
            "agreements-create",
            "agreements-xlsx-import",
            "agreements-import-xml",
            "agreements-xlsx-template",
        ):
            self.assertContains(response, self.url(name))

    def test_the_export_link_keeps_the_filters(self) -> None:
        self.login()
        response = self.client.get(self.url("agreements-list"), {"country": "DE", "page": "1"})
        self.assertContains(response, self.url("agreements-xlsx-export") + "?country=DE")

    def test_each_filter_narrows_the_list(self) -> None:
        services.share_agreement(self.munich_agreement, actor=self.alice)
        self.assertEqual(self.found(), {"A/OVIEDO", "A/MUNICH"})
        self.assertEqual(self.found(country="DE"), {"A/MUNICH"})
        self.assertEqual(self.found(status="shared"), {"A/MUNICH"})
        self.assertEqual(self.found(status="draft"), {"A/OVIEDO"})
        self.assertEqual(self.found(year="2024/2025"), {"A/MUNICH"})
        self.assertEqual(self.found(year="2028/2029"), {"A/OVIEDO"})
        self.assertEqual(self.found(isced="0714"), {"A/MUNICH"})
        self.assertEqual(self.found(isced="06"), {"A/OVIEDO"})
        self.assertEqual(self.found(q="oviedo"), {"A/OVIEDO"})
        self.assertEqual(self.found(kind="double-degree"), set())

    def test_the_expiring_filter_keeps_agreements_ending_within_six_months(self) -> None:
        with time_machine.travel(datetime(2027, 4, 1, 10, tzinfo=PARIS), tick=False):
            self.assertEqual(self.found(expiring="on"), {"A/MUNICH"})
        with time_machine.travel(datetime(2029, 3, 1, 10, tzinfo=PARIS), tick=False):
            self.assertEqual(self.found(expiring="on"), {"A/OVIEDO"})

    def test_a_bad_parameter_is_a_message_not_an_error_page(self) -> None:
        self.login()
        response = self.client.get(self.url("agreements-list"), {"year": "2026", "isced": "x"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Write the academic year like 2026/2027.", status_code=400)

    def test_htmx_gets_only_the_results(self) -> None:
        self.login()
        response = self.client.get(self.url("agreements-list"), {"country": "ES"}, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<h1>")
        self.assertContains(response, "1 agreement found")
        self.assertIn("HX-Request", response["Vary"])

    def test_it_pages_by_25(self) -> None:
        for n in range(30):
            make_agreement(self.inst_a, self.oviedo, code=f"BULK/{n:02d}", conditions=[studies_condition("out")])
        self.login()
        response = self.client.get(self.url("agreements-list"), {"order": "code"})
        self.assertEqual(len(response.context["rows"]), 25)
        self.assertContains(response, "Page 1 of 2")
        response = self.client.get(self.url("agreements-list"), {"order": "code", "page": "2"})
        self.assertEqual(len(response.context["rows"]), 7)

    def test_the_number_of_queries_does_not_grow_with_the_agreements(self) -> None:
        self.login()
        url = self.url("agreements-list")
        self.client.get(url)  # session and language warm-up
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        partners = [make_institution(country="IT", schac_code=f"p{n}.test") for n in range(6)]
        for n in range(30):
            conditions = [
                studies_condition("out"),
                studies_condition("in"),
                studies_condition("out", first_year="2027/2028", subject_areas=[SubjectAreaInput("0714", "Elec")]),
                studies_condition("in", mobilities_per_year=1),
            ]
            make_agreement(self.inst_a, partners[n % 6], code=f"Q/{n:02d}", conditions=conditions)
        with self.assertNumQueries(LIST_QUERIES):
            response = self.client.get(url, {"order": "country"})
        self.assertEqual(len(response.context["rows"]), 25)
        self.assertEqual(len(few.captured_queries), LIST_QUERIES)


# Session, user, memberships, the countries of the filter, the count, the page, its conditions.
LIST_QUERIES = 7


class DetailTests(AgreementPagesTestCase):
    def test_it_shows_the_agreement_and_its_conditions_in_plain_words(self) -> None:
        self.login()
        response = self.client.get(self.detail_url())
        self.assertContains(response, "Agreement A/OVIEDO with Universidad de Oviedo")
        self.assertContains(response, "We send → Universidad de Oviedo")
        self.assertContains(response, "We receive ← Universidad de Oviedo")
        self.assertContains(response, "2026/2027 to 2028/2029")
        self.assertContains(response, '<span class="code">0613</span> Software', html=True)
        self.assertContains(response, "Faculty of Science")
        for name in ("agreements-edit", "agreements-renew", "agreements-pdf", "agreements-xml", "agreements-compare"):
            self.assertContains(response, self.url(name, self.agreement.public_id))

    def test_it_offers_the_transitions_of_the_status_only(self) -> None:
        self.login()
        response = self.client.get(self.detail_url())
        self.assertEqual(response.context["actions"], {"edit", "renew", "share", "delete"})
        services.share_agreement(self.agreement, actor=self.alice)
        response = self.client.get(self.detail_url())
        self.assertEqual(
            response.context["actions"], {"edit", "renew", "approve", "partner_approval", "terminate", "delete"}
        )

    def test_it_shows_the_current_hash(self) -> None:
        self.login()
        expected = hashing.data_hash(snapshot.agreement_to_data(Agreement.objects.get(pk=self.agreement.pk)))
        response = self.client.get(self.detail_url())
        self.assertContains(response, expected)

    def test_it_says_why_there_is_no_hash(self) -> None:
        nowhere = make_institution(name="No Schac University", country="PT")
        agreement = make_agreement(self.inst_a, nowhere, code="A/NOWHERE")
        self.login()
        response = self.client.get(self.detail_url(agreement))
        self.assertEqual(response.context["current_hash"], "")
        self.assertContains(response, "No Schac University has no EWP identifier (SCHAC code) in the directory.")

    def test_other_kinds_show_their_title_programmes_dates_and_partners(self) -> None:
        agreement = make_agreement(
            self.inst_a,
            self.oviedo,
            code="DD/1",
            kind="double-degree",
            conditions=[],
            title="Double master in physics",
            programmes="Master Physique\nMáster en Física",
            start_date=date(2026, 9, 1),
            end_date=date(2031, 8, 31),
            additional_partners=[self.munich],
        )
        self.login()
        response = self.client.get(self.detail_url(agreement))
        self.assertContains(response, "Double master in physics")
        self.assertContains(response, "<li>Máster en Física</li>", html=True)
        self.assertContains(response, "Ludwig-Maximilians-Universität München")
        self.assertNotContains(response, "Cooperation conditions")

    def test_it_links_a_renewal_both_ways(self) -> None:
        renewal = services.renew_agreement(
            self.agreement, first_year="2029/2030", last_year="2031/2032", code="A/OVIEDO/2", actor=self.alice
        )
        self.login()
        self.assertContains(self.client.get(self.detail_url()), self.detail_url(renewal))
        self.assertContains(self.client.get(self.detail_url(renewal)), self.detail_url())

    def test_detail_reads_a_fixed_number_of_queries(self) -> None:
        self.login()
        self.client.get(self.detail_url())
        with CaptureQueriesContext(connection) as two_conditions:
            self.client.get(self.detail_url())
        agreement = make_agreement(
            self.inst_a, self.munich, code="A/MANY", conditions=[studies_condition("out") for _ in range(8)]
        )
        with CaptureQueriesContext(connection) as eight_conditions:
            self.client.get(self.detail_url(agreement))
        self.assertEqual(len(two_conditions.captured_queries), len(eight_conditions.captured_queries))
