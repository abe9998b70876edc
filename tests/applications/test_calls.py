"""Services of calls: validation with a message per field, destinations from the agreements, publish and close."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from mobilitas.agreements.inputs import ConditionInput
from mobilitas.agreements.models import Agreement
from mobilitas.applications.models import Call, CallDestination
from mobilitas.applications.services import calls as services
from mobilitas.audit.models import AuditEvent
from mobilitas.lib.errors import Conflict, DomainError
from tests.applications.factories import make_application, make_call, make_destination
from tests.base import TenantTestCase
from tests.factories import make_agreement, make_institution, make_ounit, studies_condition

PARIS = ZoneInfo("Europe/Paris")


def call_fields(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Erasmus+ studies 2027/2028",
        "academic_year": "2027/2028",
        "kind": Call.Kind.STUDY,
        "opens_at": datetime(2027, 1, 10, 9, 0, tzinfo=PARIS),
        "closes_at": datetime(2027, 3, 15, 23, 59, tzinfo=PARIS),
        "max_choices": 3,
    }
    fields.update(changes)
    return fields


def approved_agreement(institution: Any, partner: Any, **fields: Any) -> Agreement:
    agreement = make_agreement(institution, partner, **fields)
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.APPROVED)  # setup only
    agreement.refresh_from_db()
    return agreement


class CreateCallTests(TenantTestCase):
    def problems(self, **changes: Any) -> dict[str, str]:
        with self.assertRaises(services.InvalidCall) as caught:
            services.create_call(self.inst_a, actor=self.alice, **call_fields(**changes))
        self.assertFalse(Call.objects.exists(), "nothing is saved when the input is invalid")
        return {p.place: p.message for p in caught.exception.problems}

    def test_it_creates_a_draft_with_its_documents_and_units(self) -> None:
        law = make_ounit(self.inst_a, "LAW", "Faculty of Law")
        call = services.create_call(
            self.inst_a,
            actor=self.alice,
            eligible_ounits=[law],
            required_documents=[("Transcript", "Grades of the last two years"), ("CV", "")],
            study_levels=["6", 7],
            programmes=["Licence Droit", " ", "licence droit"],
            **call_fields(),
        )
        self.assertEqual(call.status, Call.Status.DRAFT)
        self.assertEqual(list(call.eligible_ounits.all()), [law])
        self.assertEqual([(d.name, d.help_text) for d in call.required_documents.all()],
                         [("Transcript", "Grades of the last two years"), ("CV", "")])  # fmt: skip
        self.assertEqual(call.study_levels, [6, 7])
        self.assertEqual(call.programmes, ["Licence Droit"])
        self.assertEqual(call.closes_at, datetime(2027, 3, 15, 22, 59, tzinfo=ZoneInfo("UTC")))
        self.assertTrue(AuditEvent.objects.filter(action="applications.call_created", actor=self.alice).exists())

    def test_naive_dates_are_read_in_the_call_time_zone(self) -> None:
        call = services.create_call(
            self.inst_a,
            actor=self.alice,
            **call_fields(time_zone="America/New_York", closes_at=datetime(2027, 3, 15, 23, 59)),  # noqa: DTZ001
        )
        self.assertEqual(call.closes_at, datetime(2027, 3, 16, 3, 59, tzinfo=ZoneInfo("UTC")))

    def test_a_malformed_year_is_refused(self) -> None:
        self.assertIn("2027-2028", self.problems(academic_year="2027-2028")["academic_year"])

    def test_closing_before_opening_is_refused(self) -> None:
        problems = self.problems(closes_at=datetime(2027, 1, 1, tzinfo=PARIS))
        self.assertEqual(problems["closes_at"], "The call must close after it opens.")

    def test_max_choices_must_be_between_1_and_6(self) -> None:
        self.assertIn("max_choices", self.problems(max_choices=7))
        self.assertIn("max_choices", self.problems(max_choices=0))

    def test_weights_cannot_be_negative_nor_all_zero(self) -> None:
        self.assertIn("weight_language", self.problems(weight_language=-1))
        zero = dict.fromkeys(services.WEIGHTS, 0)
        self.assertEqual(self.problems(**zero)["weight_grades"], "At least one criterion must have a weight above 0.")

    def test_the_reserved_share_is_between_0_and_1(self) -> None:
        self.assertIn("inclusion_reserved_share", self.problems(inclusion_reserved_share=Decimal("1.5")))

    def test_every_problem_is_reported_at_once(self) -> None:
        problems = self.problems(title="", academic_year="2027", time_zone="Mars/Olympus")
        self.assertEqual(set(problems), {"title", "academic_year", "time_zone"})

    def test_a_unit_of_another_institution_is_refused(self) -> None:
        foreign = make_ounit(self.inst_b, "ECO", "Facultad de Economía")
        self.assertIn("eligible_ounits", self.problems(eligible_ounits=[foreign]))


class UpdateCallTests(TenantTestCase):
    def test_an_open_call_can_change_its_dates(self) -> None:
        call = make_call(self.inst_a)
        later = timezone.now() + timedelta(days=30)
        services.update_call(call, actor=self.alice, closes_at=later)
        call.refresh_from_db()
        self.assertEqual(call.closes_at, later)
        event = AuditEvent.objects.get(action="applications.call_updated")
        self.assertEqual(list(event.data), ["closes_at"])

    def test_a_call_with_published_results_is_read_only(self) -> None:
        call = make_call(self.inst_a, status=Call.Status.RESULTS_PUBLISHED)
        with self.assertRaises(Conflict):
            services.update_call(call, actor=self.alice, title="Another title")

    def test_a_document_already_uploaded_cannot_be_dropped(self) -> None:
        call = services.create_call(self.inst_a, actor=self.alice, required_documents=[("CV", "")], **call_fields())
        application = make_application(call, self.bob)
        application.uploads.create(requirement=call.required_documents.get(), file="x", original_name="cv.pdf",
                                   content_type="application/pdf", size=1, sha256="0" * 64)  # fmt: skip
        with self.assertRaises(services.InvalidCall):
            services.update_call(call, actor=self.alice, required_documents=[("Transcript", "")])
        services.update_call(call, actor=self.alice, required_documents=[("Transcript", ""), ("CV", "Updated")])
        self.assertEqual([(d.name, d.help_text) for d in call.required_documents.all()],
                         [("Transcript", ""), ("CV", "Updated")])  # fmt: skip


class SyncDestinationsTests(TenantTestCase):
    def setUp(self) -> None:
        self.partner = make_institution(name="Universidad de Sevilla", country="ES")
        self.law = make_ounit(self.inst_a, "LAW", "Faculty of Law")
        self.agreement = approved_agreement(
            self.inst_a,
            self.partner,
            ounit=self.law,
            conditions=[studies_condition("out", mobilities_per_year=3), studies_condition("in")],
        )
        self.call = make_call(self.inst_a, status=Call.Status.DRAFT)

    def test_it_adds_one_destination_per_outgoing_condition(self) -> None:
        self.assertEqual(services.sync_destinations(self.call, actor=self.alice), 1)
        destination = self.call.destinations.get()
        self.assertEqual((destination.partner, destination.agreement, destination.ounit),
                         (self.partner, self.agreement, self.law))  # fmt: skip
        self.assertEqual(destination.places, 3)
        self.assertEqual(destination.isced_codes, ["0613"])
        self.assertEqual(destination.eqf_levels, [6, 7])
        self.assertEqual(destination.languages, [{"language": "en", "level": "B2"}])
        self.assertEqual(destination.months, Decimal("3.3"))

    def test_running_it_again_does_not_duplicate_and_keeps_the_officer_edits(self) -> None:
        services.sync_destinations(self.call, actor=self.alice)
        destination = self.call.destinations.get()
        services.update_destination(destination, actor=self.alice, places=1, notes="Only in autumn")
        self.assertEqual(services.sync_destinations(self.call, actor=self.alice), 0)
        destination = self.call.destinations.get()
        self.assertEqual((destination.places, destination.notes), (1, "Only in autumn"))

    def test_it_offers_only_approved_agreements_of_the_call_kind_and_year(self) -> None:
        make_agreement(self.inst_a, make_institution(), conditions=[studies_condition("out")])  # not approved
        traineeship = studies_condition("out", kind="student-traineeship")
        approved_agreement(self.inst_a, make_institution(), conditions=[traineeship])
        later = studies_condition("out", first_year="2028/2029", last_year="2029/2030")
        approved_agreement(self.inst_a, make_institution(), conditions=[later])
        self.assertEqual(services.sync_destinations(self.call, actor=self.alice), 1)
        self.assertEqual(self.call.destinations.get().partner, self.partner)

    def test_a_traineeship_call_takes_the_traineeship_conditions(self) -> None:
        traineeship: ConditionInput = studies_condition("out", kind="student-traineeship")
        other = make_institution()
        approved_agreement(self.inst_a, other, conditions=[traineeship])
        call = make_call(self.inst_a, status=Call.Status.DRAFT, kind=Call.Kind.TRAINEESHIP)
        services.sync_destinations(call, actor=self.alice)
        self.assertEqual([d.partner for d in call.destinations.all()], [other])

    def test_a_condition_gone_is_removed_unless_an_application_chose_it(self) -> None:
        services.sync_destinations(self.call, actor=self.alice)
        chosen_agreement = approved_agreement(self.inst_a, make_institution(), conditions=[studies_condition("out")])
        services.sync_destinations(self.call, actor=self.alice)
        chosen = self.call.destinations.get(agreement=chosen_agreement)
        make_application(self.call, self.bob, choices=[chosen])
        Agreement.objects.filter(pk__in=[self.agreement.pk, chosen_agreement.pk]).update(
            status=Agreement.Status.TERMINATED
        )
        report = services.sync_destinations_report(self.call, actor=self.alice)
        self.assertEqual(len(report.removed), 1)
        self.assertIn(self.partner.display_name, report.removed[0])
        self.assertEqual(len(report.kept), 1)
        self.assertEqual(list(self.call.destinations.all()), [chosen])

    def test_destinations_added_by_hand_are_left_alone(self) -> None:
        by_hand = services.add_destination(self.call, actor=self.alice, partner=make_institution(), places=2)
        services.sync_destinations(self.call, actor=self.alice)
        self.assertTrue(CallDestination.objects.filter(pk=by_hand.pk).exists())
        self.assertEqual(self.call.destinations.count(), 2)


class DestinationTests(TenantTestCase):
    def setUp(self) -> None:
        self.call = make_call(self.inst_a, status=Call.Status.DRAFT)
        self.destination = make_destination(self.call)

    def test_places_must_be_at_least_one(self) -> None:
        with self.assertRaises(DomainError) as caught:
            services.update_destination(self.destination, actor=self.alice, places=0)
        self.assertEqual(caught.exception.field, "places")

    def test_a_destination_chosen_by_an_application_cannot_be_removed(self) -> None:
        make_application(self.call, self.bob, choices=[self.destination])
        with self.assertRaises(Conflict) as caught:
            services.remove_destination(self.destination, actor=self.alice)
        self.assertIn("1 application(s) chose it", caught.exception.message)
        self.assertTrue(CallDestination.objects.filter(pk=self.destination.pk).exists())

    def test_an_unchosen_destination_is_removed_with_an_audit_event(self) -> None:
        services.remove_destination(self.destination, actor=self.alice)
        self.assertFalse(CallDestination.objects.filter(pk=self.destination.pk).exists())
        self.assertTrue(AuditEvent.objects.filter(action="applications.call_destination_removed").exists())

    def test_a_destination_added_by_hand_checks_its_languages(self) -> None:
        with self.assertRaises(DomainError) as caught:
            services.add_destination(
                self.call, actor=self.alice, partner=make_institution(), places=1, languages=[("es", "Z9")]
            )
        self.assertEqual(caught.exception.field, "languages")
        added = services.add_destination(
            self.call, actor=self.alice, partner=make_institution(), places=1, languages=[("ES", "b1")]
        )
        self.assertEqual(added.languages, [{"language": "es", "level": "B1"}])

    def test_our_own_institution_is_not_a_destination(self) -> None:
        with self.assertRaises(DomainError):
            services.add_destination(self.call, actor=self.alice, partner=self.inst_a, places=1)


class PublishAndCloseTests(TenantTestCase):
    def test_a_call_without_destinations_is_not_published(self) -> None:
        call = make_call(self.inst_a, status=Call.Status.DRAFT)
        with self.assertRaises(Conflict) as caught:
            services.publish_call(call, actor=self.alice)
        self.assertIn("no destination", caught.exception.message)
        call.refresh_from_db()
        self.assertEqual(call.status, Call.Status.DRAFT)

    def test_publishing_stamps_and_audits(self) -> None:
        call = make_call(self.inst_a, status=Call.Status.DRAFT)
        make_destination(call)
        services.publish_call(call, actor=self.alice)
        call.refresh_from_db()
        self.assertEqual(call.status, Call.Status.PUBLISHED)
        self.assertIsNotNone(call.published_at)
        self.assertTrue(AuditEvent.objects.filter(action="applications.call_published", actor=self.alice).exists())
        with self.assertRaises(Conflict):
            services.publish_call(call, actor=self.alice)

    def test_a_published_call_or_one_with_results_is_closed(self) -> None:
        for status in (Call.Status.PUBLISHED, Call.Status.RESULTS_PUBLISHED):
            call = make_call(self.inst_a, status=status)
            services.close_call(call, actor=self.alice)
            call.refresh_from_db()
            self.assertEqual(call.status, Call.Status.CLOSED)
        self.assertEqual(AuditEvent.objects.filter(action="applications.call_closed").count(), 2)

    def test_a_draft_is_not_closed(self) -> None:
        with self.assertRaises(Conflict):
            services.close_call(make_call(self.inst_a, status=Call.Status.DRAFT), actor=self.alice)
