"""The places page: what the agreements offer in one academic year, per partner, with totals."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from mobilitas.agreements.inputs import ConditionInput, LanguageSkillInput
from tests.agreements.test_pages import AgreementPagesTestCase
from tests.factories import make_agreement, studies_condition

PARIS = ZoneInfo("Europe/Paris")


class PlacesTests(AgreementPagesTestCase):
    def places(self, user: object = None, **params: str) -> HttpResponse:
        self.login(user)
        return self.client.get(self.url("agreements-places"), params)

    def test_it_defaults_to_the_current_academic_year_and_outgoing(self) -> None:
        with time_machine.travel(datetime(2027, 2, 1, 10, tzinfo=PARIS), tick=False):
            response = self.places()
        self.assertEqual(response.context["year"], "2026/2027")
        self.assertTrue(response.context["outgoing"])

    def test_it_totals_the_places_per_partner_and_overall(self) -> None:
        teaching = ConditionInput(
            kind="staff-teacher",
            direction="out",
            first_year="2026/2027",
            last_year="2026/2027",
            mobilities_per_year=1,
            total_days_per_year=Decimal(5),
            language_skills=[LanguageSkillInput("es", "B2")],
        )
        make_agreement(
            self.inst_a,
            self.oviedo,
            code="A/OVIEDO/STAFF",
            conditions=[
                studies_condition("out", mobilities_per_year=3, total_months_per_year=Decimal("13.5")),
                teaching,
            ],
        )
        response = self.places(year="2026/2027", direction="out")
        totals = response.context["totals"]
        # Oviedo: 2 + 3 students (10 + 13.5 months) and 1 teacher (5 days); Munich: 2 students (10 months).
        self.assertEqual((totals["mobilities"], totals["months"], totals["days"]), (8, Decimal("33.5"), Decimal(5)))
        groups = {g.partner.pk: g for g in response.context["groups"]}
        self.assertEqual(
            (groups[self.oviedo.pk].totals["mobilities"], groups[self.oviedo.pk].totals["months"]), (6, Decimal("23.5"))
        )
        self.assertEqual(groups[self.munich.pk].totals["mobilities"], 2)
        self.assertContains(response, "2026/2027: 8 outgoing mobilities, 33.5 months for students and 5 days for staff")
        self.assertContains(response, "13.5 months")

    def test_incoming_and_other_years(self) -> None:
        response = self.places(year="2026/2027", direction="in")
        self.assertEqual(response.context["totals"]["mobilities"], 2)  # Oviedo sends 2 to us
        response = self.places(year="2024/2025", direction="out")
        self.assertEqual([g.partner for g in response.context["groups"]], [self.munich])

    def test_a_coordinator_sees_the_places_of_their_unit(self) -> None:
        response = self.places(self.coordinator, year="2026/2027")
        self.assertEqual([g.partner for g in response.context["groups"]], [self.oviedo])

    def test_a_bad_year_is_a_message(self) -> None:
        response = self.places(year="1999/2001")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Choose an academic year", status_code=400)

    def test_the_number_of_queries_does_not_grow_with_the_places(self) -> None:
        self.places(year="2026/2027")
        with CaptureQueriesContext(connection) as few:
            self.places(year="2026/2027")
        for n in range(10):
            make_agreement(self.inst_a, self.munich, code=f"MORE/{n}")
        with CaptureQueriesContext(connection) as many:
            response = self.places(year="2026/2027")
        self.assertEqual(response.context["totals"]["mobilities"], 24)
        self.assertEqual(len(few.captured_queries), len(many.captured_queries))

    def test_students_get_403_and_carol_404(self) -> None:
        self.assertEqual(self.places(self.bob).status_code, 403)
        self.assert_carol_gets_404(self.url("agreements-places"))
