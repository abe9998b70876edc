"""The calls, applications, reviews and offers on each role's home page, from real data, in a fixed query count."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mobilitas.applications.models import AllocationRun, Application, Call, Offer
from mobilitas.institutions.models import Membership, OrganisationalUnit, Role
from mobilitas.mobilities.models import Mobility
from tests.applications.factories import make_application, make_call, make_destination
from tests.base import TenantTestCase
from tests.factories import make_institution, make_member, make_ounit

FACULTY = OrganisationalUnit.Kind.FACULTY
Status = Application.Status


def make_offer(application: Application, *, status: str = Offer.Status.OFFERED, days: int = 5) -> Offer:
    call = application.call
    run = call.runs.first() or AllocationRun.objects.create(call=call, seed=1, inputs={}, output={})
    return Offer.objects.create(
        institution=call.institution,
        run=run,
        application=application,
        destination=call.destinations.first() or make_destination(call),
        status=status,
        respond_by=timezone.now() + timedelta(days=days),
    )


class RoleSectionsTestCase(TenantTestCase):
    """University A: the faculties of law (with a department) and sciences; bob studies in the department."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.url = reverse("home-institution", args=["univ-a"])
        cls.law = make_ounit(cls.inst_a, "LAW", "Faculty of Law", kind=FACULTY)
        cls.private_law = make_ounit(cls.inst_a, "LAW-PRIV", "Department of Private Law", cls.law)
        cls.sciences = make_ounit(cls.inst_a, "SCI", "Faculty of Sciences", kind=FACULTY)
        Membership.objects.filter(user=cls.bob).update(ounit=cls.private_law)
        cls.cora = make_member("cora@a.test", cls.inst_a, Role.COORDINATOR, ounit=cls.law, full_name="Cora Coord")
        cls.tom = make_member("tom@a.test", cls.inst_a, Role.STAFF, ounit=cls.private_law, full_name="Tom Teacher")

    def home(self, user):  # type: ignore[no-untyped-def]
        self.client.force_login(user)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        return response

    def data(self, response, key: str):  # type: ignore[no-untyped-def]
        return next(section.data for section in response.context["sections"] if section.key == key)

    def keys(self, response) -> list[str]:  # type: ignore[no-untyped-def]
        return [section.key for section in response.context["sections"]]


class ApplicantSectionsTests(RoleSectionsTestCase):
    def test_the_student_sees_the_open_calls_of_their_faculty_with_the_deadline(self) -> None:
        now = timezone.now()
        law_call = make_call(self.inst_a, title="Law exchange")
        law_call.eligible_ounits.set([self.law])
        make_call(self.inst_a, title="Everyone's call")
        make_call(self.inst_a, title="Sciences only").eligible_ounits.set([self.sciences])
        make_call(self.inst_a, title="Teaching call", kind=Call.Kind.STAFF_TEACHING)
        make_call(self.inst_a, title="Draft call", status=Call.Status.DRAFT)
        make_call(self.inst_a, title="Later call", opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=9))
        make_call(self.inst_a, title="Closed call", open_now=False)
        make_call(self.inst_b, title="B's call")
        response = self.home(self.bob)
        calls = self.data(response, "applying")["calls"]
        self.assertEqual({call.title for call in calls}, {"Law exchange", "Everyone's call"})
        self.assertContains(response, f'href="{reverse("applications-call", args=["univ-a", law_call.public_id])}"')
        self.assertContains(response, "Apply before")
        self.assertContains(response, "Europe/Paris")  # the deadline names its time zone
        self.assertNotContains(response, "B&#x27;s call")

    def test_a_staff_member_sees_the_staff_calls(self) -> None:
        make_call(self.inst_a, title="Teaching call", kind=Call.Kind.STAFF_TEACHING)
        make_call(self.inst_a, title="Studies call")
        response = self.home(self.tom)
        self.assertEqual([call.title for call in self.data(response, "applying")["calls"]], ["Teaching call"])

    def test_the_student_sees_each_application_with_what_to_do_next(self) -> None:
        drafting = make_call(self.inst_a, title="Call in progress")
        draft = make_application(drafting, self.bob)
        missed = make_application(make_call(self.inst_a, title="Call missed", open_now=False), self.bob)
        waiting_call = make_call(self.inst_a, title="Call submitted", open_now=False)
        submitted = make_application(waiting_call, self.bob, status=Status.SUBMITTED, submitted_at=timezone.now())
        decided_call = make_call(
            self.inst_a, title="Call decided", open_now=False, status=Call.Status.RESULTS_PUBLISHED,
            results_published_at=timezone.now(),
        )  # fmt: skip
        decided = make_application(decided_call, self.bob, status=Status.SUBMITTED, submitted_at=timezone.now())
        response = self.home(self.bob)
        states = {row["call"].title: row["state"] for row in self.data(response, "applying")["applications"]}
        self.assertEqual(
            states,
            {
                "Call in progress": "draft",
                "Call missed": "missed",
                "Call submitted": "submitted",
                "Call decided": "result",
            },
        )
        # The call with a draft is not offered again among the calls to apply to: the draft is continued.
        self.assertEqual(self.data(response, "applying")["calls"], [])
        self.assertContains(response, f'href="{reverse("applications-edit", args=["univ-a", draft.public_id])}"')
        self.assertContains(response, "Continue your application")
        self.assertContains(response, "Not submitted")
        self.assertContains(
            response, f'href="{reverse("applications-application", args=["univ-a", missed.public_id])}"'
        )
        self.assertContains(
            response, f'href="{reverse("applications-application", args=["univ-a", submitted.public_id])}"'
        )
        self.assertContains(response, f'href="{reverse("applications-result", args=["univ-a", decided.public_id])}"')
        self.assertNotContains(response, f'href="{reverse("applications-edit", args=["univ-a", missed.public_id])}"')

    def test_an_offer_waiting_for_an_answer_comes_first_with_its_deadline(self) -> None:
        call = make_call(
            self.inst_a, title="Call decided", open_now=False, status=Call.Status.RESULTS_PUBLISHED,
            results_published_at=timezone.now(),
        )  # fmt: skip
        make_destination(call, make_institution(name="Universitat Uno"))
        application = make_application(call, self.bob, status=Status.SUBMITTED, submitted_at=timezone.now())
        offer = make_offer(application)
        response = self.home(self.bob)
        self.assertEqual(self.keys(response)[0], "offers")
        self.assertTrue(response.context["sections"][0].prominent)
        self.assertEqual(self.data(response, "offers")["offers"], [offer])
        self.assertContains(response, "A place at Universitat Uno (Call decided)")
        when = timezone.localtime(offer.respond_by)
        self.assertContains(response, f"Answer before {when:%-d} ")
        self.assertContains(
            response, f'href="{reverse("applications-result", args=["univ-a", application.public_id])}"'
        )

    def test_answered_or_overdue_offers_and_others_offers_are_not_shown(self) -> None:
        call = make_call(self.inst_a, open_now=False, status=Call.Status.RESULTS_PUBLISHED)
        mine = make_application(call, self.bob, status=Status.SUBMITTED)
        make_offer(mine, status=Offer.Status.ACCEPTED)
        make_offer(mine, days=-1)  # its deadline passed: it is about to expire
        other = make_member("eve@a.test", self.inst_a, Role.STUDENT)
        make_offer(make_application(call, other, status=Status.SUBMITTED))
        response = self.home(self.bob)
        self.assertNotIn("offers", self.keys(response))

    def test_the_student_page_runs_a_fixed_number_of_queries(self) -> None:
        def add_rows(n: int) -> None:
            call = make_call(self.inst_a, title=f"Call {n}", status=Call.Status.RESULTS_PUBLISHED)
            call.eligible_ounits.set([self.law, self.sciences])
            make_offer(make_application(call, self.bob, status=Status.SUBMITTED))
            make_call(self.inst_a, title=f"Open call {n}").eligible_ounits.set([self.law])

        add_rows(0)
        self.client.force_login(self.bob)
        # session, user, memberships; offers (1), units (1), faculty (1), applying (3), alliances (1: none).
        with self.assertNumQueries(10):
            self.client.get(self.url)
        for n in range(1, 4):
            add_rows(n)
        with self.assertNumQueries(10):
            response = self.client.get(self.url)
        self.assertEqual(len(self.data(response, "offers")["offers"]), 4)
        self.assertEqual(len(self.data(response, "applying")["calls"]), 4)


class CoordinatorSectionTests(RoleSectionsTestCase):
    def submitted(self, call: Call, email: str, unit: OrganisationalUnit, score: str | None = None) -> Application:
        student = make_member(email, self.inst_a, Role.STUDENT, ounit=unit)
        return make_application(
            call, student, ounit=unit, status=Status.SUBMITTED, submitted_at=timezone.now(),
            motivation_score=None if score is None else Decimal(score),
        )  # fmt: skip

    def test_the_coordinator_sees_per_undecided_call_the_applications_to_score(self) -> None:
        closed = make_call(self.inst_a, title="Closed call", open_now=False)
        self.submitted(closed, "s1@a.test", self.private_law)
        self.submitted(closed, "s2@a.test", self.law)
        self.submitted(closed, "s3@a.test", self.law, score="15")
        self.submitted(closed, "s4@a.test", self.sciences)  # another faculty
        make_application(closed, make_member("s5@a.test", self.inst_a, Role.STUDENT), ounit=self.law)  # a draft
        open_call = make_call(self.inst_a, title="Open call")
        self.submitted(open_call, "s6@a.test", self.law, score="12")
        decided = make_call(
            self.inst_a, title="Decided call", open_now=False, status=Call.Status.RESULTS_PUBLISHED,
            results_published_at=timezone.now(),
        )  # fmt: skip
        self.submitted(decided, "s7@a.test", self.law)
        make_call(self.inst_a, title="Draft call", status=Call.Status.DRAFT)
        make_call(self.inst_b, title="B call", open_now=False)
        response = self.home(self.cora)
        rows = {
            row["call"].title: (row["submitted"], row["unscored"]) for row in self.data(response, "review")["calls"]
        }
        self.assertEqual(rows, {"Closed call": (3, 2), "Open call": (1, 0)})
        self.assertContains(response, f'href="{reverse("applications-review", args=["univ-a", closed.public_id])}"')
        self.assertContains(response, '<span class="badge warn">2</span>', html=True)
        self.assertContains(response, "all scored")

    def test_a_coordinator_without_unit_is_told_whom_to_ask(self) -> None:
        Membership.objects.filter(user=self.cora).update(ounit=None)
        response = self.home(self.cora)
        self.assertEqual(self.data(response, "review")["calls"], [])
        self.assertContains(response, "Your coordinator role is not attached to a unit yet.")

    def test_the_coordinator_section_runs_a_fixed_number_of_queries(self) -> None:
        call = make_call(self.inst_a, open_now=False)
        self.submitted(call, "s1@a.test", self.law)
        self.client.force_login(self.cora)
        with CaptureQueriesContext(connection) as before:
            self.client.get(self.url)
        for n in range(3):
            more = make_call(self.inst_a, title=f"Call {n}", open_now=False)
            self.submitted(more, f"m{n}@a.test", self.private_law)
        with CaptureQueriesContext(connection) as after:
            response = self.client.get(self.url)
        self.assertEqual(len(self.data(response, "review")["calls"]), 4)
        self.assertEqual(len(after), len(before))


class OfficerSectionTests(RoleSectionsTestCase):
    def test_the_officer_sees_the_calls_in_progress_with_their_next_step(self) -> None:
        now = timezone.now()
        draft = make_call(self.inst_a, title="Draft call", status=Call.Status.DRAFT)
        open_call = make_call(self.inst_a, title="Open call")
        make_application(open_call, self.bob, status=Status.SUBMITTED)
        make_application(open_call, self.tom)  # a draft: not counted
        make_call(self.inst_a, title="Later call", opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=9))
        closed = make_call(self.inst_a, title="Closed call", open_now=False)
        for n in range(2):
            make_application(closed, make_member(f"c{n}@a.test", self.inst_a, Role.STUDENT), status=Status.SUBMITTED)
        answering = make_call(self.inst_a, title="Answering call", open_now=False, status=Call.Status.RESULTS_PUBLISHED)
        make_offer(make_application(answering, self.bob, status=Status.SUBMITTED))
        answered = make_call(self.inst_a, title="Answered call", open_now=False, status=Call.Status.RESULTS_PUBLISHED)
        make_offer(make_application(answered, self.bob, status=Status.SUBMITTED), status=Offer.Status.ACCEPTED)
        make_call(self.inst_a, title="Closed for good", open_now=False, status=Call.Status.CLOSED)
        make_call(self.inst_b, title="B call")
        response = self.home(self.alice)
        rows = {
            row["call"].title: (row["stage"], row["call"].submitted)
            for row in self.data(response, "calls_in_progress")["calls"]
        }
        self.assertEqual(
            rows,
            {
                "Draft call": ("draft", 0),
                "Open call": ("open", 1),
                "Later call": ("upcoming", 0),
                "Closed call": ("allocation", 2),
                "Answering call": ("offers", 1),
            },
        )
        self.assertContains(response, "Results published, 1 offer waiting for an answer")
        self.assertContains(response, f'href="{reverse("applications-call", args=["univ-a", draft.public_id])}"')
        self.assertContains(response, f'href="{reverse("applications-ranking", args=["univ-a", open_call.public_id])}"')
        self.assertContains(response, f'href="{reverse("applications-allocation", args=["univ-a", closed.public_id])}"')
        self.assertContains(
            response, f'href="{reverse("applications-allocation", args=["univ-a", answering.public_id])}"'
        )

    def test_the_officer_sees_the_number_of_nominations_to_send(self) -> None:
        partner = make_institution(name="Universitat Uno")
        for status in (Mobility.Status.NOMINATED, Mobility.Status.NOMINATED, Mobility.Status.CANCELLED):
            Mobility.objects.create(
                institution=self.inst_a, person=self.bob, category=Mobility.Category.STUDENT,
                direction=Mobility.Direction.OUTGOING, kind=Mobility.Kind.STUDY, home=self.inst_a, host=partner,
                academic_year="2027/2028", status=status,
            )  # fmt: skip
        Mobility.objects.create(
            institution=self.inst_b, person=self.carol, category=Mobility.Category.STUDENT,
            direction=Mobility.Direction.OUTGOING, kind=Mobility.Kind.STUDY, home=self.inst_b, host=partner,
            academic_year="2027/2028",
        )  # fmt: skip
        response = self.home(self.alice)
        self.assertEqual(self.data(response, "calls_in_progress")["nominations"], 2)
        self.assertContains(response, "2 nominations to send")
        self.assertContains(response, f'href="{reverse("mobilities-nominations", args=["univ-a"])}"')

    def test_the_section_is_for_officers_and_admins_only(self) -> None:
        rector = make_member("rita@a.test", self.inst_a, Role.LEADERSHIP)
        self.assertNotIn("calls_in_progress", self.keys(self.home(rector)))
        self.assertNotIn("calls_in_progress", self.keys(self.home(self.cora)))
        admin = make_member("adam@a.test", self.inst_a, Role.ADMIN)
        self.assertIn("calls_in_progress", self.keys(self.home(admin)))

    def test_a_user_with_every_role_runs_as_many_queries_with_more_rows(self) -> None:
        user = make_member("all@a.test", self.inst_a, Role.OFFICER, ounit=self.law)
        for role in Role.values:
            if role != Role.OFFICER:
                Membership.objects.create(user=user, institution=self.inst_a, role=role, ounit=self.law)

        def add_rows(n: int) -> None:
            for open_now in (True, False):
                call = make_call(self.inst_a, title=f"Call {n} {open_now}", open_now=open_now)
                application = make_application(call, user, ounit=self.law, status=Status.SUBMITTED)
                make_offer(application)
                student = make_member(f"x{n}{open_now}@a.test", self.inst_a, Role.STUDENT)
                make_application(call, student, ounit=self.law)
            make_call(self.inst_a, title=f"Open call {n}").eligible_ounits.set([self.law])

        add_rows(0)
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as before:
            self.client.get(self.url)
        for n in range(1, 4):
            add_rows(n)
        with CaptureQueriesContext(connection) as after:
            response = self.client.get(self.url)
        self.assertEqual(len(self.data(response, "calls_in_progress")["calls"]), 12)
        self.assertEqual(len(self.data(response, "offers")["offers"]), 8)
        self.assertEqual(len(after), len(before))

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url)
