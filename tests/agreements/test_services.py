"""The agreement lifecycle through the services: validation, versions, snapshots, approvals, renewal."""

from dataclasses import replace
from decimal import Decimal

from mobilitas.agreements import diff, hashing, services, snapshot
from mobilitas.agreements.inputs import AgreementInput, InvalidAgreement, LanguageSkillInput, SubjectAreaInput
from mobilitas.agreements.models import Agreement, AgreementSnapshot
from mobilitas.audit.models import AuditEvent
from mobilitas.lib.errors import Conflict, DomainError
from tests.base import TenantTestCase
from tests.factories import make_agreement, make_institution, studies_condition

Status = Agreement.Status


class AgreementServiceTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inst_a.schac_code = "univ-a.test"
        cls.inst_a.save()
        cls.partner = make_institution(name="Partner University", country="ES", schac_code="partner.test")

    def current_hash(self, agreement: Agreement) -> str:
        return hashing.data_hash(snapshot.agreement_to_data(agreement))

    def test_create_writes_conditions_in_schema_order_and_audits(self) -> None:
        teaching = studies_condition(
            "out", kind="staff-teacher", total_months_per_year=None, total_days_per_year=Decimal(5), eqf_levels=[]
        )
        agreement = make_agreement(
            self.inst_a, self.partner, conditions=[teaching, studies_condition("in")], actor=self.alice
        )
        kinds = [c.kind for c in agreement.conditions.order_by("position")]
        self.assertEqual(kinds, ["student-studies", "staff-teacher"])
        incoming = agreement.conditions.get(kind="student-studies")
        self.assertEqual((incoming.sending, incoming.receiving), (self.partner, self.inst_a))
        self.assertEqual(agreement.status, Status.DRAFT)
        self.assertTrue(AuditEvent.objects.filter(action="agreement.created", object_id=str(agreement.public_id)))

    def test_every_rule_reported_with_its_place_and_nothing_saved(self) -> None:
        bad = studies_condition(
            first_year="2028/2029",
            last_year="2026/2027",
            subject_areas=[SubjectAreaInput("613")],
            language_skills=[],
            mobilities_per_year=0,
        )
        with self.assertRaises(InvalidAgreement) as caught:
            make_agreement(self.inst_a, self.partner, conditions=[bad])
        places = {p.place for p in caught.exception.problems}
        self.assertEqual(
            places,
            {
                "conditions.0.last_year",
                "conditions.0.subject_areas.0.isced_code",
                "conditions.0.language_skills",
                "conditions.0.mobilities_per_year",
            },
        )
        self.assertIn("613", caught.exception.message)
        self.assertFalse(Agreement.objects.exists())

    def test_staff_counted_in_days_and_language_codes_checked(self) -> None:
        bad = studies_condition(
            kind="staff-training",
            total_months_per_year=Decimal(2),
            language_skills=[LanguageSkillInput("english", "Z9")],
        )
        with self.assertRaises(InvalidAgreement) as caught:
            make_agreement(self.inst_a, self.partner, conditions=[bad])
        messages = " ".join(p.message for p in caught.exception.problems)
        self.assertIn("days, not months", messages)
        self.assertIn("“english” is not a language code", messages)
        self.assertIn("“Z9” is not a CEFR level", messages)

    def test_duplicate_code_refused(self) -> None:
        make_agreement(self.inst_a, self.partner, code="X/1")
        with self.assertRaises(InvalidAgreement) as caught:
            make_agreement(self.inst_a, self.partner, code="X/1")
        self.assertEqual(caught.exception.problems[0].place, "code")

    def approved(self) -> Agreement:
        agreement = make_agreement(self.inst_a, self.partner, actor=self.alice)
        services.share_agreement(agreement, actor=self.alice)
        services.approve_agreement(agreement, actor=self.alice)
        return services.record_partner_approval(agreement, self.current_hash(agreement), actor=self.alice)

    def test_lifecycle_to_approved_by_both_freezes_snapshots(self) -> None:
        agreement = self.approved()
        self.assertEqual(agreement.status, Status.APPROVED)
        self.assertTrue(agreement.in_effect)
        events = list(agreement.snapshots.values_list("event", flat=True))
        self.assertCountEqual(events, ["approved-by-us", "approved-by-partner", "approved"])
        self.assertEqual(
            set(agreement.snapshots.values_list("iia_hash", flat=True)),
            {self.current_hash(agreement)},
        )

    def test_partner_approval_of_another_version_refused(self) -> None:
        agreement = make_agreement(self.inst_a, self.partner)
        services.share_agreement(agreement, actor=self.alice)
        with self.assertRaisesMessage(Conflict, "approved a different version"):
            services.record_partner_approval(agreement, "0" * 64, actor=self.alice)
        agreement.refresh_from_db()
        self.assertEqual(agreement.status, Status.SHARED)

    def test_changing_an_approved_agreement_starts_a_new_version_and_keeps_the_snapshot(self) -> None:
        agreement = self.approved()
        approved_hash = self.current_hash(agreement)
        data = AgreementInput.from_agreement(agreement)
        data.conditions[0].mobilities_per_year = 3
        agreement = services.update_agreement(agreement, data, actor=self.alice)
        self.assertEqual((agreement.version, agreement.status, agreement.in_effect), (2, Status.DRAFT, False))
        snap = agreement.snapshots.get(event=AgreementSnapshot.Event.APPROVED)
        self.assertEqual(snap.iia_hash, approved_hash)
        agreement = Agreement.objects.get(pk=agreement.pk)
        changes = diff.compare(snapshot.from_json(snap.data), snapshot.agreement_to_data(agreement))
        self.assertEqual(
            [(c.what, c.left, c.right) for c in changes],
            [("in effect", "yes", "no"), ("mobilities per year", "2", "3")],
        )

    def test_changing_only_the_signatory_keeps_the_approval(self) -> None:
        agreement = self.approved()
        data = AgreementInput.from_agreement(agreement)
        data.partner_signing_name = "Ana García"
        agreement = services.update_agreement(agreement, data, actor=self.alice)
        self.assertEqual((agreement.version, agreement.status), (1, Status.APPROVED))

    def test_terminate_and_delete_rules(self) -> None:
        agreement = self.approved()
        with self.assertRaisesMessage(Conflict, "terminate it instead"):
            services.delete_agreement(agreement, actor=self.alice)
        services.terminate_agreement(agreement, actor=self.alice, as_a_whole=True)
        agreement.refresh_from_db()
        self.assertEqual((agreement.status, agreement.terminated_as_a_whole), (Status.TERMINATED, True))
        with self.assertRaises(Conflict):
            services.update_agreement(agreement, AgreementInput.from_agreement(agreement), actor=self.alice)
        draft = make_agreement(self.inst_a, self.partner)
        services.delete_agreement(draft, actor=self.alice)
        self.assertFalse(Agreement.objects.filter(pk=draft.pk).exists())

    def test_share_needs_ewp_identifiers(self) -> None:
        nameless = make_institution(name="No Schac", country="IT")
        agreement = make_agreement(self.inst_a, nameless)
        with self.assertRaisesMessage(DomainError, "No Schac has no EWP identifier"):
            services.share_agreement(agreement, actor=self.alice)

    def test_renewal_copies_conditions_to_new_years(self) -> None:
        agreement = self.approved()
        renewal = services.renew_agreement(
            agreement, first_year="2029/2030", last_year="2033/2034", code="R/1", actor=self.alice
        )
        self.assertEqual(renewal.renewal_of, agreement)
        self.assertEqual(renewal.status, Status.DRAFT)
        self.assertEqual(set(renewal.conditions.values_list("first_year", "last_year")), {("2029/2030", "2033/2034")})
        self.assertEqual(renewal.conditions.count(), agreement.conditions.count())

    def test_other_kinds_have_no_conditions(self) -> None:
        with self.assertRaises(InvalidAgreement) as caught:
            make_agreement(self.inst_a, self.partner, kind="double-degree")
        self.assertEqual(caught.exception.problems[0].place, "conditions")
        agreement = make_agreement(
            self.inst_a, self.partner, kind="double-degree", conditions=[], programmes="LLB Law\nLicence Droit"
        )
        self.assertEqual(agreement.programme_list, ["LLB Law", "Licence Droit"])


class DiffTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inst_a.schac_code = "univ-a.test"
        cls.inst_a.save()
        cls.partner = make_institution(name="Partner University", country="ES", schac_code="partner.test")

    def test_partner_copy_compared_from_our_side_in_plain_words(self) -> None:
        ours = snapshot.agreement_to_data(make_agreement(self.inst_a, self.partner))
        swapped = replace(ours, partners=(ours.partners[1], ours.partners[0]))
        self.assertEqual([d for d in diff.compare_copies(ours, swapped) if d.blocks_approval], [])
        changed = replace(
            swapped,
            conditions=(replace(ours.conditions[0], total_months_per_year="10.0"), *ours.conditions[1:]),
        )
        (difference,) = diff.compare_copies(ours, changed)
        self.assertEqual(
            str(difference),
            "Condition 1 (student mobility for studies, univ-a.test → partner.test), total months per year: 10 / 10.0",
        )

    def test_order_and_spaces_are_named(self) -> None:
        ours = snapshot.agreement_to_data(make_agreement(self.inst_a, self.partner))
        reordered = replace(ours, conditions=tuple(reversed(ours.conditions)))
        (difference,) = diff.compare(ours, reordered)
        self.assertIn("order", difference.what)
        spaced = replace(ours, conditions=(replace(ours.conditions[0], first_year=" 2026/2027"), *ours.conditions[1:]))
        (difference,) = diff.compare(ours, spaced)
        self.assertEqual(
            (difference.what, difference.right), ("first academic year (differs only in spaces)", "“ 2026/2027”")
        )
