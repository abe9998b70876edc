"""The tenant test base: two hosted institutions and three personas.

alice is an officer of institution A, bob a student of A, carol an officer of B. Every view test includes
"carol gets 404" for A's pages: another institution's data is answered exactly like missing data.
"""

from django.test import TestCase
from django.urls import reverse

from mobilitas.institutions.models import Role
from tests.factories import make_hosted_institution, make_member


class TenantTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.inst_a = make_hosted_institution(
            "univ-a", name="Université A", names={"fr": "Université A", "en": "University A"}, country="FR"
        )
        cls.inst_b = make_hosted_institution(
            "univ-b", name="Universidad B", names={"es": "Universidad B", "en": "University B"}, country="ES",
            city="Oviedo", erasmus_code="E  OVIEDO01",
        )  # fmt: skip
        cls.alice = make_member("alice@a.test", cls.inst_a, Role.OFFICER, full_name="Alice Officer")
        cls.bob = make_member("bob@a.test", cls.inst_a, Role.STUDENT, full_name="Bob Student")
        cls.carol = make_member("carol@b.test", cls.inst_b, Role.OFFICER, full_name="Carol Officer")

    def assert_redirects_to_login(self, url: str) -> None:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts-login")))

    def assert_carol_gets_404(self, url: str, method: str = "get", data: dict | None = None) -> None:
        self.client.force_login(self.carol)
        response = getattr(self.client, method)(url, data or {})
        self.assertEqual(response.status_code, 404, f"carol (officer of B) must get 404 for {url}")
