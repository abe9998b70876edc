"""The calls, applications and results API: a student's own applications only, the autosave's problems per field,
submitting twice, the result with its explanation, and accepting a place (which nominates the student)."""

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from mobilitas.accounts import services as accounts
from mobilitas.applications.models import Application, Call
from mobilitas.applications.services import results
from mobilitas.institutions.models import Role
from mobilitas.mobilities.models import Mobility
from tests.api.base import ApiTestCase
from tests.applications.factories import make_application, make_call, make_destination
from tests.factories import make_institution, make_member


class ApplicationsApiTestCase(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.erin = make_member("erin@a.test", cls.inst_a, Role.STUDENT, full_name="Erin Student")
        cls.tokens = {
            user.pk: accounts.create_api_token(user, name="tests")[1]
            for user in (cls.alice, cls.bob, cls.erin, cls.carol)
        }
        cls.porto = make_institution(name="Universidade do Porto", country="PT", erasmus_code="P  PORTO02")
        cls.oviedo = cls.inst_b
        cls.call = make_call(cls.inst_a)
        cls.porto_place = make_destination(cls.call, cls.porto, months=Decimal(5))
        # Only for the students of the master's level: bob (level 6) may not choose it.
        cls.masters_only = make_destination(cls.call, cls.oviedo, eqf_levels=[7])
        cls.draft_call = make_call(cls.inst_a, status=Call.Status.DRAFT, title="Not yet published")
        cls.old_call = make_call(cls.inst_a, open_now=False, academic_year="2026/2027", title="Last year")

    def call_api(self, method: str, path: str, user: Any, body: Any = None, slug: str = "univ-a", **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[user.pk]}"}
        query = "&".join([f"institution={slug}", *(f"{k}={v}" for k, v in params.items())])
        url = f"/api/v1{path}?{query}"
        client = Client()
        if method == "get":
            return client.get(url, headers=headers)
        data = json.dumps(body) if body is not None else ""
        return getattr(client, method)(url, data, content_type="application/json", headers=headers)


class CallTests(ApplicationsApiTestCase):
    def test_students_read_the_published_calls_and_staff_every_call(self) -> None:
        mine = self.call_api("get", "/calls", self.bob).json()
        self.assertEqual({c["title"] for c in mine["results"]}, {"Erasmus+ studies 2027/2028", "Last year"})
        staff = self.call_api("get", "/calls", self.alice).json()
        self.assertEqual(staff["count"], 3)

    def test_filters_by_year_and_open(self) -> None:
        open_calls = self.call_api("get", "/calls", self.bob, open="true").json()["results"]
        self.assertEqual([(c["title"], c["is_open"]) for c in open_calls], [("Erasmus+ studies 2027/2028", True)])
        closed = self.call_api("get", "/calls", self.bob, open="false").json()["results"]
        self.assertEqual([c["title"] for c in closed], ["Last year"])
        by_year = self.call_api("get", "/calls", self.alice, year="2026/2027").json()["results"]
        self.assertEqual([c["title"] for c in by_year], ["Last year"])

    def test_a_call_lists_its_destinations(self) -> None:
        body = self.call_api("get", f"/calls/{self.call.public_id}", self.bob).json()
        self.assertEqual(
            [(d["public_id"], d["partner"]["name"]) for d in body["destinations"]],
            [
                (str(self.porto_place.public_id), "Universidade do Porto"),
                (str(self.masters_only.public_id), "Universidad B"),
            ],
        )
        self.assertIsNone(body["my_application"])

    def test_a_draft_call_is_not_found_by_students(self) -> None:
        self.assert_problem(self.call_api("get", f"/calls/{self.draft_call.public_id}", self.bob), 404)
        self.assertEqual(self.call_api("get", f"/calls/{self.draft_call.public_id}", self.alice).status_code, 200)

    def test_carol_gets_404(self) -> None:
        self.assert_problem(self.call_api("get", "/calls", self.carol), 404)
        self.assert_problem(self.call_api("get", f"/calls/{self.call.public_id}", self.carol, slug="univ-b"), 404)


class ApplicationTests(ApplicationsApiTestCase):
    def test_starting_twice_gives_the_same_application(self) -> None:
        first = self.call_api("post", "/applications", self.bob, {"call": str(self.call.public_id)})
        self.assertEqual(first.status_code, 201, first.content)
        again = self.call_api("post", "/applications", self.bob, {"call": str(self.call.public_id)})
        self.assertEqual(again.status_code, 200)
        self.assertEqual(first.json()["public_id"], again.json()["public_id"])
        self.assertEqual(Application.objects.filter(student=self.bob).count(), 1)
        self.assertIn("Choose at least one destination.", first.json()["missing"])

    def test_an_officer_may_not_apply(self) -> None:
        self.assert_problem(self.call_api("post", "/applications", self.alice, {"call": str(self.call.public_id)}), 403)

    def test_a_student_lists_only_their_own_applications(self) -> None:
        own = make_application(self.call, self.bob)
        make_application(self.call, self.erin)
        body = self.call_api("get", "/applications", self.bob).json()
        self.assertEqual([a["public_id"] for a in body["results"]], [str(own.public_id)])

    def test_another_students_application_is_not_found(self) -> None:
        theirs = make_application(self.call, self.erin)
        for method, path in [
            ("get", ""), ("patch", ""), ("post", "/submit"), ("post", "/withdraw"), ("get", "/result"),
        ]:  # fmt: skip
            with self.subTest(method=method, path=path):
                response = self.call_api(method, f"/applications/{theirs.public_id}{path}", self.bob, {})
                self.assert_problem(response, 404)

    def test_carol_gets_404(self) -> None:
        own = make_application(self.call, self.bob)
        self.assert_problem(self.call_api("get", f"/applications/{own.public_id}", self.carol, slug="univ-b"), 404)
        self.assert_problem(self.call_api("get", "/applications", self.carol), 404)

    def test_patch_saves_the_draft_and_ranks_the_choices(self) -> None:
        own = make_application(self.call, self.bob, programme="", motivation="")
        body = {
            "programme": "Licence Informatique",
            "motivation": "Porto!",
            "choices": [str(self.porto_place.public_id)],
        }
        response = self.call_api("patch", f"/applications/{own.public_id}", self.bob, body)
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual((data["programme"], data["motivation"]), ("Licence Informatique", "Porto!"))
        self.assertEqual([c["destination"]["public_id"] for c in data["choices"]], [str(self.porto_place.public_id)])
        self.assertEqual(data["ineligible_destinations"][0]["destination"], str(self.masters_only.public_id))

    def test_a_tampered_choice_is_refused_with_its_message_and_the_rest_is_saved(self) -> None:
        own = make_application(self.call, self.bob, programme="")
        body = {"programme": "Licence Maths", "study_level": 42, "choices": [str(self.masters_only.public_id)]}
        response = self.call_api("patch", f"/applications/{own.public_id}", self.bob, body)
        problem = self.assert_problem(response, 422)
        errors = {e["field"]: e["detail"] for e in problem["errors"]}
        self.assertEqual(set(errors), {"study_level", "choices"})
        self.assertIn("You cannot choose University B", errors["choices"])
        self.assertIn("Master (EQF 7)", errors["choices"])
        self.assertIn("EQF 5 to 8", errors["study_level"])
        own.refresh_from_db()
        self.assertEqual((own.programme, own.study_level), ("Licence Maths", 6))
        self.assertFalse(own.choices.exists())

    def test_submitting_twice_is_harmless(self) -> None:
        own = make_application(self.call, self.bob, choices=[self.porto_place])
        first = self.call_api("post", f"/applications/{own.public_id}/submit", self.bob)
        self.assertEqual(first.status_code, 200, first.content)
        again = self.call_api("post", f"/applications/{own.public_id}/submit", self.bob)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(first.json()["status"], "submitted")
        self.assertEqual(first.json()["submitted_at"], again.json()["submitted_at"])

    def test_an_incomplete_application_says_what_is_missing(self) -> None:
        own = make_application(self.call, self.bob)
        problem = self.assert_problem(self.call_api("post", f"/applications/{own.public_id}/submit", self.bob), 400)
        self.assertIn("Choose at least one destination.", problem["detail"])

    def test_withdrawing(self) -> None:
        own = make_application(self.call, self.bob, choices=[self.porto_place])
        self.call_api("post", f"/applications/{own.public_id}/submit", self.bob)
        response = self.call_api("post", f"/applications/{own.public_id}/withdraw", self.bob)
        self.assertEqual(response.json()["status"], "withdrawn")
        self.assert_problem(self.call_api("patch", f"/applications/{own.public_id}", self.bob, {"programme": "x"}), 409)


class ResultTests(ApplicationsApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.closed = make_call(cls.inst_a, open_now=False, title="Decided", weight_motivation=Decimal(0))
        cls.one_place = make_destination(cls.closed, cls.porto, places=1, months=Decimal(10))
        submitted = {"status": Application.Status.SUBMITTED, "submitted_at": timezone.now() - timedelta(days=2)}
        cls.bob_application = make_application(
            cls.closed, cls.bob, choices=[cls.one_place], grade_average=Decimal(16), **submitted
        )
        cls.erin_application = make_application(
            cls.closed, cls.erin, choices=[cls.one_place], grade_average=Decimal(11), **submitted
        )
        run = results.run_allocation(cls.closed, actor=cls.alice, seed=7)
        results.publish_results(run, actor=cls.alice)

    def test_the_result_has_the_offer_and_the_explanation(self) -> None:
        body = self.call_api("get", f"/applications/{self.bob_application.public_id}/result", self.bob).json()
        self.assertTrue(body["published"])
        self.assertEqual(body["offer"]["status"], "offered")
        self.assertEqual(body["offer"]["destination"]["partner"]["name"], "Universidade do Porto")
        self.assertIsNotNone(body["respond_by"])
        self.assertTrue(body["explanation"])

    def test_the_explanation_of_a_waiting_student(self) -> None:
        body = self.call_api("get", f"/applications/{self.erin_application.public_id}/result", self.erin).json()
        self.assertIsNone(body["offer"])
        self.assertIn("Universidade do Porto", body["explanation"])
        self.assertEqual(body["waiting_lists"], [{"destination": "Universidade do Porto", "position": 1}])

    def test_the_explanation_is_in_the_callers_language(self) -> None:
        url = f"/applications/{self.erin_application.public_id}/result"
        english = self.call_api("get", url, self.erin).json()["explanation"]
        self.erin.language = "fr"
        self.erin.save()
        french = self.call_api("get", url, self.erin).json()["explanation"]
        self.assertNotEqual(english, french)
        self.assertIn("Universidade do Porto", french)

    def test_accepting_nominates_the_student(self) -> None:
        offer = self.bob_application.offers.get()
        response = self.call_api("post", f"/offers/{offer.public_id}/accept", self.bob)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "accepted")
        mobility = Mobility.objects.get(offer=offer)
        self.assertEqual((mobility.person, mobility.host, mobility.status), (self.bob, self.porto, "nominated"))
        self.assert_problem(self.call_api("post", f"/offers/{offer.public_id}/accept", self.bob), 409)

    def test_declining_passes_the_place_down_the_waiting_list(self) -> None:
        offer = self.bob_application.offers.get()
        response = self.call_api("post", f"/offers/{offer.public_id}/decline", self.bob)
        self.assertEqual(response.json()["status"], "declined")
        erin = self.call_api("get", f"/applications/{self.erin_application.public_id}/result", self.erin).json()
        self.assertEqual(erin["offer"]["status"], "offered")
        self.assertTrue(erin["offer"]["from_waiting_list"])

    def test_someone_elses_offer_is_not_found(self) -> None:
        offer = self.bob_application.offers.get()
        self.assert_problem(self.call_api("post", f"/offers/{offer.public_id}/accept", self.erin), 404)
        # An officer reads it, but only the applicant answers it.
        self.assert_problem(self.call_api("post", f"/offers/{offer.public_id}/accept", self.alice), 403)
        self.assert_problem(self.call_api("post", f"/offers/{offer.public_id}/accept", self.carol, slug="univ-b"), 404)

    def test_officers_read_the_results_of_the_call(self) -> None:
        body = self.call_api("get", f"/calls/{self.closed.public_id}/results", self.alice).json()
        [destination] = body["destinations"]
        self.assertEqual(destination["destination"]["public_id"], str(self.one_place.public_id))
        self.assertEqual(
            [(p["application"], p["name"]) for p in destination["assigned"]],
            [(str(self.bob_application.public_id), "Bob Student")],
        )
        self.assertEqual([p["name"] for p in destination["waiting_list"]], ["Erin Student"])
        self.assertEqual(body["seed"], 7)

    def test_students_may_not_read_the_results_of_the_call(self) -> None:
        self.assert_problem(self.call_api("get", f"/calls/{self.closed.public_id}/results", self.bob), 403)
        self.assert_problem(self.call_api("get", f"/calls/{self.closed.public_id}/results", self.carol), 404)

    def test_results_not_published_yet(self) -> None:
        self.assert_problem(self.call_api("get", f"/calls/{self.call.public_id}/results", self.alice), 409)
