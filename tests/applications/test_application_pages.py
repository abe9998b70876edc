"""Applying pages: start, the edit page with its autosave (HTMX or not), documents, submit, withdraw, the detail
page for the student and the staff, the draft kept after the deadline, and the receipt e-mail."""

import tempfile
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from mobilitas.applications.models import Application, Call, RequiredDocument
from mobilitas.applications.services import applying as services
from mobilitas.institutions.models import Role
from tests.applications.factories import make_application, make_call, make_destination
from tests.base import TenantTestCase
from tests.factories import make_institution, make_member, make_ounit
from tests.test_accessibility import PageStructure

Status = Application.Status
PDF = b"%PDF-1.4\n%%EOF\n"


class PagesTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.science = make_ounit(cls.inst_a, "SCI", "Faculty of Science")
        cls.law = make_ounit(cls.inst_a, "LAW", "Faculty of Law")
        cls.coordinator = make_member("coord@a.test", cls.inst_a, Role.COORDINATOR, ounit=cls.science)
        cls.dave = make_member("dave@a.test", cls.inst_a, Role.STUDENT, full_name="Dave Student")
        cls.call = make_call(cls.inst_a, max_choices=3)
        cls.oviedo = make_destination(cls.call, make_institution(name="Universidad de Oviedo"))
        cls.bologna = make_destination(cls.call, make_institution(name="Università di Bologna"))
        cls.sevilla = make_destination(
            cls.call, make_institution(name="Universidad de Sevilla"), languages=[{"language": "es", "level": "B2"}]
        )

    def setUp(self) -> None:
        media = tempfile.TemporaryDirectory()
        self.addCleanup(media.cleanup)
        override = override_settings(MEDIA_ROOT=media.name)
        override.enable()
        self.addCleanup(override.disable)

    def url(self, name: str, application: Application, slug: str = "univ-a") -> str:
        return reverse(name, args=[slug, application.public_id])

    def draft(self, **fields: Any) -> Application:
        fields.setdefault("ounit", self.science)
        return make_application(self.call, self.bob, **fields)

    def form(self, application: Application, **changes: Any) -> dict[str, Any]:
        """What the edit page posts for `application` as it is, with `changes`."""
        data = {
            "ounit": str(application.ounit.public_id) if application.ounit else "",
            "study_level": str(application.study_level or ""),
            "programme": application.programme,
            "isced_code": application.isced_code,
            "grade_average": str(application.grade_average or ""),
            "grade_scale": "20",
            "motivation": application.motivation,
        }
        for i, (code, level) in enumerate(sorted(application.languages.items())):
            data[f"language_{i}"], data[f"level_{i}"] = code, level
        for choice in application.choices.all():
            data[f"choice_{choice.rank}"] = str(choice.destination.public_id)
        data.update(changes)
        return data

    def assert_accessible(self, response: Any) -> None:
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.unlabelled(), [])
        self.assertEqual(page.h1_count, 1)


class StartPageTests(PagesTestCase):
    def start_url(self, slug: str = "univ-a") -> str:
        return reverse("applications-start", args=[slug, self.call.public_id])

    def test_the_apply_button_makes_one_draft_and_opens_it(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.post(self.start_url())
        application = Application.objects.get(student=self.bob)
        self.assertRedirects(response, self.url("applications-edit", application), fetch_redirect_response=False)
        self.client.post(self.start_url())
        self.assertEqual(Application.objects.filter(student=self.bob).count(), 1)
        self.assertEqual(self.client.get(self.start_url()).status_code, 405)

    def test_an_officer_cannot_apply_to_a_student_call(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.start_url())
        self.assertContains(response, "Only students of University A can apply to this call.", status_code=403)

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.start_url(), method="post")
        self.assert_carol_gets_404(self.start_url("univ-b"), method="post")


class EditPageTests(PagesTestCase):
    def test_it_lists_the_eligible_destinations_in_each_ranked_choice_and_says_why_not_the_others(self) -> None:
        application = self.draft(choices=[self.bologna])
        self.client.force_login(self.bob)
        response = self.client.get(self.url("applications-edit", application))
        self.assertEqual(response.status_code, 200)
        for label in ("1st choice", "2nd choice", "3rd choice"):
            self.assertContains(response, label)
        self.assertNotContains(response, "4th choice")
        choices = response.context["form"].fields["choice_1"].widget.choices
        self.assertEqual(
            [label for _value, label in choices],
            ["— none —", "Universidad de Oviedo (Amiens)", "Università di Bologna (Amiens)"],
        )
        self.assertContains(response, "Requires Spanish B2; you did not declare Spanish.")
        self.assertContains(response, f'value="{self.bologna.public_id}" selected')
        self.assert_accessible(response)

    def test_only_the_applicant_edits(self) -> None:
        application = self.draft()
        for other in (self.dave, self.alice):
            self.client.force_login(other)
            self.assertEqual(self.client.get(self.url("applications-edit", application)).status_code, 404)
        self.assert_carol_gets_404(self.url("applications-edit", application))
        self.assert_carol_gets_404(self.url("applications-edit", application, "univ-b"))


class AutosaveTests(PagesTestCase):
    def test_htmx_answers_a_status_fragment_and_saves(self) -> None:
        application = self.draft()
        self.client.force_login(self.bob)
        data = self.form(application, motivation="Because of the courses.", choice_1=str(self.oviedo.public_id))
        response = self.client.post(self.url("applications-autosave", application), data, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        local = timezone.localtime(timezone.now(), ZoneInfo("Europe/Paris"))
        self.assertContains(response, f"Draft saved at {local:%H:%M}")
        self.assertNotContains(response, "<html")
        self.assertContains(response, 'hx-swap-oob="true"')  # the eligibility panel follows what was saved
        application.refresh_from_db()
        self.assertEqual(application.motivation, "Because of the courses.")
        self.assertEqual(services.choices_of(application), [self.oviedo])

    def test_htmx_lists_the_invalid_fields_and_saves_the_valid_ones(self) -> None:
        application = self.draft()
        self.client.force_login(self.bob)
        data = self.form(
            application, grade_average="very good", programme="Licence Maths", language_1="es", level_1="B2"
        )
        response = self.client.post(self.url("applications-autosave", application), data, HTTP_HX_REQUEST="true")
        self.assertContains(response, "Write your grade average as a number, like 13.5.")
        self.assertContains(response, "except:")
        application.refresh_from_db()
        self.assertEqual(application.programme, "Licence Maths")
        self.assertEqual(application.languages, {"en": "B2", "es": "B2"})
        self.assertEqual(str(application.grade_average), "14.00")
        # Spanish B2 now declared: Sevilla is no longer out of reach.
        self.assertNotContains(response, "Requires Spanish B2")

    def test_without_javascript_the_save_button_saves_and_comes_back(self) -> None:
        application = self.draft()
        self.client.force_login(self.bob)
        response = self.client.post(
            self.url("applications-autosave", application), self.form(application, motivation="No JS")
        )
        self.assertRedirects(response, self.url("applications-edit", application), fetch_redirect_response=False)
        self.assertContains(self.client.get(self.url("applications-edit", application)), "Draft saved at")
        application.refresh_from_db()
        self.assertEqual(application.motivation, "No JS")

    def test_without_javascript_problems_come_back_on_the_page_with_what_was_typed(self) -> None:
        application = self.draft()
        self.client.force_login(self.bob)
        data = self.form(application, grade_average="25", motivation="Kept", choice_1=str(self.sevilla.public_id))
        response = self.client.post(self.url("applications-autosave", application), data)
        self.assertContains(response, "The grade average must be between 0 and 20", status_code=400)
        self.assertContains(response, "You cannot choose Universidad de Sevilla", status_code=400)
        self.assertContains(response, 'value="25"', status_code=400)
        application.refresh_from_db()
        self.assertEqual(application.motivation, "Kept")
        self.assert_accessible(response)

    def test_carol_gets_404(self) -> None:
        application = self.draft()
        self.assert_carol_gets_404(self.url("applications-autosave", application), method="post")


class DocumentPageTests(PagesTestCase):
    def test_a_document_is_uploaded_from_the_page(self) -> None:
        RequiredDocument.objects.create(call=self.call, name="Transcript")
        application = self.draft()
        self.client.force_login(self.bob)
        file = SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf")
        response = self.client.post(self.url("applications-upload", application), {"document": "1", "file": file})
        self.assertRedirects(
            response, self.url("applications-edit", application) + "#documents", fetch_redirect_response=False
        )
        page = self.client.get(self.url("applications-edit", application))
        self.assertContains(page, "“notes.pdf” is uploaded.")
        self.assertContains(page, "Replace the file for “Transcript”")
        self.assert_accessible(page)

    def test_a_disguised_file_is_refused_with_a_message(self) -> None:
        RequiredDocument.objects.create(call=self.call, name="Transcript")
        application = self.draft()
        self.client.force_login(self.bob)
        file = SimpleUploadedFile("notes.pdf", b"MZ\x90\x00rest", content_type="application/pdf")
        response = self.client.post(
            self.url("applications-upload", application), {"document": "1", "file": file}, follow=True
        )
        self.assertContains(response, "“notes.pdf” was not uploaded: Only PDF, PNG and JPEG files are accepted")
        self.assertFalse(application.uploads.exists())

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url("applications-upload", self.draft()), method="post")


class SubmitPageTests(PagesTestCase):
    def test_the_submit_button_saves_the_form_then_submits(self) -> None:
        application = self.draft()
        self.client.force_login(self.bob)
        data = self.form(application, choice_1=str(self.oviedo.public_id), motivation="Last words")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url("applications-submit", application), data)
        self.assertRedirects(response, self.url("applications-application", application), fetch_redirect_response=False)
        application.refresh_from_db()
        self.assertEqual((application.status, application.motivation), (Status.SUBMITTED, "Last words"))
        self.assertEqual(len(mail.outbox), 1)
        page = self.client.get(self.url("applications-application", application))
        self.assertContains(page, "Your application is submitted.")
        self.assertContains(page, "Withdraw my application")

    def test_a_second_submit_is_harmless(self) -> None:
        application = self.draft(choices=[self.oviedo])
        self.client.force_login(self.bob)
        self.client.post(self.url("applications-submit", application))
        response = self.client.post(self.url("applications-submit", application), follow=True)
        self.assertContains(response, "This application was already submitted on")
        self.assertEqual(Application.objects.get(pk=application.pk).status, Status.SUBMITTED)

    def test_every_problem_is_listed_on_the_page(self) -> None:
        application = self.draft(grade_average=None, languages={})
        self.client.force_login(self.bob)
        response = self.client.post(self.url("applications-submit", application))
        for problem in ("Give your grade average.", "Give at least one language", "Choose at least one destination."):
            self.assertContains(response, problem, status_code=400)
        self.assertEqual(Application.objects.get(pk=application.pk).status, Status.DRAFT)

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url("applications-submit", self.draft()), method="post")


class WithdrawPageTests(PagesTestCase):
    def test_the_applicant_withdraws(self) -> None:
        application = services.submit_application(self.draft(choices=[self.oviedo]), actor=self.bob)
        self.client.force_login(self.bob)
        response = self.client.post(self.url("applications-withdraw", application), follow=True)
        self.assertContains(response, "Your application is withdrawn.")
        self.assertContains(response, "Start it again as a draft")
        self.assertEqual(Application.objects.get(pk=application.pk).status, Status.WITHDRAWN)

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url("applications-withdraw", self.draft()), method="post")


class DetailPageTests(PagesTestCase):
    def test_the_faculty_coordinator_and_officers_read_a_submitted_application(self) -> None:
        application = services.submit_application(self.draft(choices=[self.oviedo]), actor=self.bob)
        for reader in (self.alice, self.coordinator):
            self.client.force_login(reader)
            response = self.client.get(self.url("applications-application", application))
            self.assertContains(response, "Application of Bob Student to Erasmus+ studies 2027/2028")
            self.assertContains(response, "Universidad de Oviedo")
            self.assertNotContains(response, "Withdraw my application")
            self.assert_accessible(response)

    def test_another_student_gets_404_and_so_does_carol(self) -> None:
        application = self.draft()
        self.client.force_login(self.dave)
        self.assertEqual(self.client.get(self.url("applications-application", application)).status_code, 404)
        self.assert_carol_gets_404(self.url("applications-application", application))

    def test_a_draft_is_kept_read_only_after_the_deadline(self) -> None:
        application = self.draft(choices=[self.oviedo])
        Call.objects.filter(pk=self.call.pk).update(closes_at=timezone.now() - timedelta(hours=1))
        self.client.force_login(self.bob)
        edit = self.client.get(self.url("applications-edit", application))
        self.assertRedirects(edit, self.url("applications-application", application))
        response = self.client.get(self.url("applications-application", application))
        self.assertContains(response, "This application was not submitted before the deadline (")
        self.assertContains(response, "it cannot be submitted any more.")
        self.assertNotContains(response, "Continue the draft")
        listing = self.client.get(reverse("applications-mine", args=["univ-a"]))
        self.assertContains(listing, "Not submitted")
        self.assertContains(listing, "Erasmus+ studies 2027/2028")
        self.assert_accessible(listing)

    def test_my_applications_shows_only_mine(self) -> None:
        self.draft()
        make_application(make_call(self.inst_a, title="Other call"), self.dave)
        self.client.force_login(self.bob)
        response = self.client.get(reverse("applications-mine", args=["univ-a"]))
        self.assertContains(response, "Continue the draft")
        self.assertNotContains(response, "Other call")
        self.assert_carol_gets_404(reverse("applications-mine", args=["univ-a"]))


class ReceiptTests(PagesTestCase):
    @time_machine.travel(datetime(2027, 2, 1, 13, 0, tzinfo=ZoneInfo("UTC")), tick=False)
    def test_the_receipt_is_in_the_students_language_and_time_zone(self) -> None:
        self.bob.language = "fr"
        self.bob.time_zone = "Europe/Paris"
        self.bob.save(update_fields=["language", "time_zone"])
        call = make_call(self.inst_a, title="Erasmus+ études 2027/2028")
        first = make_destination(call, make_institution(name="Universidad de Oviedo"))
        second = make_destination(call, make_institution(name="Università di Bologna"))
        application = make_application(call, self.bob, choices=[second, first])
        self.client.force_login(self.bob)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url("applications-submit", application))
        [receipt] = mail.outbox
        self.assertEqual(receipt.to, ["bob@a.test"])
        self.assertIn("Erasmus+ études 2027/2028", receipt.subject)
        # 13:00 UTC is 14:00 in Paris; the date is written in French.
        self.assertIn("1 février 2027 14:00 (Europe/Paris)", receipt.body)
        self.assertIn("1. Università di Bologna\n2. Universidad de Oviedo", receipt.body)
        self.assertIn(settings.SITE_URL + self.url("applications-application", application), receipt.body)


class StaffCallPageTests(PagesTestCase):
    def test_a_staff_member_applies_without_study_level_or_grades(self) -> None:
        teacher = make_member("teacher@a.test", self.inst_a, Role.STAFF, ounit=self.science, full_name="Tess Teacher")
        call = make_call(self.inst_a, kind=Call.Kind.STAFF_TEACHING, title="Teaching 2027/2028")
        destination = make_destination(call, make_institution(name="Universidade de Lisboa"), eqf_levels=[7])
        self.client.force_login(teacher)
        self.client.post(reverse("applications-start", args=["univ-a", call.public_id]))
        application = Application.objects.get(student=teacher)
        page = self.client.get(self.url("applications-edit", application))
        self.assertNotContains(page, "Grade average")
        self.assertNotContains(page, "Study level")
        self.assert_accessible(page)
        data = {"ounit": str(self.science.public_id), "language_0": "pt", "level_0": "B1"}
        data.update({"motivation": "Teach a course.", "choice_1": str(destination.public_id)})
        response = self.client.post(self.url("applications-submit", application), data)
        self.assertRedirects(response, self.url("applications-application", application), fetch_redirect_response=False)
        self.assertEqual(Application.objects.get(pk=application.pk).status, Status.SUBMITTED)

    def test_the_edit_page_reads_in_french(self) -> None:
        self.bob.language = "fr"
        self.bob.save(update_fields=["language"])
        self.addCleanup(translation.deactivate)  # the request leaves French active in this thread
        application = self.draft()
        self.client.force_login(self.bob)
        response = self.client.get(self.url("applications-edit", application), HTTP_ACCEPT_LANGUAGE="fr")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'lang="fr"')
        self.assertContains(response, "Espagnol B2")  # Sevilla's requirement, in French words
