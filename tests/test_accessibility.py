"""Structural accessibility checks on every page: labelled form controls, one h1, a language, alt texts.

They do not replace an audit with a screen reader; they keep the rules the templates follow from eroding.
"""

from html.parser import HTMLParser

from django.urls import reverse

from mobilitas.institutions.models import Alliance, AllianceMember, Contact, Role
from tests.base import TenantTestCase
from tests.factories import make_member, make_ounit

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class PageStructure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.label_targets: set[str] = set()
        self.label_depth = 0
        self.h1_count = 0
        self.html_lang = ""
        self.images_without_alt: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html_lang = a.get("lang", "")
        elif tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_targets.add(a["for"])
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "img" and "alt" not in a:
            self.images_without_alt.append(a.get("src", "?"))
        elif tag in ("input", "select", "textarea") and a.get("type", "text") not in UNLABELLED_TYPES:
            self.controls.append({**a, "_tag": tag, "_wrapped": "1" if self.label_depth else ""})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth = max(0, self.label_depth - 1)

    def unlabelled(self) -> list[str]:
        return [
            f"<{c['_tag']} name={c.get('name', '?')}>"
            for c in self.controls
            if not (
                c["_wrapped"] or c.get("aria-label") or c.get("aria-labelledby") or c.get("id") in self.label_targets
            )
        ]


class AccessibilityTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        unit = make_ounit(cls.inst_a, "SCI", "Faculty of Science")
        cls.coordinator = make_member("coord@a.test", cls.inst_a, Role.COORDINATOR, ounit=unit)
        cls.leader = make_member("lead@a.test", cls.inst_a, Role.LEADERSHIP)
        alliance = Alliance.objects.create(slug="test-alliance", name="Test Alliance", coordinator=cls.inst_a)
        AllianceMember.objects.create(alliance=alliance, institution=cls.inst_a)
        AllianceMember.objects.create(alliance=alliance, institution=cls.inst_b)
        Contact.objects.create(institution=cls.inst_a, partner=cls.inst_b, name="Someone", email="someone@b.test")

    def check(self, url: str) -> None:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.unlabelled(), [], f"form controls without a label on {url}")
        self.assertEqual(page.h1_count, 1, f"{url} must have exactly one h1")
        self.assertIn(page.html_lang, {"en", "fr"}, url)
        self.assertEqual(page.images_without_alt, [], url)

    def test_it_labels_every_control_on_the_officers_pages(self) -> None:
        self.client.force_login(self.alice)
        slug = self.inst_a.slug
        for url in [
            reverse("home-institution", args=[slug]),
            reverse("institutions-directory", args=[slug]),
            reverse("institutions-directory", args=[slug]) + "?q=univ&country=ES",
            reverse("institutions-detail", args=[slug, self.inst_b.public_id]),
            reverse("institutions-organisation", args=[slug]),
            reverse("institutions-alliance", args=[slug, "test-alliance"]),
            reverse("audit-activity", args=[slug]),
            reverse("accounts-tokens"),
            reverse("accounts-password-change"),
        ]:
            with self.subTest(url=url):
                self.check(url)

    def test_it_labels_every_control_on_the_other_roles_home_pages(self) -> None:
        for user in (self.bob, self.coordinator, self.leader):
            with self.subTest(user=user.email):
                self.client.force_login(user)
                self.check(reverse("home-institution", args=[self.inst_a.slug]))

    def test_it_labels_every_control_on_the_public_pages(self) -> None:
        for url in [reverse("accounts-login"), reverse("accounts-password-reset")]:
            with self.subTest(url=url):
                self.check(url)

    def test_it_labels_every_control_in_french_too(self) -> None:
        self.client.force_login(self.alice)
        self.client.cookies.load({"django_language": "fr"})
        response = self.client.get(reverse("institutions-directory", args=[self.inst_a.slug]))
        self.assertContains(response, 'lang="fr"')
        self.assertContains(response, "Annuaire des partenaires")
        self.check(reverse("institutions-directory", args=[self.inst_a.slug]))
