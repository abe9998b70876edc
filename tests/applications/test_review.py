"""Review services: coordinators score their faculties' applications, officers adjust with a reason; audited."""

from decimal import Decimal

from django.utils import timezone

from mobilitas.applications.models import Application
from mobilitas.applications.services import review
from mobilitas.audit.models import AuditEvent
from mobilitas.institutions.models import Role
from mobilitas.lib.errors import Conflict, DomainError, NotAllowed
from tests.applications.factories import make_application, make_call, make_destination
from tests.base import TenantTestCase
from tests.factories import make_member, make_ounit


class ReviewTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.science = make_ounit(cls.inst_a, "SCI", "Faculty of Science")
        cls.physics = make_ounit(cls.inst_a, "PHY", "Department of Physics", parent=cls.science)
        cls.law = make_ounit(cls.inst_a, "LAW", "Faculty of Law")
        cls.coordinator = make_member(
            "coord@a.test", cls.inst_a, Role.COORDINATOR, ounit=cls.science, full_name="Cora Coordinator"
        )
        cls.law_coordinator = make_member(
            "lawcoord@a.test", cls.inst_a, Role.COORDINATOR, ounit=cls.law, full_name="Luc Law"
        )
        cls.dave = make_member("dave@a.test", cls.inst_a, Role.STUDENT, full_name="Dave Student")
        cls.call = make_call(cls.inst_a, open_now=False)
        cls.destination = make_destination(cls.call)

    def submitted(self, student, **fields):  # type: ignore[no-untyped-def]
        fields.setdefault("ounit", self.physics)
        return make_application(
            self.call,
            student,
            choices=[self.destination],
            status=Application.Status.SUBMITTED,
            submitted_at=timezone.now(),
            **fields,
        )


class ScoreApplicationTests(ReviewTestCase):
    def test_a_coordinator_of_the_faculty_scores_with_a_comment(self) -> None:
        application = self.submitted(self.bob)
        review.score_application(application, actor=self.coordinator, motivation_score="15.5", comment=" Clear plan ")
        application.refresh_from_db()
        self.assertEqual(application.motivation_score, Decimal("15.50"))
        self.assertEqual(application.review_comment, "Clear plan")
        self.assertEqual(application.reviewed_by, self.coordinator)
        event = AuditEvent.objects.get(action="applications.application_scored")
        self.assertEqual(event.data, {"old": None, "new": "15.50", "comment": "Clear plan"})
        self.assertEqual(event.actor, self.coordinator)

    def test_a_second_score_records_the_old_one(self) -> None:
        application = self.submitted(self.bob, motivation_score=Decimal("10"))
        review.score_application(application, actor=self.alice, motivation_score=12)
        event = AuditEvent.objects.get(action="applications.application_scored")
        self.assertEqual((event.data["old"], event.data["new"]), ("10.00", "12.00"))

    def test_a_coordinator_of_another_faculty_or_a_student_cannot_score(self) -> None:
        application = self.submitted(self.bob)
        for actor in (self.law_coordinator, self.dave, self.bob, self.carol):
            with self.assertRaises(NotAllowed):
                review.score_application(application, actor=actor, motivation_score=10)
        application.refresh_from_db()
        self.assertIsNone(application.motivation_score)
        self.assertFalse(AuditEvent.objects.filter(action="applications.application_scored").exists())

    def test_the_score_is_between_0_and_20(self) -> None:
        application = self.submitted(self.bob)
        for value in ("-1", "20.01", "abc", "NaN"):
            with self.assertRaises(DomainError) as raised:
                review.score_application(application, actor=self.coordinator, motivation_score=value)
            self.assertEqual(raised.exception.field, "motivation_score")
        review.score_application(application, actor=self.coordinator, motivation_score="20")

    def test_only_submitted_applications_before_the_results(self) -> None:
        draft = make_application(self.call, self.dave, ounit=self.physics)
        with self.assertRaises(Conflict):
            review.score_application(draft, actor=self.coordinator, motivation_score=10)
        application = self.submitted(self.bob)
        self.call.results_published_at = timezone.now()
        self.call.save()
        with self.assertRaisesMessage(Conflict, "The results of this call are published"):
            review.score_application(application, actor=self.coordinator, motivation_score=10)


class AdjustScoreTests(ReviewTestCase):
    def test_an_officer_adjusts_with_a_reason_kept_in_the_audit(self) -> None:
        application = self.submitted(self.bob, adjustment=Decimal("1"), adjustment_reason="Earlier")
        review.adjust_score(application, actor=self.alice, adjustment="-2.5", reason="Transcript error corrected")
        application.refresh_from_db()
        self.assertEqual(application.adjustment, Decimal("-2.50"))
        self.assertEqual(application.adjustment_reason, "Transcript error corrected")
        self.assertEqual(application.adjusted_by, self.alice)
        event = AuditEvent.objects.get(action="applications.score_adjusted")
        self.assertEqual(event.data["old"], "1.00")
        self.assertEqual(event.data["new"], "-2.50")
        self.assertEqual(event.data["reason"], "Transcript error corrected")

    def test_a_reason_is_required(self) -> None:
        application = self.submitted(self.bob)
        with self.assertRaises(DomainError) as raised:
            review.adjust_score(application, actor=self.alice, adjustment=2, reason="  ")
        self.assertEqual(raised.exception.field, "reason")
        application.refresh_from_db()
        self.assertEqual(application.adjustment, Decimal(0))

    def test_the_adjustment_is_between_minus_and_plus_20(self) -> None:
        application = self.submitted(self.bob)
        for value in ("20.5", "-21"):
            with self.assertRaises(DomainError) as raised:
                review.adjust_score(application, actor=self.alice, adjustment=value, reason="x")
            self.assertEqual(raised.exception.field, "adjustment")

    def test_only_officers_adjust(self) -> None:
        application = self.submitted(self.bob)
        for actor in (self.coordinator, self.bob, self.carol):
            with self.assertRaises(NotAllowed):
                review.adjust_score(application, actor=actor, adjustment=1, reason="Because")


class RankingTests(ReviewTestCase):
    def test_it_ranks_by_score_and_lists_the_unscored_apart(self) -> None:
        self.call.weight_grades = self.call.weight_language = Decimal(0)
        self.call.save()
        low = self.submitted(self.bob, motivation_score=Decimal("10"))
        high = self.submitted(self.dave, motivation_score=Decimal("18"))
        third = make_member("eve@a.test", self.inst_a, Role.STUDENT, full_name="Eve Student")
        unscored = self.submitted(third)
        scored, waiting = review.ranking(review.submitted_of(self.call), self.call)
        self.assertEqual([(row.application, row.score, row.rank) for row in scored],
                         [(high, Decimal("18.00"), 1), (low, Decimal("10.00"), 2)])  # fmt: skip
        self.assertEqual([row.application for row in waiting], [unscored])
