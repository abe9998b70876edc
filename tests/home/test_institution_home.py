from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mobilitas.audit import record
from mobilitas.institutions.models import Alliance, AllianceMember, Membership, OrganisationalUnit, Role
from tests.base import TenantTestCase
from tests.factories import make_institution, make_member, make_ounit

FACULTY = OrganisationalUnit.Kind.FACULTY
DEPARTMENT = OrganisationalUnit.Kind.DEPARTMENT


class InstitutionHomeTestCase(TenantTestCase):
    """University A has two faculties, belongs to the alliance Unita with B and C, and has a trail of events."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.url = reverse("home-institution", args=["univ-a"])
        cls.law = make_ounit(cls.inst_a, "LAW", "Faculty of Law", abbreviation="FDD", kind=FACULTY)
        cls.private_law = make_ounit(cls.inst_a, "LAW-PRIV", "Department of Private Law", cls.law, kind=DEPARTMENT)
        cls.sciences = make_ounit(cls.inst_a, "SCI", "Faculty of Sciences", kind=FACULTY)
        make_ounit(cls.inst_b, "DER", "Facultad de Derecho B")
        cls.inst_c = make_institution(
            name="Technische Universität C", country="DE", city="Darmstadt", latitude=49.87, longitude=8.65,
            charter_start=date(2021, 1, 1), charter_end=date(2099, 12, 31),
        )  # fmt: skip
        cls.inst_d = make_institution(name="Università D", country="IT", city="Torino", charter_end=date(2020, 1, 1))
        make_ounit(cls.inst_c, "ENG", "Fachbereich Maschinenbau")
        make_ounit(cls.inst_c, "INF", "Fachbereich Informatik")
        cls.unita = Alliance.objects.create(slug="unita", name="Unita", coordinator=cls.inst_a)
        for member in (cls.inst_a, cls.inst_b, cls.inst_c):
            AllianceMember.objects.create(alliance=cls.unita, institution=member)
        other = Alliance.objects.create(slug="other", name="Other alliance", coordinator=cls.inst_b)
        for member in (cls.inst_b, cls.inst_d):
            AllianceMember.objects.create(alliance=other, institution=member)
        cls.coordinator = make_member(
            "cora@a.test", cls.inst_a, Role.COORDINATOR, ounit=cls.law, full_name="Cora Coordinator"
        )
        Membership.objects.filter(user=cls.bob).update(ounit=cls.private_law)
        cls.teacher = make_member("tom@a.test", cls.inst_a, Role.STAFF, ounit=cls.private_law, full_name="Tom Teacher")
        cls.chemist = make_member("sam@a.test", cls.inst_a, Role.STAFF, ounit=cls.sciences, full_name="Sam Scientist")
        record("iia.approved", actor=cls.alice, institution=cls.inst_a, obj=cls.inst_c, data={"note": "signed"})
        record("secret.b-only", actor=cls.carol, institution=cls.inst_b, obj=cls.inst_d)

    def get_home(self, user):  # type: ignore[no-untyped-def]
        self.client.force_login(user)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        return response

    def section_keys(self, response) -> list[str]:  # type: ignore[no-untyped-def]
        return [section.key for section in response.context["sections"]]

    def test_it_shows_everyone_the_institution_facts_and_their_own_memberships(self) -> None:
        response = self.get_home(self.bob)
        self.assertContains(response, "<h1>University A</h1>", html=True)
        self.assertContains(response, "Université A")  # the legal name
        self.assertContains(response, "France")
        self.assertContains(response, "<td>Student</td>", html=True)

    def test_it_shows_the_student_their_faculty_and_its_coordinator(self) -> None:
        response = self.get_home(self.bob)
        self.assertContains(response, "Faculty of Law (FDD)")
        self.assertContains(response, "Department of Private Law")
        self.assertContains(response, "Cora Coordinator")
        self.assertContains(response, 'href="mailto:cora@a.test"')

    def test_it_shows_the_student_the_alliance_partners_they_could_go_to(self) -> None:
        response = self.get_home(self.bob)
        partners = response.context["sections"][self.section_keys(response).index("exchange_partners")].data
        self.assertEqual([row["institution"] for row in partners["partners"]], [self.inst_c, self.inst_b])
        self.assertContains(response, "Technische Universität C")
        self.assertContains(response, "Darmstadt")
        self.assertContains(response, "Germany")
        self.assertContains(response, "Oviedo")
        detail = reverse("institutions-detail", args=["univ-a", self.inst_c.public_id])
        self.assertContains(response, f'href="{detail}"')
        self.assertNotContains(response, "Università D")  # a member of another alliance only

    def test_it_tells_a_student_without_unit_whom_to_ask(self) -> None:
        Membership.objects.filter(user=self.bob).update(ounit=None)
        response = self.get_home(self.bob)
        self.assertContains(response, "Your student account is not attached to a faculty yet")

    def test_it_keeps_the_offices_sections_from_students(self) -> None:
        response = self.get_home(self.bob)
        self.assertEqual(self.section_keys(response), ["me", "faculty", "applying", "exchange_partners", "facts"])
        self.assertNotContains(response, "iia.approved")
        self.assertNotContains(response, reverse("audit-activity", args=["univ-a"]))

    def test_it_shows_the_coordinator_their_unit_sub_units_and_colleagues(self) -> None:
        response = self.get_home(self.coordinator)
        self.assertIn("coordinated_unit", self.section_keys(response))
        self.assertContains(response, "Faculty of Law (FDD)")
        self.assertContains(response, "Department of Private Law")
        self.assertContains(response, "Bob Student")
        self.assertContains(response, "Tom Teacher")
        self.assertNotContains(response, "Sam Scientist")  # in the faculty of sciences
        self.assertNotContains(response, "Facultad de Derecho B")

    def test_it_shows_the_officer_the_directory_in_numbers(self) -> None:
        response = self.get_home(self.alice)
        directory = response.context["sections"][self.section_keys(response).index("directory")].data
        # B, C and D: every institution of the directory but A itself.
        self.assertEqual((directory["total"], directory["charters"], directory["geocoded"]), (3, 1, 1))
        self.assertEqual(directory["countries"][0], {"country": "DE", "n": 1, "name": "Germany"})
        self.assertContains(response, '<span class="stat">3</span>', html=True)
        self.assertContains(response, "with an Erasmus Charter valid today (33%)")
        self.assertContains(response, "<td>Italy</td>", html=True)
        self.assertContains(response, f'href="{reverse("institutions-directory", args=["univ-a"])}"')

    def test_it_shows_the_officer_units_members_alliances_and_recent_activity(self) -> None:
        response = self.get_home(self.alice)
        self.assertEqual(
            self.section_keys(response),
            ["me", "facts", "calls_in_progress", "members", "units", "directory", "alliances", "activity"],
        )
        self.assertContains(response, "Faculty of Sciences")
        self.assertContains(response, "3 organisational units.")
        self.assertContains(response, "<tr><td>Staff member</td><td>2</td></tr>", html=True)
        self.assertContains(response, "5 people hold a membership here.")
        self.assertContains(response, "Unita")
        self.assertContains(response, "iia.approved")
        self.assertContains(response, "Technische Universität C")

    def test_it_never_shows_another_institutions_events_or_units(self) -> None:
        response = self.get_home(self.alice)
        self.assertNotContains(response, "secret.b-only")
        self.assertNotContains(response, "Facultad de Derecho B")

    def test_it_shows_hr_the_staff_members_per_unit(self) -> None:
        hr = make_member("hugo@a.test", self.inst_a, Role.HR, full_name="Hugo HR")
        response = self.get_home(hr)
        rows = response.context["sections"][self.section_keys(response).index("staff_by_unit")].data["rows"]
        self.assertEqual(
            [(row["unit"].name, row["count"]) for row in rows],
            [("Faculty of Law", 0), ("Department of Private Law", 1), ("Faculty of Sciences", 1)],
        )
        self.assertContains(
            response, "<tr><td>Department of Private Law</td><td>Faculty of Law</td><td>1</td></tr>", html=True
        )
        self.assertNotContains(response, "iia.approved")

    def test_it_shows_leadership_the_members_per_role_and_directory_coverage(self) -> None:
        rector = make_member("rita@a.test", self.inst_a, Role.LEADERSHIP, full_name="Rita Rector")
        response = self.get_home(rector)
        self.assertEqual(self.section_keys(response), ["me", "facts", "members", "directory", "alliances", "activity"])
        self.assertContains(response, "<tr><td>Leadership</td><td>1</td></tr>", html=True)
        self.assertContains(response, "placed on the map (33%)")

    def test_it_shows_the_alliance_office_every_member_with_its_units(self) -> None:
        office = make_member("olga@a.test", self.inst_a, Role.ALLIANCE_OFFICE, full_name="Olga Office")
        response = self.get_home(office)
        alliances = response.context["sections"][self.section_keys(response).index("alliance_members")].data
        self.assertEqual(
            [(m["institution"], m["units"]) for m in alliances["alliances"][0]["members"]],
            [(self.inst_c, 2), (self.inst_b, 1), (self.inst_a, 3)],
        )
        self.assertContains(response, "Darmstadt")
        self.assertContains(response, '<span class="badge ok">yes</span>', html=True, count=2)
        self.assertContains(response, f'href="{reverse("institutions-alliance", args=["univ-a", "unita"])}"')
        self.assertNotContains(response, "Other alliance")

    def test_it_shows_a_user_with_two_roles_the_sections_of_both(self) -> None:
        Membership.objects.create(user=self.bob, institution=self.inst_a, role=Role.HR)
        response = self.get_home(self.bob)
        keys = self.section_keys(response)
        self.assertIn("faculty", keys)
        self.assertIn("staff_by_unit", keys)
        self.assertEqual(len(keys), len(set(keys)))
        self.assertContains(response, "Cora Coordinator")
        self.assertContains(response, "Staff members by unit")

    def test_it_shows_the_staff_member_where_they_could_go(self) -> None:
        response = self.get_home(self.teacher)
        self.assertIn("exchange_partners", self.section_keys(response))
        self.assertContains(response, "Technische Universität C")

    def test_it_says_so_when_the_institution_has_no_alliance(self) -> None:
        AllianceMember.objects.filter(institution=self.inst_a).delete()
        response = self.get_home(self.bob)
        self.assertContains(response, "Your institution does not belong to a university alliance.")

    def test_it_survives_units_whose_parents_form_a_cycle(self) -> None:
        # The admin's raw parent field lets anyone enter a cycle; the page must still answer.
        OrganisationalUnit.objects.filter(pk=self.law.pk).update(parent=self.private_law)
        Membership.objects.create(user=self.coordinator, institution=self.inst_a, role=Role.OFFICER)
        response = self.get_home(self.coordinator)
        self.assertContains(response, "Department of Private Law")
        self.assertContains(response, "Tom Teacher")

    def test_it_runs_a_fixed_number_of_queries_for_an_officer(self) -> None:
        self.client.force_login(self.alice)
        # session, user, memberships; calls (2), members (2), units (2), directory (2), alliances (2), activity (1).
        with self.assertNumQueries(14):
            self.client.get(self.url)

    def test_it_runs_as_many_queries_with_more_rows(self) -> None:
        user = make_member("all@a.test", self.inst_a, Role.OFFICER, ounit=self.private_law)
        for role in Role.values:
            if role != Role.OFFICER:
                Membership.objects.create(user=user, institution=self.inst_a, role=role, ounit=self.private_law)
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as before:
            self.client.get(self.url)
        for n in range(5):
            unit = make_ounit(self.inst_a, f"EXTRA{n}", f"Extra unit {n}", self.private_law)
            partner = make_institution(country="PL")
            make_ounit(partner, "X", "Wydział")
            AllianceMember.objects.create(alliance=self.unita, institution=partner)
            make_member(f"extra{n}@a.test", self.inst_a, Role.STAFF, ounit=unit)
            record("iia.approved", actor=self.alice, institution=self.inst_a, obj=partner)
        with CaptureQueriesContext(connection) as after:
            response = self.client.get(self.url)
        self.assertContains(response, "Extra unit 4")
        self.assertEqual(len(after), len(before))

    def test_it_answers_404_to_carol(self) -> None:
        self.assert_carol_gets_404(self.url)

    def test_it_sends_anonymous_users_to_the_login_page(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('accounts-login')}?next={self.url}", fetch_redirect_response=False)
