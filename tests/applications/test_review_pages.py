"""Review pages: the coordinator's list with the score forms, the officer's ranking with the adjustments."""

import re
from decimal import Decimal

from django.urls import reverse

from mobilitas.applications.models import Application
from mobilitas.audit.models import AuditEvent
from mobilitas.institutions.models import Role
from tests.applications.test_review import ReviewTestCase
from tests.factories import make_member
from tests.test_accessibility import PageStructure


class ReviewPagesTestCase(ReviewTestCase):
    def review_url(self, slug: str = "univ-a") -> str:
        return reverse("applications-review", args=[slug, self.call.public_id])

    def ranking_url(self, slug: str = "univ-a") -> str:
        return reverse("applications-ranking", args=[slug, self.call.public_id])

    def score_url(self, application: Application) -> str:
        return reverse("applications-score", args=["univ-a", application.public_id])

    def adjust_url(self, application: Application) -> str:
        return reverse("applications-adjust", args=["univ-a", application.public_id])

    def assert_accessible(self, response) -> None:  # type: ignore[no-untyped-def]
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.unlabelled(), [])
        self.assertEqual(page.h1_count, 1)

    @staticmethod
    def prefix(application: Application) -> str:
        return f"a{application.public_id.hex}"


class ReviewListTests(ReviewPagesTestCase):
    def test_a_coordinator_sees_the_submitted_applications_of_the_faculty(self) -> None:
        mine = self.submitted(self.bob, motivation="I love physics.")
        self.submitted(self.dave, ounit=self.law)
        self.client.force_login(self.coordinator)
        response = self.client.get(self.review_url())
        self.assertContains(response, "Bob Student")
        self.assertContains(response, "I love physics.")
        self.assertNotContains(response, "Dave Student")
        self.assertContains(response, "1 application has no motivation score yet.")
        self.assertContains(response, self.score_url(mine))
        self.assert_accessible(response)

    def test_a_coordinator_scores_from_the_list(self) -> None:
        application = self.submitted(self.bob)
        self.client.force_login(self.coordinator)
        p = self.prefix(application)
        response = self.client.post(
            self.score_url(application), {f"{p}-motivation_score": "14.5", f"{p}-comment": "Convincing"}
        )
        self.assertRedirects(response, f"{self.review_url()}#{p}", fetch_redirect_response=False)
        application.refresh_from_db()
        self.assertEqual((application.motivation_score, application.review_comment), (Decimal("14.50"), "Convincing"))
        self.assertTrue(AuditEvent.objects.filter(action="applications.application_scored").exists())
        page = self.client.get(self.review_url())
        self.assertContains(page, "The score of Bob Student is saved.")
        self.assertNotContains(page, "no motivation score yet")

    def test_an_invalid_score_is_shown_with_the_form(self) -> None:
        application = self.submitted(self.bob)
        self.client.force_login(self.coordinator)
        p = self.prefix(application)
        response = self.client.post(self.score_url(application), {f"{p}-motivation_score": "25"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Ensure this value is less than or equal to 20", status_code=400)
        application.refresh_from_db()
        self.assertIsNone(application.motivation_score)

    def test_another_faculty_s_application_is_not_found_for_a_coordinator(self) -> None:
        other = self.submitted(self.dave, ounit=self.law)
        self.client.force_login(self.coordinator)
        p = self.prefix(other)
        response = self.client.post(self.score_url(other), {f"{p}-motivation_score": "10"})
        self.assertEqual(response.status_code, 404)

    def test_the_list_is_paged_and_filtered_unscored_first(self) -> None:
        scored = self.submitted(self.bob, motivation_score=Decimal("12"))
        for number in range(25):
            student = make_member(f"s{number:02d}@a.test", self.inst_a, Role.STUDENT, full_name=f"Zed {number:02d}")
            self.submitted(student)
        self.client.force_login(self.coordinator)
        first = self.client.get(self.review_url())
        self.assertContains(first, "26 submitted applications to review.")
        self.assertContains(first, "25 applications have no motivation score yet.")
        self.assertContains(first, "Page 1 of 2")
        self.assertNotContains(first, "Bob Student")  # scored: after the 25 unscored
        self.assertContains(self.client.get(self.review_url() + "?page=2"), "Bob Student")
        only = self.client.get(self.review_url() + "?unscored=1")
        self.assertNotContains(only, "Page 1 of 2")
        self.assertNotContains(only, "Bob Student")
        p = self.prefix(scored)
        response = self.client.post(self.score_url(scored), {f"{p}-motivation_score": "13", "page": "2"})
        self.assertRedirects(response, f"{self.review_url()}?page=2#{p}", fetch_redirect_response=False)
        partial = self.client.get(self.review_url() + "?page=2", headers={"HX-Request": "true"})
        self.assertNotContains(partial, "<h1")
        self.assertContains(partial, "Bob Student")

    def test_a_student_gets_403(self) -> None:
        application = self.submitted(self.bob)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.review_url()).status_code, 403)
        p = self.prefix(application)
        self.assertEqual(
            self.client.post(self.score_url(application), {f"{p}-motivation_score": "20"}).status_code, 403
        )
        application.refresh_from_db()
        self.assertIsNone(application.motivation_score)

    def test_carol_gets_404(self) -> None:
        application = self.submitted(self.bob)
        self.assert_carol_gets_404(self.review_url())
        self.assert_carol_gets_404(
            self.score_url(application), "post", {f"{self.prefix(application)}-motivation_score": "1"}
        )


class RankingPageTests(ReviewPagesTestCase):
    def test_the_officer_sees_the_ranking_with_every_criterion(self) -> None:
        top = self.submitted(
            self.bob, motivation_score=Decimal("18"), adjustment=Decimal("1"), adjustment_reason="Prize"
        )
        self.submitted(self.dave)
        self.client.force_login(self.alice)
        response = self.client.get(self.ranking_url())
        self.assertContains(response, "Grade average")
        self.assertContains(response, "Language level")
        self.assertContains(response, "14/20")  # the grade
        self.assertContains(response, "Prize")
        # 20 x (50 x 0.7 + 20 x 4/6 + 30 x 0.9) / 100 + 1 = 16.07
        self.assertContains(response, "16.07")
        self.assertContains(response, "1 application has no motivation score yet.")
        self.assertContains(response, "Not scored yet")
        self.assertContains(response, self.adjust_url(top))
        self.assert_accessible(response)

    def weights_line(self) -> str:
        self.client.force_login(self.alice)
        html = self.client.get(self.ranking_url()).content.decode()
        match = re.search(r'<span id="weights">(.*?)</span>', html, re.S)
        assert match
        return match.group(1)

    def test_the_weights_line_names_only_the_criteria_that_count(self) -> None:
        self.submitted(self.bob, motivation_score=Decimal("18"))
        # The call weighs grades 50, language 20, motivation 30 and fewer opportunities (the last) 0.
        self.assertEqual(self.weights_line(), "Grade average: 50 · Language level: 20 · Motivation: 30")

    def test_the_weights_line_shows_the_inclusion_policy(self) -> None:
        self.call.inclusion_bonus = Decimal("1.5")
        self.call.inclusion_reserved_share = Decimal("0.15")
        self.call.weight_fewer_opportunities = Decimal(10)
        self.call.save()
        self.assertEqual(
            self.weights_line(),
            "Grade average: 50 · Language level: 20 · Motivation: 30 · Fewer opportunities: 10"
            " · score bonus for fewer opportunities: +1.50 · places reserved for fewer opportunities: 15 %",
        )

    def test_an_adjustment_needs_a_reason(self) -> None:
        application = self.submitted(self.bob, motivation_score=Decimal("10"))
        self.client.force_login(self.alice)
        p = self.prefix(application)
        response = self.client.post(self.adjust_url(application), {f"{p}-adjustment": "2", f"{p}-reason": ""})
        self.assertContains(response, "Say why the score is adjusted", status_code=400)
        application.refresh_from_db()
        self.assertEqual(application.adjustment, Decimal(0))
        response = self.client.post(self.adjust_url(application), {f"{p}-adjustment": "2", f"{p}-reason": "Appeal"})
        self.assertRedirects(response, f"{self.ranking_url()}#{p}", fetch_redirect_response=False)
        application.refresh_from_db()
        self.assertEqual((application.adjustment, application.adjustment_reason), (Decimal("2.00"), "Appeal"))

    def test_a_coordinator_or_a_student_gets_403(self) -> None:
        application = self.submitted(self.bob, motivation_score=Decimal("10"))
        p = self.prefix(application)
        for user in (self.coordinator, self.bob):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.ranking_url()).status_code, 403)
            response = self.client.post(self.adjust_url(application), {f"{p}-adjustment": "5", f"{p}-reason": "x"})
            self.assertEqual(response.status_code, 403)
        application.refresh_from_db()
        self.assertEqual(application.adjustment, Decimal(0))

    def test_carol_gets_404(self) -> None:
        application = self.submitted(self.bob)
        self.assert_carol_gets_404(self.ranking_url())
        p = self.prefix(application)
        self.assert_carol_gets_404(self.adjust_url(application), "post", {f"{p}-adjustment": "1", f"{p}-reason": "x"})
