from django.urls import reverse

from tests.base import TenantTestCase


class LogoutTests(TenantTestCase):
    url = reverse("accounts-logout")

    def test_it_logs_out_on_post(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url)
        self.assertRedirects(response, reverse("accounts-login"), fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_does_not_log_out_on_get(self) -> None:
        # A link or an image pointing here must not end anyone's session.
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 405)
        self.assertIn("_auth_user_id", self.client.session)
