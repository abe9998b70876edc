"""Cross-enrolment services: the whole path with its e-mails, capacity and the waiting list, every refusal."""

import threading
from decimal import Decimal
from unittest import skipUnless

from django.core import mail
from django.db import connection, transaction
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext

from mobilitas.audit.models import AuditEvent
from mobilitas.catalogue.models import Course, CrossEnrolment
from mobilitas.catalogue.services import enrolments as services
from mobilitas.institutions.models import Alliance, AllianceMember, Institution, Role
from mobilitas.lib.errors import Conflict, DomainError, NotAllowed
from tests.base import TenantTestCase
from tests.factories import make_hosted_institution, make_member

Status = CrossEnrolment.Status


def make_course(institution: Institution, code: str, **fields) -> Course:  # type: ignore[no-untyped-def]
    fields.setdefault("titles", {"en": f"Course {code}"})
    fields.setdefault("ects", Decimal(6))
    fields.setdefault("shared", True)
    return Course.objects.create(institution=institution, code=code, **fields)


def build_alliance(cls) -> None:  # type: ignore[no-untyped-def]
    """A and B in one alliance, A and C in another (B and C share none); a coordinator at A, students."""
    cls.alliance = Alliance.objects.create(slug="test-alliance", name="Test Alliance", coordinator=cls.inst_a)
    AllianceMember.objects.create(alliance=cls.alliance, institution=cls.inst_a)
    AllianceMember.objects.create(alliance=cls.alliance, institution=cls.inst_b)
    cls.inst_c = make_hosted_institution("univ-c", name="Università C", names={"it": "Università C"}, country="IT")
    other = Alliance.objects.create(slug="other-alliance", name="Other Alliance", coordinator=cls.inst_c)
    AllianceMember.objects.create(alliance=other, institution=cls.inst_a)
    AllianceMember.objects.create(alliance=other, institution=cls.inst_c)
    cls.coordinator = make_member("coord@a.test", cls.inst_a, Role.COORDINATOR, full_name="Colette Coordinator")
    cls.erin = make_member("erin@a.test", cls.inst_a, Role.STUDENT, full_name="Erin Student")
    cls.frank = make_member("frank@a.test", cls.inst_a, Role.STUDENT, full_name="Frank Student")
    cls.dan = make_member("dan@b.test", cls.inst_b, Role.STUDENT, full_name="Dan Student")
    cls.carlo = make_member("carlo@c.test", cls.inst_c, Role.OFFICER, full_name="Carlo Officer")
    cls.course = make_course(
        cls.inst_b, "B-ML", titles={"en": "Machine learning", "es": "Aprendizaje automático"}, alliance_places=1
    )
    cls.unshared = make_course(cls.inst_b, "B-LOCAL", shared=False)
    cls.home_course = make_course(cls.inst_a, "A-AI", titles={"en": "Artificial intelligence"}, ects=Decimal(5))
    cls.course_c = make_course(cls.inst_c, "C-ART", ects=Decimal(4))


class EnrolmentTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_alliance(cls)

    def ask(self, student=None, course=None, home=None) -> CrossEnrolment:  # type: ignore[no-untyped-def]
        return services.request_enrolment(
            course or self.course, student=student or self.bob, home=home or self.inst_a, motivation="I need it."
        )

    def preapproved(self, student=None, course=None, **kwargs) -> CrossEnrolment:  # type: ignore[no-untyped-def]
        enrolment = self.ask(student, course)
        return services.preapprove_recognition(enrolment, actor=self.coordinator, **kwargs)

    def accepted(self, student=None, course=None) -> CrossEnrolment:  # type: ignore[no-untyped-def]
        host_officer = self.carlo if course is not None and course.institution == self.inst_c else self.carol
        return services.accept_enrolment(self.preapproved(student, course), actor=host_officer)

    def mails(self) -> dict[str, mail.EmailMessage]:
        messages = {m.to[0]: m for m in mail.outbox}
        self.assertEqual(len(messages), len(mail.outbox), "one mail per recipient and step")
        mail.outbox.clear()
        return messages


class FullPathTests(EnrolmentTestCase):
    def test_it_goes_from_the_request_to_recognised_credits_with_a_mail_at_each_step(self) -> None:
        self.bob.language = "fr"
        self.bob.save(update_fields=["language"])

        with self.captureOnCommitCallbacks(execute=True):
            enrolment = self.ask()
        self.assertEqual(enrolment.status, Status.REQUESTED)
        sent = self.mails()
        self.assertEqual(set(sent), {"alice@a.test", "coord@a.test"})
        self.assertIn("Bob Student", sent["coord@a.test"].subject)
        self.assertIn(f"/univ-a/catalogue/enrolments/{enrolment.public_id}/", sent["coord@a.test"].body)

        with self.captureOnCommitCallbacks(execute=True):
            enrolment = services.preapprove_recognition(
                enrolment, actor=self.coordinator, recognised_as=self.home_course, credits="7.5", note="Fits year 3."
            )
        self.assertEqual(enrolment.status, Status.PREAPPROVED)
        self.assertEqual(enrolment.recognised_as, self.home_course)
        self.assertEqual(enrolment.recognised_credits, Decimal("7.5"))
        sent = self.mails()
        self.assertEqual(set(sent), {"bob@a.test", "carol@b.test"})
        # Each mail is written in its recipient's language: bob reads French names and numbers, carol English.
        self.assertIn("Université A", sent["bob@a.test"].body)
        self.assertIn("7,5", sent["bob@a.test"].body)
        self.assertIn("University A", sent["carol@b.test"].body)
        self.assertIn("7.5", sent["carol@b.test"].body)
        self.assertIn(f"/univ-b/catalogue/enrolments/{enrolment.public_id}/", sent["carol@b.test"].body)

        with self.captureOnCommitCallbacks(execute=True):
            enrolment = services.accept_enrolment(enrolment, actor=self.carol)
        self.assertEqual(enrolment.status, Status.ACCEPTED)
        self.assertEqual(set(self.mails()), {"bob@a.test"})

        with self.captureOnCommitCallbacks(execute=True):
            enrolment = services.record_result(enrolment, actor=self.carol, grade="A", ects_earned=Decimal(6))
        self.assertEqual(enrolment.status, Status.COMPLETED)
        self.assertEqual((enrolment.grade, enrolment.ects_earned), ("A", Decimal(6)))
        # Proposed for recognition automatically: the whole course passed counts for what was pre-approved.
        self.assertEqual(enrolment.recognised_credits, Decimal("7.5"))
        sent = self.mails()
        self.assertEqual(set(sent), {"bob@a.test", "alice@a.test", "coord@a.test"})
        self.assertIn("7.5", sent["coord@a.test"].body)

        with self.captureOnCommitCallbacks(execute=True):
            enrolment = services.confirm_recognition(enrolment, actor=self.coordinator)
        self.assertEqual(enrolment.status, Status.RECOGNISED)
        self.assertEqual(enrolment.recognised_credits, Decimal("7.5"))
        self.assertEqual(set(self.mails()), {"bob@a.test"})

        events = AuditEvent.objects.filter(object_id=str(enrolment.public_id)).order_by("created_at", "id")
        self.assertEqual(
            [(e.action, e.institution_id) for e in events],
            [
                ("catalogue.enrolment_requested", self.inst_a.pk),
                ("catalogue.enrolment_preapproved", self.inst_a.pk),
                ("catalogue.enrolment_accepted", self.inst_b.pk),
                ("catalogue.enrolment_completed", self.inst_b.pk),
                ("catalogue.enrolment_recognition_proposed", self.inst_a.pk),
                ("catalogue.enrolment_recognised", self.inst_a.pk),
            ],
        )
        self.assertEqual([s.label for s in services.history(enrolment)][-1], "Recognised at home")

    def test_it_sends_no_mail_when_the_step_is_rolled_back(self) -> None:
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.ask()
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(mail.outbox, [])

    def test_it_defaults_the_credits_to_the_home_course_then_to_the_shared_course(self) -> None:
        as_home_course = self.preapproved(recognised_as=self.home_course)
        self.assertEqual(as_home_course.recognised_credits, Decimal(5))
        credits_only = self.preapproved(student=self.erin)
        self.assertEqual(credits_only.recognised_credits, Decimal(6))
        self.assertIsNone(credits_only.recognised_as)

    def test_it_proposes_the_credits_earned_for_a_part_of_the_course(self) -> None:
        enrolment = self.accepted()
        enrolment = services.record_result(enrolment, actor=self.carol, grade="C", ects_earned="3")
        self.assertEqual(enrolment.recognised_credits, Decimal(3))
        enrolment = services.confirm_recognition(enrolment, actor=self.alice)  # an officer may confirm too
        self.assertEqual(enrolment.recognised_credits, Decimal(3))

    def test_a_fail_is_not_proposed_nor_recognised(self) -> None:
        enrolment = self.accepted()
        with self.captureOnCommitCallbacks(execute=True):
            enrolment = services.record_result(enrolment, actor=self.carol, grade="F", ects_earned=0)
        self.assertEqual(enrolment.status, Status.COMPLETED)
        self.assertEqual(enrolment.recognised_credits, Decimal(6))  # the pre-approval, not a proposal
        self.assertFalse(
            AuditEvent.objects.filter(
                object_id=str(enrolment.public_id), action="catalogue.enrolment_recognition_proposed"
            ).exists()
        )
        self.assertIn("no ECTS credits earned", mail.outbox[-1].body)
        self.assertEqual(services.allowed_actions(enrolment, {"home"}), [])
        with self.assertRaisesMessage(Conflict, "did not pass this course (0.0 ECTS earned)"):
            services.confirm_recognition(enrolment, actor=self.coordinator)


class CapacityTests(EnrolmentTestCase):
    def test_it_waitlists_when_full_and_promotes_the_first_waiting_when_a_place_frees(self) -> None:
        bob = self.accepted()
        erin = services.accept_enrolment(self.preapproved(self.erin), actor=self.carol)
        frank = services.accept_enrolment(self.preapproved(self.frank), actor=self.carol)
        self.assertEqual(
            (bob.status, erin.status, frank.status), (Status.ACCEPTED, Status.WAITLISTED, Status.WAITLISTED)
        )
        self.assertEqual((services.waiting_position(erin), services.waiting_position(frank)), (1, 2))
        with self.assertRaisesMessage(Conflict, "All 1 places of “B-ML” are taken"):
            services.accept_enrolment(erin, actor=self.carol)

        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            services.withdraw_enrolment(bob, actor=self.bob)
        erin.refresh_from_db()
        frank.refresh_from_db()
        self.assertEqual((erin.status, frank.status), (Status.ACCEPTED, Status.WAITLISTED))
        self.assertEqual(services.waiting_position(frank), 1)
        promoted = [m for m in mail.outbox if m.to == ["erin@a.test"]]
        self.assertEqual(len(promoted), 1)
        self.assertIn("a place became free", promoted[0].subject)
        # The withdrawal is told to both sides; frank hears nothing yet.
        self.assertEqual(
            {m.to[0] for m in mail.outbox}, {"erin@a.test", "alice@a.test", "coord@a.test", "carol@b.test"}
        )
        event = AuditEvent.objects.get(action="catalogue.enrolment_promoted")
        self.assertIsNone(event.actor)
        self.assertEqual(event.object_id, str(erin.public_id))

    def test_a_completed_or_recognised_student_keeps_the_place(self) -> None:
        bob = services.record_result(self.accepted(), actor=self.carol, grade="B", ects_earned=6)
        self.assertEqual(bob.status, Status.COMPLETED)
        erin = services.accept_enrolment(self.preapproved(self.erin), actor=self.carol)
        self.assertEqual(erin.status, Status.WAITLISTED)

    def test_withdrawing_from_the_waiting_list_promotes_nobody(self) -> None:
        self.accepted()
        erin = services.accept_enrolment(self.preapproved(self.erin), actor=self.carol)
        frank = services.accept_enrolment(self.preapproved(self.frank), actor=self.carol)
        services.withdraw_enrolment(erin, actor=self.erin)
        frank.refresh_from_db()
        self.assertEqual(frank.status, Status.WAITLISTED)

    def test_a_waiting_student_is_accepted_once_places_are_added(self) -> None:
        self.accepted()
        erin = services.accept_enrolment(self.preapproved(self.erin), actor=self.carol)
        Course.objects.filter(pk=self.course.pk).update(alliance_places=2)
        erin = services.accept_enrolment(erin, actor=self.carol)
        self.assertEqual(erin.status, Status.ACCEPTED)

    def test_no_stated_limit_means_no_waiting_list(self) -> None:
        unlimited = make_course(self.inst_b, "B-OPEN", alliance_places=None)
        for student in (self.bob, self.erin, self.frank):
            self.assertEqual(self.accepted(student, unlimited).status, Status.ACCEPTED)

    @skipUnless(connection.features.has_select_for_update, "SELECT … FOR UPDATE needs PostgreSQL")
    def test_it_locks_the_course_row_when_counting_places(self) -> None:
        enrolment = self.preapproved()
        with CaptureQueriesContext(connection) as queries:
            services.accept_enrolment(enrolment, actor=self.carol)
        locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
        self.assertTrue(any('FROM "catalogue_course"' in sql for sql in locking), locking)


@skipUnless(connection.features.has_select_for_update, "row locks need PostgreSQL")
class ConcurrentAcceptTests(TransactionTestCase):
    """Two officers accepting two students for the last place at the same moment: one waits for the other."""

    def setUp(self) -> None:
        self.inst_a = make_hosted_institution("univ-a", name="Université A", names={"en": "University A"})
        self.inst_b = make_hosted_institution("univ-b", name="Universidad B", names={"en": "University B"})
        self.carol = make_member("carol@b.test", self.inst_b, Role.OFFICER)
        build_alliance(self)

    def _setup_people(self) -> tuple[CrossEnrolment, CrossEnrolment]:
        first = services.request_enrolment(self.course, student=self.erin, home=self.inst_a, motivation="")
        second = services.request_enrolment(self.course, student=self.frank, home=self.inst_a, motivation="")
        for enrolment in (first, second):
            services.preapprove_recognition(enrolment, actor=self.coordinator)
        return first, second

    def test_two_accepts_cannot_exceed_the_capacity(self) -> None:
        first, second = self._setup_people()
        holding = threading.Event()
        errors: list[BaseException] = []

        def accept_and_hold() -> None:
            try:
                with transaction.atomic():
                    services.accept_enrolment(first, actor=self.carol)
                    holding.set()
                    threading.Event().wait(0.5)  # keep the course locked while the other officer tries
            except BaseException as error:  # reported by the main thread
                errors.append(error)
                holding.set()
            finally:
                connection.close()

        thread = threading.Thread(target=accept_and_hold)
        thread.start()
        holding.wait(5)
        second = services.accept_enrolment(second, actor=self.carol)
        thread.join()
        self.assertEqual(errors, [])
        first.refresh_from_db()
        self.assertEqual((first.status, second.status), (Status.ACCEPTED, Status.WAITLISTED))


class RefusalTests(EnrolmentTestCase):
    def test_it_refuses_a_course_that_is_not_shared(self) -> None:
        with self.assertRaisesMessage(DomainError, "“B-LOCAL” is not shared with the alliance"):
            self.ask(course=self.unshared)

    def test_it_refuses_a_course_of_the_students_own_institution(self) -> None:
        with self.assertRaisesMessage(DomainError, "“A-AI” is a course of your own institution"):
            self.ask(course=self.home_course)

    def test_it_refuses_a_course_of_an_institution_in_no_common_alliance(self) -> None:
        with self.assertRaisesMessage(
            DomainError, "University B and Università C are not members of a common alliance"
        ):
            self.ask(student=self.dan, course=self.course_c, home=self.inst_b)

    def test_it_refuses_a_second_request_for_the_same_course(self) -> None:
        self.ask()
        with self.assertRaisesMessage(Conflict, "You have already asked for “B-ML” (status: Requested)"):
            self.ask()

    def test_it_accepts_a_new_request_after_a_withdrawal_or_a_refusal(self) -> None:
        services.withdraw_enrolment(self.ask(), actor=self.bob)
        services.refuse_enrolment(self.ask(), actor=self.coordinator, reason="Not in your programme.")
        self.assertEqual(self.ask().status, Status.REQUESTED)

    def test_it_refuses_a_request_from_someone_who_is_not_a_student_there(self) -> None:
        with self.assertRaisesMessage(NotAllowed, "Only students of University A"):
            self.ask(student=self.alice)

    def test_each_step_checks_the_status(self) -> None:
        enrolment = self.ask()
        with self.assertRaisesMessage(Conflict, "This enrolment is “Requested”: it cannot be accepted now."):
            services.accept_enrolment(enrolment, actor=self.carol)
        with self.assertRaisesMessage(Conflict, "it cannot be given a result now"):
            services.record_result(enrolment, actor=self.carol, grade="A", ects_earned=6)
        with self.assertRaisesMessage(Conflict, "it cannot be recognised now"):
            services.confirm_recognition(enrolment, actor=self.coordinator)
        enrolment = services.preapprove_recognition(enrolment, actor=self.coordinator)
        with self.assertRaisesMessage(Conflict, "is “Recognition pre-approved at home”: it cannot be pre-approved"):
            services.preapprove_recognition(enrolment, actor=self.coordinator)
        enrolment = services.accept_enrolment(enrolment, actor=self.carol)
        enrolment = services.record_result(enrolment, actor=self.carol, grade="A", ects_earned=6)
        with self.assertRaisesMessage(Conflict, "is “Result received”: it cannot be withdrawn now"):
            services.withdraw_enrolment(enrolment, actor=self.bob)
        with self.assertRaisesMessage(Conflict, "it cannot be refused now"):
            services.refuse_enrolment(enrolment, actor=self.carol, reason="Too late")

    def test_each_step_checks_who_takes_it(self) -> None:
        enrolment = self.ask()
        with self.assertRaisesMessage(NotAllowed, "Only a coordinator or an officer of University A"):
            services.preapprove_recognition(enrolment, actor=self.carol)
        with self.assertRaisesMessage(NotAllowed, "Only a coordinator or an officer of University A"):
            services.refuse_enrolment(enrolment, actor=self.bob, reason="Changed my mind")
        with self.assertRaisesMessage(NotAllowed, "Only the student who asked"):
            services.withdraw_enrolment(enrolment, actor=self.erin)
        enrolment = services.preapprove_recognition(enrolment, actor=self.coordinator)
        with self.assertRaisesMessage(NotAllowed, "Only an officer of University B"):
            services.accept_enrolment(enrolment, actor=self.coordinator)
        with self.assertRaisesMessage(NotAllowed, "Only an officer of University B"):
            services.refuse_enrolment(enrolment, actor=self.alice, reason="No")

    def test_a_refusal_needs_a_reason_and_tells_the_right_people(self) -> None:
        enrolment = self.ask()
        with self.assertRaisesMessage(DomainError, "Say why the request is refused"):
            services.refuse_enrolment(enrolment, actor=self.coordinator, reason="  ")
        enrolment = services.preapprove_recognition(enrolment, actor=self.coordinator)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            enrolment = services.refuse_enrolment(enrolment, actor=self.carol, reason="Prerequisites missing.")
        self.assertEqual((enrolment.status, enrolment.decision_note), (Status.REFUSED, "Prerequisites missing."))
        sent = self.mails()
        self.assertEqual(set(sent), {"bob@a.test", "alice@a.test", "coord@a.test"})
        self.assertIn("Prerequisites missing.", sent["bob@a.test"].body)

    def test_the_pre_approval_names_a_home_course_and_sensible_credits(self) -> None:
        enrolment = self.ask()
        with self.assertRaisesMessage(DomainError, "“C-ART” is not a course of University A"):
            services.preapprove_recognition(enrolment, actor=self.coordinator, recognised_as=self.course_c)
        with self.assertRaisesMessage(DomainError, "The credits must be more than zero"):
            services.preapprove_recognition(enrolment, actor=self.coordinator, credits="0")
        with self.assertRaisesMessage(DomainError, "Write the credits as a number"):
            services.preapprove_recognition(enrolment, actor=self.coordinator, credits="six")

    def test_the_result_cannot_exceed_the_course_credits(self) -> None:
        enrolment = self.accepted()
        with self.assertRaisesMessage(DomainError, "The course gives 6.0 ECTS credits: 7.0 cannot have been earned"):
            services.record_result(enrolment, actor=self.carol, grade="A", ects_earned=7)
        with self.assertRaisesMessage(DomainError, "Give the grade"):
            services.record_result(enrolment, actor=self.carol, grade=" ", ects_earned=6)


class AllowedActionsTests(EnrolmentTestCase):
    def test_it_offers_each_side_its_steps(self) -> None:
        enrolment = self.ask()
        self.assertEqual(services.allowed_actions(enrolment, {"home"}), ["preapprove", "refuse"])
        self.assertEqual(services.allowed_actions(enrolment, {"host"}), [])
        self.assertEqual(services.allowed_actions(enrolment, {"student"}), ["withdraw"])
        enrolment = services.preapprove_recognition(enrolment, actor=self.coordinator)
        self.assertEqual(services.allowed_actions(enrolment, {"host"}), ["accept", "refuse"])
        self.assertEqual(services.allowed_actions(enrolment, {"home"}), [])
        enrolment = services.accept_enrolment(enrolment, actor=self.carol)
        self.assertEqual(services.allowed_actions(enrolment, {"host", "student"}), ["result", "withdraw"])
        enrolment = services.record_result(enrolment, actor=self.carol, grade="A", ects_earned=6)
        self.assertEqual(services.allowed_actions(enrolment, {"home", "student"}), ["recognise"])
