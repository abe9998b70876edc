from django.urls import reverse

from mobilitas.accounts.models import ApiToken
from mobilitas.audit.models import AuditEvent
from tests.accounts.helpers import make_token
from tests.base import TenantTestCase


class RevokeTokenTests(TenantTestCase):
    def setUp(self) -> None:
        self.token, self.secret = make_token(self.alice, "report script")
        self.url = reverse("accounts-token-revoke", args=[self.token.public_id])

    def test_it_revokes_and_redirects(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url)
        self.assertRedirects(response, reverse("accounts-tokens"), fetch_redirect_response=False)
        self.token.refresh_from_db()
        self.assertIsNotNone(self.token.revoked_at)
        page = self.client.get(reverse("accounts-tokens"))
        self.assertContains(page, "The token “report script” is revoked.")
        self.assertContains(page, "Revoked on")

    def test_it_answers_htmx_with_the_tokens_section(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertTrue(content.strip().startswith('<section id="api-tokens"'))
        self.assertIn("is revoked", content)
        self.assertNotIn(self.url, content)  # no revoke button left for it

    def test_it_writes_an_audit_event(self) -> None:
        self.client.force_login(self.alice)
        self.client.post(self.url)
        event = AuditEvent.objects.get(action="accounts.api_token_revoked")
        self.assertEqual(event.actor, self.alice)
        self.assertEqual(event.object_id, str(self.token.public_id))

    def test_it_gets_the_token_refused_by_the_api(self) -> None:
        api_url = reverse("api-v1:list_institutions")
        self.assertEqual(self.client.get(api_url, headers={"Authorization": f"Bearer {self.secret}"}).status_code, 200)
        self.client.force_login(self.alice)
        self.client.post(self.url)
        self.client.logout()
        response = self.client.get(api_url, headers={"Authorization": f"Bearer {self.secret}"})
        self.assertEqual(response.status_code, 401)

    def test_it_answers_404_to_bob_for_alices_token(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.post(self.url)
        self.assertEqual(response.status_code, 404)
        self.token.refresh_from_db()
        self.assertIsNone(self.token.revoked_at)

    def test_it_answers_404_to_carol(self) -> None:
        self.assert_carol_gets_404(self.url, method="post")
        self.token.refresh_from_db()
        self.assertIsNone(self.token.revoked_at)

    def test_it_answers_404_for_an_unknown_token(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(reverse("accounts-token-revoke", args=["00000000-0000-4000-8000-000000000000"]))
        self.assertEqual(response.status_code, 404)

    def test_it_refuses_to_revoke_twice(self) -> None:
        self.client.force_login(self.alice)
        self.client.post(self.url)
        response = self.client.post(self.url)
        self.assertEqual(response.status_code, 409)
        self.assertEqual(AuditEvent.objects.filter(action="accounts.api_token_revoked").count(), 1)

    def test_it_refuses_get(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 405)
        self.assertTrue(ApiToken.objects.get(pk=self.token.pk).is_active)
