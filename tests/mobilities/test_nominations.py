"""Nominations: an accepted place becomes a Mobility (through the handlers the app registers), a place given up
cancels it; both once per offer, with an audit event."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

from django.test import SimpleTestCase
from django.utils import timezone

from mobilitas.accounts.models import User
from mobilitas.applications import acceptance
from mobilitas.applications.models import AllocationRun, Application, Call, CallDestination, Offer
from mobilitas.applications.services.results import accept_offer, decline_offer
from mobilitas.audit.models import AuditEvent
from mobilitas.institutions.models import Role
from mobilitas.lib.errors import Conflict
from mobilitas.mobilities import services
from mobilitas.mobilities.models import Mobility
from mobilitas.mobilities.spreadsheet import split_name
from tests.applications.factories import make_application, make_call, make_destination
from tests.base import TenantTestCase
from tests.factories import make_agreement, make_institution, make_member


def make_offer(
    call: Call, destination: CallDestination, student: User, *, status: str = Offer.Status.ACCEPTED, **fields: Any
) -> Offer:
    """A place of a published run offered to `student` (who applied with `fields`), as the results would make it."""
    application = make_application(call, student, choices=[destination], **fields)
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    run = call.runs.first() or AllocationRun.objects.create(
        call=call, seed=42, inputs={}, output={}, published_at=timezone.now()
    )
    return Offer.objects.create(
        institution=call.institution,
        run=run,
        application=application,
        destination=destination,
        status=status,
        respond_by=timezone.now() + timedelta(days=7),
    )


def nominate(call: Call, destination: CallDestination, student: User, **fields: Any) -> Mobility:
    """A nomination made by the registered handler, as an accepted offer makes it."""
    offer = make_offer(call, destination, student, **fields)
    acceptance.on_place_accepted(offer)
    return Mobility.objects.get(offer=offer)


class NominationTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.partner = make_institution(name="Universidade do Porto", country="PT", erasmus_code="P  PORTO02")
        cls.agreement = make_agreement(cls.inst_a, cls.partner, code="2026/E+/PT/001")
        cls.condition = cls.agreement.conditions.get(sending=cls.inst_a)
        cls.call = make_call(cls.inst_a)
        cls.destination = make_destination(
            cls.call, cls.partner, agreement=cls.agreement, condition=cls.condition, months=Decimal(10)
        )


class NominateTests(NominationTestCase):
    def test_an_accepted_place_becomes_a_nomination(self) -> None:
        offer = make_offer(self.call, self.destination, self.bob, isced_code="0613", study_level=7)
        acceptance.on_place_accepted(offer)  # the handler MobilitiesConfig.ready() registered
        mobility = Mobility.objects.get(offer=offer)
        self.assertEqual(
            (mobility.institution, mobility.person, mobility.home, mobility.host),
            (self.inst_a, self.bob, self.inst_a, self.partner),
        )
        self.assertEqual(
            (mobility.category, mobility.direction, mobility.kind, mobility.format),
            ("student", "outgoing", "study", "long-term"),
        )
        self.assertEqual((mobility.agreement, mobility.condition), (self.agreement, self.condition))
        self.assertEqual((mobility.academic_year, mobility.isced_code, mobility.eqf_level), ("2027/2028", "0613", 7))
        self.assertEqual(mobility.status, Mobility.Status.NOMINATED)
        self.assertIsNotNone(mobility.nominated_at)
        # Ten months of 30 days from 1 September: 300 days, the last one included.
        self.assertEqual((mobility.planned_start, mobility.planned_end), (date(2027, 9, 1), date(2028, 6, 26)))
        event = AuditEvent.objects.get(action="mobilities.nominated")
        self.assertEqual(
            (event.actor, event.institution, event.object_id), (self.bob, self.inst_a, str(mobility.public_id))
        )

    def test_nominating_twice_makes_one_mobility(self) -> None:
        offer = make_offer(self.call, self.destination, self.bob)
        first = services.nominate_from_offer(offer)
        second = services.nominate_from_offer(offer)
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(Mobility.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="mobilities.nominated").count(), 1)

    def test_the_call_kind_decides_the_category_kind_and_format(self) -> None:
        expected = {
            Call.Kind.SHORT_TERM: ("student", "study", "short-term"),
            Call.Kind.BLENDED: ("student", "study", "blended"),
            Call.Kind.TRAINEESHIP: ("student", "traineeship", "long-term"),
            Call.Kind.STAFF_TEACHING: ("staff", "teaching", "long-term"),
            Call.Kind.STAFF_TRAINING: ("staff", "training", "long-term"),
        }
        for number, (kind, shape) in enumerate(expected.items()):
            with self.subTest(kind=kind):
                call = make_call(self.inst_a, kind=kind, title=f"Call {kind}")
                person = make_member(f"p{number}@a.test", self.inst_a, Role.STAFF)
                mobility = nominate(call, make_destination(call, self.partner), person)
                self.assertEqual((mobility.category, mobility.kind, mobility.format), shape)

    def test_without_months_the_dates_are_left_to_agree(self) -> None:
        destination = make_destination(self.call, make_institution())
        mobility = nominate(self.call, destination, self.bob)
        self.assertEqual((mobility.planned_start, mobility.planned_end), (None, None))

    def test_a_half_month_counts_fifteen_days(self) -> None:
        self.assertEqual(services.planned_dates("2026/2027", Decimal("4.5")), (date(2026, 9, 1), date(2027, 1, 13)))
        self.assertEqual(services.planned_dates("2026-27", Decimal(5)), (None, None))

    def test_a_place_not_accepted_is_not_nominated(self) -> None:
        offer = make_offer(self.call, self.destination, self.bob, status=Offer.Status.OFFERED)
        with self.assertRaisesMessage(Conflict, "Only an accepted place becomes a nomination"):
            services.nominate_from_offer(offer)
        self.assertFalse(Mobility.objects.exists())

    def test_the_nomination_is_made_for_the_accepting_offer_only(self) -> None:
        other = make_member("erin@a.test", self.inst_a, Role.STUDENT, full_name="Erin Student")
        nominate(self.call, self.destination, self.bob)
        mobility = nominate(self.call, self.destination, other)
        self.assertEqual(mobility.person, other)
        self.assertEqual(Mobility.objects.count(), 2)


class CancelTests(NominationTestCase):
    def test_a_place_given_up_cancels_the_nomination(self) -> None:
        mobility = nominate(self.call, self.destination, self.bob)
        acceptance.on_place_released(mobility.offer)  # type: ignore[arg-type]
        mobility.refresh_from_db()
        self.assertEqual(mobility.status, Mobility.Status.CANCELLED)
        event = AuditEvent.objects.get(action="mobilities.nomination_cancelled")
        self.assertEqual((event.actor, event.object_id), (self.bob, str(mobility.public_id)))

    def test_cancelling_twice_is_harmless(self) -> None:
        mobility = nominate(self.call, self.destination, self.bob)
        offer = mobility.offer
        assert offer is not None
        services.cancel_nomination(offer)
        services.cancel_nomination(offer)
        self.assertEqual(AuditEvent.objects.filter(action="mobilities.nomination_cancelled").count(), 1)

    def test_cancelling_an_offer_without_nomination_does_nothing(self) -> None:
        offer = make_offer(self.call, self.destination, self.bob)
        self.assertIsNone(services.cancel_nomination(offer))
        self.assertFalse(Mobility.objects.exists())

    def test_accepting_again_nominates_again(self) -> None:
        mobility = nominate(self.call, self.destination, self.bob)
        offer = mobility.offer
        assert offer is not None
        services.cancel_nomination(offer)
        again = services.nominate_from_offer(offer)
        self.assertEqual((again.pk, again.status), (mobility.pk, Mobility.Status.NOMINATED))


class SplitNameTests(SimpleTestCase):
    def test_names(self) -> None:
        cases = {
            "Bob Student": ("Student", "Bob"),
            "Jean-Pierre de la Fontaine": ("de la Fontaine", "Jean-Pierre"),
            "DUPONT Marie Claire": ("DUPONT", "Marie Claire"),
            "Dupont, Marie": ("Dupont", "Marie"),
            "Plato": ("Plato", ""),
            "  ": ("", ""),
        }
        for full_name, expected in cases.items():
            with self.subTest(full_name=full_name):
                self.assertEqual(split_name(full_name), expected)


class ThroughTheResultsTests(NominationTestCase):
    """The real steps of the results: accepting a place nominates, giving it up cancels, in the same transaction."""

    def test_accepting_an_offer_nominates_the_student(self) -> None:
        offer = make_offer(self.call, self.destination, self.bob, status=Offer.Status.OFFERED, study_level=6)
        accept_offer(offer, actor=self.bob)
        mobility = Mobility.objects.get(offer=offer)
        self.assertEqual((mobility.person, mobility.host, mobility.eqf_level), (self.bob, self.partner, 6))
        self.assertEqual(mobility.status, Mobility.Status.NOMINATED)

    def test_giving_an_accepted_place_up_cancels_the_nomination(self) -> None:
        offer = make_offer(self.call, self.destination, self.bob, status=Offer.Status.OFFERED)
        accept_offer(offer, actor=self.bob)
        decline_offer(offer, actor=self.bob)
        self.assertEqual(Mobility.objects.get(offer=offer).status, Mobility.Status.CANCELLED)

    def test_declining_an_offered_place_nominates_nobody(self) -> None:
        offer = make_offer(self.call, self.destination, self.bob, status=Offer.Status.OFFERED)
        decline_offer(offer, actor=self.bob)
        self.assertFalse(Mobility.objects.exists())

    def test_an_acceptance_that_cannot_nominate_is_rolled_back(self) -> None:
        offer = make_offer(self.call, self.destination, self.bob, status=Offer.Status.OFFERED)
        with (
            mock.patch.object(services, "nominate_from_offer", side_effect=RuntimeError("no nomination")),
            self.assertRaises(RuntimeError),
        ):
            accept_offer(offer, actor=self.bob)
        offer.refresh_from_db()
        self.assertEqual(offer.status, Offer.Status.OFFERED)
        self.assertFalse(AuditEvent.objects.filter(action="applications.offer_accepted").exists())
