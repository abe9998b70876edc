"""The time zone on "My account": a choice of every zone, saved with an audit event, followed by the pages."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse

from mobilitas.audit.models import AuditEvent
from tests.applications.factories import make_call
from tests.base import TenantTestCase


class TimeZoneTests(TenantTestCase):
    url = reverse("accounts-time-zone")

    def test_the_account_page_offers_every_zone_with_the_current_one_selected(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(reverse("accounts-tokens"))
        self.assertContains(response, '<option value="Europe/Paris" selected>')
        self.assertContains(response, '<option value="America/New_York">')
        self.assertContains(response, 'for="id_time_zone"')

    def test_it_saves_the_zone_with_an_audit_event(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url, {"time_zone": "America/New_York"})
        self.assertRedirects(response, reverse("accounts-tokens"), fetch_redirect_response=False)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.time_zone, "America/New_York")
        event = AuditEvent.objects.get(action="accounts.time_zone_changed")
        self.assertEqual((event.actor, event.data), (self.alice, {"from": "Europe/Paris", "to": "America/New_York"}))

    def test_the_next_pages_follow_it(self) -> None:
        call = make_call(self.inst_a, closes_at=datetime(2027, 3, 15, 22, 59, tzinfo=ZoneInfo("UTC")))
        self.client.force_login(self.alice)
        response = self.client.post(self.url, {"time_zone": "Asia/Tokyo"}, follow=True)
        self.assertContains(response, '<option value="Asia/Tokyo" selected>')
        page = self.client.get(reverse("applications-call", args=["univ-a", call.public_id]))
        self.assertContains(page, "16 March 2027, 07:59 Asia/Tokyo")

    def test_an_unknown_zone_is_refused(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url, {"time_zone": "Mars/Olympus"})
        self.assertEqual(response.status_code, 400)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.time_zone, "Europe/Paris")
        self.assertFalse(AuditEvent.objects.filter(action="accounts.time_zone_changed").exists())

    def test_it_asks_to_log_in(self) -> None:
        response = self.client.post(self.url, {"time_zone": "Asia/Tokyo"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts-login")))
