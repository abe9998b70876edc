"""Cross-enrolment pages: asking for a course, the lists of each side, the detail with its steps, the step posts."""

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mobilitas.catalogue.models import CrossEnrolment
from mobilitas.catalogue.services import enrolments as services
from tests.catalogue.test_enrolments import EnrolmentTestCase, make_course
from tests.test_accessibility import PageStructure

Status = CrossEnrolment.Status


class EnrolmentPagesTestCase(EnrolmentTestCase):
    def enrol_url(self, course, slug: str = "univ-a") -> str:  # type: ignore[no-untyped-def]
        return reverse("catalogue-enrol", args=[slug, course.public_id])

    def detail_url(self, enrolment: CrossEnrolment, slug: str = "univ-a") -> str:
        return reverse("catalogue-enrolment", args=[slug, enrolment.public_id])

    def action_url(self, enrolment: CrossEnrolment, action: str, slug: str = "univ-a") -> str:
        return reverse("catalogue-enrolment-action", args=[slug, enrolment.public_id, action])

    def list_url(self, slug: str = "univ-a") -> str:
        return reverse("catalogue-enrolments", args=[slug])

    def assert_accessible(self, response) -> None:  # type: ignore[no-untyped-def]
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.unlabelled(), [])
        self.assertEqual(page.h1_count, 1)


class RequestPageTests(EnrolmentPagesTestCase):
    def test_it_shows_the_form_to_a_student_of_another_member(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.enrol_url(self.course))
        self.assertContains(response, "Why do you want to take this course?")
        self.assertContains(response, "University B")
        self.assert_accessible(response)

    def test_it_sends_the_request_to_the_home_side(self) -> None:
        self.client.force_login(self.bob)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.enrol_url(self.course), {"motivation": "For my thesis."})
        enrolment = CrossEnrolment.objects.get(student=self.bob, course=self.course)
        self.assertRedirects(response, self.detail_url(enrolment), fetch_redirect_response=False)
        self.assertEqual((enrolment.home, enrolment.motivation), (self.inst_a, "For my thesis."))
        self.assertEqual({m.to[0] for m in mail.outbox}, {"alice@a.test", "coord@a.test"})
        page = self.client.get(self.detail_url(enrolment))
        self.assertContains(page, "Your request was sent.")

    def test_it_says_what_is_missing(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.post(self.enrol_url(self.course), {"motivation": " "}, follow=True)
        self.assertContains(response, "Write a few words on why you want to take this course.", status_code=400)
        self.assertFalse(CrossEnrolment.objects.exists())

    def test_it_refuses_a_course_of_the_students_own_institution(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.enrol_url(self.home_course))
        self.assertContains(response, "is a course of your own institution", status_code=400)
        self.assertNotContains(response, "<textarea", status_code=400)
        response = self.client.post(self.enrol_url(self.home_course), {"motivation": "Please"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(CrossEnrolment.objects.exists())

    def test_it_links_to_the_request_already_made(self) -> None:
        enrolment = self.ask()
        self.client.force_login(self.bob)
        response = self.client.post(self.enrol_url(self.course), {"motivation": "Again"})
        self.assertContains(response, "You have already asked for “B-ML” (status: Requested)", status_code=409)
        self.assertContains(response, self.detail_url(enrolment), status_code=409)

    def test_an_unshared_course_of_another_member_is_not_found(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.enrol_url(self.unshared)).status_code, 404)

    def test_a_course_outside_the_students_alliances_is_not_found(self) -> None:
        self.client.force_login(self.dan)
        self.assertEqual(self.client.get(self.enrol_url(self.course_c, "univ-b")).status_code, 404)

    def test_only_students_ask(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.enrol_url(self.course)).status_code, 403)
        self.assert_carol_gets_404(self.enrol_url(self.course))


class ListPageTests(EnrolmentPagesTestCase):
    def test_a_student_sees_only_their_own_requests(self) -> None:
        self.ask()
        self.ask(student=self.erin, course=self.course_c)
        self.client.force_login(self.bob)
        response = self.client.get(self.list_url())
        self.assertContains(response, "B-ML")
        self.assertNotContains(response, "C-ART")
        self.assertFalse(response.context["show_side"])  # one list only: no choice to make
        self.assert_accessible(response)

    def test_home_staff_see_their_students_waiting_for_pre_approval_first(self) -> None:
        waiting = self.ask(student=self.erin, course=self.course_c)
        self.accepted()  # newer, but waiting for nobody at home
        self.client.force_login(self.coordinator)
        response = self.client.get(self.list_url())
        self.assertEqual(response.context["rows"][0][0].public_id, waiting.public_id)
        self.assertEqual([w for _e, w in response.context["rows"]], [True, False])
        self.assertContains(response, "waiting for you", count=1)
        self.assert_accessible(response)

    def test_host_officers_see_guests_waiting_for_acceptance_first(self) -> None:
        preapproved = self.preapproved(student=self.erin)
        self.ask(student=self.frank)  # not pre-approved yet: waiting for the home side
        self.client.force_login(self.carol)
        response = self.client.get(self.list_url("univ-b"))
        rows = response.context["rows"]
        self.assertEqual((rows[0][0].public_id, rows[0][1]), (preapproved.public_id, True))
        self.assertEqual(response.context["side"], "incoming")
        # Carol's own institution sends nobody: the other side is empty.
        response = self.client.get(self.list_url("univ-b") + "?side=outgoing")
        self.assertEqual(response.context["rows"], [])

    def test_it_filters_by_status_and_refuses_bad_parameters(self) -> None:
        self.accepted()
        self.ask(student=self.erin)
        self.client.force_login(self.alice)
        response = self.client.get(self.list_url() + "?side=outgoing&status=accepted")
        self.assertEqual([e.student for e, _w in response.context["rows"]], [self.bob])
        response = self.client.get(self.list_url() + "?status=lost")
        self.assertContains(response, "Select a valid choice", status_code=400)
        response = self.client.get(self.list_url() + "?side=mine")  # alice is no student
        self.assertEqual(response.status_code, 400)

    def test_it_pages_with_a_constant_number_of_queries(self) -> None:
        def count_queries() -> int:
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(self.list_url())
            self.assertEqual(response.status_code, 200)
            return len(queries)

        self.client.force_login(self.alice)
        self.preapproved(recognised_as=self.home_course)
        few = count_queries()
        for n in range(40):
            course = make_course(self.inst_b, f"B-{n:03d}")
            CrossEnrolment.objects.create(
                student=self.erin, home=self.inst_a, course=course, recognised_as=self.home_course
            )
        with self.assertNumQueries(few):
            response = self.client.get(self.list_url())
        self.assertEqual(len(response.context["rows"]), 25)
        self.assertEqual(few, 6, "session, user, memberships, the default side, count, page")
        with self.assertNumQueries(few - 1):  # the side chosen: no need to find the default
            response = self.client.get(self.list_url() + "?side=outgoing&page=2")
        self.assertEqual(len(response.context["rows"]), 16)


class DetailPageTests(EnrolmentPagesTestCase):
    def test_the_student_sees_where_it_stands_and_can_withdraw(self) -> None:
        enrolment = self.preapproved(recognised_as=self.home_course)
        self.client.force_login(self.bob)
        response = self.client.get(self.detail_url(enrolment))
        self.assertContains(response, "Waiting for University B to accept the student.")
        self.assertContains(response, "Asked for the course")
        self.assertContains(response, "Recognition pre-approved at home")
        self.assertContains(response, "by Colette Coordinator (University A)")
        self.assertContains(response, self.action_url(enrolment, "withdraw"))
        self.assertNotContains(response, self.action_url(enrolment, "accept"))
        self.assert_accessible(response)

    def test_the_detail_reads_a_fixed_number_of_queries_whatever_the_steps(self) -> None:
        enrolment = services.record_result(self.accepted(), actor=self.carol, grade="A", ects_earned=6)
        self.client.force_login(self.coordinator)
        # session, user, memberships, the enrolment with its relations, its history
        with self.assertNumQueries(5):
            response = self.client.get(self.detail_url(enrolment))
        self.assertContains(response, "Proposed for recognition at home")
        self.assertContains(response, self.action_url(enrolment, "recognise"))

    def test_another_student_gets_404(self) -> None:
        enrolment = self.ask()
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get(self.detail_url(enrolment)).status_code, 404)
        self.assertEqual(self.client.post(self.action_url(enrolment, "withdraw")).status_code, 404)

    def test_carol_gets_404_for_an_enrolment_that_does_not_involve_b(self) -> None:
        enrolment = self.ask(course=self.course_c)
        self.assert_carol_gets_404(self.detail_url(enrolment, "univ-b"))
        self.assert_carol_gets_404(self.action_url(enrolment, "accept", "univ-b"), method="post")
        self.assert_carol_gets_404(self.detail_url(enrolment, "univ-a"))  # not a member of A: 404 as well

    def test_each_side_is_offered_its_steps(self) -> None:
        enrolment = self.ask()
        self.client.force_login(self.coordinator)
        response = self.client.get(self.detail_url(enrolment))
        self.assertContains(response, self.action_url(enrolment, "preapprove"))
        self.assertContains(response, self.action_url(enrolment, "refuse"))
        self.assert_accessible(response)
        self.client.force_login(self.carol)
        response = self.client.get(self.detail_url(enrolment, "univ-b"))
        self.assertContains(response, "Waiting for University A to pre-approve the recognition")
        self.assertNotContains(response, "What you can do now")
        services.preapprove_recognition(enrolment, actor=self.coordinator)
        response = self.client.get(self.detail_url(enrolment, "univ-b"))
        self.assertContains(response, self.action_url(enrolment, "accept", "univ-b"))
        self.assertContains(response, "(0 taken)")
        self.assert_accessible(response)


class ActionTests(EnrolmentPagesTestCase):
    def post(self, user, enrolment, action, data=None, slug="univ-a"):  # type: ignore[no-untyped-def]
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.action_url(enrolment, action, slug), data or {})

    def test_the_whole_path_through_the_pages(self) -> None:
        enrolment = self.ask()
        mail.outbox.clear()
        steps = [
            (self.coordinator, "preapprove", {"preapprove-recognised_as": "a-ai", "preapprove-note": "Yes"}, "univ-a",
             Status.PREAPPROVED, {"bob@a.test", "carol@b.test"}),
            (self.carol, "accept", {}, "univ-b", Status.ACCEPTED, {"bob@a.test"}),
            (self.carol, "result", {"result-grade": "9/10", "result-ects_earned": "6"}, "univ-b", Status.COMPLETED,
             {"bob@a.test", "alice@a.test", "coord@a.test"}),
            (self.coordinator, "recognise", {}, "univ-a", Status.RECOGNISED, {"bob@a.test"}),
        ]  # fmt: skip
        for user, action, data, slug, status, recipients in steps:
            with self.subTest(action=action):
                response = self.post(user, enrolment, action, data, slug)
                self.assertRedirects(response, self.detail_url(enrolment, slug), fetch_redirect_response=False)
                enrolment.refresh_from_db()
                self.assertEqual(enrolment.status, status)
                self.assertEqual({m.to[0] for m in mail.outbox}, recipients)
                mail.outbox.clear()
        self.assertEqual((enrolment.recognised_as, enrolment.recognised_credits), (self.home_course, 5))
        response = self.client.get(self.detail_url(enrolment))
        self.assertContains(response, "Recognised at University A for 5 ECTS credits.")
        self.assertContains(response, "The credits are recognised.")

    def test_a_bad_form_is_shown_again_with_what_is_wrong(self) -> None:
        enrolment = self.ask()
        response = self.post(self.coordinator, enrolment, "preapprove", {"preapprove-recognised_as": "ZZZ"})
        self.assertContains(response, "No course of your institution has the code “ZZZ”.", status_code=400)
        response = self.post(self.coordinator, enrolment, "refuse", {"refuse-reason": ""})
        self.assertContains(response, "Say why the request is refused: the student reads it.", status_code=400)
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, Status.REQUESTED)

    def test_a_field_refused_by_the_service_is_shown_next_to_the_field(self) -> None:
        enrolment = self.accepted()
        data = {"result-grade": "A", "result-ects_earned": "9"}
        response = self.post(self.carol, enrolment, "result", data, "univ-b")
        self.assertContains(response, "The course gives 6.0 ECTS credits", status_code=400)

    def test_a_refused_step_is_a_message(self) -> None:
        enrolment = self.ask()
        response = self.post(self.bob, enrolment, "accept")
        self.assertRedirects(response, self.detail_url(enrolment) + "#steps", fetch_redirect_response=False)
        page = self.client.get(self.detail_url(enrolment))
        self.assertContains(page, "Only an officer of University B can do this.")
        self.post(self.carol, enrolment, "accept", slug="univ-b")
        page = self.client.get(self.detail_url(enrolment, "univ-b"))
        self.assertContains(page, "This enrolment is “Requested”: it cannot be accepted now.")
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, Status.REQUESTED)

    def test_accepting_a_full_course_says_the_student_is_waiting(self) -> None:
        self.accepted()
        erin = self.preapproved(student=self.erin)
        self.post(self.carol, erin, "accept", slug="univ-b")
        page = self.client.get(self.detail_url(erin, "univ-b"))
        self.assertContains(page, "All the places of this course are taken")
        self.assertContains(page, "number 1 on the waiting list")

    def test_withdrawing_frees_the_place_for_the_waiting_list(self) -> None:
        bob = self.accepted()
        erin = services.accept_enrolment(self.preapproved(student=self.erin), actor=self.carol)
        self.post(self.bob, bob, "withdraw")
        erin.refresh_from_db()
        self.assertEqual(erin.status, Status.ACCEPTED)
        self.client.force_login(self.erin)
        page = self.client.get(self.detail_url(erin))
        self.assertContains(page, "Accepted from the waiting list (a place became free)")
        self.assertContains(page, "automatically")

    def test_only_the_known_steps_and_only_posts(self) -> None:
        enrolment = self.ask()
        self.client.force_login(self.coordinator)
        self.assertEqual(self.client.post(self.action_url(enrolment, "approve-all")).status_code, 404)
        self.assertEqual(self.client.get(self.action_url(enrolment, "preapprove")).status_code, 405)
