"""Documents attached to an agreement: upload (size and type checked), download through the access helper, delete."""

import tempfile
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import override_settings

from mobilitas.agreements.models import AgreementDocument
from tests.agreements.test_pages import AgreementPagesTestCase

PDF = b"%PDF-1.4\n% a tiny test file\n"


class DocumentTests(AgreementPagesTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        media = tempfile.TemporaryDirectory()
        cls.addClassCleanup(media.cleanup)
        cls.enterClassContext(override_settings(MEDIA_ROOT=media.name))

    def upload(self, title: str = "Signed agreement", name: str = "signed.pdf", content: bytes = PDF) -> HttpResponse:
        self.login()
        return self.client.post(
            self.url("agreements-document-add", self.agreement.public_id),
            {"title": title, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        )

    def test_it_uploads_lists_downloads_and_deletes_a_document(self) -> None:
        response = self.upload()
        self.assertRedirects(response, self.detail_url() + "#documents", fetch_redirect_response=False)
        document = AgreementDocument.objects.get(agreement=self.agreement)
        download = self.url("agreements-document", document.public_id)
        self.assertContains(self.client.get(self.detail_url()), download)

        response = self.client.get(download)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), PDF)  # type: ignore[attr-defined]
        self.assertIn('attachment; filename="signed.pdf"', response["Content-Disposition"])

        response = self.client.post(self.url("agreements-document-delete", document.public_id), follow=True)
        self.assertContains(response, "The document “Signed agreement” was deleted.")
        self.assertFalse(AgreementDocument.objects.filter(pk=document.pk).exists())

    def test_a_coordinator_downloads_but_cannot_upload_or_delete(self) -> None:
        self.upload()
        document = AgreementDocument.objects.get(agreement=self.agreement)
        self.login(self.coordinator)
        response = self.client.get(self.url("agreements-document", document.public_id))
        self.assertEqual(response.status_code, 200)
        # Reading the stream to its end closes the file (the test client closes the response then).
        self.assertEqual(b"".join(response.streaming_content), PDF)  # type: ignore[attr-defined]
        self.assertEqual(self.client.post(self.url("agreements-document-delete", document.public_id)).status_code, 403)
        self.assertEqual(
            self.client.post(self.url("agreements-document-add", self.agreement.public_id)).status_code, 403
        )

    def test_carol_and_students_cannot_reach_a_document(self) -> None:
        self.upload()
        document = AgreementDocument.objects.get(agreement=self.agreement)
        self.assert_carol_gets_404(self.url("agreements-document", document.public_id))
        self.assert_carol_gets_404(self.url("agreements-document-delete", document.public_id), method="post")
        self.login(self.bob)
        self.assertEqual(self.client.get(self.url("agreements-document", document.public_id)).status_code, 403)
        self.assertTrue(AgreementDocument.objects.filter(pk=document.pk).exists())

    def test_an_unknown_document_is_404(self) -> None:
        self.login()
        self.assertEqual(self.client.get(self.url("agreements-document", self.agreement.public_id)).status_code, 404)

    def test_a_program_or_a_file_too_large_is_refused_next_to_the_field(self) -> None:
        response = self.upload(name="virus.exe", content=b"MZ")
        self.assertEqual(response.status_code, 400)
        self.assertIn("File extension “exe” is not allowed", response.context["document_form"].errors["file"][0])
        with mock.patch("mobilitas.agreements.forms.MAX_DOCUMENT_BYTES", 10):
            response = self.upload()
        self.assertEqual(response.context["document_form"].errors["file"], ["The file is larger than 10 MB."])
        self.assertContains(response, "The file is larger than 10 MB.", status_code=400)
        self.assertFalse(AgreementDocument.objects.exists())
