from datetime import UTC, datetime

import time_machine
from django.core import mail
from django.urls import reverse

from mobilitas.accounts.tasks import send_api_token_notice
from tests.accounts.helpers import make_token
from tests.base import TenantTestCase


class TokenNoticeTests(TenantTestCase):
    def test_it_emails_the_owner_when_a_token_is_created(self) -> None:
        self.client.force_login(self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("accounts-token-create"), {"name": "report script"})
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["alice@a.test"])
        self.assertIn("report script", message.subject)
        self.assertIn("a new API token named “report script”", message.subject)
        self.assertIn("revoke it", message.body)

    def test_it_sends_nothing_before_the_transaction_commits(self) -> None:
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            make_token(self.alice)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(len(callbacks), 1)

    def test_it_never_includes_the_secret(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            token, secret = make_token(self.alice)
        self.assertNotIn(secret, mail.outbox[0].body + mail.outbox[0].subject)
        self.assertIn(token.hint, mail.outbox[0].body)

    def test_it_writes_in_the_owners_language(self) -> None:
        self.alice.language = "fr"
        self.alice.save()
        with time_machine.travel(datetime(2026, 1, 15, 10, 0, tzinfo=UTC)), self.captureOnCommitCallbacks(execute=True):
            make_token(self.alice)
        self.assertIn("15 janvier 2026", mail.outbox[0].body)

    def test_it_skips_a_token_deleted_in_the_meantime(self) -> None:
        token, _secret = make_token(self.alice)
        token_id = token.pk
        token.delete()
        send_api_token_notice.call(token_id)
        self.assertEqual(mail.outbox, [])
