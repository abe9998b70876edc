"""E-mails of calls: the opening announcement to the students who may apply, the deadline reminder to drafts."""

from datetime import datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from mobilitas.applications.call_tasks import send_call_notifications
from mobilitas.applications.models import Application, Call
from mobilitas.applications.services.calls import publish_call
from mobilitas.institutions.models import Role
from tests.applications.factories import make_application, make_call, make_destination
from tests.base import TenantTestCase
from tests.factories import make_member, make_ounit

UTC = ZoneInfo("UTC")


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


class OpeningAnnouncementTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.science = make_ounit(cls.inst_a, "SCI", "Faculty of Science")
        cls.physics = make_ounit(cls.inst_a, "PHY", "Department of Physics", parent=cls.science)
        cls.law = make_ounit(cls.inst_a, "LAW", "Faculty of Law")
        cls.sam = make_member("sam@a.test", cls.inst_a, Role.STUDENT, ounit=cls.science)
        cls.pia = make_member("pia@a.test", cls.inst_a, Role.STUDENT, ounit=cls.physics)
        cls.lea = make_member("lea@a.test", cls.inst_a, Role.STUDENT, ounit=cls.law)
        cls.gone = make_member("gone@a.test", cls.inst_a, Role.STUDENT, ounit=cls.science, is_active=False)
        make_member("teacher@a.test", cls.inst_a, Role.STAFF, ounit=cls.science)
        make_member("other@b.test", cls.inst_b, Role.STUDENT)

    def test_it_announces_to_the_students_of_eligible_units_and_their_sub_units_once(self) -> None:
        call = make_call(self.inst_a)
        call.eligible_ounits.set([self.science])
        self.assertEqual(send_call_notifications.call(), 2)
        self.assertEqual(recipients(), ["pia@a.test", "sam@a.test"])
        self.assertIn(f"/univ-a/calls/{call.public_id}/", mail.outbox[0].body)
        call.refresh_from_db()
        self.assertIsNotNone(call.opening_announced_at)
        self.assertEqual(send_call_notifications.call(), 0, "a call is announced once")
        self.assertEqual(len(mail.outbox), 2)

    def test_without_unit_restriction_every_active_student_hears_of_it(self) -> None:
        make_call(self.inst_a)
        send_call_notifications.call()
        self.assertEqual(recipients(), ["bob@a.test", "lea@a.test", "pia@a.test", "sam@a.test"])

    def test_a_staff_call_is_announced_to_staff_members(self) -> None:
        make_call(self.inst_a, kind=Call.Kind.STAFF_TEACHING)
        send_call_notifications.call()
        self.assertEqual(recipients(), ["teacher@a.test"])

    def test_drafts_and_calls_not_open_yet_are_not_announced(self) -> None:
        now = timezone.now()
        make_call(self.inst_a, status=Call.Status.DRAFT)
        later = make_call(self.inst_a, opens_at=now + timedelta(hours=2), closes_at=now + timedelta(days=9))
        self.assertEqual(send_call_notifications.call(), 0)
        later.refresh_from_db()
        self.assertIsNone(later.opening_announced_at)

    def test_a_french_student_reads_it_in_french(self) -> None:
        self.lea.language = "fr"
        self.lea.save()
        call = make_call(self.inst_a, closes_at=datetime(2099, 3, 15, 22, 59, tzinfo=UTC))
        call.eligible_ounits.set([self.law])
        send_call_notifications.call()
        (message,) = mail.outbox
        # The date is written the French way, in the call's time zone.
        self.assertIn("15 mars 2099, 23:59 Europe/Paris", message.body)

    def test_the_command_sends_them(self) -> None:
        make_call(self.inst_a).eligible_ounits.set([self.law])
        out = StringIO()
        call_command("send-call-notifications", stdout=out)
        self.assertEqual(out.getvalue().strip(), "1 e-mails sent.")
        self.assertEqual(recipients(), ["lea@a.test"])


class DeadlineReminderTests(TenantTestCase):
    def closing_in(self, hours: int) -> Call:
        now = timezone.now()
        return make_call(
            self.inst_a, opens_at=now - timedelta(days=20), closes_at=now + timedelta(hours=hours),
            opening_announced_at=now - timedelta(days=20),
        )  # fmt: skip

    def test_it_reminds_the_drafts_three_days_before_closing_once(self) -> None:
        call = self.closing_in(60)
        draft = make_application(call, self.bob)
        eve = make_member("eve@a.test", self.inst_a, Role.STUDENT)
        make_application(call, eve, status=Application.Status.SUBMITTED)
        self.assertEqual(send_call_notifications.call(), 1)
        self.assertEqual(recipients(), ["bob@a.test"])
        self.assertIn(f"/univ-a/applications/{draft.public_id}/", mail.outbox[0].body)
        self.assertEqual(send_call_notifications.call(), 0, "the reminder goes once")
        call.refresh_from_db()
        self.assertIsNotNone(call.reminder_sent_at)

    def test_it_waits_until_three_days_before(self) -> None:
        call = self.closing_in(24 * 5)
        make_application(call, self.bob)
        self.assertEqual(send_call_notifications.call(), 0)
        call.refresh_from_db()
        self.assertIsNone(call.reminder_sent_at)

    def test_a_closed_call_sends_no_reminder(self) -> None:
        call = make_call(self.inst_a, open_now=False, opening_announced_at=timezone.now())
        make_application(call, self.bob)
        self.assertEqual(send_call_notifications.call(), 0)

    def test_the_reminder_names_the_deadline_in_the_reader_time_zone_too(self) -> None:
        self.bob.time_zone = "America/New_York"
        self.bob.save()
        call = self.closing_in(48)
        make_application(call, self.bob)
        send_call_notifications.call()
        body = mail.outbox[0].body
        self.assertIn("Europe/Paris, that is", body)
        self.assertIn("in America/New_York", body)


class AnnouncementOnPublishingTests(TenantTestCase):
    """A call published when it is already open is announced at once, not at the next hourly run."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.law = make_ounit(cls.inst_a, "LAW", "Faculty of Law")
        cls.science = make_ounit(cls.inst_a, "SCI", "Faculty of Science")
        cls.lea = make_member("lea@a.test", cls.inst_a, Role.STUDENT, ounit=cls.law)
        make_member("sam@a.test", cls.inst_a, Role.STUDENT, ounit=cls.science)

    def draft(self, **fields: Any) -> Call:
        call = make_call(self.inst_a, status=Call.Status.DRAFT, **fields)
        call.eligible_ounits.set([self.law])
        make_destination(call)
        return call

    def publish(self, call: Call) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            publish_call(call, actor=self.alice)

    def test_publishing_an_open_call_mails_the_eligible_students_once(self) -> None:
        call = self.draft()
        self.publish(call)
        self.assertEqual(recipients(), ["lea@a.test"])
        self.assertIn(f"/univ-a/calls/{call.public_id}/", mail.outbox[0].body)
        call.refresh_from_db()
        self.assertIsNotNone(call.opening_announced_at)
        out = StringIO()
        call_command("send-call-notifications", stdout=out)
        self.assertEqual(out.getvalue().strip(), "0 e-mails sent.")
        self.assertEqual(recipients(), ["lea@a.test"], "the hourly run does not announce it again")

    def test_a_call_opening_later_is_announced_by_the_command_once_open(self) -> None:
        opens_at = datetime(2099, 3, 1, 9, 0, tzinfo=UTC)
        call = self.draft(opens_at=opens_at, closes_at=opens_at + timedelta(days=30))
        self.publish(call)
        self.assertEqual(mail.outbox, [])
        call_command("send-call-notifications", stdout=StringIO())
        self.assertEqual(mail.outbox, [], "not open yet")
        with time_machine.travel(opens_at + timedelta(minutes=30), tick=False):
            call_command("send-call-notifications", stdout=StringIO())
        self.assertEqual(recipients(), ["lea@a.test"])
        call.refresh_from_db()
        self.assertIsNotNone(call.opening_announced_at)
