"""/api/v1/agreements: the list with the page's filters, the detail, create and update with the domain's rules,
the workflow steps, and who may do what (404 for other institutions, 403 for students)."""

from datetime import datetime
from decimal import Decimal
from typing import Any, get_args
from uuid import UUID

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mobilitas.accounts import services as accounts
from mobilitas.agreements import hashing, services, snapshot
from mobilitas.agreements.access import with_conditions
from mobilitas.agreements.filters import ORDERING
from mobilitas.agreements.inputs import LanguageSkillInput, SubjectAreaInput
from mobilitas.agreements.models import Agreement
from mobilitas.api.agreement_schemas import Order
from mobilitas.institutions.models import Contact, Role
from tests.api.base import ApiTestCase
from tests.factories import make_agreement, make_institution, make_member, make_ounit, studies_condition

Status = Agreement.Status


def law_condition(direction: str = "out", **fields: Any) -> Any:
    return studies_condition(
        direction,
        first_year="2027/2028",
        last_year="2029/2030",
        subject_areas=[SubjectAreaInput("0421", "Law")],
        language_skills=[LanguageSkillInput("fr", "B1")],
        **fields,
    )


def condition_body(**fields: Any) -> dict[str, Any]:
    body = {
        "kind": "student-studies",
        "direction": "out",
        "first_year": "2026/2027",
        "last_year": "2028/2029",
        "mobilities_per_year": 2,
        "total_months_per_year": 10,
        "eqf_levels": [6, 7],
        "subject_areas": [{"isced_code": "0613", "clarification": "Software"}],
        "language_skills": [{"language": "en", "cefr_level": "B2"}],
    }
    body.update(fields)
    return body


class AgreementApiTestCase(ApiTestCase):
    """A keeps agreements with León (science) and Liège (law); B keeps one with León."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inst_a.schac_code = "univ-a.test"
        cls.inst_a.save()
        cls.leon = make_institution(
            name="Universidad de León", country="ES", city="León", erasmus_code="E  LEON01", schac_code="unileon.es"
        )
        cls.liege = make_institution(
            name="Université de Liège", country="BE", city="Liège", erasmus_code="B  LIEGE01", schac_code="uliege.be"
        )
        cls.science = make_ounit(cls.inst_a, "SCI", "Faculty of Science")
        cls.physics = make_ounit(cls.inst_a, "SCI-PHY", "Physics", parent=cls.science, kind="department")
        cls.law = make_ounit(cls.inst_a, "LAW", "Faculty of Law")
        cls.with_leon = make_agreement(cls.inst_a, cls.leon, code="2026/E+/A/0001", ounit=cls.physics, actor=cls.alice)
        cls.with_liege = make_agreement(
            cls.inst_a, cls.liege, code="2026/E+/A/0002", ounit=cls.law,
            conditions=[law_condition("out"), law_condition("in")], actor=cls.alice,
        )  # fmt: skip
        cls.b_with_leon = make_agreement(cls.inst_b, cls.leon, code="2026/E+/B/0001", actor=cls.carol)
        cls.dave = make_member("dave@a.test", cls.inst_a, Role.COORDINATOR, ounit=cls.science, full_name="Dave Coord")
        cls.erin = make_member("erin@a.test", cls.inst_a, Role.LEADERSHIP, full_name="Erin Rector")
        cls.tokens = {
            user.email: accounts.create_api_token(user, name="tests")[1]
            for user in (cls.bob, cls.carol, cls.dave, cls.erin)
        }

    def secret_of(self, user: Any) -> str:
        return self.secret if user is None or user == self.alice else self.tokens[user.email]

    def call(self, method: str, path: str, body: Any = None, *, user: Any = None, institution: str = "univ-a") -> Any:
        headers = {"Authorization": f"Bearer {self.secret_of(user)}"}
        url = f"/api/v1{path}?institution={institution}"
        if method == "get":
            return Client().get(url, headers=headers)
        return getattr(Client(), method)(url, body, content_type="application/json", headers=headers)

    def get(self, path: str, params: dict[str, Any] | None = None, *, user: Any = None) -> Any:
        return self.api_get(path, {"institution": "univ-a", **(params or {})}, secret=self.secret_of(user))

    def agreement_body(self, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "partner": {"erasmus_code": "e leon01"},
            "code": "2027/E+/A/0100",
            "ounit": {"code": "SCI"},
            "conditions": [condition_body()],
        }
        body.update(fields)
        return body

    def error_fields(self, response: Any) -> set[str]:
        body = self.assert_problem(response, 422)
        self.assertEqual(body["type"], "/api/v1/problems/validation-error")
        for error in body["errors"]:
            self.assertEqual(error["location"], "body")
            self.assertTrue(error["detail"])
        return {error["field"] for error in body["errors"]}


class AgreementListTests(AgreementApiTestCase):
    def codes(self, params: dict[str, Any] | None = None, user: Any = None) -> list[str]:
        response = self.get("/agreements", params, user=user)
        self.assertEqual(response.status_code, 200, response.content)
        return [result["code"] for result in response.json()["results"]]

    def test_it_lists_the_institutions_agreements_by_partner(self) -> None:
        body = self.get("/agreements").json()
        self.assertEqual((body["count"], body["page"], body["page_size"]), (2, 1, 20))
        self.assertEqual(
            [r["partner"]["name"] for r in body["results"]], ["Universidad de León", "Université de Liège"]
        )

    def test_it_shows_a_summary_of_each_agreement(self) -> None:
        result = self.get("/agreements", {"country": "es"}).json()["results"][0]
        self.assertEqual(result["public_id"], str(self.with_leon.public_id))
        self.assertEqual(result["code"], "2026/E+/A/0001")
        self.assertEqual((result["kind"], result["status"], result["version"]), ("erasmus", "draft", 1))
        self.assertEqual(result["partner"]["erasmus_code"], "E  LEON01")
        self.assertEqual(result["partner"]["schac_code"], "unileon.es")
        self.assertEqual(result["ounit"]["code"], "SCI-PHY")
        self.assertEqual(result["last_year"], "2028/2029")
        self.assertNotIn("id", result)

    def test_it_filters_like_the_list_page(self) -> None:
        self.assertEqual(self.codes({"country": "BE"}), ["2026/E+/A/0002"])
        self.assertEqual(self.codes({"q": "leon"}), ["2026/E+/A/0001"])
        self.assertEqual(self.codes({"q": "0002"}), ["2026/E+/A/0002"])
        self.assertEqual(self.codes({"isced": "04"}), ["2026/E+/A/0002"])
        self.assertEqual(self.codes({"isced": "0613"}), ["2026/E+/A/0001"])
        self.assertEqual(self.codes({"year": "2026/2027"}), ["2026/E+/A/0001"])
        self.assertEqual(len(self.codes({"year": "2028/2029"})), 2)
        self.assertEqual(self.codes({"kind": "double-degree"}), [])
        self.assertEqual(self.codes({"order": "-updated"}), ["2026/E+/A/0002", "2026/E+/A/0001"])

    def test_it_filters_by_status(self) -> None:
        services.share_agreement(self.with_liege, actor=self.alice)
        self.assertEqual(self.codes({"status": "shared"}), ["2026/E+/A/0002"])
        self.assertEqual(self.codes({"status": "draft"}), ["2026/E+/A/0001"])

    def test_it_finds_the_agreements_ending_within_six_months(self) -> None:
        with time_machine.travel(datetime(2029, 4, 1, 12, tzinfo=timezone.get_current_timezone()), tick=False):
            self.assertEqual(self.codes({"expiring": "true"}), ["2026/E+/A/0001"])

    def test_it_explains_a_bad_filter(self) -> None:
        body = self.assert_problem(self.get("/agreements", {"status": "lost"}), 422)
        self.assertEqual([(e["location"], e["field"]) for e in body["errors"]], [("query", "status")])
        # What the list page's form refuses, with its messages.
        body = self.assert_problem(self.get("/agreements", {"year": "2026", "isced": "x"}), 422)
        errors = {e["field"]: e for e in body["errors"]}
        self.assertEqual(set(errors), {"year", "isced"})
        self.assertEqual(errors["year"]["location"], "query")
        self.assertIn("2026/2027", errors["year"]["detail"])

    def test_it_pages(self) -> None:
        body = self.get("/agreements", {"page": 2, "page_size": 1}).json()
        self.assertEqual((body["count"], body["page"], body["page_size"]), (2, 2, 1))
        self.assertEqual([r["code"] for r in body["results"]], ["2026/E+/A/0002"])
        self.assert_problem(self.get("/agreements", {"page_size": 101}), 422)

    def test_it_needs_the_institution(self) -> None:
        body = self.assert_problem(self.api_get("/agreements"), 422)
        self.assertEqual(body["errors"][0]["field"], "institution")

    def test_carol_cannot_list_a(self) -> None:
        self.assert_problem(
            self.api_get("/agreements", {"institution": "univ-a"}, secret=self.tokens["carol@b.test"]), 404
        )
        self.assertEqual(self.codes({"institution": "univ-b"}, user=self.carol), ["2026/E+/B/0001"])

    def test_an_unknown_institution_is_a_404_like_a_foreign_one(self) -> None:
        self.assert_problem(self.get("/agreements", {"institution": "nowhere"}), 404)
        self.assert_problem(self.get("/agreements", {"institution": "univ-b"}), 404)

    def test_a_student_gets_403(self) -> None:
        self.assert_problem(self.get("/agreements", user=self.bob), 403)

    def test_a_coordinator_lists_the_agreements_of_their_units(self) -> None:
        self.assertEqual(self.codes(user=self.dave), ["2026/E+/A/0001"])

    def test_it_answers_401_without_a_token(self) -> None:
        self.assert_problem(Client().get("/api/v1/agreements", {"institution": "univ-a"}), 401)

    def test_it_uses_a_constant_number_of_queries(self) -> None:
        self.get("/agreements")  # the first call of the minute also records the token's use

        def queries_for_a_full_page() -> int:
            with CaptureQueriesContext(connection) as context:
                body = self.get("/agreements", {"page_size": 100, "year": "2027/2028"}).json()
            self.assertEqual(len(body["results"]), body["count"])
            return len(context)

        few = queries_for_a_full_page()
        for n in range(12):
            partner = make_institution(name=f"Hochschule {n}", country="DE")
            make_agreement(self.inst_a, partner, ounit=self.law, conditions=[law_condition(), law_condition("in")])
        self.assertEqual(queries_for_a_full_page(), few)
        # token lookup, memberships, count, page
        with self.assertNumQueries(4):
            self.get("/agreements", {"page_size": 100})


class AgreementDetailTests(AgreementApiTestCase):
    def test_it_shows_both_partners_as_in_the_iia(self) -> None:
        body = self.get(f"/agreements/{self.with_leon.public_id}").json()
        ours, theirs = body["partners"]
        self.assertEqual((ours["hei_id"], ours["name"]), ("univ-a.test", "Université A"))
        self.assertEqual((ours["iia_id"], ours["iia_code"]), (str(self.with_leon.public_id), "2026/E+/A/0001"))
        self.assertEqual(ours["ounit_id"], "SCI-PHY")
        self.assertEqual(
            (theirs["hei_id"], theirs["name"], theirs["erasmus_code"]),
            ("unileon.es", "Universidad de León", "E  LEON01"),
        )
        self.assertEqual(body["institution"]["schac_code"], "univ-a.test")
        self.assertEqual(body["partner"]["public_id"], str(self.leon.public_id))
        self.assertEqual((body["status"], body["version"], body["in_effect"]), ("draft", 1, False))

    def test_it_lists_the_conditions_in_order(self) -> None:
        teaching = studies_condition(
            "in", kind="staff-teacher", total_months_per_year=None, total_days_per_year=Decimal("5.5"), eqf_levels=[],
            language_skills=[LanguageSkillInput("es", "C1", "0613", "Computing")],
        )  # fmt: skip
        agreement = make_agreement(self.inst_a, self.liege, conditions=[teaching, law_condition()], actor=self.alice)
        conditions = self.get(f"/agreements/{agreement.public_id}").json()["conditions"]
        self.assertEqual([c["kind"] for c in conditions], ["student-studies", "staff-teacher"])
        studies, staff = conditions
        self.assertEqual(
            (studies["direction"], studies["sending_hei_id"], studies["receiving_hei_id"]),
            ("out", "univ-a.test", "uliege.be"),
        )
        self.assertEqual(studies["subject_areas"], [{"isced_code": "0421", "clarification": "Law"}])
        self.assertEqual((studies["total_months_per_year"], studies["eqf_levels"]), (10, [6, 7]))
        self.assertEqual(
            (staff["direction"], staff["total_days_per_year"], staff["total_months_per_year"]), ("in", 5.5, None)
        )
        skill = {"language": "es", "cefr_level": "C1", "isced_code": "0613", "clarification": "Computing"}
        self.assertEqual(staff["language_skills"], [skill])

    def test_it_gives_the_current_hash_and_the_approved_versions(self) -> None:
        services.share_agreement(self.with_leon, actor=self.alice)
        services.approve_agreement(self.with_leon, actor=self.alice)
        agreement = with_conditions(Agreement.objects.filter(pk=self.with_leon.pk)).get()
        current = hashing.data_hash(snapshot.agreement_to_data(agreement))
        body = self.get(f"/agreements/{agreement.public_id}").json()
        self.assertEqual(body["iia_hash"], current)
        self.assertEqual(body["status"], "approved-by-us")
        self.assertEqual(
            [(s["version"], s["event"], s["iia_hash"]) for s in body["snapshots"]], [(1, "approved-by-us", current)]
        )
        self.assertTrue(body["snapshots"][0]["created_at"])

    def test_it_gives_no_hash_without_both_hei_ids(self) -> None:
        nameless = make_institution(name="No EWP yet", country="IT")
        agreement = make_agreement(self.inst_a, nameless, actor=self.alice)
        self.assertIsNone(self.get(f"/agreements/{agreement.public_id}").json()["iia_hash"])

    def test_carol_gets_404_for_as_agreement(self) -> None:
        path = f"/agreements/{self.with_leon.public_id}"
        self.assert_problem(self.call("get", path, user=self.carol, institution="univ-b"), 404)
        self.assert_problem(self.call("get", path, user=self.carol, institution="univ-a"), 404)
        self.assertEqual(
            self.call(
                "get", f"/agreements/{self.b_with_leon.public_id}", user=self.carol, institution="univ-b"
            ).status_code,
            200,
        )

    def test_a_student_gets_403(self) -> None:
        self.assert_problem(self.get(f"/agreements/{self.with_leon.public_id}", user=self.bob), 403)

    def test_a_coordinator_reads_only_their_units_agreements(self) -> None:
        self.assertEqual(self.get(f"/agreements/{self.with_leon.public_id}", user=self.dave).status_code, 200)
        self.assert_problem(self.get(f"/agreements/{self.with_liege.public_id}", user=self.dave), 404)

    def test_it_answers_404_for_an_unknown_id(self) -> None:
        self.assert_problem(self.get("/agreements/3f1c7a52-6d0e-4a53-9a3b-0c9a8f1e2d44"), 404)

    def test_it_answers_401_without_a_token(self) -> None:
        self.assert_problem(Client().get(f"/api/v1/agreements/{self.with_leon.public_id}?institution=univ-a"), 401)

    def test_it_uses_a_constant_number_of_queries(self) -> None:
        self.get(f"/agreements/{self.with_leon.public_id}")
        # token, memberships, agreement, conditions, subject areas, language skills, other partners, snapshots
        with self.assertNumQueries(8):
            self.get(f"/agreements/{self.with_leon.public_id}")
        many = [studies_condition(first_year=f"{2030 + n}/{2031 + n}", last_year="2040/2041") for n in range(6)]
        services.update_agreement(self.with_leon, replace_conditions(self.with_leon, many), actor=self.alice)
        services.share_agreement(self.with_leon, actor=self.alice)
        services.approve_agreement(self.with_leon, actor=self.alice)
        with self.assertNumQueries(8):
            body = self.get(f"/agreements/{self.with_leon.public_id}").json()
        self.assertEqual((len(body["conditions"]), len(body["snapshots"])), (6, 1))


def replace_conditions(agreement: Agreement, conditions: list[Any]) -> Any:
    from mobilitas.agreements.inputs import AgreementInput

    data = AgreementInput.from_agreement(agreement)
    data.conditions = conditions
    return data


class AgreementCreateTests(AgreementApiTestCase):
    def test_it_creates_a_draft_with_its_conditions(self) -> None:
        teaching = condition_body(
            kind="staff-teacher", direction="in", total_months_per_year=None, total_days_per_year="5", eqf_levels=[]
        )
        response = self.call("post", "/agreements", self.agreement_body(conditions=[teaching, condition_body()]))
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        agreement = Agreement.objects.get(public_id=body["public_id"])
        self.assertEqual(
            (agreement.institution, agreement.partner, agreement.ounit), (self.inst_a, self.leon, self.science)
        )
        self.assertEqual((agreement.code, agreement.status), ("2027/E+/A/0100", Status.DRAFT))
        # The schema's order: studies before teaching.
        self.assertEqual([c["kind"] for c in body["conditions"]], ["student-studies", "staff-teacher"])
        self.assertEqual(body["conditions"][1]["total_days_per_year"], 5)
        self.assertEqual(agreement.conditions.get(kind="staff-teacher").sending, self.leon)
        self.assertEqual(agreement.conditions.get(kind="student-studies").subject_areas.get().isced_code, "0613")

    def test_it_finds_the_partner_by_any_identifier(self) -> None:
        identifiers = [
            {"schac_code": "ULiege.be"},
            {"public_id": str(self.liege.public_id)},
            {"public_id": str(self.liege.public_id), "erasmus_code": "B LIEGE01"},
        ]
        for n, partner in enumerate(identifiers):
            response = self.call("post", "/agreements", self.agreement_body(partner=partner, code=f"X{n}"))
            self.assertEqual(response.status_code, 201, response.content)
            self.assertEqual(response.json()["partner"]["name"], "Université de Liège")

    def test_it_refuses_identifiers_that_name_different_institutions(self) -> None:
        partner = {"public_id": str(self.liege.public_id), "erasmus_code": "E  LEON01"}
        self.assertEqual(
            self.error_fields(self.call("post", "/agreements", self.agreement_body(partner=partner))), {"partner"}
        )
        self.assert_problem(self.call("post", "/agreements", self.agreement_body(partner={})), 422)

    def test_it_takes_the_other_fields(self) -> None:
        contact = Contact.objects.create(institution=self.inst_a, partner=self.inst_a, name="Rector", email="r@a.test")
        body = self.agreement_body(
            signing_contact={"public_id": str(contact.public_id)}, signing_date="2026-05-04",
            partner_signing_name="Ana", partner_signing_email="ana@unileon.es", partner_iia_code="UL-7",
            additional_partners=[{"schac_code": "uliege.be"}], programmes=["Physics MSc", "Chemistry MSc"],
        )  # fmt: skip
        response = self.call("post", "/agreements", body)
        self.assertEqual(response.status_code, 201, response.content)
        detail = response.json()
        self.assertEqual(detail["signing_contact"]["name"], "Rector")
        self.assertEqual(detail["partners"][0]["signing_name"], "Rector")
        self.assertEqual(
            (detail["partners"][1]["signing_email"], detail["partners"][1]["iia_code"]), ("ana@unileon.es", "UL-7")
        )
        self.assertEqual(detail["additional_partners"][0]["name"], "Université de Liège")
        self.assertEqual(detail["programmes"], ["Physics MSc", "Chemistry MSc"])

    def test_it_names_the_field_of_a_bad_isced_code(self) -> None:
        bad = condition_body(subject_areas=[{"isced_code": "61"}])
        response = self.call("post", "/agreements", self.agreement_body(conditions=[bad]))
        self.assertEqual(self.error_fields(response), {"conditions.0.subject_areas.0.isced_code"})
        self.assertIn("“61”", response.json()["errors"][0]["detail"])
        self.assertFalse(Agreement.objects.filter(code="2027/E+/A/0100").exists())

    def test_it_lists_every_broken_rule(self) -> None:
        bad = condition_body(first_year="2029/2030", language_skills=[], eqf_levels=[9])
        body = self.agreement_body(code="2026/E+/A/0001", conditions=[condition_body(), bad])
        self.assertEqual(
            self.error_fields(self.call("post", "/agreements", body)),
            {"code", "conditions.1.last_year", "conditions.1.language_skills", "conditions.1.eqf_levels"},
        )

    def test_it_names_unknown_references_with_the_other_problems(self) -> None:
        body = self.agreement_body(
            ounit={"code": "MED"}, signing_contact={"public_id": "3f1c7a52-6d0e-4a53-9a3b-0c9a8f1e2d44"},
            additional_partners=[{"schac_code": "nowhere.test"}], conditions=[condition_body(mobilities_per_year=0)],
        )  # fmt: skip
        self.assertEqual(
            self.error_fields(self.call("post", "/agreements", body)),
            {"ounit", "signing_contact", "additional_partners.0", "conditions.0.mobilities_per_year"},
        )

    def test_it_refuses_another_institutions_unit_and_contact(self) -> None:
        make_ounit(self.inst_b, "MED", "Medicine")
        theirs = Contact.objects.create(institution=self.inst_b, partner=self.inst_b, name="Carol's rector")
        body = self.agreement_body(ounit={"code": "MED"}, signing_contact={"public_id": str(theirs.public_id)})
        self.assertEqual(self.error_fields(self.call("post", "/agreements", body)), {"ounit", "signing_contact"})

    def test_it_checks_types_before_rules(self) -> None:
        body = self.agreement_body(conditions=[condition_body(mobilities_per_year="two", kind="student-party")])
        fields = self.error_fields(self.call("post", "/agreements", body))
        # Type errors and the domain's rules name places the same way, from the body's members.
        self.assertEqual(set(fields), {"conditions.0.mobilities_per_year"})

    def test_it_names_an_unknown_choice_like_the_pages(self) -> None:
        body = self.agreement_body(kind="friendship", conditions=[condition_body(kind="student-party")])
        response = self.call("post", "/agreements", body)
        self.assertEqual(self.error_fields(response), {"kind", "conditions.0.kind", "conditions"})
        self.assertIn("“student-party” is not a mobility type.", [e["detail"] for e in response.json()["errors"]])

    def test_only_officers_write(self) -> None:
        self.assert_problem(self.call("post", "/agreements", self.agreement_body(), user=self.bob), 403)
        self.assert_problem(self.call("post", "/agreements", self.agreement_body(), user=self.dave), 403)
        self.assertFalse(Agreement.objects.filter(code="2027/E+/A/0100").exists())

    def test_carol_cannot_create_at_a(self) -> None:
        self.assert_problem(self.call("post", "/agreements", self.agreement_body(), user=self.carol), 404)

    def test_it_answers_401_without_a_token(self) -> None:
        response = Client().post(
            "/api/v1/agreements?institution=univ-a", self.agreement_body(), content_type="application/json"
        )
        self.assert_problem(response, 401)


class AgreementUpdateTests(AgreementApiTestCase):
    def approve_both(self, agreement: Agreement) -> None:
        services.share_agreement(agreement, actor=self.alice)
        services.approve_agreement(agreement, actor=self.alice)
        current = hashing.data_hash(
            snapshot.agreement_to_data(with_conditions(Agreement.objects.filter(pk=agreement.pk)).get())
        )
        services.record_partner_approval(agreement, current, actor=None)

    def test_a_detail_can_be_sent_back_as_it_is(self) -> None:
        path = f"/agreements/{self.with_leon.public_id}"
        before = self.get(path).json()
        response = self.call("put", path, before)
        self.assertEqual(response.status_code, 200, response.content)
        after = response.json()
        for unchanged in ("conditions", "partners", "version", "status", "iia_hash", "ounit", "partner"):
            self.assertEqual(after[unchanged], before[unchanged], unchanged)

    def test_it_replaces_the_content(self) -> None:
        path = f"/agreements/{self.with_leon.public_id}"
        body = self.agreement_body(
            code="2026/E+/A/0001-bis", ounit=None, conditions=[condition_body(mobilities_per_year=5)]
        )
        detail = self.call("put", path, body).json()
        self.assertEqual((detail["code"], detail["ounit"], len(detail["conditions"])), ("2026/E+/A/0001-bis", None, 1))
        self.assertEqual(self.with_leon.conditions.get().mobilities_per_year, 5)

    def test_changing_an_approved_agreement_starts_a_new_version(self) -> None:
        self.approve_both(self.with_leon)
        path = f"/agreements/{self.with_leon.public_id}"
        before = self.get(path).json()
        self.assertEqual((before["status"], before["version"], before["in_effect"]), ("approved", 1, True))
        before["conditions"][0]["mobilities_per_year"] = 3
        response = self.call("put", path, before)
        self.assertEqual(response.status_code, 200, response.content)
        after = response.json()
        self.assertEqual((after["status"], after["version"], after["in_effect"]), ("draft", 2, False))
        self.assertNotEqual(after["iia_hash"], before["iia_hash"])
        self.assertEqual({s["version"] for s in after["snapshots"]}, {1})

    def test_it_validates_like_creating(self) -> None:
        body = self.agreement_body(conditions=[condition_body(subject_areas=[{"isced_code": "061"}])])
        response = self.call("put", f"/agreements/{self.with_leon.public_id}", body)
        self.assertEqual(self.error_fields(response), {"conditions.0.subject_areas.0.isced_code"})
        self.assertEqual(self.with_leon.conditions.count(), 2)

    def test_a_terminated_agreement_is_a_409(self) -> None:
        services.share_agreement(self.with_leon, actor=self.alice)
        services.terminate_agreement(self.with_leon, actor=self.alice)
        body = self.assert_problem(
            self.call("put", f"/agreements/{self.with_leon.public_id}", self.agreement_body()), 409
        )
        self.assertEqual(body["type"], "/api/v1/problems/domain-error")

    def test_carol_gets_404_for_as_agreement(self) -> None:
        path = f"/agreements/{self.with_leon.public_id}"
        self.assert_problem(self.call("put", path, self.agreement_body(), user=self.carol, institution="univ-b"), 404)
        self.assert_problem(self.call("put", path, self.agreement_body(), user=self.carol), 404)
        self.assertEqual(Agreement.objects.get(pk=self.with_leon.pk).code, "2026/E+/A/0001")

    def test_leadership_reads_everything_but_does_not_write(self) -> None:
        self.assertEqual(self.get(f"/agreements/{self.with_liege.public_id}", user=self.erin).status_code, 200)
        path = f"/agreements/{self.with_liege.public_id}"
        self.assert_problem(self.call("put", path, self.agreement_body(), user=self.erin), 403)

    def test_a_coordinator_cannot_write(self) -> None:
        self.assert_problem(
            self.call("put", f"/agreements/{self.with_leon.public_id}", self.agreement_body(), user=self.dave), 403
        )


class AgreementWorkflowTests(AgreementApiTestCase):
    def test_it_shares_approves_and_terminates(self) -> None:
        path = f"/agreements/{self.with_leon.public_id}"
        self.assertEqual(self.call("post", f"{path}/share").json()["status"], "shared")
        approved = self.call("post", f"{path}/approve").json()
        self.assertEqual(approved["status"], "approved-by-us")
        self.assertEqual([s["event"] for s in approved["snapshots"]], ["approved-by-us"])
        terminated = self.call("post", f"{path}/terminate", {"as_a_whole": False}).json()
        self.assertEqual((terminated["status"], terminated["terminated_as_a_whole"]), ("terminated", False))

    def test_a_step_the_state_does_not_allow_is_a_409(self) -> None:
        body = self.assert_problem(self.call("post", f"/agreements/{self.with_leon.public_id}/approve"), 409)
        self.assertIn("Draft", body["detail"])
        self.assert_problem(self.call("post", f"/agreements/{self.with_leon.public_id}/terminate"), 409)

    def test_sharing_without_hei_ids_is_a_400(self) -> None:
        agreement = make_agreement(self.inst_a, make_institution(name="No EWP yet", country="IT"), actor=self.alice)
        body = self.assert_problem(self.call("post", f"/agreements/{agreement.public_id}/share"), 400)
        self.assertIn("No EWP yet", body["detail"])

    def test_only_officers_take_steps_and_carol_gets_404(self) -> None:
        path = f"/agreements/{self.with_leon.public_id}/share"
        self.assert_problem(self.call("post", path, user=self.dave), 403)
        self.assert_problem(self.call("post", path, user=self.carol, institution="univ-b"), 404)
        self.assertEqual(Agreement.objects.get(pk=self.with_leon.pk).status, Status.DRAFT)


class AgreementDocsTests(AgreementApiTestCase):
    def test_it_documents_the_endpoints_and_the_institution_parameter(self) -> None:
        paths = self.client.get("/api/v1/openapi.json").json()["paths"]
        self.assertEqual(set(paths["/api/v1/agreements"]), {"get", "post"})
        self.assertEqual(set(paths["/api/v1/agreements/{public_id}"]), {"get", "put"})
        for step in ("share", "approve", "terminate"):
            self.assertIn(f"/api/v1/agreements/{{public_id}}/{step}", paths)
        parameters = {p["name"]: p for p in paths["/api/v1/agreements/{public_id}"]["get"]["parameters"]}
        self.assertTrue(parameters["institution"]["required"])
        self.assertIn("404", parameters["institution"]["description"])

    def test_the_order_choices_are_the_list_pages(self) -> None:
        self.assertEqual(set(get_args(Order)), set(ORDERING))

    def test_public_ids_are_uuids(self) -> None:
        body = self.get(f"/agreements/{self.with_leon.public_id}").json()
        UUID(body["public_id"])
        self.assertNotIn("id", body)
