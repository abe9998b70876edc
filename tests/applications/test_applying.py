"""Applying through the services: start, autosave, choices, submit (twice), withdraw, the deadline."""

import threading
from datetime import timedelta
from decimal import Decimal
from unittest import skipUnless

from django.core import mail
from django.db import connection, transaction
from django.test import TransactionTestCase
from django.utils import timezone

from mobilitas.applications.models import Application, Call, RequiredDocument
from mobilitas.applications.services import applying as services
from mobilitas.audit.models import AuditEvent
from mobilitas.institutions.models import Role
from mobilitas.lib.errors import Conflict, DomainError, NotAllowed
from tests.applications.factories import make_application, make_call, make_destination
from tests.base import TenantTestCase
from tests.factories import make_hosted_institution, make_institution, make_member, make_ounit

Status = Application.Status


class ApplyingTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.science = make_ounit(cls.inst_a, "SCI", "Faculty of Science")
        cls.law = make_ounit(cls.inst_a, "LAW", "Faculty of Law")
        cls.dave = make_member("dave@a.test", cls.inst_a, Role.STUDENT, ounit=cls.science, full_name="Dave Student")
        cls.call = make_call(cls.inst_a, max_choices=2)
        cls.oviedo = make_destination(cls.call, make_institution(name="Universidad de Oviedo"), isced_codes=["06"])
        cls.bologna = make_destination(cls.call, make_institution(name="Università di Bologna"))
        cls.lisbon = make_destination(cls.call, make_institution(name="Universidade de Lisboa"))
        cls.reserved = make_destination(cls.call, make_institution(name="Universität Wien"), ounit=cls.law)
        cls.spanish = make_destination(
            cls.call, make_institution(name="Universidad de Sevilla"), languages=[{"language": "es", "level": "B2"}]
        )

    def complete(self, student=None, **fields) -> Application:  # type: ignore[no-untyped-def]
        """A complete draft of bob choosing Oviedo (the call asks for no document)."""
        fields.setdefault("choices", [self.oviedo])
        return make_application(self.call, student or self.bob, **fields)


class StartTests(ApplyingTestCase):
    def test_it_makes_one_draft_with_the_faculty_of_the_membership(self) -> None:
        first = services.start_application(self.call, student=self.dave, actor=self.dave)
        again = services.start_application(self.call, student=self.dave, actor=self.dave)
        self.assertEqual(first.pk, again.pk)
        self.assertEqual((first.status, first.ounit, first.institution), (Status.DRAFT, self.science, self.inst_a))
        self.assertEqual(Application.objects.filter(student=self.dave).count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="applications.application_started").count(), 1)

    def test_only_students_apply_to_a_student_call(self) -> None:
        with self.assertRaisesMessage(NotAllowed, "Only students of University A can apply to this call."):
            services.start_application(self.call, student=self.alice, actor=self.alice)

    def test_only_staff_apply_to_a_staff_call(self) -> None:
        call = make_call(self.inst_a, kind=Call.Kind.STAFF_TEACHING)
        with self.assertRaisesMessage(NotAllowed, "Only staff members of University A"):
            services.start_application(call, student=self.bob, actor=self.bob)
        teacher = make_member("teacher@a.test", self.inst_a, Role.STAFF)
        self.assertEqual(services.start_application(call, student=teacher, actor=teacher).status, Status.DRAFT)

    def test_a_closed_call_takes_no_new_application(self) -> None:
        call = make_call(self.inst_a, open_now=False)
        with self.assertRaisesMessage(Conflict, "The call closed on"):
            services.start_application(call, student=self.bob, actor=self.bob)
        self.assertFalse(Application.objects.exists())


class SaveDraftTests(ApplyingTestCase):
    def setUp(self) -> None:
        self.draft = services.start_application(self.call, student=self.bob, actor=self.bob)

    def test_it_saves_the_valid_fields_and_lists_the_others(self) -> None:
        problems = services.save_draft(
            self.draft,
            actor=self.bob,
            data={
                "programme": "  Licence   Informatique ",
                "study_level": "6",
                "grade_average": "thirteen",
                "isced_code": "61",
                "languages": [("es", "B2"), ("", "")],
                "motivation": "To learn.",
            },
        )
        self.assertEqual([p.field for p in problems], ["isced_code", "grade_average"])
        self.assertIn("like 13.5", problems[1].message)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.programme, "Licence Informatique")
        self.assertEqual(self.draft.study_level, 6)
        self.assertEqual(self.draft.languages, {"es": "B2"})
        self.assertEqual(self.draft.motivation, "To learn.")
        self.assertIsNone(self.draft.grade_average)
        self.assertEqual(self.draft.isced_code, "")

    def test_a_grade_is_read_against_its_scale(self) -> None:
        self.assertEqual(
            services.save_draft(self.draft, actor=self.bob, data={"grade_scale": "4", "grade_average": "3,5"}), []
        )
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.grade_average, self.draft.grade_scale), (Decimal("3.50"), Decimal("4.00")))
        [problem] = services.save_draft(self.draft, actor=self.bob, data={"grade_average": "14"})
        self.assertEqual(problem.message, "The grade average must be between 0 and 4 (the top of your grading scale).")

    def test_a_faculty_of_another_institution_is_refused(self) -> None:
        other = make_ounit(self.inst_b, "X", "Facultad X")
        [problem] = services.save_draft(self.draft, actor=self.bob, data={"ounit": str(other.public_id)})
        self.assertEqual(problem.field, "ounit")

    def test_only_the_applicant_saves(self) -> None:
        with self.assertRaises(NotAllowed):
            services.save_draft(self.draft, actor=self.dave, data={"motivation": "Mine now"})


class ChoiceTests(ApplyingTestCase):
    def setUp(self) -> None:
        self.draft = self.complete(choices=[])

    def test_it_ranks_the_destinations(self) -> None:
        services.set_choices(
            self.draft, actor=self.bob, destination_ids=[self.bologna.public_id, self.oviedo.public_id]
        )
        self.assertEqual(services.choices_of(self.draft), [self.bologna, self.oviedo])
        services.set_choices(self.draft, actor=self.bob, destination_ids=[self.oviedo.public_id])
        self.assertEqual(services.choices_of(self.draft), [self.oviedo])

    def test_a_destination_of_another_call_is_refused(self) -> None:
        foreign = make_destination(make_call(self.inst_b), make_institution(name="Elsewhere"))
        with self.assertRaisesMessage(
            DomainError, f"The destination “{foreign.public_id}” is not offered by this call."
        ):
            services.set_choices(self.draft, actor=self.bob, destination_ids=[foreign.public_id])
        self.assertEqual(services.choices_of(self.draft), [])

    def test_a_destination_the_applicant_is_not_eligible_for_is_refused_with_why(self) -> None:
        with self.assertRaisesMessage(
            DomainError,
            "You cannot choose Universidad de Sevilla: requires Spanish B2; you did not declare Spanish.",
        ):
            services.set_choices(self.draft, actor=self.bob, destination_ids=[self.spanish.public_id])
        with self.assertRaisesMessage(DomainError, "reserved to the students of Faculty of Law"):
            services.set_choices(self.draft, actor=self.bob, destination_ids=[self.reserved.public_id])

    def test_duplicates_and_more_than_the_maximum_are_refused(self) -> None:
        with self.assertRaisesMessage(DomainError, "You chose Universidad de Oviedo twice"):
            services.set_choices(self.draft, actor=self.bob, destination_ids=[self.oviedo.public_id] * 2)
        with self.assertRaisesMessage(DomainError, "You can rank at most 2 destinations; you chose 3."):
            services.set_choices(
                self.draft,
                actor=self.bob,
                destination_ids=[self.oviedo.public_id, self.bologna.public_id, self.lisbon.public_id],
            )
        self.assertEqual(services.choices_of(self.draft), [])

    def test_autosave_keeps_the_other_fields_when_a_choice_is_tampered(self) -> None:
        problems = services.save_draft(
            self.draft, actor=self.bob, data={"motivation": "New", "choices": [str(self.spanish.public_id), ""]}
        )
        self.assertEqual([p.field for p in problems], ["choices"])
        self.assertIn("Universidad de Sevilla", problems[0].message)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.motivation, "New")
        self.assertEqual(services.choices_of(self.draft), [])


class SubmitTests(ApplyingTestCase):
    def test_it_lists_every_problem_at_once(self) -> None:
        RequiredDocument.objects.create(call=self.call, name="Transcript of records")
        draft = services.start_application(self.call, student=self.bob, actor=self.bob)
        with self.assertRaises(services.NotReady) as refused:
            services.submit_application(draft, actor=self.bob)
        self.assertEqual(
            refused.exception.problems,
            [
                "Give your study level.",
                "Give your grade average.",
                "Give at least one language and your level in it.",
                "Choose at least one destination.",
                "Upload the document “Transcript of records”.",
            ],
        )
        draft.refresh_from_db()
        self.assertEqual(draft.status, Status.DRAFT)

    def test_a_choice_no_longer_eligible_stops_the_submission(self) -> None:
        draft = self.complete(choices=[self.spanish])  # saved behind the services' back
        with self.assertRaises(services.NotReady) as refused:
            services.submit_application(draft, actor=self.bob)
        self.assertEqual(
            refused.exception.problems, ["Universidad de Sevilla: requires Spanish B2; you did not declare Spanish."]
        )

    def test_it_submits_once_and_sends_one_receipt(self) -> None:
        draft = self.complete()
        with self.captureOnCommitCallbacks(execute=True):
            submitted = services.submit_application(draft, actor=self.bob)
        self.assertEqual(submitted.status, Status.SUBMITTED)
        first_time = submitted.submitted_at
        self.assertIsNotNone(first_time)
        with self.captureOnCommitCallbacks(execute=True):
            again = services.submit_application(draft, actor=self.bob)  # the stale object of a second click
        self.assertEqual((again.status, again.submitted_at), (Status.SUBMITTED, first_time))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(AuditEvent.objects.filter(action="applications.application_submitted").count(), 1)

    def test_a_submitted_application_is_no_longer_edited(self) -> None:
        draft = self.complete()
        services.submit_application(draft, actor=self.bob)
        with self.assertRaisesMessage(Conflict, "withdraw it first to change it"):
            services.save_draft(draft, actor=self.bob, data={"motivation": "Changed"})

    def test_only_the_applicant_submits(self) -> None:
        with self.assertRaises(NotAllowed):
            services.submit_application(self.complete(), actor=self.alice)


class WithdrawTests(ApplyingTestCase):
    def submitted(self) -> Application:
        return services.submit_application(self.complete(), actor=self.bob)

    def test_it_withdraws_and_can_start_again_while_the_call_is_open(self) -> None:
        application = services.withdraw_application(self.submitted(), actor=self.bob)
        self.assertEqual(application.status, Status.WITHDRAWN)
        self.assertIsNotNone(application.withdrawn_at)
        self.assertTrue(AuditEvent.objects.filter(action="applications.application_withdrawn").exists())
        again = services.start_application(self.call, student=self.bob, actor=self.bob)
        self.assertEqual((again.pk, again.status, again.submitted_at), (application.pk, Status.DRAFT, None))
        self.assertEqual(services.choices_of(again), [self.oviedo])  # the content is kept

    def test_a_draft_is_not_withdrawn(self) -> None:
        with self.assertRaisesMessage(Conflict, "Only a submitted application can be withdrawn."):
            services.withdraw_application(self.complete(), actor=self.bob)

    def test_after_the_deadline_until_the_results(self) -> None:
        application = self.submitted()
        Call.objects.filter(pk=self.call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
        application.refresh_from_db()
        self.assertEqual(services.withdraw_application(application, actor=self.bob).status, Status.WITHDRAWN)

    def test_not_after_the_results(self) -> None:
        application = self.submitted()
        Call.objects.filter(pk=self.call.pk).update(
            status=Call.Status.RESULTS_PUBLISHED, results_published_at=timezone.now()
        )
        application.refresh_from_db()
        with self.assertRaisesMessage(Conflict, "can no longer be withdrawn"):
            services.withdraw_application(application, actor=self.bob)


class DeadlineTests(ApplyingTestCase):
    def test_a_draft_is_kept_read_only_after_the_deadline(self) -> None:
        draft = self.complete()
        Call.objects.filter(pk=self.call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
        draft.refresh_from_db()
        self.assertTrue(services.missed_deadline(draft))
        with self.assertRaisesMessage(Conflict, "This application was not submitted before the deadline ("):
            services.save_draft(draft, actor=self.bob, data={"motivation": "Late"})
        with self.assertRaises(services.NotReady) as refused:
            services.submit_application(draft, actor=self.bob)
        [problem] = refused.exception.problems
        self.assertTrue(problem.endswith("): it cannot be submitted any more."), problem)
        draft.refresh_from_db()
        self.assertEqual((draft.status, draft.motivation), (Status.DRAFT, "I want to study abroad."))
        self.assertEqual(services.start_application(self.call, student=self.bob, actor=self.bob).pk, draft.pk)


@skipUnless(connection.features.has_select_for_update, "row locks need PostgreSQL")
class ConcurrentSubmitTests(TransactionTestCase):
    """Two submissions of the same application at the same moment (a double click on a slow line)."""

    def test_the_second_waits_and_finds_it_submitted(self) -> None:
        institution = make_hosted_institution("univ-a", name="Université A", names={"en": "University A"})
        student = make_member("bob@a.test", institution, Role.STUDENT)
        call = make_call(institution)
        application = make_application(call, student, choices=[make_destination(call)])
        holding = threading.Event()
        errors: list[BaseException] = []

        def submit_and_hold() -> None:
            try:
                with transaction.atomic():
                    services.submit_application(application, actor=student)
                    holding.set()
                    threading.Event().wait(0.5)  # keep the row locked while the second request arrives
            except BaseException as error:  # reported by the main thread
                errors.append(error)
                holding.set()
            finally:
                connection.close()

        thread = threading.Thread(target=submit_and_hold)
        thread.start()
        holding.wait(5)
        second = services.submit_application(application, actor=student)
        thread.join()
        self.assertEqual(errors, [])
        application.refresh_from_db()
        self.assertEqual((second.status, second.submitted_at), (Status.SUBMITTED, application.submitted_at))
        self.assertEqual(AuditEvent.objects.filter(action="applications.application_submitted").count(), 1)
        self.assertEqual(len(mail.outbox), 1)
