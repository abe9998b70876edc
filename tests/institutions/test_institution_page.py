import uuid
from datetime import date

from django.urls import reverse

from mobilitas.institutions.models import Alliance, AllianceMember, Contact
from tests.base import TenantTestCase
from tests.factories import make_institution, make_ounit


class InstitutionPageTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.partner = make_institution(
            name="UNIVERSITE DE PICARDIE JULES VERNE",
            names={"fr": "Université de Picardie Jules Verne", "en": "University of Picardie Jules Verne"},
            city="Amiens", street="Chemin du Thil", postcode="80025", erasmus_code="F  AMIENS01",
            schac_code="u-picardie.fr", pic="999876543", oid="E10208999", website="https://www.u-picardie.fr",
            charter_start=date(2014, 1, 1), charter_end=date(2020, 12, 31), latitude=49.894, longitude=2.2957,
        )  # fmt: skip
        cls.url = reverse("institutions-detail", args=[cls.inst_a.slug, cls.partner.public_id])

    def get(self, url: str | None = None, user=None):  # type: ignore[no-untyped-def]
        self.client.force_login(user or self.alice)
        return self.client.get(url or self.url)

    def test_it_shows_the_public_facts(self) -> None:
        response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>University of Picardie Jules Verne</h1>", html=True)
        self.assertContains(response, "UNIVERSITE DE PICARDIE JULES VERNE")
        self.assertContains(response, '<dd lang="fr">Université de Picardie Jules Verne</dd>', html=True)
        self.assertContains(response, "Name in French")
        self.assertContains(response, '<span class="code">F  AMIENS01</span>', html=True)
        for text in ("u-picardie.fr", "999876543", "E10208999", "Chemin du Thil", "80025 Amiens", "France"):
            self.assertContains(response, text)
        self.assertContains(response, '<a href="https://www.u-picardie.fr" rel="noopener noreferrer">', html=False)

    def test_it_marks_an_expired_charter(self) -> None:
        response = self.get()
        self.assertContains(response, '<span class="badge warn">expired</span>', html=True)

    def test_it_links_the_coordinates_to_openstreetmap(self) -> None:
        response = self.get()
        self.assertContains(
            response, "https://www.openstreetmap.org/?mlat=49.89400&amp;mlon=2.29570#map=16/49.89400/2.29570"
        )

    def test_it_links_a_bare_website_with_https_and_never_a_script(self) -> None:
        bare = make_institution(website="www.example-university.eu")
        response = self.get(reverse("institutions-detail", args=[self.inst_a.slug, bare.public_id]))
        self.assertContains(response, 'href="https://www.example-university.eu"')
        script = make_institution(website="javascript:alert(1)")
        response = self.get(reverse("institutions-detail", args=[self.inst_a.slug, script.public_id]))
        self.assertContains(response, "javascript:alert(1)")
        self.assertNotContains(response, 'href="javascript:')

    def test_it_shows_the_units_of_a_hosted_institution(self) -> None:
        science = make_ounit(self.inst_b, "CIENCIAS", "Facultad de Ciencias", names={"en": "Faculty of Science"})
        make_ounit(self.inst_b, "QUIMICA", "Departamento de Química", parent=science)
        response = self.get(reverse("institutions-detail", args=[self.inst_a.slug, self.inst_b.public_id]))
        self.assertContains(response, "Organisational units")
        self.assertContains(response, "Faculty of Science")
        self.assertContains(response, "Departamento de Química")

    def test_it_shows_the_alliances_it_belongs_to(self) -> None:
        ours = Alliance.objects.create(slug="ours", name="Our Alliance")
        theirs = Alliance.objects.create(slug="theirs", name="Their Alliance")
        for alliance, member in ((ours, self.inst_a), (ours, self.partner), (theirs, self.partner)):
            AllianceMember.objects.create(alliance=alliance, institution=member)
        response = self.get()
        alliance_url = reverse("institutions-alliance", args=[self.inst_a.slug, "ours"])
        self.assertContains(response, f'<a href="{alliance_url}">Our Alliance</a>', html=True)
        # An alliance we are not in is named but not linked: its page would answer 404.
        self.assertContains(response, "Their Alliance")
        self.assertNotContains(response, reverse("institutions-alliance", args=[self.inst_a.slug, "theirs"]))

    def test_it_shows_only_the_contacts_our_institution_keeps(self) -> None:
        Contact.objects.create(institution=self.inst_a, partner=self.partner, name="Paul Partner", email="paul@x.test")
        Contact.objects.create(institution=self.inst_b, partner=self.partner, name="Secret Contact of B")
        response = self.get()
        self.assertContains(response, "Paul Partner")
        self.assertContains(response, '<a href="mailto:paul@x.test">paul@x.test</a>', html=True)
        self.assertNotContains(response, "Secret Contact of B")

    def test_it_offers_the_contact_form_to_officers_only(self) -> None:
        add_url = reverse("institutions-contact-add", args=[self.inst_a.slug, self.partner.public_id])
        self.assertContains(self.get(user=self.alice), f'action="{add_url}"')
        response = self.get(user=self.bob)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, add_url)
        self.assertNotContains(response, "Add a contact")

    def test_it_answers_404_for_an_unknown_institution(self) -> None:
        response = self.get(reverse("institutions-detail", args=[self.inst_a.slug, uuid.uuid4()]))
        self.assertEqual(response.status_code, 404)

    def test_it_sends_anonymous_visitors_to_the_login_page(self) -> None:
        self.assert_redirects_to_login(self.url)

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url)
