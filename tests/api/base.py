from typing import Any

from django.test import Client

from mobilitas.accounts import services
from tests.base import TenantTestCase


class ApiTestCase(TenantTestCase):
    """Alice calls the API with a personal token made by the real service."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.api_token, cls.secret = services.create_api_token(cls.alice, name="tests")

    def api_get(self, path: str, params: dict[str, Any] | None = None, secret: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {secret or self.secret}"}
        # A fresh client: no session cookie can stand in for the token.
        return Client().get(f"/api/v1{path}", params or {}, headers=headers)

    def assert_problem(self, response: Any, status: int) -> dict[str, Any]:
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        body = response.json()
        self.assertEqual(body["status"], status)
        for member in ("type", "title", "detail"):
            self.assertIsInstance(body[member], str)
            self.assertTrue(body[member])
        return body
