from django.urls import reverse

from mobilitas.audit.models import AuditEvent
from tests.base import TenantTestCase

NEW_PASSWORD = "a-Much-better-secret-42"


class PasswordChangeTests(TenantTestCase):
    url = reverse("accounts-password-change")

    def change(self, old: str = "password", new: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
        return self.client.post(self.url, {"old_password": old, "new_password1": new, "new_password2": new})

    def test_it_asks_to_log_in(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('accounts-login')}?next={self.url}", fetch_redirect_response=False)

    def test_it_shows_a_labelled_form(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        for name in ("old_password", "new_password1", "new_password2"):
            self.assertContains(response, f'<label for="id_{name}">')

    def test_it_changes_the_password_and_keeps_the_session(self) -> None:
        self.client.force_login(self.alice)
        response = self.change()
        self.assertRedirects(response, reverse("accounts-password-change-done"))
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(NEW_PASSWORD))
        # Still logged in: the session hash was updated with the password.
        self.assertEqual(self.client.get(reverse("accounts-tokens")).status_code, 200)

    def test_it_writes_an_audit_event(self) -> None:
        self.client.force_login(self.alice)
        self.change()
        event = AuditEvent.objects.get(action="accounts.password_changed")
        self.assertEqual(event.actor, self.alice)
        self.assertEqual(event.object_id, str(self.alice.public_id))
        self.assertNotIn(NEW_PASSWORD, str(event.data))

    def test_it_refuses_a_wrong_old_password(self) -> None:
        self.client.force_login(self.alice)
        response = self.change(old="wrong")
        self.assertEqual(response.status_code, 200)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password("password"))
        self.assertFalse(AuditEvent.objects.filter(action="accounts.password_changed").exists())

    def test_it_refuses_a_weak_new_password(self) -> None:
        self.client.force_login(self.alice)
        response = self.change(new="12345678")
        self.assertContains(response, 'class="errorlist"')
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password("password"))
