import re

from django.core import mail
from django.urls import reverse

from mobilitas.audit.models import AuditEvent
from tests.base import TenantTestCase

NEW_PASSWORD = "a-Much-better-secret-42"


class PasswordResetTests(TenantTestCase):
    url = reverse("accounts-password-reset")

    def ask_for_link(self, email: str = "alice@a.test") -> str:
        response = self.client.post(self.url, {"email": email})
        self.assertRedirects(response, reverse("accounts-password-reset-done"))
        self.assertEqual(len(mail.outbox), 1)
        match = re.search(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", mail.outbox[0].body)
        assert match, mail.outbox[0].body
        return match.group(1)

    def test_it_shows_a_labelled_form(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, '<label for="id_email">')

    def test_it_emails_a_link_to_the_account(self) -> None:
        self.ask_for_link()
        message = mail.outbox[0]
        self.assertEqual(message.to, ["alice@a.test"])
        self.assertEqual(message.subject, "Mobilitas: choose a new password")
        self.assertIn("Hello Alice,", message.body)

    def test_it_finds_the_account_whatever_the_case(self) -> None:
        self.ask_for_link("ALICE@a.test")

    def test_it_answers_the_same_for_an_unknown_address(self) -> None:
        response = self.client.post(self.url, {"email": "nobody@a.test"})
        self.assertRedirects(response, reverse("accounts-password-reset-done"))
        self.assertEqual(mail.outbox, [])

    def test_it_sets_a_new_password_through_the_link(self) -> None:
        link = self.ask_for_link()
        form_page = self.client.get(link, follow=True)
        self.assertContains(form_page, '<label for="id_new_password1">')
        response = self.client.post(
            form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        self.assertRedirects(response, reverse("accounts-password-reset-complete"))
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(NEW_PASSWORD))
        login = self.client.post(reverse("accounts-login"), {"username": "alice@a.test", "password": NEW_PASSWORD})
        self.assertEqual(login.status_code, 302)

    def test_it_audits_the_new_password(self) -> None:
        link = self.ask_for_link()
        form_url = self.client.get(link, follow=True).redirect_chain[-1][0]
        self.client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        event = AuditEvent.objects.get(action="accounts.password_reset")
        self.assertEqual(event.actor, self.alice)

    def test_it_accepts_a_link_only_once(self) -> None:
        link = self.ask_for_link()
        form_url = self.client.get(link, follow=True).redirect_chain[-1][0]
        self.client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        self.client.logout()
        response = self.client.get(link, follow=True)
        self.assertContains(response, "This link is not valid any more")
        self.assertNotContains(response, 'id="id_new_password1"')
