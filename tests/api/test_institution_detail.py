from typing import Any

from mobilitas.institutions.models import Alliance, AllianceMember
from tests.api.base import ApiTestCase
from tests.factories import make_institution, make_ounit


def keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


class InstitutionDetailTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.partner = make_institution(name="Universidad de León", country="ES", schac_code="unileon.es", pic="999")
        cls.faculty = make_ounit(cls.inst_a, "SCI", "Faculty of Science", names={"fr": "Faculté des sciences"})
        cls.department = make_ounit(cls.inst_a, "SCI-PHY", "Physics", parent=cls.faculty, kind="department")
        make_ounit(cls.inst_b, "LAW", "Facultad de Derecho")
        cls.alliance = Alliance.objects.create(slug="eu-one", name="EU One", website="https://eu-one.example")
        AllianceMember.objects.create(alliance=cls.alliance, institution=cls.inst_a)

    def test_it_shows_the_public_fields_of_a_partner(self) -> None:
        body = self.api_get(f"/institutions/{self.partner.public_id}").json()
        self.assertEqual(body["name"], "Universidad de León")
        self.assertEqual(body["schac_code"], "unileon.es")
        self.assertEqual(body["pic"], "999")
        self.assertFalse(body["hosted"])
        self.assertIsNone(body["organisational_units"])
        self.assertIsNone(body["alliances"])

    def test_it_adds_units_and_alliances_of_a_hosted_institution(self) -> None:
        body = self.api_get(f"/institutions/{self.inst_a.public_id}").json()
        units = {unit["code"]: unit for unit in body["organisational_units"]}
        self.assertEqual(set(units), {"SCI", "SCI-PHY"})  # not B's faculty
        self.assertEqual(units["SCI-PHY"]["parent"], str(self.faculty.public_id))
        self.assertEqual(units["SCI-PHY"]["kind"], "department")
        self.assertIsNone(units["SCI"]["parent"])
        self.assertEqual(units["SCI"]["names"], {"fr": "Faculté des sciences"})
        self.assertEqual(
            body["alliances"],
            [{"public_id": str(self.alliance.public_id), "slug": "eu-one", "name": "EU One",
              "website": "https://eu-one.example"}],
        )  # fmt: skip

    def test_it_never_shows_integer_ids(self) -> None:
        body = self.api_get(f"/institutions/{self.inst_a.public_id}").json()
        leaked = {key for key in keys_of(body) if key in {"id", "pk"} or (key.endswith("_id") and key != "public_id")}
        self.assertEqual(leaked, set())

    def test_it_answers_404_for_an_unknown_id(self) -> None:
        self.assert_problem(self.api_get("/institutions/3f1c7a52-6d0e-4a53-9a3b-0c9a8f1e2d44"), 404)
