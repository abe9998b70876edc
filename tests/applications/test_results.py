"""Results services: running the allocation, publishing a run, answering offers, promotion from waiting lists."""

import io
import json
import threading
from datetime import timedelta
from decimal import Decimal
from unittest import mock, skipUnless
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TransactionTestCase
from django.utils import formats, timezone, translation

from mobilitas.applications import acceptance
from mobilitas.applications.allocation.exchange import read_round
from mobilitas.applications.models import Application, Call, Offer
from mobilitas.applications.services import results
from mobilitas.audit.models import AuditEvent
from mobilitas.institutions.models import Role
from mobilitas.lib.errors import Conflict, NotAllowed
from tests.applications.factories import make_application, make_call, make_destination
from tests.base import TenantTestCase
from tests.factories import make_hosted_institution, make_institution, make_member

Status = Offer.Status


class ResultsTestCase(TenantTestCase):
    """A closed call scored on motivation only (score = motivation score) with two destinations of one place.

    Sam 18 [D1, D2], Tess 16 [D1, D2], Uma 14 [D2], Vic 12 [D1, D2]. The allocation: Sam D1, Tess D2;
    waiting lists: D1 [Tess, Vic], D2 [Uma, Vic].
    """

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.call = make_call(
            cls.inst_a,
            open_now=False,
            weight_grades=Decimal(0),
            weight_language=Decimal(0),
            weight_motivation=Decimal(100),
            response_days=7,
        )
        cls.d1 = make_destination(cls.call, make_institution(name="Universitat Uno"), places=1)
        cls.d2 = make_destination(cls.call, make_institution(name="Universitá Due"), places=1)
        cls.sam = make_member("sam@a.test", cls.inst_a, Role.STUDENT, full_name="Sam Fake")
        cls.tess = make_member("tess@a.test", cls.inst_a, Role.STUDENT, full_name="Tess Fake")
        cls.uma = make_member(
            "uma@a.test", cls.inst_a, Role.STUDENT, full_name="Uma Fake", time_zone="America/New_York"
        )
        cls.vic = make_member("vic@a.test", cls.inst_a, Role.STUDENT, full_name="Vic Fake")
        cls.a_sam = cls.submitted(cls.sam, "18", [cls.d1, cls.d2])
        cls.a_tess = cls.submitted(cls.tess, "16", [cls.d1, cls.d2])
        cls.a_uma = cls.submitted(cls.uma, "14", [cls.d2])
        cls.a_vic = cls.submitted(cls.vic, "12", [cls.d1, cls.d2])

    @classmethod
    def submitted(cls, student, score, choices):  # type: ignore[no-untyped-def]
        return make_application(
            cls.call,
            student,
            choices=choices,
            status=Application.Status.SUBMITTED,
            submitted_at=timezone.now(),
            motivation_score=None if score is None else Decimal(score),
        )

    def setUp(self) -> None:
        self.accepted: list[Offer] = []
        self.released: list[Offer] = []
        handlers = mock.patch.multiple(acceptance, _accepted=[self.accepted.append], _released=[self.released.append])
        handlers.start()
        self.addCleanup(handlers.stop)

    def publish(self, seed: int = 1):  # type: ignore[no-untyped-def]
        run = results.run_allocation(self.call, actor=self.alice, seed=seed)
        with self.captureOnCommitCallbacks(execute=True):
            results.publish_results(run, actor=self.alice)
        return run

    def offer(self, application: Application, destination=None) -> Offer:  # type: ignore[no-untyped-def]
        offers = Offer.objects.filter(application=application)
        if destination is not None:
            offers = offers.filter(destination=destination)
        return offers.order_by("-created_at", "-pk").first()  # type: ignore[return-value]

    def holding(self):  # type: ignore[no-untyped-def]
        return {
            (o.application.student.full_name.split()[0], o.destination.partner.name, o.status)
            for o in Offer.objects.filter(status__in=[Status.OFFERED, Status.ACCEPTED]).select_related(
                "application__student", "destination__partner"
            )
        }


class AllocationInputTests(ResultsTestCase):
    def test_the_input_is_read_by_the_exchange_reader(self) -> None:
        data = results.allocation_input(self.call)
        round_ = read_round(json.dumps(data))
        self.assertEqual([d.id for d in round_.destinations], [str(self.d1.public_id), str(self.d2.public_id)])
        self.assertEqual([d.capacity for d in round_.destinations], [1, 1])
        sam = next(a for a in round_.applicants if a.id == str(self.a_sam.public_id))
        self.assertEqual(sam.score, 18.0)
        self.assertEqual(list(sam.choices), [str(self.d1.public_id), str(self.d2.public_id)])
        self.assertEqual(set(sam.eligible or []), {str(self.d1.public_id), str(self.d2.public_id)})
        self.assertNotIn("inclusion", data)

    def test_ineligible_destinations_are_left_out_of_eligible(self) -> None:
        self.d2.languages = [{"language": "it", "level": "B2"}]
        self.d2.save()
        sam = next(a for a in results.allocation_input(self.call)["applicants"] if a["id"] == str(self.a_sam.public_id))
        self.assertEqual(sam["eligible"], [str(self.d1.public_id)])

    def test_the_inclusion_policy_goes_with_it(self) -> None:
        self.call.inclusion_bonus = Decimal("1.5")
        self.call.save()
        self.assertEqual(results.allocation_input(self.call)["inclusion"], {"reserved_share": 0.0, "bonus": 1.5})

    def test_drafts_and_withdrawn_are_not_applicants(self) -> None:
        Application.objects.filter(pk=self.a_vic.pk).update(status=Application.Status.WITHDRAWN)
        Application.objects.filter(pk=self.a_uma.pk).update(status=Application.Status.DRAFT)
        ids = {a["id"] for a in results.allocation_input(self.call)["applicants"]}
        self.assertEqual(ids, {str(self.a_sam.public_id), str(self.a_tess.public_id)})


class RunTests(ResultsTestCase):
    def test_a_run_keeps_its_seed_inputs_output_and_reasons(self) -> None:
        run = results.run_allocation(self.call, actor=self.alice, seed=42)
        self.assertEqual(run.seed, 42)
        self.assertEqual(run.inputs["seed"], 42)
        self.assertEqual(run.output["assignments"][str(self.a_sam.public_id)], str(self.d1.public_id))
        self.assertEqual(run.output["assignments"][str(self.a_tess.public_id)], str(self.d2.public_id))
        self.assertIsNone(run.output["assignments"][str(self.a_uma.public_id)])
        self.assertEqual(
            run.output["waiting_lists"][str(self.d2.public_id)], [str(self.a_uma.public_id), str(self.a_vic.public_id)]
        )
        self.assertEqual(run.reasons[str(self.a_sam.public_id)][0]["code"], "admitted")
        event = AuditEvent.objects.get(action="applications.allocation_run")
        self.assertEqual((event.data["seed"], event.data["applicants"], event.data["placed"]), (42, 4, 2))

    def test_the_same_seed_gives_the_same_result(self) -> None:
        # Everyone ties: only the draw decides.
        Application.objects.filter(call=self.call).update(motivation_score=Decimal(15))
        first = results.run_allocation(self.call, actor=self.alice, seed=7)
        second = results.run_allocation(self.call, actor=self.alice, seed=7)
        self.assertEqual(first.output, second.output)
        self.assertEqual(first.reasons, second.reasons)
        self.assertNotEqual(first.pk, second.pk)
        self.assertEqual(self.call.runs.count(), 2)
        outputs = {json.dumps(results.run_allocation(self.call, actor=self.alice, seed=s).output) for s in range(8)}
        self.assertGreater(len(outputs), 1, "different seeds break the ties differently")

    def test_without_a_seed_one_is_drawn_and_recorded(self) -> None:
        run = results.run_allocation(self.call, actor=self.alice)
        self.assertTrue(0 <= run.seed < 2**31)
        self.assertEqual(run.inputs["seed"], run.seed)

    def test_it_is_refused_while_the_call_is_open(self) -> None:
        self.call.closes_at = timezone.now() + timedelta(days=1)
        self.call.save()
        with self.assertRaisesMessage(Conflict, "still open"):
            results.run_allocation(self.call, actor=self.alice)
        self.assertFalse(self.call.runs.exists())

    def test_it_is_refused_while_applications_are_unscored_and_names_them(self) -> None:
        Application.objects.filter(pk__in=[self.a_uma.pk, self.a_vic.pk]).update(motivation_score=None)
        with self.assertRaisesMessage(Conflict, "2 applications have no score yet (Uma Fake, Vic Fake)"):
            results.run_allocation(self.call, actor=self.alice)

    def test_it_is_refused_for_a_call_closed_without_allocation(self) -> None:
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        Call.objects.filter(pk=self.call.pk).update(status=Call.Status.CLOSED)
        self.call.refresh_from_db()
        with self.assertRaisesMessage(Conflict, "closed without an allocation"):
            results.run_allocation(self.call, actor=self.alice)
        with self.assertRaises(Conflict):
            results.publish_results(run, actor=self.alice)
        self.assertFalse(Offer.objects.exists())

    def test_only_officers_run(self) -> None:
        for actor in (self.bob, self.carol):
            with self.assertRaises(NotAllowed):
                results.run_allocation(self.call, actor=actor)

    def test_the_explanation_names_the_destinations(self) -> None:
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        text = results.explanation(run.reasons[str(self.a_uma.public_id)], results.destination_names(self.call))
        self.assertIn("Universitá Due, was full: the last admitted score was 16, yours 14", text)
        self.assertIn("number 1 on its waiting list", text)


class PublishTests(ResultsTestCase):
    def test_it_creates_the_offers_and_mails_every_applicant(self) -> None:
        before = timezone.now()
        run = self.publish()
        self.assertEqual(self.holding(), {("Sam", "Universitat Uno", "offered"), ("Tess", "Universitá Due", "offered")})
        offer = self.offer(self.a_sam)
        self.assertFalse(offer.from_waiting_list)
        self.assertEqual(offer.reasons, run.reasons[str(self.a_sam.public_id)])
        self.assertTrue(before + timedelta(days=7) <= offer.respond_by <= timezone.now() + timedelta(days=7))
        self.call.refresh_from_db()
        self.assertEqual(self.call.status, Call.Status.RESULTS_PUBLISHED)
        self.assertIsNotNone(self.call.results_published_at)
        run.refresh_from_db()
        self.assertIsNotNone(run.published_at)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["sam@a.test", "tess@a.test", "uma@a.test", "vic@a.test"]
        )
        to_sam = next(m for m in mail.outbox if m.to == ["sam@a.test"])
        self.assertIn("You are offered a place at Universitat Uno", to_sam.body)
        self.assertIn("(Europe/Paris)", to_sam.body)
        to_uma = next(m for m in mail.outbox if m.to == ["uma@a.test"])
        self.assertIn("There is no place for you in this round", to_uma.body)
        self.assertIn("number 1 on its waiting list", to_uma.body)
        self.assertTrue(AuditEvent.objects.filter(action="applications.results_published").exists())

    def test_the_deadline_is_in_the_applicants_time_zone(self) -> None:
        self.tess.time_zone = "America/New_York"
        self.tess.save()
        self.publish()
        to_tess = next(m for m in mail.outbox if m.to == ["tess@a.test"])
        self.assertIn("(America/New_York)", to_tess.body)
        offer = self.offer(self.a_tess)
        local = timezone.localtime(offer.respond_by, ZoneInfo("America/New_York"))
        with translation.override("en"):
            self.assertIn(formats.date_format(local, "DATETIME_FORMAT") + " (America/New_York)", to_tess.body)

    def test_only_one_run_is_published(self) -> None:
        self.publish()
        run = self.call.runs.get()
        with self.assertRaisesMessage(Conflict, "already published"):
            results.publish_results(run, actor=self.alice)
        with self.assertRaises(Conflict):
            results.run_allocation(self.call, actor=self.alice)

    def test_a_place_of_an_applicant_withdrawn_since_the_run_goes_down_the_list(self) -> None:
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        Application.objects.filter(pk=self.a_tess.pk).update(status=Application.Status.WITHDRAWN)
        results.publish_results(run, actor=self.alice)
        self.assertEqual(self.holding(), {("Sam", "Universitat Uno", "offered"), ("Uma", "Universitá Due", "offered")})


class AnswerTests(ResultsTestCase):
    def test_accepting_calls_the_nomination_handler(self) -> None:
        self.publish()
        offer = results.accept_offer(self.offer(self.a_sam), actor=self.sam)
        self.assertEqual(offer.status, Status.ACCEPTED)
        self.assertIsNotNone(offer.responded_at)
        self.assertEqual([o.pk for o in self.accepted], [offer.pk])
        self.assertTrue(AuditEvent.objects.filter(action="applications.offer_accepted", actor=self.sam).exists())

    def test_only_the_applicant_answers(self) -> None:
        self.publish()
        for actor in (self.tess, self.alice):
            with self.assertRaises(NotAllowed):
                results.accept_offer(self.offer(self.a_sam), actor=actor)
            with self.assertRaises(NotAllowed):
                results.decline_offer(self.offer(self.a_sam), actor=actor)

    def test_accepting_after_the_deadline_is_refused(self) -> None:
        self.publish()
        Offer.objects.filter(application=self.a_sam).update(respond_by=timezone.now() - timedelta(minutes=1))
        with self.assertRaisesMessage(Conflict, "deadline"):
            results.accept_offer(self.offer(self.a_sam), actor=self.sam)
        self.assertEqual(self.accepted, [])

    def test_an_answered_offer_cannot_be_accepted_again(self) -> None:
        self.publish()
        results.decline_offer(self.offer(self.a_sam), actor=self.sam)
        with self.assertRaises(Conflict):
            results.accept_offer(self.offer(self.a_sam, self.d1), actor=self.sam)

    def test_declining_gives_the_place_to_the_next_on_the_waiting_list(self) -> None:
        self.publish()
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            results.decline_offer(self.offer(self.a_sam), actor=self.sam)
        # D1's list is [Tess, Vic]: Tess holds D2, which she ranked below D1: D1 is offered to her.
        promoted = self.offer(self.a_tess, self.d1)
        self.assertEqual(promoted.status, Status.OFFERED)
        self.assertTrue(promoted.from_waiting_list)
        self.assertEqual(self.offer(self.a_tess, self.d2).status, Status.OFFERED)  # her lower offer stays
        self.assertEqual([m.to for m in mail.outbox], [["tess@a.test"]])
        self.assertIn("A place became free at Universitat Uno", mail.outbox[0].body)
        self.assertEqual(self.released, [])
        event = AuditEvent.objects.get(action="applications.offer_promoted")
        self.assertEqual(event.data["position"], 1)

    def test_giving_up_an_accepted_place_releases_it(self) -> None:
        self.publish()
        offer = results.accept_offer(self.offer(self.a_sam), actor=self.sam)
        results.decline_offer(offer, actor=self.sam)
        self.assertEqual([o.pk for o in self.released], [offer.pk])
        event = AuditEvent.objects.get(action="applications.offer_declined")
        self.assertEqual((event.actor, event.data["was"]), (self.sam, "accepted"))
        self.assertEqual(self.offer(self.a_sam).status, Status.DECLINED)
        self.assertEqual(self.offer(self.a_tess, self.d1).status, Status.OFFERED)


class PromotionTests(ResultsTestCase):
    def test_promotion_cascades_without_displacing_anyone_who_accepted(self) -> None:
        self.publish()
        tess_d2 = results.accept_offer(self.offer(self.a_tess), actor=self.tess)
        results.decline_offer(self.offer(self.a_sam), actor=self.sam)
        # Tess, first on D1's list, is offered D1; she keeps her accepted D2 meanwhile: nobody else gets D2.
        self.assertEqual(
            self.holding(), {("Tess", "Universitat Uno", "offered"), ("Tess", "Universitá Due", "accepted")}
        )
        # She takes D1: D2 is superseded and released, and goes to Uma, first on D2's list.
        results.accept_offer(self.offer(self.a_tess, self.d1), actor=self.tess)
        tess_d2.refresh_from_db()
        self.assertEqual(tess_d2.status, Status.SUPERSEDED)
        self.assertEqual([o.pk for o in self.released], [tess_d2.pk])
        self.assertEqual(
            self.holding(), {("Tess", "Universitat Uno", "accepted"), ("Uma", "Universitá Due", "offered")}
        )
        # Uma declines: D2 goes to Vic; Tess is not offered D2 again (she left it for a better place).
        results.decline_offer(self.offer(self.a_uma), actor=self.uma)
        self.assertEqual(
            self.holding(), {("Tess", "Universitat Uno", "accepted"), ("Vic", "Universitá Due", "offered")}
        )
        self.assertEqual(Offer.objects.filter(destination=self.d2, application=self.a_tess).count(), 1)

    def test_declining_the_better_offer_keeps_the_lower_one(self) -> None:
        self.publish()
        results.accept_offer(self.offer(self.a_tess), actor=self.tess)
        results.decline_offer(self.offer(self.a_sam), actor=self.sam)
        results.decline_offer(self.offer(self.a_tess, self.d1), actor=self.tess)
        # D1 goes on to Vic (who holds nothing); Tess keeps D2.
        self.assertEqual(
            self.holding(), {("Tess", "Universitá Due", "accepted"), ("Vic", "Universitat Uno", "offered")}
        )
        self.assertEqual(self.released, [])

    def test_an_accepted_higher_place_is_not_superseded_by_accepting_a_lower_one(self) -> None:
        self.publish()
        results.decline_offer(self.offer(self.a_sam), actor=self.sam)
        results.accept_offer(self.offer(self.a_tess, self.d1), actor=self.tess)
        # Accepting D1 superseded her offered D2, which went to Uma.
        self.assertEqual(self.offer(self.a_tess, self.d2).status, Status.SUPERSEDED)
        self.assertEqual(self.released, [])
        self.assertEqual(
            self.holding(), {("Tess", "Universitat Uno", "accepted"), ("Uma", "Universitá Due", "offered")}
        )

    def test_withdrawn_applicants_are_skipped(self) -> None:
        self.publish()
        Application.objects.filter(pk=self.a_uma.pk).update(status=Application.Status.WITHDRAWN)
        results.decline_offer(self.offer(self.a_tess), actor=self.tess)
        self.assertEqual(self.offer(self.a_vic, self.d2).status, Status.OFFERED)


class ExpiryTests(ResultsTestCase):
    def test_unanswered_offers_expire_and_their_places_are_promoted(self) -> None:
        self.publish()
        results.accept_offer(self.offer(self.a_sam), actor=self.sam)
        later = timezone.now() + timedelta(days=8)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(results.expire_offers(now=later), 1)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["tess@a.test", "uma@a.test"])
        to_tess = next(m for m in mail.outbox if m.to == ["tess@a.test"])
        self.assertIn("the offer has expired", to_tess.body)
        self.assertEqual(self.offer(self.a_tess, self.d2).status, Status.EXPIRED)
        self.assertEqual(self.offer(self.a_sam).status, Status.ACCEPTED)
        uma = self.offer(self.a_uma, self.d2)
        self.assertEqual(uma.status, Status.OFFERED)
        self.assertGreater(uma.respond_by, later)
        self.assertTrue(AuditEvent.objects.filter(action="applications.offer_expired").exists())
        self.assertEqual(results.expire_offers(now=later), 0, "the new offer has a fresh deadline")
        # Uma declines: D2 goes to Vic, never back to Tess, whose offer for it expired.
        results.decline_offer(uma, actor=self.uma)
        self.assertEqual(self.offer(self.a_vic, self.d2).status, Status.OFFERED)
        self.assertEqual(Offer.objects.filter(application=self.a_tess).count(), 1)

    def test_the_command_can_queue_the_work(self) -> None:
        self.publish()
        Offer.objects.update(respond_by=timezone.now() - timedelta(seconds=1))
        out = io.StringIO()
        call_command("expire-offers", "--queue", stdout=out)
        self.assertIn("Queued as", out.getvalue())
        self.assertEqual(Offer.objects.filter(status=Status.EXPIRED).count(), 2)  # the tests' backend runs at once

    def test_the_command_expires_offers(self) -> None:
        self.publish()
        Offer.objects.update(respond_by=timezone.now() - timedelta(seconds=1))
        call_command("expire-offers", stdout=mock.MagicMock())
        self.assertEqual(Offer.objects.filter(status=Status.EXPIRED).count(), 2)
        # Sam's D1 went to Tess (first on its list, D2 was below it), then her expired D2 to Uma.
        self.assertEqual(self.holding(), {("Tess", "Universitat Uno", "offered"), ("Uma", "Universitá Due", "offered")})


@skipUnless(connection.features.has_select_for_update, "row locks need PostgreSQL")
class ConcurrentAnswersTests(TransactionTestCase):
    """Two applicants give their places up at the same moment: each freed place goes to a different applicant."""

    def test_the_second_answer_waits_and_counts_the_first_promotion(self) -> None:
        institution = make_hosted_institution("univ-a", name="Université A", names={"en": "University A"})
        officer = make_member("alice@a.test", institution, Role.OFFICER)
        call = make_call(
            institution, open_now=False, weight_grades=Decimal(0), weight_language=Decimal(0),
            weight_motivation=Decimal(100),
        )  # fmt: skip
        destination = make_destination(call, places=2)
        applications = {}
        for name, score in (("ann", 18), ("ben", 17), ("cid", 16), ("dee", 15)):
            student = make_member(f"{name}@a.test", institution, Role.STUDENT)
            applications[name] = make_application(
                call, student, choices=[destination], status=Application.Status.SUBMITTED,
                submitted_at=timezone.now(), motivation_score=Decimal(score),
            )  # fmt: skip
        run = results.run_allocation(call, actor=officer, seed=1)
        results.publish_results(run, actor=officer)
        holding = threading.Event()
        errors: list[BaseException] = []

        def decline_and_hold() -> None:
            try:
                with transaction.atomic():
                    offer = Offer.objects.get(application=applications["ann"])
                    results.decline_offer(offer, actor=applications["ann"].student)
                    holding.set()
                    threading.Event().wait(0.5)  # keep the call locked while the second answer arrives
            except BaseException as error:  # reported by the main thread
                errors.append(error)
                holding.set()
            finally:
                connection.close()

        thread = threading.Thread(target=decline_and_hold)
        thread.start()
        holding.wait(5)
        results.decline_offer(Offer.objects.get(application=applications["ben"]), actor=applications["ben"].student)
        thread.join()
        self.assertEqual(errors, [])
        offered = Offer.objects.filter(destination=destination, status=Status.OFFERED)
        self.assertEqual(
            sorted(offered.values_list("application__student__email", flat=True)), ["cid@a.test", "dee@a.test"]
        )


class ReservedPlacePromotionTests(TenantTestCase):
    """One destination of two places, half of them reserved for fewer opportunities (r = 1), motivation only.

    Ann 18, Ben 17 (fewer opportunities), Cid 16, Dee 15 (fewer opportunities), Eve 14. The allocation: the open
    place to Ann, the reserved one to Ben; the waiting list is [Cid, Dee, Eve].
    """

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.call = make_call(
            cls.inst_a, open_now=False, weight_grades=Decimal(0), weight_language=Decimal(0),
            weight_motivation=Decimal(100), inclusion_reserved_share=Decimal("0.5"),
        )  # fmt: skip
        cls.destination = make_destination(cls.call, make_institution(name="Universitat Uno"), places=2)
        cls.applications = {}
        for name, score, fewer in (("ann", 18, False), ("ben", 17, True), ("cid", 16, False), ("dee", 15, True),
                                   ("eve", 14, False)):  # fmt: skip
            student = make_member(f"{name}@a.test", cls.inst_a, Role.STUDENT)
            cls.applications[name] = make_application(
                cls.call, student, choices=[cls.destination], status=Application.Status.SUBMITTED,
                submitted_at=timezone.now(), motivation_score=Decimal(score), fewer_opportunities=fewer,
            )  # fmt: skip

    def setUp(self) -> None:
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        waiting = run.output["waiting_lists"][str(self.destination.public_id)]
        names = {str(a.public_id): name for name, a in self.applications.items()}
        self.assertEqual([names[a] for a in waiting], ["cid", "dee", "eve"])
        results.publish_results(run, actor=self.alice)
        self.assertEqual(self.holders(), ["ann", "ben"])

    def holders(self) -> list[str]:
        offers = Offer.objects.filter(destination=self.destination, status__in=[Status.OFFERED, Status.ACCEPTED])
        return sorted(email.split("@")[0] for email in offers.values_list("application__student__email", flat=True))

    def decline(self, name: str) -> None:
        application = self.applications[name]
        results.decline_offer(Offer.objects.get(application=application), actor=application.student)

    def test_the_reserved_place_freed_goes_to_the_first_with_fewer_opportunities_on_the_list(self) -> None:
        self.decline("ben")
        # Nobody with fewer opportunities holds a place any more (0 < 1 reserved): Dee passes Cid.
        self.assertEqual(self.holders(), ["ann", "dee"])
        promoted = Offer.objects.get(application=self.applications["dee"])
        self.assertTrue(promoted.from_waiting_list)
        self.assertEqual(AuditEvent.objects.get(action="applications.offer_promoted").data["position"], 2)

    def test_an_open_place_freed_goes_to_the_first_on_the_list(self) -> None:
        self.decline("ann")
        # Ben still holds the reserved place: the freed place goes to Cid, first on the list.
        self.assertEqual(self.holders(), ["ben", "cid"])

    def test_without_anyone_with_fewer_opportunities_left_the_reserved_place_goes_to_the_first(self) -> None:
        Application.objects.filter(pk=self.applications["dee"].pk).update(status=Application.Status.WITHDRAWN)
        self.decline("ben")
        self.assertEqual(self.holders(), ["ann", "cid"])

    def test_once_the_reserve_is_held_again_the_next_place_goes_to_the_first(self) -> None:
        self.decline("ben")  # Dee takes the reserved place
        self.decline("ann")  # Dee holds it: Cid, first on the list, takes the open one
        self.assertEqual(self.holders(), ["cid", "dee"])
