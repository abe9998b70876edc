"""Allocation and result pages: runs, their detail, publishing, the applicant's result and her answers."""

import json
import re
from datetime import timedelta
from decimal import Decimal

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from mobilitas.accounts.models import User
from mobilitas.applications.allocation.exchange import read_round
from mobilitas.applications.forms.applying import destination_label
from mobilitas.applications.labels import destination_details
from mobilitas.applications.models import Application, CallDestination, Offer
from mobilitas.applications.services import results
from mobilitas.institutions.models import Role
from tests.applications.factories import make_destination
from tests.applications.test_results import ResultsTestCase
from tests.factories import make_institution, make_member
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


def section(response, heading_id: str) -> str:  # type: ignore[no-untyped-def]
    """The HTML of the page's <section> labelled by `heading_id`."""
    html = response.content.decode()
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>', html, re.S)
    assert match, heading_id
    return match.group(1)


class RunPageTests(ResultPagesTestCase):
    """The run page stays short with a whole call: figures, one table row per destination, collapsed lists."""

    def test_the_summary_counts_the_applicants_and_the_places(self) -> None:
        make_destination(self.call, make_institution(name="Università Tre"), places=3)
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        self.client.force_login(self.alice)
        summary = section(self.client.get(self.detail_url(run)), "summary-heading")
        self.assertInHTML("<dt>Applicants in the run</dt><dd>4</dd>", summary)
        self.assertInHTML("<dt>Placed</dt><dd>2</dd>", summary)
        self.assertInHTML("<dt>Without a place</dt><dd>2</dd>", summary)
        self.assertInHTML("<dt>Places filled</dt><dd>2 of 5</dd>", summary)
        self.assertNotIn("offers", summary)

    def test_destinations_nobody_got_or_waits_for_are_hidden_until_asked(self) -> None:
        make_destination(self.call, make_institution(name="Università Tre"), places=3)
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        self.client.force_login(self.alice)
        page = self.client.get(self.detail_url(run))
        table = section(page, "destinations-heading")
        self.assertIn("Universitat Uno", table)
        self.assertNotIn("Università Tre", table)
        self.assertIn("1 destination had no applicant admitted or waiting.", table)
        self.assertIn(f'href="{self.detail_url(run)}?all=1"', table)
        every = section(self.client.get(self.detail_url(run), {"all": "1"}), "destinations-heading")
        self.assertIn("Università Tre", every)
        self.assertIn("Hide the 1 destination without applicant", every)
        self.assert_accessible(page)

    def test_each_destination_is_one_row_with_the_admitted_and_the_waiting_list_in_order(self) -> None:
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        self.client.force_login(self.alice)
        table = section(self.client.get(self.detail_url(run)), "destinations-heading")
        self.assertEqual(table.count("<tr>"), 3)  # the head and the two destinations
        first = table.split("<tr>")[2]
        self.assertIn("Universitat Uno", first)
        self.assertIn('Sam Fake <span class="muted">(18)</span>', first)
        self.assertIn("2 waiting", first)
        self.assertLess(first.index("Tess Fake"), first.index("Vic Fake"))
        self.assertIn("<details>", first)

    def test_two_destinations_of_one_partner_are_told_apart(self) -> None:
        CallDestination.objects.filter(pk=self.d1.pk).update(isced_codes=["0714"], eqf_levels=[6], months=5)
        make_destination(self.call, self.d1.partner, places=1, isced_codes=["0613"], eqf_levels=[7], notes="Law")
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        self.client.force_login(self.alice)
        table = section(self.client.get(self.detail_url(run), {"all": "1"}), "destinations-heading")
        self.assertIn("ISCED 0714 · EQF 6 · 5 months", table)
        self.assertIn("Law · ISCED 0613 · EQF 7", table)

    def test_the_unplaced_are_listed_with_their_explanation(self) -> None:
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        explanation = results.run_summary(run).explanation_of[str(self.a_uma.public_id)]
        self.assertTrue(explanation)
        self.client.force_login(self.alice)
        unplaced = section(self.client.get(self.detail_url(run)), "unplaced-heading")
        self.assertInHTML(f'<tr><th scope="row">Uma Fake</th><td>14</td><td>{escape(explanation)}</td></tr>', unplaced)
        self.assertIn("Vic Fake", unplaced)
        self.assertNotIn("Sam Fake", unplaced)

    def test_the_explanations_are_collapsed_and_searched_by_name_without_case_or_accents(self) -> None:
        User.objects.filter(pk=self.uma.pk).update(full_name="Úma Fäke")
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        self.client.force_login(self.alice)
        everyone = self.client.get(self.detail_url(run))
        explanations = section(everyone, "explanations-heading")
        self.assertIn("<details>", explanations)
        self.assertIn("The explanations of 4 applicants", explanations)
        self.assertEqual(len(everyone.context["explanations"]), 4)
        found = self.client.get(self.detail_url(run), {"q": "UMA fake"})
        explanations = section(found, "explanations-heading")
        self.assertIn("<details open>", explanations)
        self.assertIn("1 applicant matches “UMA fake”.", explanations)
        self.assertIn("Úma Fäke", explanations)
        self.assertNotIn("Sam Fake", explanations)
        self.assert_accessible(found)
        nobody = section(self.client.get(self.detail_url(run), {"q": "Zoe"}), "explanations-heading")
        self.assertIn("No applicant matches “Zoe”.", nobody)
        self.assertNotIn("<dt>", nobody)

    def test_after_publication_the_offers_are_counted_by_status(self) -> None:
        run = self.publish()
        results.decline_offer(self.offer(self.a_sam), actor=self.sam)  # Tess moves up from D1's waiting list
        self.client.force_login(self.alice)
        page = self.client.get(self.detail_url(run))
        summary = section(page, "summary-heading")
        self.assertIn("3 offers", summary)
        self.assertInHTML("<dt>Accepted</dt><dd>0</dd>", summary)
        self.assertInHTML("<dt>Declined</dt><dd>1</dd>", summary)
        self.assertInHTML("<dt>Waiting for an answer</dt><dd>2</dd>", summary)
        self.assertInHTML("<dt>Of them, from a waiting list</dt><dd>1</dd>", summary)
        self.assertIn("3 offers, with their status and deadline", section(page, "offers-heading"))

    def page_queries(self, run, **params: str) -> int:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(self.detail_url(run), params).status_code, 200)
        return len(queries)

    def test_the_queries_do_not_grow_with_the_applicants_or_the_destinations(self) -> None:
        self.client.force_login(self.alice)
        small = self.page_queries(results.run_allocation(self.call, actor=self.alice, seed=1), all="1", q="fake")
        partners = [make_destination(self.call, make_institution(), places=1) for _ in range(3)]
        for n in range(5):
            self.submitted(self.make_student(f"extra{n}"), str(10 + n), [*partners, self.d1])
        run = results.run_allocation(self.call, actor=self.alice, seed=1)
        with self.assertNumQueries(small):
            self.client.get(self.detail_url(run), {"all": "1", "q": "fake"})

    def test_the_queries_do_not_grow_with_the_offers(self) -> None:
        run = self.publish()
        self.client.force_login(self.alice)
        before = self.page_queries(run)
        results.decline_offer(self.offer(self.a_sam), actor=self.sam)
        results.decline_offer(self.offer(self.a_tess, self.d2), actor=self.tess)
        self.assertGreater(Offer.objects.count(), 2)
        with self.assertNumQueries(before):
            self.client.get(self.detail_url(run))


class DestinationLabelTests(ResultPagesTestCase):
    def test_the_details_leave_out_what_is_empty(self) -> None:
        destination = make_destination(self.call, self.d1.partner, isced_codes=["0714", "0613"], eqf_levels=[6, 7])
        self.assertEqual(destination_details(destination), "ISCED 0714, 0613 · EQF 6, 7")
        self.assertEqual(destination_details(make_destination(self.call, months=Decimal("1.0"))), "1 month")
        self.assertEqual(destination_details(make_destination(self.call, months=Decimal("4.5"))), "4.5 months")
        self.assertEqual(destination_details(self.d2), "")

    def test_the_student_s_choices_tell_two_destinations_of_one_partner_apart(self) -> None:
        one = make_destination(self.call, self.d1.partner, isced_codes=["0714"], eqf_levels=[6], months=Decimal(5))
        two = make_destination(self.call, self.d1.partner, isced_codes=["0613"], notes="Law")
        city = self.d1.partner.city
        self.assertEqual(destination_label(one), f"Universitat Uno ({city}) — ISCED 0714 · EQF 6 · 5 months")
        self.assertEqual(destination_label(two), f"Universitat Uno ({city}, Law) — ISCED 0613")
        self.assertEqual(destination_label(self.d2), f"Universitá Due ({city})")


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
