"""Allocation and result pages: runs, their detail, publishing, the applicant's result and her answers."""

import json
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mobilitas.applications.allocation.exchange import read_round
from mobilitas.applications.models import Application, Offer
from mobilitas.applications.services import results
from mobilitas.institutions.models import Role
from tests.applications.test_results import ResultsTestCase
from tests.factories import make_member
from tests.test_accessibility import PageStructure

Status = Offer.Status


class ResultPagesTestCase(ResultsTestCase):
    def allocation_url(self, slug: str = "univ-a") -> str:
        return reverse("applications-allocation", args=[slug, self.call.public_id])

    def run_url(self, slug: str = "univ-a") -> str:
        return reverse("applications-allocation-run", args=[slug, self.call.public_id])

    def input_url(self, slug: str = "univ-a") -> str:
        return reverse("applications-allocation-input", args=[slug, self.call.public_id])

    def detail_url(self, run, slug: str = "univ-a") -> str:  # type: ignore[no-untyped-def]
        return reverse("applications-run", args=[slug, self.call.public_id, run.public_id])

    def publish_url(self, run, slug: str = "univ-a") -> str:  # type: ignore[no-untyped-def]
        return reverse("applications-run-publish", args=[slug, self.call.public_id, run.public_id])

    def result_url(self, application: Application, slug: str = "univ-a") -> str:
        return reverse("applications-result", args=[slug, application.public_id])

    def accept_url(self, offer: Offer) -> str:
        return reverse("applications-offer-accept", args=["univ-a", offer.public_id])

    def decline_url(self, offer: Offer) -> str:
        return reverse("applications-offer-decline", args=["univ-a", offer.public_id])

    def make_student(self, name: str):  # type: ignore[no-untyped-def]
        return make_member(f"{name}@a.test", self.inst_a, Role.STUDENT, full_name=f"{name.title()} Fake")

    def assert_accessible(self, response) -> None:  # type: ignore[no-untyped-def]
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.unlabelled(), [])
        self.assertEqual(page.h1_count, 1)


class AllocationPageTests(ResultPagesTestCase):
    def test_the_officer_runs_and_sees_the_run(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(self.allocation_url())
        self.assertContains(page, "Run the allocation")
        self.assertContains(page, "No run yet.")
        self.assert_accessible(page)
        response = self.client.post(self.run_url(), {"seed": "42"})
        run = self.call.runs.get()
        self.assertEqual(run.seed, 42)
        self.assertRedirects(response, self.detail_url(run), fetch_redirect_response=False)
        detail = self.client.get(self.detail_url(run))
        self.assertContains(detail, "The allocation ran with seed 42.")
        self.assertContains(detail, "Universitat Uno")
        self.assertContains(detail, "Sam Fake")
        self.assertContains(detail, "Without a place")
        self.assertContains(
            detail, "Your first choice, Universitá Due, was full: the last admitted score was 16, yours 14"
        )
        self.assertContains(detail, "Publish the results")
        self.assert_accessible(detail)
        listing = self.client.get(self.allocation_url())
        self.assertContains(listing, "42")
        self.assertContains(listing, "Alice Officer")

    def test_the_run_is_refused_while_the_call_is_open(self) -> None:
        self.call.closes_at = timezone.now() + timedelta(days=2)
        self.call.save()
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.allocation_url()), "still open for applications")
        response = self.client.post(self.run_url(), {}, follow=True)
        self.assertContains(response, "still open for applications")
        self.assertFalse(self.call.runs.exists())

    def test_the_unscored_applications_are_named(self) -> None:
        Application.objects.filter(pk=self.a_vic.pk).update(motivation_score=None)
        self.client.force_login(self.alice)
        page = self.client.get(self.allocation_url())
        self.assertContains(page, "1 application has no score yet")
        self.assertContains(page, "Vic Fake")
        response = self.client.post(self.run_url(), {}, follow=True)
        self.assertContains(response, "1 application has no score yet (Vic Fake)")
        self.assertFalse(self.call.runs.exists())

    def test_the_input_downloads_as_json_for_the_command(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.input_url())
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertIn("attachment", response["Content-Disposition"])
        round_ = read_round(response.content)
        self.assertEqual(len(round_.applicants), 4)
        self.assertEqual(json.loads(response.content), results.allocation_input(self.call))

    def test_the_input_is_refused_while_applications_are_unscored(self) -> None:
        Application.objects.filter(pk=self.a_vic.pk).update(motivation_score=None)
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.input_url()), "no score yet (Vic Fake)", status_code=409)

    def test_publishing_makes_the_offers_and_sends_the_results(self) -> None:
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        self.client.force_login(self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.publish_url(run))
        self.assertRedirects(response, self.detail_url(run), fetch_redirect_response=False)
        self.assertEqual(Offer.objects.count(), 2)
        self.assertEqual(len(mail.outbox), 4)
        detail = self.client.get(self.detail_url(run))
        self.assertContains(detail, "The results are published")
        self.assertContains(detail, "Offers now")
        self.assertNotContains(detail, "Publish the results</button>")
        again = self.client.post(self.publish_url(run), follow=True)
        self.assertContains(again, "already published")
        self.assertEqual(Offer.objects.count(), 2)

    def test_a_student_gets_403(self) -> None:
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        self.client.force_login(self.bob)
        for url in (self.allocation_url(), self.input_url(), self.detail_url(run)):
            self.assertEqual(self.client.get(url).status_code, 403, url)
        self.assertEqual(self.client.post(self.run_url()).status_code, 403)
        self.assertEqual(self.client.post(self.publish_url(run)).status_code, 403)
        self.assertFalse(Offer.objects.exists())

    def test_carol_gets_404(self) -> None:
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        for url in (self.allocation_url(), self.input_url(), self.detail_url(run)):
            self.assert_carol_gets_404(url)
        self.assert_carol_gets_404(self.run_url(), "post")
        self.assert_carol_gets_404(self.publish_url(run), "post")
        self.assertEqual(self.call.runs.count(), 1)
        self.assertFalse(Offer.objects.exists())


class ResultPageTests(ResultPagesTestCase):
    def test_before_the_results_the_page_says_so(self) -> None:
        self.client.force_login(self.sam)
        self.assertContains(self.client.get(self.result_url(self.a_sam)), "not published yet")

    def test_the_applicant_sees_her_place_the_explanation_and_the_deadline(self) -> None:
        self.publish()
        self.client.force_login(self.tess)
        response = self.client.get(self.result_url(self.a_tess))
        self.assertContains(response, "You are offered a place at Universitá Due")
        self.assertContains(response, "Your first choice, Universitat Uno, was full")
        self.assertContains(response, "(Europe/Paris)")
        self.assertContains(response, "You are on the waiting list of Universitat Uno (position 1).")
        offer = self.offer(self.a_tess)
        self.assertContains(response, self.accept_url(offer))
        self.assertContains(response, self.decline_url(offer))
        self.assert_accessible(response)

    def test_the_deadline_is_shown_in_the_viewer_s_time_zone(self) -> None:
        self.publish()
        self.tess.time_zone = "Asia/Tokyo"
        self.tess.save()
        self.client.force_login(self.tess)
        self.assertContains(self.client.get(self.result_url(self.a_tess)), "(Asia/Tokyo)")

    def test_an_unplaced_applicant_sees_her_waiting_lists(self) -> None:
        self.publish()
        self.client.force_login(self.vic)
        response = self.client.get(self.result_url(self.a_vic))
        self.assertContains(response, "No place for you in this round")
        self.assertContains(response, "You are on the waiting list of Universitat Uno (position 2).")
        self.assertContains(response, "You are on the waiting list of Universitá Due (position 2).")

    def test_an_application_left_out_of_the_allocation_says_so(self) -> None:
        dave = self.make_student("dave")
        draft = Application.objects.create(call=self.call, institution=self.inst_a, student=dave)
        self.publish()
        self.client.force_login(dave)
        self.assertContains(self.client.get(self.result_url(draft)), "was not part of the allocation")

    def test_the_applicant_accepts(self) -> None:
        self.publish()
        offer = self.offer(self.a_sam)
        self.client.force_login(self.sam)
        response = self.client.post(self.accept_url(offer))
        self.assertRedirects(response, self.result_url(self.a_sam), fetch_redirect_response=False)
        offer.refresh_from_db()
        self.assertEqual(offer.status, Status.ACCEPTED)
        page = self.client.get(self.result_url(self.a_sam))
        self.assertContains(page, "You accepted your place at Universitat Uno")
        self.assertContains(page, "Give up this place")

    def test_the_applicant_declines_and_the_next_one_is_offered(self) -> None:
        self.publish()
        self.client.force_login(self.sam)
        self.client.post(self.decline_url(self.offer(self.a_sam)))
        self.assertEqual(self.offer(self.a_sam).status, Status.DECLINED)
        self.client.force_login(self.tess)
        page = self.client.get(self.result_url(self.a_tess))
        self.assertContains(page, "You are offered a place at Universitat Uno")
        self.assertContains(page, "A place became free and you were next on its waiting list.")
        self.assertNotContains(page, "You are on the waiting list of Universitat Uno")

    def test_a_late_answer_is_refused_with_a_message(self) -> None:
        self.publish()
        Offer.objects.update(respond_by=timezone.now() - timedelta(hours=1))
        self.client.force_login(self.sam)
        page = self.client.get(self.result_url(self.a_sam))
        self.assertContains(page, "The deadline has passed")
        self.assertNotContains(page, self.accept_url(self.offer(self.a_sam)))
        response = self.client.post(self.accept_url(self.offer(self.a_sam)), follow=True)
        self.assertContains(response, "The deadline to answer this offer has passed.")
        self.assertEqual(self.offer(self.a_sam).status, Status.OFFERED)

    def test_another_student_gets_404(self) -> None:
        self.publish()
        self.client.force_login(self.tess)
        self.assertEqual(self.client.get(self.result_url(self.a_sam)).status_code, 404)
        offer = self.offer(self.a_sam)
        self.assertEqual(self.client.post(self.accept_url(offer)).status_code, 404)
        self.assertEqual(self.client.post(self.decline_url(offer)).status_code, 404)
        self.assertEqual(self.offer(self.a_sam).status, Status.OFFERED)

    def test_an_anonymous_visitor_is_sent_to_log_in(self) -> None:
        self.publish()
        self.assert_redirects_to_login(self.result_url(self.a_sam))
        response = self.client.post(self.accept_url(self.offer(self.a_sam)))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.offer(self.a_sam).status, Status.OFFERED)

    def test_carol_gets_404(self) -> None:
        self.publish()
        offer = self.offer(self.a_sam)
        self.assert_carol_gets_404(self.result_url(self.a_sam))
        self.assert_carol_gets_404(self.accept_url(offer), "post")
        self.assert_carol_gets_404(self.decline_url(offer), "post")
        self.assertEqual(self.offer(self.a_sam).status, Status.OFFERED)
