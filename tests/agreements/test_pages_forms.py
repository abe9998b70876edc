"""Creating, editing and renewing agreements through the pages: conditions as an inline formset, each problem
the rules find shown next to its field, nothing saved when one is found."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

from mobilitas.agreements import hashing, services, snapshot
from mobilitas.agreements.forms import parse_language_skills, parse_subject_areas
from mobilitas.agreements.inputs import LanguageSkillInput, SubjectAreaInput
from mobilitas.agreements.models import Agreement
from mobilitas.audit.models import AuditEvent
from tests.agreements.test_pages import AgreementPagesTestCase

STUDIES = {
    "kind": "student-studies",
    "direction": "out",
    "first_year": "2026/2027",
    "last_year": "2028/2029",
    "mobilities_per_year": "2",
    "total_months_per_year": "10",
    "eqf_levels": ["6", "7"],
    "subject_areas": "0613 Software development; 0714",
    "language_skills": "en B2; es B1 0613 Informática",
}
TEACHING = {
    "kind": "staff-teacher",
    "direction": "in",
    "first_year": "2026/2027",
    "last_year": "2028/2029",
    "mobilities_per_year": "1",
    "total_days_per_year": "5",
    "language_skills": "en B2",
}


def form_data(conditions: list[dict[str, Any]] = (), blank_rows: int = 1, **fields: Any) -> dict[str, Any]:  # type: ignore[assignment]
    """What the browser posts: the agreement's fields, the filled condition rows, then blank rows."""
    data: dict[str, Any] = {"partner": "E  OVIEDO02", "kind": "erasmus", "code": "NEW/0001", **fields}
    total = len(conditions) + blank_rows
    data.update(
        {
            "conditions-TOTAL_FORMS": str(total),
            "conditions-INITIAL_FORMS": "0",
            "conditions-MIN_NUM_FORMS": "0",
            "conditions-MAX_NUM_FORMS": "200",
        }
    )
    for i, condition in enumerate(conditions):
        data.update({f"conditions-{i}-{key}": value for key, value in condition.items()})
    for i in range(len(conditions), total):
        data[f"conditions-{i}-direction"] = "out"  # a select always submits its first option
    return data


def as_posted(response: HttpResponse) -> dict[str, Any]:
    """The data a browser posts back for the forms of a page, unchanged."""
    data: dict[str, Any] = {}
    formset = response.context["formset"]  # type: ignore[attr-defined]
    for form in (response.context["form"], formset.management_form, *formset.forms):  # type: ignore[attr-defined]
        for field in form:
            value = field.value()
            if value is None or value is False or value == []:
                continue
            if isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            elif isinstance(value, date):
                data[field.html_name] = value.isoformat()
            else:
                data[field.html_name] = "on" if value is True else str(value)
    return data


class ParsingTests(AgreementPagesTestCase):
    def test_it_reads_subject_areas_with_their_clarifications(self) -> None:
        self.assertEqual(
            parse_subject_areas("0613 Software development; 0714\n0532 Geology; field work"),
            [
                SubjectAreaInput("0613", "Software development"),
                SubjectAreaInput("0714"),
                SubjectAreaInput("0532", "Geology; field work"),
            ],
        )

    def test_it_reads_language_skills(self) -> None:
        self.assertEqual(
            parse_language_skills("en B2; fr b1 0232 French literature; pt-BR; de 0714"),
            [
                LanguageSkillInput("en", "B2"),
                LanguageSkillInput("fr", "B1", "0232", "French literature"),
                LanguageSkillInput("pt-BR"),
                LanguageSkillInput("de", "", "0714"),
            ],
        )


class CreateTests(AgreementPagesTestCase):
    def post(self, data: dict[str, Any]) -> HttpResponse:
        self.login()
        return self.client.post(self.url("agreements-create"), data)

    def test_the_form_suggests_the_next_code_and_our_partners(self) -> None:
        self.login()
        response = self.client.get(self.url("agreements-create"))
        self.assertEqual(response.context["form"].initial["code"], services.next_code(self.inst_a))
        self.assertContains(response, '<option value="E  OVIEDO02">Universidad de Oviedo</option>', html=True)
        self.assertEqual(len(response.context["formset"].forms), 2)
        self.assertNotContains(response, "starts a new version")

    def test_it_creates_an_agreement_with_its_conditions_in_order(self) -> None:
        second_studies = {**STUDIES, "direction": "in", "mobilities_per_year": "3", "subject_areas": "0714"}
        response = self.post(
            form_data([TEACHING, STUDIES, second_studies], ounit=str(self.science.public_id), partner="uniovi.es")
        )
        agreement = Agreement.objects.get(institution=self.inst_a, code="NEW/0001")
        self.assertRedirects(response, self.detail_url(agreement), fetch_redirect_response=False)
        self.assertEqual((agreement.partner, agreement.ounit, agreement.status), (self.oviedo, self.science, "draft"))
        conditions = list(agreement.conditions.all())
        # Studies first (schema order), the two studies rows in the order they were typed.
        self.assertEqual(
            [(c.kind, c.sending_id, c.mobilities_per_year) for c in conditions],
            [
                ("student-studies", self.inst_a.pk, 2),
                ("student-studies", self.oviedo.pk, 3),
                ("staff-teacher", self.oviedo.pk, 1),
            ],
        )
        first = conditions[0]
        self.assertEqual(first.total_months_per_year, Decimal(10))
        self.assertEqual(first.eqf_levels, [6, 7])
        self.assertEqual(
            [(a.isced_code, a.clarification) for a in first.subject_areas.all()],
            [("0613", "Software development"), ("0714", "")],
        )
        self.assertEqual(
            [(s.language, s.cefr_level, s.isced_code, s.clarification) for s in first.language_skills.all()],
            [("en", "B2", "", ""), ("es", "B1", "0613", "Informática")],
        )
        self.assertEqual(conditions[2].total_days_per_year, Decimal(5))
        self.assertTrue(AuditEvent.objects.filter(action="agreement.created", object_id=str(agreement.public_id)))

    def test_a_bad_isced_code_is_shown_next_to_its_field_and_nothing_is_saved(self) -> None:
        before = Agreement.objects.count()
        bad = {**STUDIES, "subject_areas": "0613 Software; 06130 Typo"}
        response = self.post(form_data([TEACHING, bad]))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Agreement.objects.count(), before)
        errors = response.context["formset"].forms[1].errors
        self.assertEqual(
            errors["subject_areas"], ["Subject area 2: ISCED-F code “06130” must have exactly four digits, e.g. 0613."]
        )
        self.assertNotIn("subject_areas", response.context["formset"].forms[0].errors)
        self.assertContains(response, "ISCED-F code “06130” must have exactly four digits", status_code=400)
        self.assertContains(response, "The agreement was not saved.", status_code=400)

    def test_each_rule_lands_on_its_own_field(self) -> None:
        bad = {**STUDIES, "first_year": "2029/2030", "language_skills": "", "total_days_per_year": "3"}
        response = self.post(form_data([bad], code="A/OVIEDO"))
        self.assertEqual(response.status_code, 400)
        form, row = response.context["form"], response.context["formset"].forms[0]
        self.assertEqual(form.errors["code"], ["Another agreement already has the code “A/OVIEDO”."])
        self.assertIn("The last academic year (2028/2029) comes before the first (2029/2030).", row.errors["last_year"])
        self.assertIn("Student mobility is counted in months, not days.", row.errors["total_days_per_year"])
        self.assertIn("at least one recommended language skill", row.errors["language_skills"][0])

    def test_an_unknown_partner_is_refused_with_a_clear_message(self) -> None:
        response = self.post(form_data([STUDIES], partner="X  NOWHERE99"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("No institution of the directory has", response.context["form"].errors["partner"][0])
        self.assertFalse(Agreement.objects.filter(code="NEW/0001").exists())

    def test_the_partner_may_be_typed_loosely(self) -> None:
        response = self.post(form_data([STUDIES], partner="e oviedo02"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Agreement.objects.get(code="NEW/0001").partner, self.oviedo)

    def test_more_rows_can_be_added_without_javascript(self) -> None:
        data = form_data([STUDIES], blank_rows=1)
        data["add_rows"] = "1"
        response = self.post(data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["formset"].forms), 4)
        self.assertEqual(response.context["formset"].forms[0]["mobilities_per_year"].value(), "2")
        self.assertFalse(Agreement.objects.filter(code="NEW/0001").exists())

    def test_blank_and_removed_rows_are_ignored(self) -> None:
        data = form_data([STUDIES, TEACHING], blank_rows=2)
        data["conditions-1-DELETE"] = "on"
        self.assertEqual(self.post(data).status_code, 302)
        self.assertEqual([c.kind for c in Agreement.objects.get(code="NEW/0001").conditions.all()], ["student-studies"])

    def test_other_kinds_take_a_title_programmes_dates_and_partners(self) -> None:
        data = form_data(
            kind="joint-degree",
            title="Erasmus Mundus master in photonics",
            programmes="Master Photonics",
            start_date="2026-09-01",
            end_date="2031-08-31",
            additional_partners="D  MUNCHEN01\nlmu.de",
        )
        self.assertEqual(self.post(data).status_code, 302)
        agreement = Agreement.objects.get(code="NEW/0001")
        self.assertEqual((agreement.kind, agreement.end_date), ("joint-degree", date(2031, 8, 31)))
        self.assertEqual(list(agreement.additional_partners.all()), [self.munich])

    def test_dates_in_the_wrong_order_are_refused_on_the_end_date(self) -> None:
        response = self.post(form_data(kind="research", start_date="2027-01-01", end_date="2026-01-01"))
        self.assertEqual(response.context["form"].errors["end_date"], ["The agreement ends before it starts."])


class EditTests(AgreementPagesTestCase):
    def approve_by_both(self) -> Agreement:
        agreement = services.share_agreement(self.agreement, actor=self.alice)
        agreement = services.approve_agreement(agreement, actor=self.alice)
        current = hashing.data_hash(snapshot.agreement_to_data(agreement))
        return services.record_partner_approval(agreement, current, actor=self.alice)

    def test_the_form_holds_the_agreement_as_it_is(self) -> None:
        self.login()
        response = self.client.get(self.url("agreements-edit", self.agreement.public_id))
        self.assertEqual(response.context["form"]["partner"].value(), "E  OVIEDO02")
        self.assertEqual(response.context["formset"].forms[0]["subject_areas"].value(), "0613 Software")
        self.assertEqual(response.context["formset"].forms[0]["language_skills"].value(), "en B2")
        self.assertEqual(len(response.context["formset"].forms), 4)  # two conditions, two blank rows

    def test_saving_unchanged_keeps_everything(self) -> None:
        self.login()
        url = self.url("agreements-edit", self.agreement.public_id)
        before = hashing.data_hash(snapshot.agreement_to_data(self.agreement))
        response = self.client.post(url, as_posted(self.client.get(url)))
        self.assertRedirects(response, self.detail_url(), fetch_redirect_response=False)
        agreement = Agreement.objects.get(pk=self.agreement.pk)
        self.assertEqual(agreement.conditions.count(), 2)
        self.assertEqual(hashing.data_hash(snapshot.agreement_to_data(agreement)), before)

    def test_editing_an_approved_agreement_warns_then_starts_a_new_version(self) -> None:
        self.approve_by_both()
        self.login()
        url = self.url("agreements-edit", self.agreement.public_id)
        page = self.client.get(url)
        self.assertContains(page, "starts a new version")
        data = as_posted(page)
        data["conditions-0-mobilities_per_year"] = "3"
        response = self.client.post(url, data, follow=True)
        self.assertContains(response, "saved as version 2")
        agreement = Agreement.objects.get(pk=self.agreement.pk)
        self.assertEqual((agreement.version, agreement.status), (2, Agreement.Status.DRAFT))

    def test_a_problem_on_edit_keeps_the_agreement_unchanged(self) -> None:
        self.login()
        url = self.url("agreements-edit", self.agreement.public_id)
        data = as_posted(self.client.get(url))
        data["conditions-1-language_skills"] = "english B2"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("is not a language code", response.context["formset"].forms[1].errors["language_skills"][0])
        self.assertEqual(
            [s.language for c in self.agreement.conditions.all() for s in c.language_skills.all()], ["en", "en"]
        )

    def test_a_terminated_agreement_cannot_be_edited(self) -> None:
        agreement = self.approve_by_both()
        services.terminate_agreement(agreement, actor=self.alice)
        self.login()
        response = self.client.get(self.url("agreements-edit", self.agreement.public_id), follow=True)
        self.assertContains(response, "A terminated agreement cannot be changed.")


class RenewTests(AgreementPagesTestCase):
    def test_it_suggests_the_next_span_of_years_and_a_code(self) -> None:
        self.login()
        response = self.client.get(self.url("agreements-renew", self.agreement.public_id))
        form = response.context["form"]
        self.assertEqual((form.initial["first_year"], form.initial["last_year"]), ("2029/2030", "2031/2032"))
        self.assertEqual(form.initial["code"], services.next_code(self.inst_a))

    def test_it_creates_the_renewal_as_a_draft_and_goes_there(self) -> None:
        self.login()
        data = {"first_year": "2029/2030", "last_year": "2031/2032", "code": "A/OVIEDO/2"}
        response = self.client.post(self.url("agreements-renew", self.agreement.public_id), data)
        renewal = Agreement.objects.get(code="A/OVIEDO/2")
        self.assertRedirects(response, self.detail_url(renewal), fetch_redirect_response=False)
        self.assertEqual(renewal.renewal_of, self.agreement)
        self.assertEqual({(c.first_year, c.last_year) for c in renewal.conditions.all()}, {("2029/2030", "2031/2032")})

    def test_bad_years_and_a_taken_code_are_shown_on_their_fields(self) -> None:
        self.login()
        url = self.url("agreements-renew", self.agreement.public_id)
        response = self.client.post(url, {"first_year": "2029", "last_year": "2031/2032", "code": "X"})
        self.assertEqual(response.context["form"].errors["first_year"], ["Write the academic year like 2026/2027."])
        response = self.client.post(url, {"first_year": "2031/2032", "last_year": "2029/2030", "code": "X"})
        self.assertIn("comes before the first", response.context["form"].errors["last_year"][0])
        response = self.client.post(url, {"first_year": "2029/2030", "last_year": "2031/2032", "code": "A/MUNICH"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("A/MUNICH", response.context["form"].errors["code"][0])
