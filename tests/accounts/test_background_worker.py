from django.core import mail
from django.core.management import call_command
from django.test import TransactionTestCase, override_settings
from django_tasks_db.models import DBTaskResult

from mobilitas.accounts import services
from tests.factories import make_user


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
class DatabaseQueueTests(TransactionTestCase):
    """The production path: the task waits in the database until `mobilitas db_worker` runs it."""

    def test_it_queues_the_token_notice_and_the_worker_sends_it(self) -> None:
        user = make_user("worker@a.test")
        services.create_api_token(user, name="laptop")

        self.assertEqual(mail.outbox, [])
        self.assertEqual(DBTaskResult.objects.filter(status="READY").count(), 1)

        call_command("db_worker", batch=True, interval=0)

        self.assertEqual(DBTaskResult.objects.filter(status="SUCCESSFUL").count(), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("laptop", mail.outbox[0].subject)
        self.assertEqual(mail.outbox[0].to, ["worker@a.test"])
