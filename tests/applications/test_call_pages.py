"""Call pages: the list, the detail with its times, creating and editing, destinations, publish and close,
and the public pages of open calls."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mobilitas.agreements.models import Agreement
from mobilitas.applications.models import AllocationRun, Application, Call, CallDestination, Offer
from mobilitas.institutions.models import Role
from tests.applications.factories import make_application, make_call, make_destination
from tests.base import TenantTestCase
from tests.factories import make_agreement, make_institution, make_member, make_ounit, studies_condition
from tests.test_accessibility import PageStructure

UTC = ZoneInfo("UTC")


def form_data(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Erasmus+ studies 2027/2028",
        "description": "Study a semester or a year abroad.",
        "academic_year": "2027/2028",
        "kind": "study",
        "time_zone": "Europe/Paris",
        "opens_at": "2027-01-10T09:00",
        "closes_at": "2027-03-15T23:59",
        "max_choices": "3",
        "required_documents": "Transcript | Grades of the last two years\nCV",
        "study_levels": ["6", "7"],
        "programmes": "Licence Informatique\nMaster Droit",
        "weight_grades": "50",
        "weight_language": "20",
        "weight_motivation": "30",
        "weight_fewer_opportunities": "0",
        "inclusion_bonus": "0",
        "inclusion_reserved_percent": "10",
        "response_days": "7",
    }
    data.update(changes)
    return data


class CallPagesTestCase(TenantTestCase):
    def url(self, name: str, call: Call | None = None, slug: str = "univ-a") -> str:
        return reverse(name, args=[slug, call.public_id] if call else [slug])

    def assert_accessible(self, response: Any) -> None:
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.unlabelled(), [])
        self.assertEqual(page.h1_count, 1)


class CreateCallPageTests(CallPagesTestCase):
    def test_an_officer_creates_a_call_with_a_paris_deadline_stored_in_utc(self) -> None:
        self.client.force_login(self.alice)
        self.assert_accessible(self.client.get(self.url("applications-call-create")))
        response = self.client.post(self.url("applications-call-create"), form_data())
        call = Call.objects.get()
        self.assertRedirects(response, self.url("applications-call", call), fetch_redirect_response=False)
        # 23:59 in Paris in March (UTC+1) is 22:59 UTC.
        self.assertEqual(call.closes_at, datetime(2027, 3, 15, 22, 59, tzinfo=UTC))
        self.assertEqual(call.opens_at, datetime(2027, 1, 10, 8, 0, tzinfo=UTC))
        self.assertEqual(str(call.inclusion_reserved_share), "0.10")
        self.assertEqual(call.programmes, ["Licence Informatique", "Master Droit"])
        self.assertEqual([d.name for d in call.required_documents.all()], ["Transcript", "CV"])
        self.assertEqual(call.created_by, self.alice)

    def test_the_dates_follow_the_time_zone_chosen_for_the_call(self) -> None:
        self.client.force_login(self.alice)
        self.client.post(self.url("applications-call-create"), form_data(time_zone="Asia/Tokyo"))
        self.assertEqual(Call.objects.get().closes_at, datetime(2027, 3, 15, 14, 59, tzinfo=UTC))

    def test_invalid_input_is_shown_next_to_the_field_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            self.url("applications-call-create"),
            form_data(academic_year="2027-28", closes_at="2027-01-01T10:00", max_choices="9"),
        )
        self.assertEqual(response.status_code, 400)
        form = response.context["form"]
        self.assertIn("is not an academic year", form.errors["academic_year"][0])
        self.assertIn("max_choices", form.errors)
        self.assertFalse(Call.objects.exists())
        self.assert_accessible(response)

    def test_closing_before_opening_is_shown_on_the_closing_date(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url("applications-call-create"), form_data(closes_at="2027-01-01T10:00"))
        self.assertEqual(response.context["form"].errors["closes_at"], ["The call must close after it opens."])
        self.assertContains(response, "The call must close after it opens.", status_code=400)

    def test_eligible_faculties_are_the_institution_units(self) -> None:
        law = make_ounit(self.inst_a, "LAW", "Faculty of Law")
        foreign = make_ounit(self.inst_b, "ECO", "Economía")
        self.client.force_login(self.alice)
        response = self.client.post(self.url("applications-call-create"), form_data(eligible_ounits=[str(foreign.pk)]))
        self.assertEqual(response.status_code, 400)
        self.client.post(self.url("applications-call-create"), form_data(eligible_ounits=[str(law.pk)]))
        self.assertEqual(list(Call.objects.get().eligible_ounits.all()), [law])

    def test_a_student_cannot_create_a_call(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url("applications-call-create")).status_code, 403)
        self.assertEqual(self.client.post(self.url("applications-call-create"), form_data()).status_code, 403)
        self.assertFalse(Call.objects.exists())

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url("applications-call-create"))


class EditCallPageTests(CallPagesTestCase):
    def test_the_form_shows_the_dates_in_the_call_time_zone(self) -> None:
        call = make_call(self.inst_a, closes_at=datetime(2027, 3, 15, 22, 59, tzinfo=UTC), time_zone="Europe/Paris")
        self.client.force_login(self.alice)
        response = self.client.get(self.url("applications-call-edit", call))
        self.assertContains(response, 'value="2027-03-15T23:59"')
        self.assert_accessible(response)

    def test_an_open_call_can_be_postponed(self) -> None:
        call = make_call(self.inst_a)
        self.client.force_login(self.alice)
        data = form_data(opens_at="2026-01-01T00:00", closes_at="2030-06-30T12:00")
        response = self.client.post(self.url("applications-call-edit", call), data)
        self.assertEqual(response.status_code, 302)
        call.refresh_from_db()
        self.assertEqual(call.closes_at, datetime(2030, 6, 30, 10, 0, tzinfo=UTC))

    def test_a_call_with_published_results_is_read_only(self) -> None:
        call = make_call(self.inst_a, status=Call.Status.RESULTS_PUBLISHED)
        self.client.force_login(self.alice)
        response = self.client.post(self.url("applications-call-edit", call), form_data(title="Changed"))
        self.assertRedirects(response, self.url("applications-call", call), fetch_redirect_response=False)
        call.refresh_from_db()
        self.assertNotEqual(call.title, "Changed")

    def test_a_student_gets_403_and_carol_404(self) -> None:
        call = make_call(self.inst_a)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url("applications-call-edit", call)).status_code, 403)
        self.assert_carol_gets_404(self.url("applications-call-edit", call))


class DetailPageTests(CallPagesTestCase):
    def setUp(self) -> None:
        self.call = make_call(self.inst_a, closes_at=datetime(2027, 3, 15, 22, 59, tzinfo=UTC))
        self.call.required_documents.create(name="Transcript", help_text="Grades of the last two years")
        make_destination(self.call, make_institution(name="Universidad de Sevilla"), places=3)

    def test_it_shows_the_deadline_in_the_call_time_zone(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url("applications-call", self.call))
        self.assertContains(response, "15 March 2027, 23:59 Europe/Paris")
        self.assertContains(response, "Universidad de Sevilla")
        self.assertContains(response, "Grades of the last two years")
        self.assertContains(response, self.url("applications-ranking", self.call))
        self.assert_accessible(response)

    def test_a_user_in_new_york_sees_the_converted_time_and_the_call_own(self) -> None:
        self.bob.time_zone = "America/New_York"
        self.bob.save()
        self.client.force_login(self.bob)
        response = self.client.get(self.url("applications-call", self.call))
        # New York is on daylight time from 14 March 2027 (UTC-4); Paris is still on UTC+1.
        self.assertContains(response, "15 March 2027, 18:59 America/New_York")
        self.assertContains(response, "15 March 2027, 23:59 Europe/Paris")

    def test_a_student_sees_apply_and_no_staff_buttons(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url("applications-call", self.call))
        self.assertContains(response, reverse("applications-start", args=["univ-a", self.call.public_id]))
        self.assertNotContains(response, self.url("applications-call-edit", self.call))
        self.assertNotContains(response, self.url("applications-ranking", self.call))

    def test_a_student_with_an_application_is_linked_to_it(self) -> None:
        application = make_application(self.call, self.bob)
        self.client.force_login(self.bob)
        response = self.client.get(self.url("applications-call", self.call))
        self.assertContains(response, reverse("applications-application", args=["univ-a", application.public_id]))

    def test_draft_calls_are_invisible_to_bob(self) -> None:
        draft = make_call(self.inst_a, status=Call.Status.DRAFT, title="Secret draft")
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url("applications-call", draft)).status_code, 404)
        self.assertNotContains(self.client.get(self.url("applications-calls")), "Secret draft")

    def test_a_coordinator_reads_a_draft(self) -> None:
        draft = make_call(self.inst_a, status=Call.Status.DRAFT)
        dora = make_member("dora@a.test", self.inst_a, Role.COORDINATOR)
        self.client.force_login(dora)
        response = self.client.get(self.url("applications-call", draft))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, self.url("applications-call-edit", draft))

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url("applications-call", self.call))


class ApplicationsBoxTests(CallPagesTestCase):
    """Staff read on the call's page how its applications and offers stand, with the links to the selection."""

    def setUp(self) -> None:
        self.call = make_call(self.inst_a, open_now=False)
        self.destination = make_destination(self.call, make_institution(name="Universidad de Sevilla"), places=5)
        self.n = 0

    def applicant(self, status: str = Application.Status.SUBMITTED, **fields: Any) -> Application:
        self.n += 1
        student = make_member(f"s{self.n}@a.test", self.inst_a, Role.STUDENT)
        return make_application(self.call, student, status=status, **fields)

    def box(self, user: Any = None) -> str:
        self.client.force_login(user or self.alice)
        response = self.client.get(self.url("applications-call", self.call))
        match = re.search(
            r'<section[^>]*aria-labelledby="applications-heading"[^>]*>(.*?)</section>', response.content.decode(), re.S
        )
        assert match
        return match.group(1)

    def publish(self, statuses: list[tuple[Application, str, bool]]) -> None:
        """A published run with an offer per (application, status, from a waiting list), made directly."""
        run = AllocationRun.objects.create(
            call=self.call, seed=1, inputs={}, output={}, run_by=self.alice, published_at=timezone.now()
        )
        for application, status, promoted in statuses:
            Offer.objects.create(
                institution=self.inst_a, run=run, application=application, destination=self.destination,
                status=status, from_waiting_list=promoted, respond_by=timezone.now() + timedelta(days=7),
            )  # fmt: skip
        Call.objects.filter(pk=self.call.pk).update(
            status=Call.Status.RESULTS_PUBLISHED, results_published_at=timezone.now()
        )
        self.call.refresh_from_db()

    def test_an_officer_reads_the_counts_and_finds_the_selection_pages(self) -> None:
        self.applicant(motivation_score=Decimal(15))
        self.applicant()
        self.applicant(Application.Status.DRAFT)
        self.applicant(Application.Status.WITHDRAWN)
        box = self.box()
        self.assertInHTML("<dt>Submitted</dt><dd>2</dd>", box)
        self.assertInHTML("<dt>Drafts</dt><dd>1</dd>", box)
        self.assertInHTML("<dt>Withdrawn</dt><dd>1</dd>", box)
        self.assertInHTML("<dt>Submitted without a motivation score</dt><dd>1</dd>", box)
        for name in ("applications-review", "applications-ranking", "applications-allocation"):
            self.assertIn(self.url(name, self.call), box)
        self.assertNotIn("offer", box)

    def test_after_the_results_the_offers_are_counted_by_status(self) -> None:
        one, two, three, four = (self.applicant(motivation_score=Decimal(10)) for _ in range(4))
        self.publish(
            [
                (one, Offer.Status.ACCEPTED, False),
                (two, Offer.Status.DECLINED, False),
                (three, Offer.Status.OFFERED, True),
                (four, Offer.Status.EXPIRED, False),
            ]
        )
        box = self.box()
        self.assertIn("4 offers", box)
        self.assertInHTML("<dt>Accepted</dt><dd>1</dd>", box)
        self.assertInHTML("<dt>Declined</dt><dd>1</dd>", box)
        self.assertInHTML("<dt>Expired</dt><dd>1</dd>", box)
        self.assertInHTML("<dt>Waiting for an answer</dt><dd>1</dd>", box)
        self.assertInHTML("<dt>Of them, from a waiting list</dt><dd>1</dd>", box)

    def test_a_coordinator_reads_her_faculties_and_only_the_pages_she_may_open(self) -> None:
        science = make_ounit(self.inst_a, "SCI", "Faculty of Science")
        law = make_ounit(self.inst_a, "LAW", "Faculty of Law")
        dora = make_member("dora@a.test", self.inst_a, Role.COORDINATOR, ounit=science)
        self.applicant(ounit=science)
        self.applicant(ounit=law)
        self.applicant(Application.Status.DRAFT, ounit=science)
        box = self.box(dora)
        self.assertIn("Applications of your faculties", box)
        self.assertInHTML("<dt>Submitted</dt><dd>1</dd>", box)
        self.assertNotIn("Drafts", box)
        self.assertIn(self.url("applications-review", self.call), box)
        self.assertNotIn(self.url("applications-ranking", self.call), box)
        self.assertNotIn(self.url("applications-allocation", self.call), box)

    def test_a_student_sees_no_box(self) -> None:
        self.applicant()
        self.client.force_login(self.bob)
        response = self.client.get(self.url("applications-call", self.call))
        self.assertNotContains(response, "applications-heading")

    def test_the_queries_do_not_grow_with_the_applications_or_the_offers(self) -> None:
        self.publish([(self.applicant(), Offer.Status.ACCEPTED, False)])
        self.client.force_login(self.alice)
        url = self.url("applications-call", self.call)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(url)
        run = self.call.runs.get()
        for status in (Offer.Status.DECLINED, Offer.Status.OFFERED, Offer.Status.EXPIRED):
            Offer.objects.create(
                institution=self.inst_a, run=run, application=self.applicant(), destination=self.destination,
                status=status, respond_by=timezone.now(),
            )  # fmt: skip
        self.applicant(Application.Status.DRAFT)
        with self.assertNumQueries(len(queries)):
            self.assertEqual(self.client.get(url).status_code, 200)


class ListPageTests(CallPagesTestCase):
    def test_staff_see_every_call_with_its_applications_and_filter(self) -> None:
        open_call = make_call(self.inst_a, title="Open call")
        make_destination(open_call)
        make_destination(open_call)
        make_application(open_call, self.bob)
        make_application(open_call, make_member("eve@a.test", self.inst_a, Role.STUDENT), status="submitted")
        make_call(self.inst_a, status=Call.Status.DRAFT, title="Draft call", academic_year="2028/2029")
        self.client.force_login(self.alice)
        response = self.client.get(self.url("applications-calls"))
        self.assertContains(response, "Open call")
        self.assertContains(response, "Draft call")
        row = next(c for c in response.context["staff_calls"] if c.pk == open_call.pk)
        self.assertEqual((row.drafts, row.submitted, row.destination_count), (1, 1, 2))
        filtered = self.client.get(self.url("applications-calls"), {"year": "2028/2029", "status": "draft"})
        self.assertEqual([c.title for c in filtered.context["staff_calls"]], ["Draft call"])
        self.assert_accessible(response)

    def test_students_see_open_upcoming_and_closed_calls(self) -> None:
        now = timezone.now()
        make_call(self.inst_a, title="Open call")
        make_call(self.inst_a, title="Later call", opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=9))
        make_call(self.inst_a, open_now=False, title="Past call")
        make_call(self.inst_a, title="Staff call", kind=Call.Kind.STAFF_TEACHING)
        self.client.force_login(self.bob)
        response = self.client.get(self.url("applications-calls"))
        self.assertEqual([c.title for c, _a in response.context["open_calls"]], ["Open call"])
        self.assertEqual([c.title for c, _a in response.context["upcoming_calls"]], ["Later call"])
        self.assertEqual([c.title for c, _a in response.context["closed_calls"]], ["Past call"])
        self.assertNotIn("staff_calls", response.context)
        self.assert_accessible(response)

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url("applications-calls"))


class DestinationsPageTests(CallPagesTestCase):
    def setUp(self) -> None:
        self.call = make_call(self.inst_a, status=Call.Status.DRAFT)

    def post(self, **data: Any) -> Any:
        return self.client.post(self.url("applications-call-destinations", self.call), data)

    def test_fill_from_agreements_twice_adds_once(self) -> None:
        partner = make_institution(name="Universidad de Sevilla")
        agreement = make_agreement(self.inst_a, partner, conditions=[studies_condition("out")])
        Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.APPROVED)
        self.client.force_login(self.alice)
        self.post(action="sync")
        response = self.post(action="sync")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.call.destinations.count(), 1)
        page = self.client.get(self.url("applications-call-destinations", self.call))
        self.assertContains(page, "Universidad de Sevilla")
        self.assert_accessible(page)

    def test_an_officer_edits_places_and_notes(self) -> None:
        destination = make_destination(self.call)
        self.client.force_login(self.alice)
        prefix = f"d-{destination.public_id}"
        self.post(action="update", destination=destination.public_id, **{f"{prefix}-places": "5",
                  f"{prefix}-notes": "Spring only"})  # fmt: skip
        destination.refresh_from_db()
        self.assertEqual((destination.places, destination.notes), (5, "Spring only"))
        response = self.post(action="update", destination=destination.public_id, **{f"{prefix}-places": "0"})
        self.assertEqual(response.status_code, 400)
        destination.refresh_from_db()
        self.assertEqual(destination.places, 5)

    def test_removing_a_chosen_destination_is_refused_with_a_message(self) -> None:
        destination = make_destination(self.call)
        make_application(self.call, self.bob, choices=[destination])
        self.client.force_login(self.alice)
        response = self.client.post(
            self.url("applications-call-destinations", self.call),
            {"action": "remove", "destination": destination.public_id},
            follow=True,
        )
        self.assertContains(response, "cannot be removed")
        self.assertTrue(CallDestination.objects.filter(pk=destination.pk).exists())

    def test_an_officer_adds_a_partner_of_the_directory(self) -> None:
        make_institution(name="Universidad Complutense", erasmus_code="E  MADRID03")
        self.client.force_login(self.alice)
        response = self.post(action="add", **{"add-partner": "e  madrid03", "add-places": "2",
                             "add-languages": "es B1", "add-eqf_levels": ["6"]})  # fmt: skip
        self.assertEqual(response.status_code, 302)
        destination = self.call.destinations.get()
        self.assertEqual((destination.partner.name, destination.places), ("Universidad Complutense", 2))
        self.assertEqual(destination.languages, [{"language": "es", "level": "B1"}])
        unknown = self.post(action="add", **{"add-partner": "NOWHERE", "add-places": "2"})
        self.assertEqual(unknown.status_code, 400)
        self.assertIn("NOWHERE", unknown.context["add_form"].errors["partner"][0])

    def test_a_student_cannot_change_destinations(self) -> None:
        published = make_call(self.inst_a)
        self.client.force_login(self.bob)
        url = self.url("applications-call-destinations", published)
        self.assertEqual(self.client.post(url, {"action": "sync"}).status_code, 403)
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url("applications-call-destinations", self.call))
        self.assert_carol_gets_404(self.url("applications-call-destinations", self.call), "post", {"action": "sync"})


class PublishAndClosePageTests(CallPagesTestCase):
    def test_publishing_without_destinations_says_why(self) -> None:
        call = make_call(self.inst_a, status=Call.Status.DRAFT)
        self.client.force_login(self.alice)
        response = self.client.post(self.url("applications-call-publish", call), follow=True)
        self.assertContains(response, "offers no destination yet")
        call.refresh_from_db()
        self.assertEqual(call.status, Call.Status.DRAFT)

    def test_an_officer_publishes_then_closes(self) -> None:
        call = make_call(self.inst_a, status=Call.Status.DRAFT)
        make_destination(call)
        self.client.force_login(self.alice)
        self.client.post(self.url("applications-call-publish", call))
        call.refresh_from_db()
        self.assertEqual(call.status, Call.Status.PUBLISHED)
        self.client.post(self.url("applications-call-close", call))
        call.refresh_from_db()
        self.assertEqual(call.status, Call.Status.CLOSED)

    def test_a_student_gets_403_and_carol_404(self) -> None:
        call = make_call(self.inst_a)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url("applications-call-close", call)).status_code, 403)
        self.assert_carol_gets_404(self.url("applications-call-close", call), "post")
        self.assert_carol_gets_404(self.url("applications-call-publish", call), "post")
        call.refresh_from_db()
        self.assertEqual(call.status, Call.Status.PUBLISHED)


class PublicPageTests(CallPagesTestCase):
    def test_anyone_reads_the_open_calls_without_logging_in(self) -> None:
        call = make_call(self.inst_a, title="Erasmus+ open", closes_at=datetime(2099, 3, 15, 22, 59, tzinfo=UTC))
        make_destination(call, make_institution(name="Universidad de Sevilla"))
        make_application(call, self.bob)
        make_call(self.inst_a, status=Call.Status.DRAFT, title="Secret draft")
        make_call(self.inst_a, open_now=False, title="Past call")
        response = self.client.get(reverse("applications-public-calls", args=["univ-a"]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Erasmus+ open")
        self.assertContains(response, "15 March 2099, 23:59 Europe/Paris")
        self.assertNotContains(response, "Secret draft")
        self.assertNotContains(response, "Past call")
        detail = self.client.get(reverse("applications-public-call", args=["univ-a", call.public_id]))
        self.assertContains(detail, "Universidad de Sevilla")
        self.assertNotContains(detail, "Bob")
        self.assert_accessible(response)
        self.assert_accessible(detail)

    def test_a_draft_call_is_404(self) -> None:
        draft = make_call(self.inst_a, status=Call.Status.DRAFT)
        response = self.client.get(reverse("applications-public-call", args=["univ-a", draft.public_id]))
        self.assertEqual(response.status_code, 404)

    def test_an_unknown_or_not_hosted_slug_is_404(self) -> None:
        make_institution(slug="partner-u")
        self.assertEqual(self.client.get(reverse("applications-public-calls", args=["nowhere"])).status_code, 404)
        self.assertEqual(self.client.get(reverse("applications-public-calls", args=["partner-u"])).status_code, 404)

    def test_a_call_of_another_institution_is_404_under_this_slug(self) -> None:
        call = make_call(self.inst_b)
        response = self.client.get(reverse("applications-public-call", args=["univ-a", call.public_id]))
        self.assertEqual(response.status_code, 404)
