from django.urls import reverse

from mobilitas.institutions.models import Membership, Role
from tests.accounts.helpers import make_token
from tests.base import TenantTestCase
from tests.factories import make_ounit


class AccountPageTests(TenantTestCase):
    url = reverse("accounts-tokens")

    def test_it_asks_to_log_in(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('accounts-login')}?next={self.url}", fetch_redirect_response=False)

    def test_it_shows_name_and_email(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, "Alice Officer")
        self.assertContains(response, "alice@a.test")
        self.assertContains(response, reverse("accounts-password-change"))

    def test_it_lists_memberships_with_role_and_unit(self) -> None:
        law = make_ounit(self.inst_a, "LAW", "Faculty of Law")
        Membership.objects.create(user=self.alice, institution=self.inst_b, role=Role.COORDINATOR, ounit=law)
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, "University A")
        self.assertContains(response, "International relations officer")
        self.assertContains(response, "University B")
        self.assertContains(response, "Faculty coordinator")
        self.assertContains(response, "Faculty of Law")

    def test_it_lists_only_my_tokens(self) -> None:
        make_token(self.alice, "alice-report")
        make_token(self.bob, "bob-script")
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, "alice-report")
        self.assertNotContains(response, "bob-script")

    def test_it_never_shows_a_secret_again(self) -> None:
        token, secret = make_token(self.alice)
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, token.hint)
        self.assertNotContains(response, secret)

    def test_it_labels_every_input(self) -> None:
        make_token(self.alice)
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, '<label for="id_language">')
        self.assertContains(response, '<label for="id_name">')

    def test_it_is_not_cached(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertIn("no-store", response["Cache-Control"])
