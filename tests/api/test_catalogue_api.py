"""/api/v1 for the catalogue: course search and pages, course writes with the domain's rules, matching, the
cross-enrolment path, Pathways and joint programmes, and who may do what (404 for what an institution does not
see, 403 for a step that is not the caller's, 401 without a token)."""

from decimal import Decimal
from typing import Any

from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mobilitas.accounts import services as accounts
from mobilitas.catalogue.matching import service as matching
from mobilitas.catalogue.models import ComponentProgress, Course, CrossEnrolment, JointProgramme, Mode, Term
from mobilitas.catalogue.services import enrolments, pathways, programmes
from mobilitas.catalogue.services.courses import CourseInput, create_course, share_course
from mobilitas.catalogue.services.pathways import ComponentInput, PathwayInput
from mobilitas.catalogue.services.programmes import ProgrammeInput, WindowInput
from mobilitas.institutions.models import Alliance, AllianceMember, Role
from tests.api.base import ApiTestCase
from tests.factories import make_hosted_institution, make_member, make_ounit

Status = CrossEnrolment.Status
MISSING = "3f1c7a52-6d0e-4a53-9a3b-0c9a8f1e2d44"


def make_course(institution: Any, code: str, titles: dict[str, str], *, shared: bool = False, **fields: Any) -> Course:
    fields.setdefault("ects", Decimal(6))
    course = create_course(institution, CourseInput(code=code, titles=titles, **fields), actor=None)
    return share_course(course, actor=None) if shared else course


class CatalogueApiTestCase(ApiTestCase):
    """A and B in one alliance, A and C in another (B and C share none). Alice is an officer of A, bob a student
    of A, carol an officer of B, carlo an officer of C; colette coordinates at A."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inst_c = make_hosted_institution("univ-c", name="Università C", names={"it": "Università C"}, country="IT")
        cls.alliance = Alliance.objects.create(slug="eu", name="EU Alliance", coordinator=cls.inst_a)
        cls.south = Alliance.objects.create(slug="south", name="South Alliance", coordinator=cls.inst_c)
        for alliance, member in ((cls.alliance, cls.inst_a), (cls.alliance, cls.inst_b)):
            AllianceMember.objects.create(alliance=alliance, institution=member)
        for member in (cls.inst_a, cls.inst_c):
            AllianceMember.objects.create(alliance=cls.south, institution=member)
        cls.colette = make_member("coord@a.test", cls.inst_a, Role.COORDINATOR, full_name="Colette Coordinator")
        cls.erin = make_member("erin@a.test", cls.inst_a, Role.STUDENT, full_name="Erin Student")
        cls.dan = make_member("dan@b.test", cls.inst_b, Role.STUDENT, full_name="Dan Student")
        cls.carlo = make_member("carlo@c.test", cls.inst_c, Role.OFFICER, full_name="Carlo Officer")
        cls.tokens = {
            user.email: accounts.create_api_token(user, name="tests")[1]
            for user in (cls.bob, cls.carol, cls.colette, cls.erin, cls.dan, cls.carlo)
        }
        cls.sci = make_ounit(cls.inst_a, "SCI", "Faculty of Science")
        cls.ai = make_course(
            cls.inst_a, "A-AI", {"en": "Artificial intelligence", "fr": "Intelligence artificielle"},
            descriptions={"en": "Search, logic and learning.", "fr": "Recherche, logique et apprentissage."},
            learning_outcomes={"en": "Students build agents."}, ects=Decimal(5), eqf_level=6, isced_code="0613",
            languages=["fr", "en"], term=Term.SPRING, ounit=cls.sci,
        )  # fmt: skip
        cls.sql = make_course(cls.inst_a, "A-DB", {"en": "Databases"}, shared=True, eqf_level=6)
        cls.ml = make_course(
            cls.inst_b, "B-ML", {"en": "Machine learning", "es": "Aprendizaje automático"}, shared=True,
            learning_outcomes={"es": "Los estudiantes entrenan modelos."}, eqf_level=7, isced_code="0613",
            languages=["es", "en"], mode=Mode.VIRTUAL, term=Term.AUTUMN, alliance_places=1,
        )  # fmt: skip
        cls.local = make_course(cls.inst_b, "B-LOCAL", {"es": "Historia local"})
        cls.art = make_course(cls.inst_c, "C-ART", {"it": "Storia dell'arte"}, shared=True, ects=Decimal(4))

    def setUp(self) -> None:
        matching.clear_indexes()
        cache.clear()

    def secret_of(self, user: Any) -> str:
        return self.secret if user is None or user == self.alice else self.tokens[user.email]

    def slug_of(self, user: Any) -> str:
        """The user's own institution: univ-b for carol and dan, univ-c for carlo, univ-a for the others."""
        return {"carol@b.test": "univ-b", "dan@b.test": "univ-b", "carlo@c.test": "univ-c"}.get(
            user.email if user is not None else "", "univ-a"
        )

    def call(self, method: str, path: str, body: Any = None, *, user: Any = None, institution: str = "") -> Any:
        institution = institution or self.slug_of(user)
        headers = {"Authorization": f"Bearer {self.secret_of(user)}"}
        url = f"/api/v1{path}?institution={institution}"
        if method == "get":
            return Client().get(url, headers=headers)
        return getattr(Client(), method)(url, body, content_type="application/json", headers=headers)

    def get(self, path: str, params: dict[str, Any] | None = None, *, user: Any = None, institution: str = "") -> Any:
        institution = institution or self.slug_of(user)
        return self.api_get(path, {"institution": institution, **(params or {})}, secret=self.secret_of(user))

    def ok(self, response: Any, status: int = 200) -> Any:
        self.assertEqual(response.status_code, status, response.content)
        return response.json()

    def error_fields(self, response: Any, location: str = "body") -> dict[str, str]:
        body = self.assert_problem(response, 422)
        self.assertEqual(body["type"], "/api/v1/problems/validation-error")
        self.assertEqual({e["location"] for e in body["errors"]}, {location})
        return {error["field"]: error["detail"] for error in body["errors"]}


# ---- courses ---------------------------------------------------------------------------------------------------


class CourseListTests(CatalogueApiTestCase):
    def codes(self, params: dict[str, Any] | None = None, user: Any = None) -> list[str]:
        return [r["code"] for r in self.ok(self.get("/courses", params, user=user))["results"]]

    def test_it_lists_our_courses_and_those_our_alliances_share(self) -> None:
        self.assertEqual(sorted(self.codes()), ["A-AI", "A-DB", "B-ML", "C-ART"])
        # B reads its own unshared course, A's shared one, and nothing of C (no common alliance).
        self.assertEqual(sorted(self.codes(user=self.carol)), ["A-DB", "B-LOCAL", "B-ML"])

    def test_it_shows_a_summary_of_each_course(self) -> None:
        body = self.ok(self.get("/courses", {"q": "machine"}))
        self.assertEqual((body["count"], body["page"], body["page_size"]), (1, 1, 20))
        result = body["results"][0]
        self.assertEqual(result["public_id"], str(self.ml.public_id))
        self.assertEqual((result["title"], result["titles"]["es"]), ("Machine learning", "Aprendizaje automático"))
        self.assertEqual(result["institution"]["slug"], "univ-b")
        self.assertEqual((result["ects"], result["eqf_level"], result["isced_code"]), (6, 7, "0613"))
        self.assertEqual((result["languages"], result["mode"], result["term"]), (["es", "en"], "virtual", "autumn"))
        self.assertEqual((result["alliance_places"], result["shared"]), (1, True))
        self.assertNotIn("id", result)
        self.assertNotIn("descriptions", result)

    def test_it_finds_words_in_any_language(self) -> None:
        self.assertEqual(self.codes({"q": "aprendizaje"}), ["B-ML"])
        self.assertEqual(self.codes({"q": "entrenan"}), ["B-ML"])  # learning outcomes
        self.assertEqual(self.codes({"q": "LOGIQUE"}), ["A-AI"])  # a description, any case
        self.assertEqual(self.codes({"q": "intelligence artificielle"}), ["A-AI"])
        self.assertEqual(self.codes({"q": "a-db"}), ["A-DB"])

    def test_it_filters_like_the_search_page(self) -> None:
        self.assertEqual(self.codes({"offered_by": "univ-b"}), ["B-ML"])
        self.assertEqual(self.codes({"mode": "virtual"}), ["B-ML"])
        self.assertEqual(self.codes({"language": "fr"}), ["A-AI"])
        self.assertEqual(sorted(self.codes({"ects_min": "5", "ects_max": "5.5"})), ["A-AI"])
        self.assertEqual(sorted(self.codes({"ects_max": "4"})), ["C-ART"])
        self.assertEqual(sorted(self.codes({"eqf_level": 6})), ["A-AI", "A-DB"])
        self.assertEqual(sorted(self.codes({"isced": "06"})), ["A-AI", "B-ML"])
        self.assertEqual(self.codes({"term": "spring"}), ["A-AI"])
        self.assertEqual(sorted(self.codes({"shared_only": "true"})), ["A-DB", "B-ML", "C-ART"])
        self.assertEqual(self.codes({"q": "machine", "offered_by": "univ-a"}), [])

    def test_it_explains_a_bad_filter_with_the_pages_messages(self) -> None:
        fields = self.error_fields(self.get("/courses", {"ects_min": "6", "ects_max": "2"}), "query")
        self.assertEqual(fields, {"ects_max": "The highest ECTS is lower than the lowest."})
        # Another institution than ours and our alliances' members: named by the parameter the client sent.
        make_hosted_institution("univ-x", name="Outsider")
        self.assertEqual(
            set(self.error_fields(self.get("/courses", {"offered_by": "univ-x"}), "query")), {"offered_by"}
        )
        self.assertEqual(set(self.error_fields(self.get("/courses", {"isced": "6x"}), "query")), {"isced"})
        self.assertEqual(set(self.error_fields(self.get("/courses", {"eqf_level": "two"}), "query")), {"eqf_level"})

    def test_it_pages(self) -> None:
        first = self.ok(self.get("/courses", {"page_size": 3}))
        second = self.ok(self.get("/courses", {"page": 2, "page_size": 3}))
        self.assertEqual((second["count"], second["page"], len(first["results"]), len(second["results"])), (4, 2, 3, 1))
        # By institution name, then code: A's two courses stay together.
        codes = [r["code"] for r in first["results"] + second["results"]]
        self.assertEqual(sorted(codes), ["A-AI", "A-DB", "B-ML", "C-ART"])
        self.assertEqual(codes.index("A-DB"), codes.index("A-AI") + 1)
        self.assertEqual(self.ok(self.get("/courses", {"page": 3, "page_size": 3}))["results"], [])
        self.assert_problem(self.get("/courses", {"page_size": 101}), 422)

    def test_it_uses_a_constant_number_of_queries(self) -> None:
        self.get("/courses")  # the first call of the minute also records the token's use

        def queries(params: dict[str, Any]) -> int:
            with CaptureQueriesContext(connection) as context:
                body = self.ok(self.get("/courses", {"page_size": 100, **params}))
            self.assertEqual(len(body["results"]), body["count"])
            return len(context)

        few = queries({}), queries({"q": "learning"})
        for n in range(15):
            make_course(self.inst_b, f"B-{n}", {"en": f"Deep learning {n}"}, shared=True)
        self.assertEqual((queries({}), queries({"q": "learning"})), few)
        # token, memberships, the alliances' members (for offered_by), count, page
        with self.assertNumQueries(5):
            self.get("/courses", {"q": "learning", "offered_by": "univ-b", "page_size": 100})

    def test_access(self) -> None:
        self.assert_problem(Client().get("/api/v1/courses", {"institution": "univ-a"}), 401)
        self.assert_problem(self.get("/courses", user=self.carol, institution="univ-a"), 404)
        self.assert_problem(self.get("/courses", institution="nowhere"), 404)
        self.assertEqual(sorted(self.codes(user=self.bob)), ["A-AI", "A-DB", "B-ML", "C-ART"])  # students read too


class CourseDetailTests(CatalogueApiTestCase):
    def test_it_gives_every_text_in_every_language_and_the_facts(self) -> None:
        body = self.ok(self.get(f"/courses/{self.ai.public_id}"))
        self.assertEqual(body["titles"], {"en": "Artificial intelligence", "fr": "Intelligence artificielle"})
        self.assertEqual(body["descriptions"]["fr"], "Recherche, logique et apprentissage.")
        self.assertEqual(body["learning_outcomes"], {"en": "Students build agents."})
        self.assertEqual((body["ects"], body["eqf_level"], body["isced_code"]), (5, 6, "0613"))
        self.assertEqual((body["languages"], body["mode"], body["term"]), (["fr", "en"], "physical", "spring"))
        self.assertEqual((body["alliance_places"], body["shared"]), (None, False))
        self.assertEqual((body["institution"]["name"], body["institution"]["slug"]), ("Université A", "univ-a"))
        self.assertEqual(body["ounit"]["code"], "SCI")
        self.assertEqual((body["editable"], body["shareable"]), (True, True))

    def test_the_title_follows_the_language_of_the_request(self) -> None:
        response = self.api_get(
            f"/courses/{self.ai.public_id}", {"institution": "univ-a"}, secret=self.secret
        )  # English by default
        self.assertEqual(response.json()["title"], "Artificial intelligence")
        french = Client().get(
            f"/api/v1/courses/{self.ai.public_id}",
            {"institution": "univ-a"},
            headers={"Authorization": f"Bearer {self.secret}", "Accept-Language": "fr"},
        )
        self.assertEqual(french.json()["title"], "Intelligence artificielle")

    def test_another_members_shared_course_is_read_but_not_edited(self) -> None:
        body = self.ok(self.get(f"/courses/{self.ml.public_id}"))
        self.assertEqual((body["institution"]["slug"], body["editable"], body["shareable"]), ("univ-b", False, False))
        self.assertFalse(self.ok(self.get(f"/courses/{self.ai.public_id}", user=self.bob))["editable"])

    def test_carol_gets_404_for_as_unshared_course(self) -> None:
        path = f"/courses/{self.ai.public_id}"
        self.assert_problem(self.get(path, user=self.carol), 404)
        self.assert_problem(self.get(path, user=self.carol, institution="univ-a"), 404)
        self.assert_problem(self.get(f"/courses/{self.local.public_id}"), 404)
        self.assert_problem(self.get(f"/courses/{MISSING}"), 404)
        self.assertEqual(self.get(f"/courses/{self.sql.public_id}", user=self.carol).status_code, 200)

    def test_it_answers_401_without_a_token(self) -> None:
        self.assert_problem(Client().get(f"/api/v1/courses/{self.ai.public_id}?institution=univ-a"), 401)


def course_body(**fields: Any) -> dict[str, Any]:
    body = {
        "code": "A-NLP",
        "titles": {"en": "Natural language processing", "fi": "Luonnollisen kielen käsittely"},
        "learning_outcomes": {"en": "Students parse sentences."},
        "ects": 7.5,
        "eqf_level": 7,
        "isced_code": "0613",
        "languages": ["en"],
        "mode": "blended",
        "term": "autumn",
        "ounit": {"code": "SCI"},
        "alliance_places": 10,
        "contact_email": "nlp@a.test",
        "url": "https://a.test/nlp",
    }
    body.update(fields)
    return body


class CourseWriteTests(CatalogueApiTestCase):
    def test_an_officer_creates_a_course(self) -> None:
        body = self.ok(self.call("post", "/courses", course_body()), 201)
        course = Course.objects.get(public_id=body["public_id"])
        self.assertEqual((course.institution, course.code, course.ects), (self.inst_a, "A-NLP", Decimal("7.5")))
        self.assertEqual((course.ounit, course.mode, course.shared), (self.sci, Mode.BLENDED, False))
        self.assertEqual(body["titles"]["fi"], "Luonnollisen kielen käsittely")
        self.assertEqual((body["ects"], body["contact_email"]), (7.5, "nlp@a.test"))

    def test_it_names_the_field_of_each_broken_rule(self) -> None:
        bad = course_body(
            code="A-AI", ects=0, eqf_level=9, isced_code="61", titles={"english": "NLP"}, languages=["English"],
            mode="on the moon", contact_email="nobody", url="ftp://a.test",
        )  # fmt: skip
        fields = self.error_fields(self.call("post", "/courses", bad))
        self.assertEqual(
            set(fields),
            {"code", "ects", "eqf_level", "isced_code", "titles.english", "languages", "mode", "contact_email", "url"},
        )
        self.assertEqual(fields["code"], "Another course already has the code “A-AI”.")
        self.assertEqual(fields["eqf_level"], "The EQF level is 9: it must be 1 to 8.")
        self.assertFalse(Course.objects.filter(institution=self.inst_a, titles__has_key="english").exists())

    def test_a_title_is_needed_and_the_unit_must_be_ours(self) -> None:
        make_ounit(self.inst_b, "MED", "Medicine")
        fields = self.error_fields(
            self.call("post", "/courses", course_body(titles={"en": " "}, ounit={"code": "MED"}))
        )
        self.assertEqual(set(fields), {"titles", "ounit"})
        self.assertIn("“MED”", fields["ounit"])

    def test_it_checks_types_before_rules(self) -> None:
        fields = self.error_fields(self.call("post", "/courses", course_body(ects="six", titles=["NLP"])))
        self.assertEqual(set(fields), {"ects", "titles"})

    def test_a_detail_can_be_sent_back_changed(self) -> None:
        path = f"/courses/{self.ai.public_id}"
        detail = self.ok(self.get(path))
        detail["ects"] = 6
        detail["titles"]["de"] = "Künstliche Intelligenz"
        after = self.ok(self.call("put", path, detail))
        self.assertEqual(
            (after["ects"], after["titles"]["de"], after["ounit"]["code"]), (6, "Künstliche Intelligenz", "SCI")
        )
        for unchanged in ("descriptions", "learning_outcomes", "languages", "term", "isced_code", "code"):
            self.assertEqual(after[unchanged], detail[unchanged], unchanged)

    def test_an_update_is_checked_like_a_creation(self) -> None:
        fields = self.error_fields(self.call("put", f"/courses/{self.ai.public_id}", course_body(code="A-DB", ects=-1)))
        self.assertEqual(set(fields), {"code", "ects"})
        self.assertEqual(Course.objects.get(pk=self.ai.pk).code, "A-AI")

    def test_it_shares_and_unshares(self) -> None:
        path = f"/courses/{self.ai.public_id}"
        self.assertTrue(self.ok(self.call("post", f"{path}/share"))["shared"])
        self.assertEqual(self.get(path, user=self.carol).status_code, 200)
        body = self.assert_problem(self.call("post", f"{path}/share"), 409)
        self.assertEqual(body["type"], "/api/v1/problems/domain-error")
        self.assertFalse(self.ok(self.call("post", f"{path}/unshare"))["shared"])
        self.assert_problem(self.get(path, user=self.carol), 404)

    def test_students_and_other_members_do_not_write(self) -> None:
        path = f"/courses/{self.ai.public_id}"
        self.assert_problem(self.call("post", "/courses", course_body(), user=self.bob), 403)
        self.assert_problem(self.call("put", path, course_body(), user=self.bob), 403)
        self.assert_problem(self.call("post", f"{path}/share", user=self.bob), 403)
        self.assert_problem(self.call("post", f"/courses/{self.sql.public_id}/unshare", user=self.colette), 403)
        # Carol does not see A's unshared course; she reads its shared one but may not change it.
        self.assert_problem(self.call("put", path, course_body(), user=self.carol), 404)
        self.assert_problem(self.call("post", f"{path}/share", user=self.carol), 404)
        self.assert_problem(self.call("put", f"/courses/{self.sql.public_id}", course_body(), user=self.carol), 403)
        self.assert_problem(self.call("post", "/courses", course_body(), user=self.carol, institution="univ-a"), 404)
        self.assertFalse(Course.objects.filter(code="A-NLP").exists())
        self.assertFalse(Course.objects.get(pk=self.ai.pk).shared)

    def test_the_alliance_office_edits_and_unshares_another_members_shared_course(self) -> None:
        office = make_member("office@a.test", self.inst_a, Role.ALLIANCE_OFFICE)
        secret = accounts.create_api_token(office, name="tests")[1]
        headers = {"Authorization": f"Bearer {secret}"}
        url = f"/api/v1/courses/{self.ml.public_id}"
        detail = Client().get(url, {"institution": "univ-a"}, headers=headers).json()
        self.assertEqual((detail["editable"], detail["shareable"]), (True, True))
        detail["alliance_places"] = 3
        response = Client().put(f"{url}?institution=univ-a", detail, content_type="application/json", headers=headers)
        self.assertEqual(self.ok(response)["alliance_places"], 3)
        response = Client().post(f"{url}/unshare?institution=univ-a", headers=headers)
        self.assertFalse(self.ok(response)["shared"])

    def test_it_answers_401_without_a_token(self) -> None:
        response = Client().post("/api/v1/courses?institution=univ-a", course_body(), content_type="application/json")
        self.assert_problem(response, 401)


class CourseMatchTests(CatalogueApiTestCase):
    def test_it_suggests_the_shared_courses_of_another_member_and_says_why(self) -> None:
        make_course(self.inst_b, "B-AI", {"en": "Artificial intelligence and agents"}, shared=True, eqf_level=6)
        body = self.ok(self.get(f"/courses/{self.ai.public_id}/matches", {"target": "univ-b"}))
        self.assertEqual((body["course"]["code"], body["target"]["slug"]), ("A-AI", "univ-b"))
        codes = [s["course"]["code"] for s in body["suggestions"]]
        self.assertEqual(codes[0], "B-AI")
        self.assertNotIn("B-LOCAL", codes)  # not shared
        self.assertEqual(body["candidates"], 2)
        best = body["suggestions"][0]
        self.assertEqual(best["rank"], 1)
        self.assertIn("artificial", " ".join(best["explanation"]["shared_terms"]))
        self.assertEqual((best["explanation"]["level"], best["explanation"]["eqf_level"]), ("same", 6))
        self.assertIn("Same level: EQF 6 (bachelor).", best["reasons"])
        self.assertGreater(best["relevance"], body["suggestions"][1]["relevance"])

    def test_our_own_catalogue_is_compared_by_default_for_another_members_course(self) -> None:
        body = self.ok(self.get(f"/courses/{self.ml.public_id}/matches", {"k": 1}))
        self.assertEqual(body["target"]["slug"], "univ-a")
        self.assertEqual(len(body["suggestions"]), 1)
        self.assertEqual(body["candidates"], 2)  # both of A's courses: A reads its own unshared ones

    def test_an_institution_outside_our_alliances_is_refused(self) -> None:
        fields = self.error_fields(self.get(f"/courses/{self.ai.public_id}/matches", {"target": "univ-x"}), "query")
        self.assertIn("“univ-x” is not a member of your alliances", fields["target"])
        self.assert_problem(self.get(f"/courses/{self.ai.public_id}/matches", {"k": 51}), 422)

    def test_carol_gets_404_for_a_course_she_may_not_see(self) -> None:
        self.assert_problem(self.get(f"/courses/{self.ai.public_id}/matches", user=self.carol), 404)

    def test_the_query_count_does_not_grow_with_the_catalogue(self) -> None:
        path = f"/courses/{self.ai.public_id}/matches"
        self.get(path, {"target": "univ-b"})  # builds B's index in this process
        with self.assertNumQueries(5):  # token, memberships, the course, the members, B's catalogue version
            self.get(path, {"target": "univ-b"})
        for n in range(12):
            make_course(self.inst_b, f"B-{n}", {"en": f"Intelligent systems {n}"}, shared=True)
        self.get(path, {"target": "univ-b"})  # rebuilt once: the catalogue changed
        with self.assertNumQueries(5):
            body = self.ok(self.get(path, {"target": "univ-b"}))
        self.assertEqual((body["candidates"], len(body["suggestions"])), (13, 10))


# ---- cross-enrolment -------------------------------------------------------------------------------------------


class EnrolmentApiTestCase(CatalogueApiTestCase):
    def ask(self, student: Any = None, course: Course | None = None) -> CrossEnrolment:
        return enrolments.request_enrolment(
            course or self.ml, student=student or self.bob, home=self.inst_a, motivation="For my thesis."
        )

    def preapproved(self, student: Any = None, course: Course | None = None) -> CrossEnrolment:
        return enrolments.preapprove_recognition(self.ask(student, course), actor=self.colette)

    def step(self, enrolment: CrossEnrolment, action: str, body: Any = None, *, user: Any = None) -> Any:
        return self.call("post", f"/cross-enrolments/{enrolment.public_id}/{action}", body, user=user)


class EnrolmentPathTests(EnrolmentApiTestCase):
    def test_it_goes_from_the_request_to_recognised_credits(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.call(
                "post", "/cross-enrolments", {"course": str(self.ml.public_id), "motivation": "Thesis"}, user=self.bob
            )
        body = self.ok(response, 201)
        self.assertEqual((body["status"], body["waiting_for"], body["actions"]), ("requested", "home", ["withdraw"]))
        self.assertEqual((body["student"]["name"], body["home"]["slug"]), ("Bob Student", "univ-a"))
        self.assertEqual((body["course"]["code"], body["course"]["institution"]["slug"]), ("B-ML", "univ-b"))
        self.assertEqual(body["motivation"], "Thesis")
        self.assertEqual({m.to[0] for m in mail.outbox}, {"alice@a.test", "coord@a.test"})
        enrolment = CrossEnrolment.objects.get(public_id=body["public_id"])

        detail = self.ok(self.get(f"/cross-enrolments/{enrolment.public_id}", user=self.colette))
        self.assertEqual(detail["actions"], ["preapprove", "refuse"])
        body = self.ok(self.step(enrolment, "preapprove", {"recognised_as": "a-ai", "credits": 7.5}, user=self.colette))
        self.assertEqual((body["status"], body["waiting_for"]), ("preapproved", "host"))
        self.assertEqual((body["recognised_as"]["code"], body["recognised_credits"]), ("A-AI", 7.5))

        self.assertEqual(
            self.ok(self.get(f"/cross-enrolments/{enrolment.public_id}", user=self.carol))["actions"],
            ["accept", "refuse"],
        )
        body = self.ok(self.step(enrolment, "accept", user=self.carol))
        self.assertEqual((body["status"], body["places_taken"]), ("accepted", 1))
        body = self.ok(self.step(enrolment, "result", {"grade": "A", "ects_earned": 6}, user=self.carol))
        self.assertEqual((body["status"], body["grade"], body["ects_earned"]), ("completed", "A", 6))
        self.assertEqual((body["waiting_for"], body["recognised_credits"]), ("home", 7.5))  # proposed automatically

        body = self.ok(self.step(enrolment, "recognise", user=self.colette))
        self.assertEqual((body["status"], body["waiting_for"], body["actions"]), ("recognised", None, []))
        self.assertEqual(
            [step["label"] for step in body["history"]],
            [
                "Asked for the course", "Recognition pre-approved at home", "Accepted by the host", "Result received",
                "Proposed for recognition at home", "Recognised at home",
            ],
        )  # fmt: skip
        self.assertEqual(body["history"][2]["who"], "Carol Officer")

    def test_a_full_course_puts_the_next_student_on_the_waiting_list(self) -> None:
        enrolments.accept_enrolment(self.preapproved(), actor=self.carol)
        second = self.preapproved(self.erin)
        body = self.ok(self.step(second, "accept", user=self.carol))
        self.assertEqual((body["status"], body["places_taken"]), ("waitlisted", 1))
        self.assertEqual(
            self.ok(self.get(f"/cross-enrolments/{second.public_id}", user=self.erin))["waiting_position"], 1
        )

    def test_the_student_withdraws(self) -> None:
        enrolment = self.ask()
        body = self.ok(self.step(enrolment, "withdraw", user=self.bob))
        self.assertEqual((body["status"], body["actions"]), ("withdrawn", []))

    def test_a_refusal_needs_a_reason(self) -> None:
        enrolment = self.ask()
        fields = self.error_fields(self.step(enrolment, "refuse", {"reason": ""}, user=self.colette))
        self.assertEqual(fields, {"reason": "Say why the request is refused: the student reads it."})
        body = self.ok(self.step(enrolment, "refuse", {"reason": "Not in your programme."}, user=self.colette))
        self.assertEqual((body["status"], body["decision_note"]), ("refused", "Not in your programme."))


class EnrolmentRulesTests(EnrolmentApiTestCase):
    def test_a_request_needs_a_motivation(self) -> None:
        body = {"course": str(self.ml.public_id), "motivation": "  "}
        fields = self.error_fields(self.call("post", "/cross-enrolments", body, user=self.bob))
        self.assertEqual(fields, {"motivation": "Write a few words on why you want to take this course."})
        self.assertFalse(CrossEnrolment.objects.exists())

    def test_only_students_ask_and_only_for_courses_they_see(self) -> None:
        body = {"course": str(self.ml.public_id), "motivation": "Please"}
        self.assert_problem(self.call("post", "/cross-enrolments", body, user=self.colette), 403)
        self.assert_problem(self.call("post", "/cross-enrolments", body), 403)
        unshared = {"course": str(self.local.public_id), "motivation": "Please"}
        self.assert_problem(self.call("post", "/cross-enrolments", unshared, user=self.bob), 404)
        own = self.assert_problem(
            self.call(
                "post", "/cross-enrolments", {"course": str(self.sql.public_id), "motivation": "x"}, user=self.bob
            ),
            400,
        )
        self.assertIn("is a course of your own institution", own["detail"])
        self.assertFalse(CrossEnrolment.objects.exists())

    def test_asking_twice_is_a_409(self) -> None:
        self.ask()
        body = {"course": str(self.ml.public_id), "motivation": "Again"}
        problem = self.assert_problem(self.call("post", "/cross-enrolments", body, user=self.bob), 409)
        self.assertIn("You have already asked for “B-ML”", problem["detail"])

    def test_each_step_belongs_to_one_side(self) -> None:
        enrolment = self.ask()
        self.assert_problem(self.step(enrolment, "preapprove", {}, user=self.bob), 403)
        self.assert_problem(self.step(enrolment, "preapprove", {}, user=self.carol), 403)
        self.assert_problem(self.step(enrolment, "accept", user=self.colette), 403)
        self.assert_problem(self.step(enrolment, "withdraw", user=self.colette), 403)
        self.assert_problem(self.step(enrolment, "recognise", user=self.bob), 403)
        self.assertEqual(CrossEnrolment.objects.get(pk=enrolment.pk).status, Status.REQUESTED)

    def test_a_step_the_state_does_not_allow_is_a_409(self) -> None:
        enrolment = self.ask()
        self.assert_problem(self.step(enrolment, "accept", user=self.carol), 409)
        self.assert_problem(self.step(enrolment, "result", {"grade": "A", "ects_earned": 6}, user=self.carol), 409)

    def test_bad_step_bodies_name_their_field(self) -> None:
        enrolment = self.ask()
        fields = self.error_fields(self.step(enrolment, "preapprove", {"recognised_as": "B-ML"}, user=self.colette))
        self.assertEqual(fields, {"recognised_as": "No course of your institution has the code “B-ML”."})
        accepted = enrolments.accept_enrolment(self.preapproved(self.erin, self.art), actor=self.carlo)
        response = self.call(
            "post", f"/cross-enrolments/{accepted.public_id}/result", {"grade": "", "ects_earned": 9}, user=self.carlo
        )
        self.assertEqual(set(self.error_fields(response)), {"grade"})
        response = self.call(
            "post", f"/cross-enrolments/{accepted.public_id}/result", {"grade": "B", "ects_earned": 9}, user=self.carlo
        )
        problem = self.assert_problem(response, 400)  # a rule of the domain, about one field
        self.assertEqual(problem["field"], "ects_earned")

    def test_carol_gets_404_for_enrolments_not_involving_b(self) -> None:
        theirs = self.ask(self.erin, self.art)  # A's student at C
        ours = self.ask()
        self.assert_problem(self.get(f"/cross-enrolments/{theirs.public_id}", user=self.carol), 404)
        self.assert_problem(self.step(theirs, "refuse", {"reason": "No"}, user=self.carol), 404)
        self.assert_problem(self.get(f"/cross-enrolments/{ours.public_id}", user=self.carol, institution="univ-a"), 404)
        listed = self.ok(self.get("/cross-enrolments", user=self.carol))["results"]
        self.assertEqual([e["public_id"] for e in listed], [str(ours.public_id)])

    def test_a_student_reads_only_their_own(self) -> None:
        erins = self.ask(self.erin)
        self.assert_problem(self.get(f"/cross-enrolments/{erins.public_id}", user=self.bob), 404)
        self.assert_problem(Client().get(f"/api/v1/cross-enrolments/{erins.public_id}?institution=univ-a"), 401)


class EnrolmentListTests(EnrolmentApiTestCase):
    def ids(self, params: dict[str, Any] | None = None, user: Any = None) -> list[str]:
        return [r["public_id"] for r in self.ok(self.get("/cross-enrolments", params, user=user))["results"]]

    def test_each_side_sees_its_own_and_waiting_ones_first(self) -> None:
        waiting_at_host = self.preapproved(self.erin)
        bobs = self.ask()  # newer, waiting for the home side
        arts = self.ask(self.bob, self.art)
        self.assertEqual(self.ids(user=self.bob), [str(arts.public_id), str(bobs.public_id)])
        self.assertEqual(len(self.ids()), 3)
        self.assertEqual(self.ids({"side": "outgoing"})[-1], str(waiting_at_host.public_id))
        self.assertEqual(self.ids({"side": "incoming"}, user=self.carol)[0], str(waiting_at_host.public_id))
        self.assertEqual(self.ids({"side": "incoming"}), [])
        self.assertEqual(self.ids({"status": "preapproved"}), [str(waiting_at_host.public_id)])

    def test_it_refuses_a_side_the_user_has_not(self) -> None:
        self.assertEqual(
            set(self.error_fields(self.get("/cross-enrolments", {"side": "incoming"}, user=self.bob), "query")),
            {"side"},
        )
        self.assertEqual(set(self.error_fields(self.get("/cross-enrolments", {"status": "lost"}), "query")), {"status"})

    def test_it_uses_a_constant_number_of_queries(self) -> None:
        self.ask()
        self.get("/cross-enrolments")

        def queries() -> int:
            with CaptureQueriesContext(connection) as context:
                body = self.ok(self.get("/cross-enrolments", {"side": "outgoing", "page_size": 100}))
            self.assertEqual(len(body["results"]), body["count"])
            return len(context)

        few = queries()
        for n in range(8):
            student = make_member(f"student{n}@a.test", self.inst_a, Role.STUDENT)
            self.preapproved(student, self.art if n % 2 else self.ml)
        self.assertEqual(queries(), few)
        with self.assertNumQueries(4):  # token, memberships, count, page
            self.get("/cross-enrolments", {"page_size": 100})


# ---- Pathways --------------------------------------------------------------------------------------------------


class PathwayApiTestCase(CatalogueApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        components = [
            ComponentInput(institution=cls.inst_a, title="Foundations", ects=Decimal(6)),
            ComponentInput(course=cls.ml),
            ComponentInput(
                institution=cls.inst_a, title="Capstone", mode=Mode.BLENDED, ects=Decimal(4), prerequisites=[0, 1]
            ),
        ]
        data = PathwayInput(
            titles={"en": "Data in Europe", "fr": "Les données en Europe"}, slug="data", components=components, places=5
        )
        cls.pathway = pathways.publish_pathway(
            pathways.create_pathway(cls.alliance, cls.inst_a, data, actor=cls.alice), actor=cls.alice
        )
        draft = PathwayInput(
            titles={"en": "Draft"}, slug="draft",
            components=[ComponentInput(course=cls.sql), ComponentInput(course=cls.ml)],
        )  # fmt: skip
        cls.draft = pathways.create_pathway(cls.alliance, cls.inst_a, draft, actor=cls.alice)


class PathwayTests(PathwayApiTestCase):
    def test_it_lists_the_published_pathways_and_drafts_to_their_managers(self) -> None:
        body = self.ok(self.get("/pathways", user=self.bob))
        self.assertEqual([p["slug"] for p in body["results"]], ["data"])
        data = body["results"][0]
        self.assertEqual((data["component_count"], data["total_ects"], data["status"]), (3, 16, "published"))
        self.assertEqual([i["slug"] for i in data["institutions"]], ["univ-a", "univ-b"])
        self.assertEqual(data["modes"], ["physical", "virtual", "blended"])
        self.assertEqual((data["alliance"]["slug"], data["owner"]["slug"]), ("eu", "univ-a"))
        self.assertEqual([p["slug"] for p in self.ok(self.get("/pathways"))["results"]], ["data", "draft"])
        self.assertEqual([p["slug"] for p in self.ok(self.get("/pathways", user=self.carol))["results"]], ["data"])
        self.assertEqual(self.ok(self.get("/pathways", user=self.carlo, institution="univ-c"))["results"], [])

    def test_the_list_uses_a_constant_number_of_queries(self) -> None:
        self.get("/pathways")
        with self.assertNumQueries(5):  # token, memberships, count, page, components
            self.get("/pathways")
        for n in range(4):
            data = PathwayInput(
                titles={"en": f"Path {n}"}, slug=f"path-{n}",
                components=[ComponentInput(course=self.ai), ComponentInput(course=self.ml)],
            )  # fmt: skip
            pathways.create_pathway(self.alliance, self.inst_a, data, actor=self.alice)
        with self.assertNumQueries(5):
            self.assertEqual(self.ok(self.get("/pathways"))["count"], 6)

    def test_it_shows_the_components_in_order_with_the_total(self) -> None:
        body = self.ok(self.get(f"/pathways/{self.pathway.public_id}", user=self.bob))
        self.assertEqual((body["title"], body["titles"]["fr"]), ("Data in Europe", "Les données en Europe"))
        self.assertEqual((body["total_ects"], body["places"], body["places_left"]), (16, 5, 5))
        components = body["components"]
        self.assertEqual([c["title"] for c in components], ["Foundations", "Machine learning", "Capstone"])
        self.assertEqual([c["number"] for c in components], [1, 2, 3])
        self.assertEqual(components[1]["course"]["code"], "B-ML")
        self.assertEqual((components[1]["institution"]["slug"], components[1]["mode"]), ("univ-b", "virtual"))
        self.assertEqual(components[2]["prerequisites"], [1, 2])
        self.assertEqual(body["public_url"], "/pathways/eu/data/")
        self.assertEqual((body["my_enrolment"], body["editable"]), (None, False))

    def test_a_draft_is_404_to_students_and_to_other_members(self) -> None:
        self.assert_problem(self.get(f"/pathways/{self.draft.public_id}", user=self.bob), 404)
        self.assert_problem(self.get(f"/pathways/{self.draft.public_id}", user=self.carol), 404)
        self.assertTrue(self.ok(self.get(f"/pathways/{self.draft.public_id}"))["editable"])
        self.assert_problem(self.get(f"/pathways/{self.pathway.public_id}", user=self.carlo, institution="univ-c"), 404)

    def test_a_student_applies_and_follows_their_progress(self) -> None:
        path = f"/pathways/{self.pathway.public_id}"
        with self.captureOnCommitCallbacks(execute=True):
            body = self.ok(self.call("post", f"{path}/apply", {"motivation": "I like data."}, user=self.bob), 201)
        self.assertEqual(
            (body["status"], body["motivation"], body["pathway"]["slug"]), ("applied", "I like data.", "data")
        )
        self.assertEqual(
            [(p["number"], p["status"]) for p in body["progress"]], [(1, "planned"), (2, "planned"), (3, "planned")]
        )
        self.assertEqual((body["passed"], body["passed_ects"], body["total_ects"]), (0, 0, 16))
        self.assertEqual(self.ok(self.get(path, user=self.bob))["my_enrolment"]["public_id"], body["public_id"])

        enrolment = self.pathway.enrolments.get(public_id=body["public_id"])
        pathways.decide_application(enrolment, actor=self.alice, accept=True)
        first = self.pathway.components.order_by("position").first()
        assert first is not None
        pathways.record_component_progress(
            enrolment, first, actor=self.alice, status=ComponentProgress.Status.PASSED, grade="5"
        )
        body = self.ok(self.get(f"/pathway-enrolments/{enrolment.public_id}", user=self.bob))
        self.assertEqual(body["status"], "accepted")
        self.assertEqual((body["progress"][0]["status"], body["progress"][0]["grade"]), ("passed", "5"))
        self.assertEqual((body["passed"], body["passed_ects"]), (1, 6))

    def test_applying_is_for_students_once_while_published(self) -> None:
        path = f"/pathways/{self.pathway.public_id}/apply"
        self.assert_problem(self.call("post", path, {}, user=self.colette), 403)
        self.ok(self.call("post", path, user=self.bob), 201)  # the body is optional
        self.assert_problem(self.call("post", path, {}, user=self.bob), 409)
        self.assert_problem(self.call("post", f"/pathways/{self.draft.public_id}/apply", {}, user=self.bob), 404)
        fields = self.error_fields(self.call("post", path, {"motivation": "x" * 4001}, user=self.erin))
        self.assertEqual(set(fields), {"motivation"})

    def test_an_enrolment_is_404_to_those_who_may_not_read_it(self) -> None:
        enrolment = pathways.apply_to_pathway(self.pathway, student=self.bob, home=self.inst_a)
        path = f"/pathway-enrolments/{enrolment.public_id}"
        self.assertEqual(self.get(path).status_code, 200)  # officer of the managing institution
        self.assert_problem(self.get(path, user=self.erin), 404)  # another student
        self.assert_problem(self.get(path, user=self.carol), 404)  # B neither manages it nor sends bob
        self.assert_problem(Client().get(f"/api/v1{path}?institution=univ-a"), 401)


# ---- joint programmes ------------------------------------------------------------------------------------------


class ProgrammeTests(CatalogueApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        data = ProgrammeInput(
            kind=JointProgramme.Kind.DOUBLE, titles={"en": "Double licence in law", "fr": "Double licence en droit"},
            partners=[cls.inst_b], alliance=cls.south, semesters=6, eqf_level=6, ects=Decimal(180),
            languages=["fr", "en"],
            windows=[WindowInput(5, cls.inst_b), WindowInput(6, cls.inst_b, Mode.BLENDED, "Thesis")],
        )  # fmt: skip
        cls.licence = programmes.create_programme(cls.inst_a, data, actor=cls.alice)
        for student, home, intake in (
            (cls.bob, cls.inst_a, "2025/2026"),
            (cls.dan, cls.inst_b, "2025/2026"),
            (cls.erin, cls.inst_a, "2026/2027"),
        ):
            programmes.add_cohort_member(cls.licence, student=student, home=home, intake_year=intake, actor=cls.alice)

    def test_it_lists_the_programmes_we_take_part_in(self) -> None:
        body = self.ok(self.get("/programmes"))
        self.assertEqual(body["count"], 1)
        row = body["results"][0]
        self.assertEqual(
            (row["kind"], row["title"], row["our_part"], row["cohort_size"]),
            ("double", "Double licence in law", "managing", 3),
        )
        self.assertEqual([p["slug"] for p in row["partners"]], ["univ-b"])
        self.assertEqual(self.ok(self.get("/programmes", user=self.carol))["results"][0]["our_part"], "partner")
        self.assertEqual(
            self.ok(self.get("/programmes", user=self.carlo, institution="univ-c"))["results"][0]["our_part"],
            "alliance",
        )
        with self.assertNumQueries(5):  # token, memberships, count, page, partners
            self.get("/programmes")

    def test_it_shows_the_windows_and_the_cohorts_with_names_to_those_taking_part(self) -> None:
        path = f"/programmes/{self.licence.public_id}"
        body = self.ok(self.get(path))
        self.assertEqual(
            [(w["semester"], w["host"]["slug"], w["mode"], w["note"]) for w in body["windows"]],
            [(5, "univ-b", "physical", ""), (6, "univ-b", "blended", "Thesis")],
        )
        self.assertEqual([(c["intake_year"], c["size"]) for c in body["cohorts"]], [("2026/2027", 1), ("2025/2026", 2)])
        self.assertEqual(
            sorted(s["student"]["name"] for s in body["cohorts"][1]["students"]), ["Bob Student", "Dan Student"]
        )
        self.assertEqual((body["editable"], body["cohort_size"]), (True, 3))
        partner = self.ok(self.get(path, user=self.carol))
        self.assertIsNotNone(partner["cohorts"][0]["students"])
        # C is only in the programme's alliance: counts, no names. A student of A: no names either.
        for reader, slug in ((self.carlo, "univ-c"), (self.bob, "univ-a")):
            other = self.ok(self.get(path, user=reader, institution=slug))
            self.assertEqual([(c["size"], c["students"]) for c in other["cohorts"]], [(1, None), (2, None)])
            self.assertFalse(other["editable"])

    def test_a_programme_of_no_concern_is_404(self) -> None:
        outsider = make_hosted_institution("univ-x", name="Outsider")
        officer = make_member("x@x.test", outsider, Role.OFFICER)
        secret = accounts.create_api_token(officer, name="tests")[1]
        self.assert_problem(
            self.api_get(f"/programmes/{self.licence.public_id}", {"institution": "univ-x"}, secret=secret), 404
        )
        self.assert_problem(
            self.get(f"/programmes/{self.licence.public_id}", user=self.carol, institution="univ-a"), 404
        )
        self.assert_problem(Client().get(f"/api/v1/programmes/{self.licence.public_id}?institution=univ-a"), 401)
