from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from mobilitas.applications.models import Call
from mobilitas.institutions.models import Membership, Role
from tests.applications.factories import make_call
from tests.base import TenantTestCase
from tests.factories import make_institution, make_ounit, make_user


class IndexTestCase(TenantTestCase):
    url = reverse("home")

    def test_it_sends_anonymous_users_to_the_login_page(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('accounts-login')}?next=/", fetch_redirect_response=False)

    def test_it_sends_a_member_of_one_institution_to_its_home(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url)
        self.assertRedirects(response, "/univ-a/", fetch_redirect_response=False)

    def test_it_sends_a_user_with_two_roles_at_one_institution_to_its_home(self) -> None:
        Membership.objects.create(user=self.alice, institution=self.inst_a, role=Role.LEADERSHIP)
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertRedirects(response, "/univ-a/", fetch_redirect_response=False)

    def test_it_lets_a_member_of_two_institutions_choose_with_their_roles_there(self) -> None:
        law = make_ounit(self.inst_b, "LAW", "Facultad de Derecho")
        Membership.objects.create(user=self.alice, institution=self.inst_b, role=Role.COORDINATOR, ounit=law)
        Membership.objects.create(user=self.alice, institution=self.inst_a, role=Role.HR)
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Choose an institution")
        self.assertContains(response, '<a href="/univ-a/">University A</a>', html=True)
        self.assertContains(response, '<a href="/univ-b/">University B</a>', html=True)
        self.assertContains(response, "International relations officer")
        self.assertContains(response, "Human resources")
        self.assertContains(response, "Faculty coordinator, Facultad de Derecho")

    def test_it_tells_a_user_without_membership_whom_to_ask(self) -> None:
        self.client.force_login(make_user("nobody@example.test"))
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Your account has no institution yet")
        self.assertContains(response, "nobody@example.test")
        self.assertContains(response, "Ask the international relations office of your university")
        self.assertNotContains(response, reverse("admin:index"))

    def test_it_ignores_memberships_of_institutions_not_hosted_here(self) -> None:
        user = make_user("partner@example.test")
        Membership.objects.create(user=user, institution=make_institution(), role=Role.STAFF)
        self.client.force_login(user)
        response = self.client.get(self.url)
        self.assertContains(response, "Your account has no institution yet")

    def test_it_points_platform_staff_without_membership_to_the_administration(self) -> None:
        self.client.force_login(make_user("operator@example.test", is_staff=True))
        response = self.client.get(self.url)
        self.assertContains(response, f'href="{reverse("admin:index")}"')


class IndexOpenCallsTestCase(TenantTestCase):
    url = reverse("home")

    def test_a_user_without_membership_sees_the_institutions_with_an_open_call(self) -> None:
        now = timezone.now()
        make_call(self.inst_a)
        make_call(self.inst_a, title="Second open call")  # the institution is listed once
        make_call(self.inst_b, opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=9))  # not open yet
        make_call(self.inst_b, status=Call.Status.DRAFT)
        make_call(make_institution(name="Not hosted"))
        self.client.force_login(make_user("nobody@example.test"))
        response = self.client.get(self.url)
        self.assertEqual(response.context["open_calls"], [self.inst_a])
        self.assertContains(response, "Open calls")
        url = reverse("applications-public-calls", args=["univ-a"])
        self.assertContains(response, f'<a href="{url}">University A</a>', html=True)
        self.assertNotContains(response, reverse("applications-public-calls", args=["univ-b"]))

    def test_without_an_open_call_the_list_is_left_out(self) -> None:
        self.client.force_login(make_user("nobody@example.test"))
        response = self.client.get(self.url)
        self.assertNotContains(response, "Open calls")

    def test_the_choice_of_institutions_links_to_their_open_calls(self) -> None:
        Membership.objects.create(user=self.alice, institution=self.inst_b, role=Role.STAFF)
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        for slug in ("univ-a", "univ-b"):
            self.assertContains(response, f'href="{reverse("applications-public-calls", args=[slug])}"')
