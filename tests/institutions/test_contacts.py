import pytest
from django.urls import reverse

from mobilitas.audit.models import AuditEvent
from mobilitas.institutions.models import Contact
from mobilitas.institutions.services import add_contact, delete_contact
from mobilitas.lib.errors import DomainError
from tests.base import TenantTestCase
from tests.factories import make_institution, make_ounit


class AddContactTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.partner = make_institution(name="UNIVERSIDADE DO PORTO", country="PT", city="Porto")
        cls.url = reverse("institutions-contact-add", args=[cls.inst_a.slug, cls.partner.public_id])
        cls.data = {"name": "Paula Porto", "role": "Incoming students", "email": "paula@porto.test", "phone": "+351 1"}

    def test_it_adds_a_contact_with_an_audit_event(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url, self.data)
        detail = reverse("institutions-detail", args=[self.inst_a.slug, self.partner.public_id])
        self.assertRedirects(response, detail + "#contacts", fetch_redirect_response=False)
        contact = Contact.objects.get()
        self.assertEqual((contact.institution, contact.partner), (self.inst_a, self.partner))
        self.assertEqual((contact.name, contact.email, contact.phone), ("Paula Porto", "paula@porto.test", "+351 1"))
        event = AuditEvent.objects.get(action="contact.added")
        self.assertEqual((event.actor, event.institution), (self.alice, self.inst_a))
        self.assertEqual(event.object_id, str(contact.public_id))
        self.assertEqual(event.data["partner"], str(self.partner.public_id))
        page = self.client.get(detail)
        self.assertContains(page, "Paula Porto was added to your contacts.")
        self.assertContains(page, "Paula Porto")

    def test_it_refuses_a_student(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.post(self.url, self.data)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Contact.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="contact.added").exists())

    def test_it_shows_what_is_wrong_with_the_form(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url, {"name": "", "email": "not an address"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This field is required.")
        self.assertContains(response, "Enter a valid email address.")
        self.assertFalse(Contact.objects.exists())

    def test_it_accepts_a_unit_of_the_partner_only(self) -> None:
        science = make_ounit(self.inst_b, "CIENCIAS", "Facultad de Ciencias")
        own_unit = make_ounit(self.inst_a, "DRI", "Direction des relations internationales")
        url = reverse("institutions-contact-add", args=[self.inst_a.slug, self.inst_b.public_id])
        self.client.force_login(self.alice)

        response = self.client.post(url, {**self.data, "ounit": str(own_unit.public_id)})
        self.assertContains(response, "Select a valid choice.")
        self.assertFalse(Contact.objects.exists())

        self.client.post(url, {**self.data, "ounit": str(science.public_id)})
        self.assertEqual(Contact.objects.get().ounit, science)

    def test_it_answers_405_to_a_get(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_it_sends_anonymous_visitors_to_the_login_page(self) -> None:
        response = self.client.post(self.url, self.data)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Contact.objects.exists())

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url, method="post", data=self.data)
        self.assertFalse(Contact.objects.exists())


class DeleteContactTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.partner = make_institution(name="UNIVERSIDADE DO PORTO", country="PT", city="Porto")
        cls.contact_a = add_contact(cls.inst_a, cls.partner, actor=cls.alice, name="Paula Porto")
        cls.contact_b = add_contact(cls.inst_b, cls.partner, actor=cls.carol, name="Pedro of B")

    def url(self, contact: Contact, slug: str = "univ-a") -> str:
        return reverse("institutions-contact-delete", args=[slug, contact.public_id])

    def test_it_deletes_a_contact_with_an_audit_event(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url(self.contact_a))
        self.assertRedirects(
            response, reverse("institutions-detail", args=[self.inst_a.slug, self.partner.public_id]) + "#contacts"
        )
        self.assertFalse(Contact.objects.filter(pk=self.contact_a.pk).exists())
        event = AuditEvent.objects.get(action="contact.deleted")
        self.assertEqual((event.actor, event.institution), (self.alice, self.inst_a))
        self.assertEqual((event.object_id, event.object_repr), (str(self.contact_a.public_id), "Paula Porto"))

    def test_it_answers_404_when_alice_deletes_a_contact_of_b(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url(self.contact_b))
        self.assertEqual(response.status_code, 404)
        self.assertTrue(Contact.objects.filter(pk=self.contact_b.pk).exists())
        self.assertFalse(AuditEvent.objects.filter(action="contact.deleted").exists())

    def test_it_refuses_a_student(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url(self.contact_a)).status_code, 403)
        self.assertTrue(Contact.objects.filter(pk=self.contact_a.pk).exists())

    def test_it_answers_405_to_a_get(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url(self.contact_a)).status_code, 405)
        self.assertTrue(Contact.objects.filter(pk=self.contact_a.pk).exists())

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url(self.contact_a), method="post")
        self.assertTrue(Contact.objects.filter(pk=self.contact_a.pk).exists())
        # Not through her own institution's prefix either: the contact is A's.
        self.assert_carol_gets_404(self.url(self.contact_a, slug="univ-b"), method="post")
        self.assertTrue(Contact.objects.filter(pk=self.contact_a.pk).exists())


class ContactServicesTestCase(TenantTestCase):
    def test_it_refuses_a_unit_of_another_institution(self) -> None:
        unit = make_ounit(self.inst_a, "DRI", "Direction des relations internationales")
        with pytest.raises(DomainError) as raised:
            add_contact(self.inst_a, self.inst_b, actor=self.alice, name="Someone", ounit=unit)
        self.assertEqual(raised.value.field, "ounit")

    def test_it_refuses_a_contact_without_a_name_or_with_a_bad_email(self) -> None:
        with pytest.raises(DomainError) as raised:
            add_contact(self.inst_a, self.inst_b, actor=self.alice, name="")
        self.assertEqual(raised.value.field, "name")
        with pytest.raises(DomainError) as raised:
            add_contact(self.inst_a, self.inst_b, actor=self.alice, name="X", email="nope")
        self.assertEqual(raised.value.field, "email")
        self.assertFalse(Contact.objects.exists())

    def test_it_refuses_unknown_fields(self) -> None:
        with pytest.raises(TypeError):
            add_contact(self.inst_a, self.inst_b, actor=self.alice, name="X", institution=self.inst_b)

    def test_it_refuses_an_institution_not_hosted_here(self) -> None:
        partner = make_institution()
        with pytest.raises(DomainError):
            add_contact(partner, self.inst_a, actor=None, name="X")

    def test_it_records_the_deletion(self) -> None:
        contact = add_contact(self.inst_a, self.inst_b, actor=self.alice, name="Carlos")
        delete_contact(contact, actor=self.alice)
        self.assertFalse(Contact.objects.exists())
        self.assertEqual(
            list(AuditEvent.objects.order_by("id").values_list("action", flat=True)),
            ["contact.added", "contact.deleted"],
        )
