import json

from django.test import Client, RequestFactory, SimpleTestCase

from mobilitas.api.urls import api
from mobilitas.lib.errors import Conflict
from tests.api.base import ApiTestCase


class ProblemDetailsTests(ApiTestCase):
    def test_it_describes_an_unknown_id_as_a_404_problem(self) -> None:
        body = self.assert_problem(self.api_get("/institutions/00000000-0000-4000-8000-000000000000"), 404)
        self.assertEqual(body["type"], "about:blank")
        self.assertEqual(body["title"], "Not Found")
        self.assertEqual(body["detail"], "Nothing here has this address or id.")

    def test_it_describes_an_unknown_address_as_a_404_problem(self) -> None:
        self.assert_problem(self.api_get("/no/such/thing"), 404)

    def test_it_lists_the_invalid_parameters_in_a_422_problem(self) -> None:
        response = self.api_get("/institutions", {"page_size": 101, "page": 0, "hosted": "perhaps"})
        body = self.assert_problem(response, 422)
        self.assertEqual(body["type"], "/api/v1/problems/validation-error")
        fields = {error["field"]: error for error in body["errors"]}
        self.assertEqual(set(fields), {"page_size", "page", "hosted"})
        self.assertEqual(fields["page_size"]["location"], "query")
        self.assertEqual(fields["page_size"]["code"], "less_than_equal")
        self.assertIn("page_size", body["detail"])

    def test_it_rejects_a_malformed_id_with_422(self) -> None:
        body = self.assert_problem(self.api_get("/institutions/not-a-uuid"), 422)
        self.assertEqual(body["errors"][0]["location"], "path")
        self.assertEqual(body["errors"][0]["field"], "public_id")

    def test_it_describes_a_wrong_method_as_a_405_problem(self) -> None:
        response = Client().delete("/api/v1/institutions", headers={"Authorization": f"Bearer {self.secret}"})
        body = self.assert_problem(response, 405)
        self.assertIn("DELETE", body["detail"])
        self.assertEqual(response["Allow"], "GET")

    def test_it_documents_its_problem_types(self) -> None:
        body = self.assert_problem(self.api_get("/institutions", {"page": 0}), 422)
        description = self.client.get(body["type"])
        self.assertEqual(description.status_code, 200)
        self.assertEqual(description.json()["type"], body["type"])

    def test_it_answers_401_before_saying_anything_about_ids(self) -> None:
        response = self.client.get("/api/v1/institutions/00000000-0000-4000-8000-000000000000")
        self.assert_problem(response, 401)


class ProblemMappingTests(SimpleTestCase):
    """Errors no endpoint raises yet, mapped through the API's handlers as a router would see them."""

    def setUp(self) -> None:
        self.request = RequestFactory().get("/api/v1/anything")

    def test_it_maps_a_domain_error_to_its_status(self) -> None:
        response = api.on_exception(self.request, Conflict("This is already done.", field="name"))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        body = json.loads(response.content)
        self.assertEqual(body["type"], "/api/v1/problems/domain-error")
        self.assertEqual((body["detail"], body["field"]), ("This is already done.", "name"))

    def test_it_hides_an_unexpected_error_behind_a_500_problem(self) -> None:
        with self.assertLogs("mobilitas.api.problems", level="ERROR"):
            response = api.on_exception(self.request, RuntimeError("secret internals"))
        self.assertEqual(response.status_code, 500)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        self.assertNotIn(b"secret internals", response.content)
