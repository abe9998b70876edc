from django.urls import reverse

from mobilitas.institutions.models import Contact, Membership
from tests.base import TenantTestCase
from tests.factories import make_ounit


class AdminTests(TenantTestCase):
    def test_it_lets_an_officer_manage_their_own_memberships_only(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(reverse("admin:institutions_membership_changelist"))
        self.assertEqual(response.status_code, 200)
        listed = set(response.context["cl"].queryset.values_list("institution__slug", flat=True))
        self.assertEqual(listed, {"univ-a"})

    def test_carol_gets_404_for_a_membership_of_a(self) -> None:
        membership = Membership.objects.get(user=self.bob)
        self.client.force_login(self.carol)
        url = reverse("admin:institutions_membership_change", args=[membership.pk])
        response = self.client.get(url)
        # The admin answers "does not exist" with a redirect to its index and a message, never the object.
        self.assertNotContains(response, "bob@a.test", status_code=302)

    def test_it_keeps_students_out_of_the_admin(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("admin:login"), response["Location"])

    def test_it_shows_the_directory_read_only_to_officers(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(reverse("admin:institutions_institution_change", args=[self.inst_b.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="_save"')
        response = self.client.post(
            reverse("admin:institutions_institution_change", args=[self.inst_b.pk]), {"name": "Hijacked"}
        )
        self.assertEqual(response.status_code, 403)

    def test_it_offers_only_the_officers_institution_as_owner_of_a_contact(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(reverse("admin:institutions_contact_add"))
        choices = list(response.context["adminform"].form.fields["institution"].queryset)
        self.assertEqual(choices, [self.inst_a])
        response = self.client.post(
            reverse("admin:institutions_contact_add"),
            {"institution": self.inst_b.pk, "partner": self.inst_b.pk, "name": "Sneaky"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Contact.objects.filter(name="Sneaky").exists())

    def test_it_refuses_a_unit_of_another_institution_on_a_membership(self) -> None:
        unit_of_b = make_ounit(self.inst_b, "LAW", "Faculty of Law")
        membership = Membership.objects.get(user=self.bob)
        self.client.force_login(self.alice)
        response = self.client.post(
            reverse("admin:institutions_membership_change", args=[membership.pk]),
            {"user": self.bob.pk, "institution": self.inst_a.pk, "role": "student", "ounit": unit_of_b.pk},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The unit must belong to the institution of the membership.")
        membership.refresh_from_db()
        self.assertIsNone(membership.ounit)
