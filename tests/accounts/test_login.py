from django.conf import settings
from django.urls import reverse

from tests.base import TenantTestCase


class LoginTests(TenantTestCase):
    url = reverse("accounts-login")

    def test_it_shows_a_labelled_form(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, '<label for="id_username">')
        self.assertContains(response, '<label for="id_password">')
        self.assertContains(response, 'type="email"')
        self.assertContains(response, reverse("accounts-password-reset"))

    def test_it_logs_in_with_email_and_password(self) -> None:
        response = self.client.post(self.url, {"username": "alice@a.test", "password": "password"})
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.alice.pk)

    def test_it_ignores_the_case_of_the_address(self) -> None:
        self.client.post(self.url, {"username": "Alice@A.TEST", "password": "password"})
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.alice.pk)

    def test_it_refuses_a_wrong_password(self) -> None:
        response = self.client.post(self.url, {"username": "alice@a.test", "password": "nope"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="errorlist" role="alert"')
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_refuses_a_deactivated_account(self) -> None:
        self.bob.is_active = False
        self.bob.save()
        self.client.post(self.url, {"username": "bob@a.test", "password": "password"})
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_follows_next(self) -> None:
        tokens = reverse("accounts-tokens")
        response = self.client.post(self.url, {"username": "alice@a.test", "password": "password", "next": tokens})
        self.assertRedirects(response, tokens, fetch_redirect_response=False)

    def test_it_switches_pages_to_the_users_language(self) -> None:
        self.alice.language = "fr"
        self.alice.save()
        response = self.client.post(self.url, {"username": "alice@a.test", "password": "password"})
        self.assertEqual(response.cookies[settings.LANGUAGE_COOKIE_NAME].value, "fr")

    def test_it_sends_a_logged_in_user_on(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
