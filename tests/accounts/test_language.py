from django.conf import settings
from django.test import TestCase
from django.urls import reverse

from mobilitas.audit.models import AuditEvent
from tests.base import TenantTestCase
from tests.factories import make_user


class LanguageTests(TenantTestCase):
    url = reverse("accounts-language")

    def test_it_saves_the_preference_and_sets_the_cookie(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url, {"language": "fr"})
        self.assertRedirects(response, reverse("accounts-tokens"), fetch_redirect_response=False)
        self.assertEqual(response.cookies[settings.LANGUAGE_COOKIE_NAME].value, "fr")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.language, "fr")

    def test_it_shows_the_next_page_in_that_language(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url, {"language": "fr"}, follow=True)
        self.assertContains(response, '<html lang="fr">')

    def test_it_writes_an_audit_event(self) -> None:
        self.client.force_login(self.alice)
        self.client.post(self.url, {"language": "fr"})
        event = AuditEvent.objects.get(action="accounts.language_changed")
        self.assertEqual(event.actor, self.alice)
        self.assertEqual(event.data, {"from": "en", "to": "fr"})

    def test_it_refuses_an_unknown_language(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url, {"language": "xx"})
        self.assertEqual(response.status_code, 400)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.language, "en")

    def test_it_asks_to_log_in(self) -> None:
        response = self.client.post(self.url, {"language": "fr"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts-login")))


class HeaderLanguageSwitcherTests(TestCase):
    def test_it_saves_the_choice_and_returns_to_the_page(self) -> None:
        user = make_user("lang@a.test")
        self.client.force_login(user)
        response = self.client.post(reverse("accounts-language"), {"language": "fr", "next": "/somewhere/"})
        self.assertRedirects(response, "/somewhere/", fetch_redirect_response=False)
        user.refresh_from_db()
        self.assertEqual(user.language, "fr")

    def test_it_ignores_a_next_on_another_host(self) -> None:
        self.client.force_login(make_user("lang2@a.test"))
        response = self.client.post(reverse("accounts-language"), {"language": "fr", "next": "https://evil.test/"})
        self.assertRedirects(response, reverse("accounts-tokens"), fetch_redirect_response=False)
