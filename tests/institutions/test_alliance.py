from django.urls import reverse

from mobilitas.institutions.models import Alliance, AllianceMember
from tests.base import TenantTestCase
from tests.factories import make_institution


class AlliancePageTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.skovde = make_institution(
            name="HOGSKOLAN I SKOVDE", names={"sv": "Högskolan i Skövde", "en": "University of Skövde"},
            country="SE", city="Skövde", erasmus_code="S  SKOVDE01", schac_code="his.se",
        )  # fmt: skip
        cls.alliance = Alliance.objects.create(slug="ingenium", name="INGENIUM", coordinator=cls.inst_b)
        for member in (cls.inst_a, cls.inst_b, cls.skovde):
            AllianceMember.objects.create(alliance=cls.alliance, institution=member)
        cls.other = Alliance.objects.create(slug="other", name="Other Alliance")
        AllianceMember.objects.create(alliance=cls.other, institution=cls.inst_b)
        cls.url = reverse("institutions-alliance", args=[cls.inst_a.slug, "ingenium"])

    def test_it_lists_the_members_with_their_codes(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>INGENIUM</h1>", html=True)
        self.assertContains(response, "3 member institutions")
        detail = reverse("institutions-detail", args=[self.inst_a.slug, self.skovde.public_id])
        self.assertContains(response, f'<a href="{detail}">University of Skövde</a>', html=True)
        for text in ("Sweden", "Skövde", "his.se", "Spain", "Oviedo"):
            self.assertContains(response, text)
        self.assertContains(response, '<span class="code">S  SKOVDE01</span>', html=True)

    def test_it_marks_the_coordinator(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, '<span class="badge ok">coordinator</span>', count=1, html=True)
        coordinators = [m.institution for m in response.context["members"] if m.is_coordinator]
        self.assertEqual(coordinators, [self.inst_b])

    def test_it_answers_404_for_an_alliance_we_are_not_in(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(reverse("institutions-alliance", args=[self.inst_a.slug, "other"]))
        self.assertEqual(response.status_code, 404)
        response = self.client.get(reverse("institutions-alliance", args=[self.inst_a.slug, "no-such-alliance"]))
        self.assertEqual(response.status_code, 404)

    def test_it_sends_anonymous_visitors_to_the_login_page(self) -> None:
        self.assert_redirects_to_login(self.url)

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url)
        # Through her own prefix she sees INGENIUM (B is a member), but never A's alliance-less pages.
        AllianceMember.objects.filter(alliance=self.alliance, institution=self.inst_b).delete()
        self.assert_carol_gets_404(reverse("institutions-alliance", args=[self.inst_b.slug, "ingenium"]))
