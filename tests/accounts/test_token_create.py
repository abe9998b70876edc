import re

from django.urls import reverse

from mobilitas.accounts.models import ApiToken, hash_token
from mobilitas.audit.models import AuditEvent
from tests.base import TenantTestCase

SECRET = re.compile(r'value="(mob_[A-Za-z0-9_-]{40,})"')


class CreateTokenTests(TenantTestCase):
    url = reverse("accounts-token-create")

    def create(self, name: str = "report script", **headers: str):  # type: ignore[no-untyped-def]
        self.client.force_login(self.alice)
        return self.client.post(self.url, {"name": name}, headers=headers)

    def test_it_shows_the_secret_once_with_a_warning(self) -> None:
        response = self.create()
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "it is shown only once")
        secret = SECRET.search(response.content.decode()).group(1)
        self.assertNotContains(self.client.get(reverse("accounts-tokens")), secret)

    def test_it_stores_only_the_hash(self) -> None:
        response = self.create()
        secret = SECRET.search(response.content.decode()).group(1)
        token = ApiToken.objects.get(user=self.alice)
        self.assertEqual(token.name, "report script")
        self.assertEqual(token.digest, hash_token(secret))
        self.assertTrue(secret.startswith(token.hint))
        stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
        self.assertNotIn(secret, stored)

    def test_it_keeps_the_secret_out_of_caches(self) -> None:
        response = self.create()
        self.assertIn("no-store", response["Cache-Control"])

    def test_it_writes_an_audit_event_without_the_secret(self) -> None:
        response = self.create()
        secret = SECRET.search(response.content.decode()).group(1)
        event = AuditEvent.objects.get(action="accounts.api_token_created")
        self.assertEqual(event.actor, self.alice)
        self.assertEqual(event.data["name"], "report script")
        self.assertNotIn(secret, str(event.data) + event.object_repr)

    def test_it_answers_htmx_with_the_tokens_section(self) -> None:
        response = self.create(HX_Request="true")
        content = response.content.decode()
        self.assertTrue(content.strip().startswith('<section id="api-tokens"'))
        self.assertNotIn("<html", content)
        self.assertRegex(content, SECRET)
        self.assertIn("report script", content)

    def test_it_requires_a_name(self) -> None:
        response = self.create(name="  ")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'class="errorlist"', status_code=400)
        self.assertFalse(ApiToken.objects.exists())

    def test_it_shows_htmx_errors_in_the_section(self) -> None:
        response = self.create(name="", HX_Request="true")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="errorlist"')
        self.assertFalse(ApiToken.objects.exists())

    def test_it_refuses_get(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 405)
