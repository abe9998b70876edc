from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mobilitas.accounts.models import User
from mobilitas.audit import record
from mobilitas.audit.models import AuditEvent
from mobilitas.institutions.models import Role
from tests.base import TenantTestCase
from tests.factories import make_member

PARIS = ZoneInfo("Europe/Paris")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


class ActivityTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.url = reverse("audit-activity", args=["univ-a"])
        cls.dora = make_member("dora@a.test", cls.inst_a, Role.ADMIN, full_name="Dora Admin")
        with time_machine.travel(at(2026, 3, 1, 10), tick=False):
            record("contact.added", actor=cls.alice, institution=cls.inst_a, obj=cls.inst_b, data={"name": "Ana"})
        with time_machine.travel(at(2026, 3, 15, 23, 30), tick=False):
            record("iia.approved", actor=cls.dora, institution=cls.inst_a, obj=cls.inst_b)
        with time_machine.travel(at(2026, 4, 2, 9), tick=False):
            record("ounit.created", institution=cls.inst_a, data={"code": "LAW"})
            record("secret.b-only", actor=cls.carol, institution=cls.inst_b, obj=cls.inst_a)

    def get(self, user=None, **params):  # type: ignore[no-untyped-def]
        self.client.force_login(user or self.alice)
        return self.client.get(self.url, params)

    def listed(self, response) -> list[str]:  # type: ignore[no-untyped-def]
        return [event.action for event in response.context["page"]]

    def test_it_lists_the_institutions_events_newest_first(self) -> None:
        response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.listed(response), ["ounit.created", "iia.approved", "contact.added"])
        self.assertContains(response, "Dora Admin")
        self.assertContains(response, "the system")
        self.assertContains(response, "name: Ana")
        self.assertContains(response, "3 events.")

    def test_it_never_lists_another_institutions_events(self) -> None:
        response = self.get()
        self.assertNotContains(response, "secret.b-only")

    def test_it_offers_only_the_actions_present_at_the_institution(self) -> None:
        response = self.get()
        choices = [value for value, _label in response.context["form"].fields["action"].choices]
        self.assertEqual(choices, ["", "contact.added", "iia.approved", "ounit.created"])

    def test_it_filters_by_action(self) -> None:
        response = self.get(action="iia.approved")
        self.assertEqual(self.listed(response), ["iia.approved"])

    def test_it_filters_by_part_of_the_actors_email(self) -> None:
        response = self.get(actor="DORA@")
        self.assertEqual(self.listed(response), ["iia.approved"])

    def test_it_filters_by_whole_days_in_the_local_time_zone(self) -> None:
        # 23:30 in Paris on 15 March is 22:30 UTC: still the 15th for the reader.
        response = self.get(start="2026-03-15", end="2026-03-15")
        self.assertEqual(self.listed(response), ["iia.approved"])
        response = self.get(start="2026-03-02")
        self.assertEqual(self.listed(response), ["ounit.created", "iia.approved"])
        response = self.get(end="2026-03-14")
        self.assertEqual(self.listed(response), ["contact.added"])

    def test_it_explains_a_date_it_cannot_read(self) -> None:
        response = self.get(start="15/03/2026x")
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["page"])
        self.assertContains(response, "These filters cannot be used")
        self.assertContains(response, "From: Enter a valid date.")
        self.assertContains(response, 'aria-invalid="true"')

    def test_it_explains_an_inverted_date_range(self) -> None:
        response = self.get(start="2026-04-01", end="2026-03-01")
        self.assertContains(response, "The start date must be on or before the end date.")
        self.assertIsNone(response.context["page"])

    def test_it_explains_an_action_that_is_not_in_the_trail(self) -> None:
        response = self.get(action="secret.b-only")
        self.assertContains(response, "Select a valid choice.")
        self.assertNotContains(response, "<code>secret.b-only</code>", html=True)

    def test_it_pages_by_fifty_and_keeps_the_filters(self) -> None:
        AuditEvent.objects.bulk_create(
            AuditEvent(institution=self.inst_a, action="bulk.imported", object_repr=f"row {n}") for n in range(120)
        )
        response = self.get(action="bulk.imported")
        self.assertEqual(len(response.context["page"]), 50)
        self.assertContains(response, "120 events.")
        self.assertContains(response, "Page 1 of 3")
        self.assertContains(response, 'href="?action=bulk.imported&amp;page=2"')
        response = self.get(action="bulk.imported", page="3")
        self.assertEqual(len(response.context["page"]), 20)
        self.assertEqual(set(self.listed(response)), {"bulk.imported"})
        self.assertContains(response, 'href="?action=bulk.imported&amp;page=2"')

    def test_it_shows_the_last_page_for_a_page_number_out_of_range(self) -> None:
        response = self.get(page="99")
        self.assertEqual(response.context["page"].number, 1)

    def test_it_answers_htmx_with_the_results_only(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url, {"action": "iia.approved"}, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<html")
        self.assertNotContains(response, "<form")
        self.assertContains(response, "<code>iia.approved</code>", html=True)
        self.assertNotContains(response, "<code>contact.added</code>", html=True)
        self.assertIn("HX-Request", response["Vary"])

    def test_it_answers_an_htmx_history_restore_with_the_whole_page(self) -> None:
        self.client.force_login(self.alice)
        headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
        response = self.client.get(self.url, headers=headers)
        self.assertContains(response, "<html")
        self.assertContains(response, 'id="activity-results"')

    def test_it_shows_htmx_the_filter_errors(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url, {"end": "soon"}, headers={"HX-Request": "true"})
        self.assertContains(response, "Until: Enter a valid date.")

    def test_it_is_open_to_admins_and_leadership(self) -> None:
        rector = make_member("rita@a.test", self.inst_a, Role.LEADERSHIP)
        for user in (self.dora, rector):
            with self.subTest(user=user):
                self.assertEqual(self.get(user).status_code, 200)

    def test_it_refuses_a_student(self) -> None:
        self.assertEqual(self.get(self.bob).status_code, 403)

    def test_it_refuses_a_coordinator_and_hr(self) -> None:
        for role in (Role.COORDINATOR, Role.HR, Role.STAFF, Role.ALLIANCE_OFFICE):
            with self.subTest(role=role):
                self.assertEqual(self.get(make_member(f"{role}@a.test", self.inst_a, role)).status_code, 403)

    def test_it_answers_404_to_carol(self) -> None:
        self.assert_carol_gets_404(self.url)

    def test_it_sends_anonymous_users_to_the_login_page(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('accounts-login')}?next={self.url}", fetch_redirect_response=False)

    def test_it_runs_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.alice)
        # session, user, memberships; actions present, count, page of events with their actors.
        with self.assertNumQueries(6):
            self.client.get(self.url)

    def test_it_runs_as_many_queries_for_a_full_page_of_many_actors(self) -> None:
        self.client.force_login(self.alice)
        with CaptureQueriesContext(connection) as before:
            self.client.get(self.url, {"actor": "a.test"})
        actors = User.objects.bulk_create(User(email=f"user{n}@a.test", full_name=f"User {n}") for n in range(60))
        AuditEvent.objects.bulk_create(
            AuditEvent(institution=self.inst_a, actor=actor, action=f"action.{n % 7}") for n, actor in enumerate(actors)
        )
        with CaptureQueriesContext(connection) as after:
            response = self.client.get(self.url, {"actor": "a.test"})
        self.assertEqual(len(response.context["page"]), 50)
        self.assertEqual(len(after), len(before))
