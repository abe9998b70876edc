"""Documents of an application: the type read from the content, the size limit, storage, the guarded download."""

import hashlib
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from mobilitas.applications.models import RequiredDocument, Upload
from mobilitas.applications.services import applying as services
from mobilitas.applications.uploads import MAX_UPLOAD_BYTES, clean_name
from mobilitas.institutions.models import Role
from mobilitas.lib.errors import Conflict, DomainError
from tests.applications.factories import make_application, make_call, make_destination
from tests.base import TenantTestCase
from tests.factories import make_institution, make_member, make_ounit

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 32


class UploadTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.science = make_ounit(cls.inst_a, "SCI", "Faculty of Science")
        cls.law = make_ounit(cls.inst_a, "LAW", "Faculty of Law")
        cls.coordinator = make_member("coord@a.test", cls.inst_a, Role.COORDINATOR, ounit=cls.science)
        cls.law_coordinator = make_member("lawcoord@a.test", cls.inst_a, Role.COORDINATOR, ounit=cls.law)
        cls.dave = make_member("dave@a.test", cls.inst_a, Role.STUDENT, full_name="Dave Student")
        cls.call = make_call(cls.inst_a)
        cls.transcript = RequiredDocument.objects.create(call=cls.call, name="Transcript", position=1)
        cls.destination = make_destination(cls.call, make_institution(name="Universidad de Oviedo"))

    def setUp(self) -> None:
        media = tempfile.TemporaryDirectory()
        self.addCleanup(media.cleanup)
        self.media = Path(media.name)
        override = override_settings(MEDIA_ROOT=media.name)
        override.enable()
        self.addCleanup(override.disable)
        self.application = make_application(self.call, self.bob, ounit=self.science, choices=[self.destination])

    def add(self, name: str, content: bytes, content_type: str = "application/pdf") -> Upload:
        file = SimpleUploadedFile(name, content, content_type=content_type)
        with self.captureOnCommitCallbacks(execute=True):
            return services.add_upload(self.application, actor=self.bob, requirement=self.transcript, file=file)


class CheckTests(UploadTestCase):
    def test_pdf_png_and_jpeg_are_told_from_their_content(self) -> None:
        for name, content, expected in (
            ("transcript.pdf", PDF, "application/pdf"),
            ("scan.PNG", PNG, "image/png"),
            ("photo", JPEG, "image/jpeg"),  # no extension: the content says what it is
        ):
            with self.subTest(name=name):
                upload = self.add(name, content, content_type="application/octet-stream")
                self.assertEqual(upload.content_type, expected)
                self.assertEqual(upload.original_name, name)
                self.assertEqual(upload.size, len(content))
                self.assertEqual(upload.sha256, hashlib.sha256(content).hexdigest())

    def test_an_executable_renamed_pdf_is_refused(self) -> None:
        with self.assertRaisesMessage(DomainError, "Only PDF, PNG and JPEG files are accepted"):
            self.add("transcript.pdf", EXE, content_type="application/pdf")
        self.assertFalse(Upload.objects.exists())
        self.assertEqual([p for p in self.media.rglob("*") if p.is_file()], [])

    def test_a_file_over_the_limit_is_refused_with_the_limit(self) -> None:
        with self.assertRaisesMessage(DomainError, "The file is too large: the limit is 10 MB."):
            self.add("big.pdf", PDF + b"\x00" * (MAX_UPLOAD_BYTES - len(PDF) + 1))
        self.assertFalse(Upload.objects.exists())

    def test_an_empty_file_is_refused(self) -> None:
        with self.assertRaisesMessage(DomainError, "The file is empty."):
            self.add("empty.pdf", b"")

    def test_the_name_keeps_no_folder(self) -> None:
        self.assertEqual(clean_name("../../etc/passwd"), "passwd")
        self.assertEqual(clean_name("C:\\Users\\bob\\relevé.pdf"), "relevé.pdf")
        self.assertEqual(clean_name("\x00\n"), "document")


class StorageTests(UploadTestCase):
    def test_it_is_stored_under_media_root_with_a_random_name(self) -> None:
        upload = self.add("transcript.pdf", PDF)
        path = Path(upload.file.path).resolve()
        self.assertTrue(path.is_relative_to(self.media.resolve()))
        self.assertFalse(path.is_relative_to(Path(settings.STATIC_ROOT).resolve()))
        self.assertNotIn("transcript", path.name)
        self.assertEqual(path.read_bytes(), PDF)

    def test_uploading_again_replaces_the_document(self) -> None:
        first = self.add("old.pdf", PDF)
        old_path = Path(first.file.path)
        second = self.add("new.png", PNG)
        self.assertEqual(list(self.application.uploads.all()), [second])
        self.assertFalse(old_path.exists())

    def test_it_is_deleted_while_a_draft_only(self) -> None:
        upload = self.add("transcript.pdf", PDF)
        path = Path(upload.file.path)
        with self.captureOnCommitCallbacks(execute=True):
            services.delete_upload(upload, actor=self.bob)
        self.assertFalse(path.exists())
        upload = self.add("transcript.pdf", PDF)
        services.submit_application(self.application, actor=self.bob)
        with self.assertRaisesMessage(Conflict, "withdraw it first"):
            services.delete_upload(upload, actor=self.bob)

    def test_a_document_of_another_call_is_refused(self) -> None:
        other = RequiredDocument.objects.create(call=make_call(self.inst_a), name="CV")
        with self.assertRaisesMessage(DomainError, "This document is not asked for by the call."):
            services.add_upload(
                self.application, actor=self.bob, requirement=other, file=SimpleUploadedFile("cv.pdf", PDF)
            )


class DownloadTests(UploadTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.upload = self.add("Relevé de notes.pdf", PDF)
        self.url = reverse("applications-document", args=["univ-a", self.application.public_id, self.upload.public_id])

    def test_the_applicant_downloads_it_as_an_attachment(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), PDF)  # type: ignore[attr-defined]
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertIn("Relev%C3%A9%20de%20notes.pdf", response["Content-Disposition"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_officers_and_the_faculty_coordinator_download_a_submitted_application(self) -> None:
        services.submit_application(self.application, actor=self.bob)
        for reader in (self.alice, self.coordinator):
            self.client.force_login(reader)
            response = self.client.get(self.url)
            self.assertEqual(response.status_code, 200, reader)
            self.assertEqual(b"".join(response.streaming_content), PDF)  # type: ignore[attr-defined]

    def test_another_student_or_faculty_gets_404(self) -> None:
        services.submit_application(self.application, actor=self.bob)
        for outsider in (self.dave, self.law_coordinator):
            self.client.force_login(outsider)
            self.assertEqual(self.client.get(self.url).status_code, 404, outsider)

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url)
        self.assert_carol_gets_404(
            reverse("applications-document", args=["univ-b", self.application.public_id, self.upload.public_id])
        )

    def test_the_upload_must_belong_to_the_application_of_the_url(self) -> None:
        other = make_application(self.call, self.dave)
        self.client.force_login(self.bob)
        url = reverse("applications-document", args=["univ-a", other.public_id, self.upload.public_id])
        self.assertEqual(self.client.get(url).status_code, 404)
