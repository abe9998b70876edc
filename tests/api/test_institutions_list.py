from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.base import ApiTestCase
from tests.factories import make_institution


class InstitutionListTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.leon = make_institution(
            name="Universidad de León", country="ES", city="León", erasmus_code="E  LEON01", schac_code="unileon.es"
        )
        cls.liege = make_institution(
            name="Université de Liège", country="BE", city="Liège", erasmus_code="B  LIEGE01", schac_code="uliege.be"
        )
        cls.vienna = make_institution(
            name="Universität Wien", names={"de": "Universität Wien", "en": "University of Vienna"}, country="AT",
            city="Wien", erasmus_code="A  WIEN01", schac_code="univie.ac.at",
        )  # fmt: skip

    def names(self, params: dict | None = None) -> list[str]:
        response = self.api_get("/institutions", params)
        self.assertEqual(response.status_code, 200, response.content)
        return [result["name"] for result in response.json()["results"]]

    def test_it_lists_the_directory_by_country_then_name(self) -> None:
        response = self.api_get("/institutions")
        body = response.json()
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertEqual(body["count"], 5)
        self.assertEqual(body["page"], 1)
        self.assertEqual(body["page_size"], 20)
        self.assertEqual(
            [r["country"] + " " + r["name"] for r in body["results"]],
            ["AT Universität Wien", "BE Université de Liège", "ES Universidad B", "ES Universidad de León",
             "FR Université A"],
        )  # fmt: skip

    def test_it_shows_public_fields_and_no_integer_ids(self) -> None:
        result = self.api_get("/institutions", {"schac_code": "unileon.es"}).json()["results"][0]
        self.assertEqual(result["public_id"], str(self.leon.public_id))
        self.assertEqual(result["erasmus_code"], "E  LEON01")
        self.assertEqual(result["city"], "León")
        self.assertNotIn("id", result)
        self.assertNotIn("search_text", result)
        self.assertNotIn("slug", result)
        self.assertNotIn("street", result)

    def test_it_searches_without_case_or_accents(self) -> None:
        self.assertEqual(self.names({"q": "LEON"}), ["Universidad de León"])
        self.assertEqual(self.names({"q": "liège"}), ["Université de Liège"])
        self.assertEqual(self.names({"q": "UNIVERSITE liege"}), ["Université de Liège"])

    def test_it_searches_names_in_every_language_and_codes(self) -> None:
        self.assertEqual(self.names({"q": "vienna"}), ["Universität Wien"])
        self.assertEqual(self.names({"q": "wien01"}), ["Universität Wien"])
        self.assertEqual(self.names({"q": "nowhere"}), [])

    def test_it_filters_by_country_in_any_case(self) -> None:
        self.assertEqual(self.names({"country": "es"}), ["Universidad B", "Universidad de León"])

    def test_it_filters_hosted_institutions(self) -> None:
        self.assertEqual(self.names({"hosted": "true"}), ["Universidad B", "Université A"])
        self.assertEqual(len(self.names({"hosted": "false"})), 3)

    def test_it_filters_by_erasmus_code_however_spaced(self) -> None:
        self.assertEqual(self.names({"erasmus_code": "e leon01"}), ["Universidad de León"])

    def test_it_filters_by_schac_code(self) -> None:
        self.assertEqual(self.names({"schac_code": "ULIEGE.BE"}), ["Université de Liège"])

    def test_it_combines_filters(self) -> None:
        self.assertEqual(self.names({"country": "ES", "q": "universidad", "hosted": "false"}), ["Universidad de León"])

    def test_it_pages(self) -> None:
        body = self.api_get("/institutions", {"page": 2, "page_size": 2}).json()
        self.assertEqual(body["count"], 5)
        self.assertEqual(body["page"], 2)
        self.assertEqual([r["name"] for r in body["results"]], ["Universidad B", "Universidad de León"])

    def test_it_answers_an_empty_page_past_the_end(self) -> None:
        body = self.api_get("/institutions", {"page": 9, "page_size": 2}).json()
        self.assertEqual((body["count"], body["results"]), (5, []))

    def test_it_refuses_pages_over_100(self) -> None:
        self.assert_problem(self.api_get("/institutions", {"page_size": 101}), 422)
        self.assertEqual(self.api_get("/institutions", {"page_size": 100}).status_code, 200)

    def test_it_uses_a_constant_number_of_queries(self) -> None:
        self.api_get("/institutions")  # the first call of the minute also records the token's use

        def queries_for_a_full_page() -> int:
            with CaptureQueriesContext(connection) as context:
                response = self.api_get("/institutions", {"page_size": 100})
            self.assertEqual(response.json()["results"].__len__(), min(response.json()["count"], 100))
            return len(context)

        few = queries_for_a_full_page()
        for n in range(60):
            make_institution(name=f"Hochschule {n}", country="DE")
        self.assertEqual(queries_for_a_full_page(), few)
        # token lookup, count, page
        with self.assertNumQueries(3):
            self.api_get("/institutions", {"page_size": 100})
