"""The lifecycle through the pages (share, approve, the partner's approval, terminate, delete), the comparison
of versions and copies, and the partner's EWP documents."""

from dataclasses import replace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from mobilitas.agreements import hashing, services, snapshot
from mobilitas.agreements.ewp.iia_xml import build_get_response
from mobilitas.agreements.iia_data import IiaData
from mobilitas.agreements.models import Agreement
from tests.agreements.test_pages import AgreementPagesTestCase
from tests.factories import make_agreement, make_institution

Status = Agreement.Status


def as_partner_copy(ours: IiaData, partner_iia_id: str = "OV-1") -> IiaData:
    """What the partner serves for the same agreement: the partner first, with its own id."""
    me, them = ours.partners
    return replace(ours, partners=(replace(them, iia_id=partner_iia_id, iia_code="OV/CODE"), me))


def xml_file(data: bytes, name: str = "iias.xml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/xml")


class LifecycleTests(AgreementPagesTestCase):
    def post(self, name: str, data: dict[str, object] | None = None) -> HttpResponse:
        self.login()
        return self.client.post(self.url(name, self.agreement.public_id), data or {}, follow=True)

    def status(self) -> str:
        return Agreement.objects.get(pk=self.agreement.pk).status

    def test_it_goes_from_draft_to_approved_by_both(self) -> None:
        response = self.post("agreements-share")
        self.assertRedirects(response, self.detail_url() + "#lifecycle")
        self.assertContains(response, "The agreement is now shared with the partner.")
        self.assertEqual(self.status(), Status.SHARED)

        self.assertContains(self.post("agreements-approve"), "You approved this version of the agreement.")
        self.assertEqual(self.status(), Status.APPROVED_BY_US)

        current = hashing.data_hash(snapshot.agreement_to_data(Agreement.objects.get(pk=self.agreement.pk)))
        response = self.post("agreements-partner-approval", {"iia_hash": current.upper()})
        self.assertContains(response, "The partner&#x27;s approval was recorded.")
        agreement = Agreement.objects.get(pk=self.agreement.pk)
        self.assertEqual((agreement.status, agreement.in_effect), (Status.APPROVED, True))
        self.assertEqual(agreement.snapshots.count(), 3)  # approved by us, by the partner, by both
        self.assertContains(response, "Approved by both")

    def test_a_wrong_partner_hash_is_refused_with_a_message(self) -> None:
        self.post("agreements-share")
        response = self.post("agreements-partner-approval", {"iia_hash": "ab" * 32})
        self.assertContains(response, "The partner approved a different version of this agreement")
        self.assertEqual(self.status(), Status.SHARED)
        response = self.post("agreements-partner-approval", {"iia_hash": "abc"})
        self.assertContains(response, "Give the 64-character hash the partner approved.")

    def test_a_transition_not_allowed_now_is_a_message(self) -> None:
        response = self.post("agreements-approve")
        self.assertContains(response, "it cannot be approved now")
        self.assertEqual(self.status(), Status.DRAFT)

    def test_sharing_without_schac_codes_says_why(self) -> None:
        nowhere = make_institution(name="No Schac University", country="PT")
        agreement = make_agreement(self.inst_a, nowhere, code="A/NOWHERE")
        self.login()
        response = self.client.post(self.url("agreements-share", agreement.public_id), follow=True)
        self.assertContains(response, "No Schac University has no EWP identifier")
        self.assertEqual(Agreement.objects.get(pk=agreement.pk).status, Status.DRAFT)

    def test_terminate_as_a_whole(self) -> None:
        self.post("agreements-share")
        self.post("agreements-approve")
        current = hashing.data_hash(snapshot.agreement_to_data(Agreement.objects.get(pk=self.agreement.pk)))
        self.post("agreements-partner-approval", {"iia_hash": current})
        page = self.client.get(self.detail_url())
        self.assertContains(page, 'name="as_a_whole"')
        self.assertContains(self.post("agreements-terminate", {"as_a_whole": "on"}), "The agreement is terminated.")
        agreement = Agreement.objects.get(pk=self.agreement.pk)
        self.assertEqual((agreement.status, agreement.terminated_as_a_whole), (Status.TERMINATED, True))

    def test_deleting_a_draft_goes_back_to_the_list(self) -> None:
        response = self.post("agreements-delete")
        self.assertRedirects(response, self.url("agreements-list"))
        self.assertContains(response, "The draft agreement A/OVIEDO was deleted.")
        self.assertFalse(Agreement.objects.filter(pk=self.agreement.pk).exists())


class CompareTests(AgreementPagesTestCase):
    def compare(self, **params: str) -> HttpResponse:
        self.login()
        return self.client.get(self.url("agreements-compare", self.agreement.public_id), params)

    def approve(self) -> Agreement:
        agreement = services.share_agreement(self.agreement, actor=self.alice)
        return services.approve_agreement(agreement, actor=self.alice)

    def change_mobilities(self, agreement: Agreement, mobilities: int) -> Agreement:
        from mobilitas.agreements.inputs import AgreementInput

        data = AgreementInput.from_agreement(Agreement.objects.get(pk=agreement.pk))
        data.conditions[0].mobilities_per_year = mobilities
        return services.update_agreement(agreement, data, actor=self.alice)

    def test_with_nothing_to_compare_it_says_so(self) -> None:
        response = self.compare()
        self.assertContains(response, "There is nothing to compare yet")

    def test_it_compares_the_current_version_with_the_last_approved_one_by_default(self) -> None:
        agreement = self.approve()
        response = self.compare()
        self.assertContains(response, "The two copies say the same")
        self.change_mobilities(agreement, 5)
        response = self.compare()
        self.assertEqual(response.context["right"].label.split(",")[0], "Version 1")
        (difference,) = response.context["differences"]
        self.assertEqual((difference.what, difference.left, difference.right), ("mobilities per year", "5", "2"))
        self.assertIn("Condition 1 (student mobility for studies, a.test → uniovi.es)", difference.where)
        self.assertContains(response, "mobilities per year")
        self.assertContains(response, "1 of them blocks the approval")

    def test_it_compares_our_copy_with_the_partners(self) -> None:
        agreement = services.share_agreement(self.agreement, actor=self.alice)
        ours = snapshot.agreement_to_data(agreement)
        changed = replace(ours.conditions[1], mobilities_per_year="4")
        theirs = as_partner_copy(replace(ours, conditions=(ours.conditions[0], changed)))
        self.login()
        response = self.client.post(
            self.url("agreements-partner-copy", agreement.public_id),
            {"document": xml_file(build_get_response([theirs]))},
            follow=True,
        )
        self.assertContains(response, "The partner&#x27;s copy was received.")
        self.assertContains(response, "differs from our current version in 1 place")
        copy = agreement.partner_copies.get()
        response = self.compare()  # default: ours against the latest partner's copy
        self.assertEqual(response.context["right"].key, f"p:{copy.public_id}")
        (difference,) = response.context["differences"]
        self.assertEqual((difference.left, difference.right, difference.blocks_approval), ("2", "4", True))
        # The other way round, the columns follow the choice.
        response = self.compare(left=f"p:{copy.public_id}", right="current")
        (difference,) = response.context["differences"]
        self.assertEqual((difference.left, difference.right), ("4", "2"))

    def test_a_matching_partner_copy_says_the_same(self) -> None:
        agreement = services.share_agreement(self.agreement, actor=self.alice)
        theirs = as_partner_copy(snapshot.agreement_to_data(agreement))
        self.login()
        self.client.post(
            self.url("agreements-partner-copy", agreement.public_id),
            {"document": xml_file(build_get_response([theirs]))},
        )
        response = self.compare()
        self.assertContains(response, "The two copies say the same")
        self.assertContains(self.client.get(self.detail_url()), "says the same as our current version")

    def test_a_bad_partner_file_is_a_message_and_saves_nothing(self) -> None:
        self.login()
        response = self.client.post(
            self.url("agreements-partner-copy", self.agreement.public_id),
            {"document": xml_file(b"<not-an-iias-response/>")},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="message error"')
        self.assertFalse(self.agreement.partner_copies.exists())

    def test_an_unknown_choice_is_a_400(self) -> None:
        self.approve()
        response = self.compare(left="v:not-a-version")
        self.assertEqual(response.status_code, 400)

    def test_carol_gets_404_on_the_comparison(self) -> None:
        self.approve()
        self.assert_carol_gets_404(self.url("agreements-compare", self.agreement.public_id))


class ImportPartnerDocumentTests(AgreementPagesTestCase):
    def test_it_lists_the_agreements_it_created_or_updated(self) -> None:
        bologna = make_institution(name="Università di Bologna", country="IT", schac_code="unibo.it")
        proposal = make_agreement(self.inst_a, bologna, code="TMP")
        ours = snapshot.agreement_to_data(proposal)
        # The partner has not seen our id yet: its copy names only its own.
        theirs = as_partner_copy(replace(ours, partners=(replace(ours.partners[0], iia_id=""), ours.partners[1])))
        proposal.delete()
        self.login()
        response = self.client.post(
            self.url("agreements-import-xml"), {"document": xml_file(build_get_response([theirs]))}
        )
        self.assertEqual(response.status_code, 200)
        (created,) = response.context["touched"]
        self.assertEqual((created.partner, created.status), (bologna, Status.DRAFT))
        self.assertContains(response, "Università di Bologna")
        self.assertContains(response, self.detail_url(created))

    def test_a_bad_file_shows_the_message_and_saves_nothing(self) -> None:
        before = Agreement.objects.count()
        self.login()
        response = self.client.post(self.url("agreements-import-xml"), {"document": xml_file(b"<iias")})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].errors["document"])
        self.assertContains(response, "Nothing was saved.", status_code=400)
        self.assertEqual(Agreement.objects.count(), before)

    def test_a_file_from_an_unknown_institution_names_it(self) -> None:
        ours = snapshot.agreement_to_data(self.agreement)
        theirs = as_partner_copy(ours)
        document = build_get_response([theirs]).replace(b"uniovi.es", b"nowhere.test")
        self.login()
        response = self.client.post(self.url("agreements-import-xml"), {"document": xml_file(document)})
        self.assertContains(response, "nowhere.test", status_code=400)

    def test_only_officers_import(self) -> None:
        self.login(self.coordinator)
        self.assertEqual(self.client.post(self.url("agreements-import-xml")).status_code, 403)
        self.assert_carol_gets_404(self.url("agreements-import-xml"), method="post")
