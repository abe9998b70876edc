"""The agreement's bilingual PDF: a pure function of the agreement, rendered by WeasyPrint without any fetch."""

import io
from datetime import date, datetime
from decimal import Decimal

import pypdf
from django.utils import timezone
from django.utils.translation import gettext, override

from mobilitas.agreements import hashing, snapshot
from mobilitas.agreements.access import with_conditions
from mobilitas.agreements.inputs import LanguageSkillInput
from mobilitas.agreements.models import Agreement
from mobilitas.agreements.pdf import NoFetching, agreement_html, pdf_filename, render_agreement_pdf
from mobilitas.institutions.models import Contact
from tests.base import TenantTestCase
from tests.factories import make_agreement, make_institution, make_ounit, studies_condition

GENERATED = datetime(2026, 3, 5, 10, 30, tzinfo=timezone.get_fixed_timezone(60))


def pdf_text(data: bytes) -> str:
    """The document's text with line breaks as spaces (table cells wrap)."""
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.replace("  ", "\ue000").split()).replace("\ue000", "  ")


class AgreementPdfTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inst_a.schac_code = "univ-a.test"
        cls.inst_a.save()
        cls.partner = make_institution(
            name="UNIVERSIDADE DO PORTO",
            names={"en": "University of Porto", "fr": "Université de Porto"},
            country="PT",
            city="Porto",
            street="Praça de Gomes Teixeira",
            postcode="4099-002",
            erasmus_code="P  PORTO02",
            schac_code="up.pt",
        )
        rector = Contact.objects.create(
            institution=cls.inst_a, partner=cls.inst_a, name="Rita Rector", role="Rector", email="rector@a.test"
        )
        teaching = studies_condition(
            "in",
            kind="staff-teacher",
            total_months_per_year=None,
            total_days_per_year=Decimal(5),
            eqf_levels=[],
            language_skills=[LanguageSkillInput("pt", "B1")],
            other_info="Spring term only",
        )
        created = make_agreement(
            cls.inst_a,
            cls.partner,
            code="2026/E+/A/0007",
            conditions=[studies_condition("out"), teaching],
            ounit=make_ounit(cls.inst_a, "SCI", "Faculty of Science"),
            signing_contact=rector,
            signing_date=date(2026, 2, 1),
            partner_signing_name="Paulo Porto",
        )
        cls.agreement = with_conditions(Agreement.objects.filter(pk=created.pk)).get()

    def test_it_renders_the_agreement_in_english_then_french(self) -> None:
        data = render_agreement_pdf(self.agreement, now=GENERATED)
        self.assertTrue(data.startswith(b"%PDF"))
        text = pdf_text(data)
        for expected in (
            "University of Porto",
            "Université de Porto",  # the partner's name per language
            "P  PORTO02",
            "Praça de Gomes Teixeira",
            "2026/E+/A/0007",
            "Rita Rector",
            "Paulo Porto",
            "2026/2027 – 2028/2029",
            "Spring term only",
            "5 days",
            hashing.data_hash(snapshot.agreement_to_data(self.agreement)),
            "March 5, 2026",  # English dates
            "5 mars 2026",  # French dates
        ):
            self.assertIn(expected, text)
        for heading in ("Partners", "Cooperation conditions", "Recommended language skills"):
            with override("fr"):
                french = gettext(heading)
            self.assertIn(heading, text)
            self.assertIn(french, text)

    def test_the_document_fetches_nothing_and_escapes_the_agreement_text(self) -> None:
        self.agreement.title = '<img src="http://example.invalid/track.png"> Title'
        html = agreement_html(self.agreement, now=GENERATED)
        self.assertNotIn("<img", html)
        self.assertIn("&lt;img", html)
        self.assertNotIn("url(", html)
        with self.assertRaises(ValueError):
            NoFetching()("http://example.invalid/track.png")
        self.assertTrue(render_agreement_pdf(self.agreement, now=GENERATED).startswith(b"%PDF"))

    def test_another_kind_shows_its_dates_and_programmes_without_a_hash(self) -> None:
        created = make_agreement(
            self.inst_a,
            self.partner,
            code="DD/1",
            kind="double-degree",
            conditions=[],
            title="Double degree in physics",
            programmes="MSc Physics\nMSc Optics",
            start_date=date(2026, 9, 1),
            end_date=date(2030, 8, 31),
        )
        agreement = with_conditions(Agreement.objects.filter(pk=created.pk)).get()
        text = pdf_text(render_agreement_pdf(agreement, now=GENERATED))
        for expected in ("Double degree in physics", "MSc Optics", "Sept. 1, 2026", "1 septembre 2026"):
            self.assertIn(expected, text)
        self.assertNotIn("IIA v7 hash", text)
        self.assertEqual(pdf_filename(agreement), "agreement-DD-1.pdf")
