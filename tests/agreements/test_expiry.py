"""Officers are warned by e-mail, once, six months before an agreement's last academic year ends."""

from io import StringIO

import time_machine
from django.core import mail
from django.core.management import call_command

from mobilitas.agreements.models import ExpiryNotice
from tests.base import TenantTestCase
from tests.factories import make_agreement, make_institution, studies_condition


class ExpiryWarningTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.partner = make_institution(name="Partner University", country="ES")
        cls.ending = make_agreement(
            cls.inst_a, cls.partner, code="END/1", conditions=[studies_condition(last_year="2026/2027")]
        )
        make_agreement(cls.inst_a, cls.partner, code="LATER/1", conditions=[studies_condition(last_year="2027/2028")])
        make_agreement(cls.inst_b, cls.partner, code="B/1", conditions=[studies_condition(last_year="2026/2027")])

    def run_command(self) -> str:
        out = StringIO()
        call_command("warn-expiring-agreements", stdout=out)
        return out.getvalue()

    @time_machine.travel("2027-01-15 08:00 +0100", tick=False)
    def test_nothing_before_six_months(self) -> None:
        self.assertEqual(self.run_command().strip(), "0 e-mails sent.")
        self.assertEqual(mail.outbox, [])

    @time_machine.travel("2027-03-01 08:00 +0100", tick=False)
    def test_each_institutions_officers_warned_once_in_their_language(self) -> None:
        self.carol.language = "fr"
        self.carol.save()
        self.assertEqual(self.run_command().strip(), "2 e-mails sent.")
        by_recipient = {m.to[0]: m for m in mail.outbox}
        self.assertEqual(set(by_recipient), {"alice@a.test", "carol@b.test"})
        self.assertIn("END/1", by_recipient["alice@a.test"].body)
        self.assertNotIn("LATER/1", by_recipient["alice@a.test"].body)
        self.assertNotIn("B/1", by_recipient["alice@a.test"].body)
        self.assertIn("/univ-a/agreements/?expiring=on", by_recipient["alice@a.test"].body)
        self.assertIn("six mois", by_recipient["carol@b.test"].subject)
        self.assertEqual(ExpiryNotice.objects.filter(agreement=self.ending).count(), 1)
        self.assertEqual(self.run_command().strip(), "0 e-mails sent.")
