from django.test import TestCase


class ApiIndexTests(TestCase):
    def test_it_points_to_the_docs_without_a_token(self) -> None:
        response = self.client.get("/api/v1/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"docs": "/api/v1/docs", "openapi": "/api/v1/openapi.json"})
        self.assertEqual(self.client.get(response.json()["docs"]).status_code, 200)
