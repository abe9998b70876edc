from django.urls import reverse

from mobilitas.institutions.models import Alliance, AllianceMember, OrganisationalUnit, Role
from tests.base import TenantTestCase
from tests.factories import make_member, make_ounit


class OrganisationPageTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.url = reverse("institutions-organisation", args=[cls.inst_a.slug])
        cls.science = make_ounit(cls.inst_a, "SCIENCES", "UFR des Sciences", names={"en": "Faculty of Science"})
        make_ounit(cls.inst_a, "SCI-INFO", "Département d'informatique", parent=cls.science,
                   kind=OrganisationalUnit.Kind.DEPARTMENT)  # fmt: skip
        make_ounit(cls.inst_a, "DRI", "Direction des relations internationales", kind=OrganisationalUnit.Kind.OFFICE)
        make_ounit(cls.inst_b, "ORI", "Oficina de Relaciones Internacionales")

    def get(self, user=None):  # type: ignore[no-untyped-def]
        self.client.force_login(user or self.bob)
        return self.client.get(self.url)

    def test_it_shows_the_facts_of_our_institution(self) -> None:
        response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>University A</h1>", html=True)
        self.assertContains(response, '<dd lang="fr">Université A</dd>', html=True)
        self.assertContains(response, f'<span class="code">{self.inst_a.erasmus_code}</span>', html=True)

    def test_it_shows_the_unit_tree(self) -> None:
        response = self.get()
        self.assertContains(response, "Faculty of Science")
        self.assertNotContains(response, "Oficina de Relaciones Internacionales")
        tree = response.context["tree"]
        self.assertEqual([node.unit.code for node in tree], ["DRI", "SCIENCES"])
        self.assertEqual([node.unit.code for node in tree[1].children], ["SCI-INFO"])
        content = response.content.decode()
        # The department is rendered in a list nested inside its faculty's item.
        faculty = content.index("Faculty of Science")
        self.assertLess(faculty, content.index('<ul class="tree">', faculty), "nested list after the faculty")
        self.assertLess(content.index('<ul class="tree">', faculty), content.index("Département d&#x27;informatique"))

    def test_it_loads_the_tree_in_one_query(self) -> None:
        self.client.force_login(self.bob)
        # session, user, memberships, members per role, units, alliances
        with self.assertNumQueries(6):
            self.client.get(self.url)
        for n in range(10):
            make_ounit(self.inst_a, f"DEP{n}", f"Department {n}", parent=self.science)
        with self.assertNumQueries(6):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["tree"][1].children), 11)

    def test_it_counts_the_members_per_role(self) -> None:
        make_member("dave@a.test", self.inst_a, Role.STUDENT)
        make_member("erin@b.test", self.inst_b, Role.STUDENT)
        response = self.get()
        self.assertEqual(response.context["role_counts"], [("Student", 2), ("International relations officer", 1)])
        self.assertContains(response, '<tr><th scope="row">Student</th><td>2</td></tr>', html=True)

    def test_it_links_our_alliances(self) -> None:
        ours = Alliance.objects.create(slug="ours", name="Our Alliance", coordinator=self.inst_b)
        theirs = Alliance.objects.create(slug="theirs", name="Their Alliance")
        AllianceMember.objects.create(alliance=ours, institution=self.inst_a)
        AllianceMember.objects.create(alliance=theirs, institution=self.inst_b)
        response = self.get()
        url = reverse("institutions-alliance", args=[self.inst_a.slug, "ours"])
        self.assertContains(response, f'<a href="{url}">Our Alliance</a>', html=True)
        self.assertContains(response, "coordinated by University B")
        self.assertNotContains(response, "Their Alliance")

    def test_it_sends_anonymous_visitors_to_the_login_page(self) -> None:
        self.assert_redirects_to_login(self.url)

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url)
