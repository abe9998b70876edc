"""A partner's copy received as an IIAs v7 get-response: matched, checked, stored, compared, approved."""

from dataclasses import replace

from mobilitas.agreements import partner_copies, services, snapshot
from mobilitas.agreements.ewp.iia_xml import build_get_response
from mobilitas.agreements.iia_data import IiaData
from mobilitas.agreements.models import Agreement, PartnerCopy
from mobilitas.lib.errors import Conflict, DomainError
from tests.base import TenantTestCase
from tests.factories import make_agreement, make_institution


def as_partner_copy(ours: IiaData, partner_iia_id: str = "P-1") -> IiaData:
    """What the partner serves for the same agreement: the partner first, with its own id."""
    me, them = ours.partners
    return replace(ours, partners=(replace(them, iia_id=partner_iia_id, iia_code="P/CODE"), me))


class PartnerCopyTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inst_a.schac_code = "univ-a.test"
        cls.inst_a.save()
        cls.partner = make_institution(name="Partner University", country="ES", schac_code="partner.test")

    def shared(self) -> Agreement:
        agreement = make_agreement(self.inst_a, self.partner)
        return services.share_agreement(agreement, actor=self.alice)

    def test_matching_copy_is_stored_binds_ids_and_allows_approval(self) -> None:
        agreement = self.shared()
        theirs = as_partner_copy(snapshot.agreement_to_data(agreement))
        copy = partner_copies.receive_partner_copy(agreement, build_get_response([theirs]), actor=self.alice)
        self.assertTrue(copy.hash_matches)
        self.assertTrue(copy.valid_for_approval)
        agreement.refresh_from_db()
        self.assertEqual((agreement.partner_iia_id, agreement.partner_iia_code), ("P-1", "P/CODE"))
        approved = services.approve_agreement(agreement, actor=self.alice)
        self.assertEqual(approved.status, Agreement.Status.APPROVED_BY_US)
        self.assertEqual(approved.our_approved_hash, copy.computed_hash)

    def test_approval_refused_while_the_copies_differ(self) -> None:
        agreement = self.shared()
        ours = snapshot.agreement_to_data(agreement)
        theirs = as_partner_copy(
            replace(ours, conditions=(replace(ours.conditions[0], mobilities_per_year="3"), *ours.conditions[1:]))
        )
        partner_copies.receive_partner_copy(agreement, build_get_response([theirs]), actor=self.alice)
        with self.assertRaisesMessage(Conflict, "differs from ours in 1 place"):
            services.approve_agreement(agreement, actor=self.alice)

    def test_unknown_proposal_becomes_a_draft_mirroring_the_partner(self) -> None:
        proposal = make_agreement(self.inst_a, self.partner, code="TMP")
        ours = snapshot.agreement_to_data(proposal)
        # The partner has not seen our id yet: its copy names only its own.
        theirs = as_partner_copy(replace(ours, partners=(replace(ours.partners[0], iia_id=""), ours.partners[1])))
        proposal.delete()
        (created,) = partner_copies.import_partner_document(self.inst_a, build_get_response([theirs]), actor=self.alice)
        self.assertEqual((created.partner, created.partner_iia_id, created.status), (self.partner, "P-1", "draft"))
        directions = {(c.kind, c.sending_id) for c in created.conditions.all()}
        self.assertEqual(directions, {("student-studies", self.inst_a.pk), ("student-studies", self.partner.pk)})
        self.assertEqual(created.partner_copies.count(), 1)

    def test_bad_documents_name_the_problem_and_save_nothing(self) -> None:
        agreement = self.shared()
        theirs = as_partner_copy(snapshot.agreement_to_data(agreement))
        good = build_get_response([theirs]).decode()
        served = good.split("<iia-hash>")[1].split("</iia-hash>")[0]
        cases = {
            "is not the hash of its content": good.replace(served, "0" * 64),
            "no institution with the EWP identifier “nowhere.test”": good.replace("partner.test", "nowhere.test"),
            "not with us": good.replace("univ-a.test", "someone-else.test"),
        }
        for message, document in cases.items():
            with self.subTest(message), self.assertRaisesMessage(DomainError, message):
                partner_copies.import_partner_document(self.inst_a, document.encode(), actor=self.alice)
        with self.assertRaises(DomainError):
            partner_copies.receive_partner_copy(agreement, b"<iias-get-response>", actor=self.alice)
        self.assertFalse(PartnerCopy.objects.exists())
        self.assertEqual(Agreement.objects.count(), 1)
