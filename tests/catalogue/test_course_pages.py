"""A course's page, creating and editing a course, sharing it with the alliance: who may do what."""

from decimal import Decimal

from django.urls import reverse

from mobilitas.audit.models import AuditEvent
from mobilitas.catalogue.models import Course
from mobilitas.catalogue.services.courses import CourseInput, create_course, share_course
from mobilitas.institutions.models import Alliance, AllianceMember, Role
from tests.base import TenantTestCase
from tests.factories import make_member, make_ounit
from tests.test_accessibility import PageStructure


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "code": "INF-101",
        "ounit": "",
        "ects": "5",
        "eqf_level": "6",
        "isced_code": "0613",
        "languages": "en, fr",
        "mode": "blended",
        "term": "autumn",
        "programme": "Licence Informatique",
        "alliance_places": "3",
        "contact_name": "Ada",
        "contact_email": "ada@a.test",
        "url": "https://a.test/inf-101",
        "texts-TOTAL_FORMS": "3",
        "texts-INITIAL_FORMS": "3",
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "40",
        "texts-0-language": "en",
        "texts-0-title": "Programming 1",
        "texts-0-description": "Basics of Python.",
        "texts-0-outcomes": "Write small programs.",
        "texts-1-language": "fr",
        "texts-1-title": "Programmation 1",
        "texts-1-description": "",
        "texts-1-outcomes": "",
        "texts-2-language": "",
        "texts-2-title": "",
        "texts-2-description": "",
        "texts-2-outcomes": "",
    }
    data.update(overrides)
    return data


class CoursePageTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.course = create_course(
            cls.inst_a,
            CourseInput(
                code="CS-A1110",
                titles={"en": "Programming 1", "fi": "Ohjelmointi 1"},
                descriptions={"en": "Basics of programming.", "fi": "Ohjelmoinnin perusteet."},
                learning_outcomes={"en": "You write small programs."},
                ects=Decimal("5"),
                eqf_level=6,
                isced_code="0613",
                languages=["fi", "en"],
                mode="blended",
                term="autumn",
                alliance_places=4,
                contact_name="Student services",
                contact_email="studies@a.test",
            ),
            actor=cls.alice,
        )
        cls.carol_student = make_member("dave@b.test", cls.inst_b, Role.STUDENT, full_name="Dave Student")

    def url(self, name: str = "catalogue-course", course: Course | None = None) -> str:
        return reverse(name, args=[self.inst_a.slug, (course or self.course).public_id])

    def join_alliance(self) -> None:
        alliance = Alliance.objects.create(slug="eu", name="EU Alliance")
        AllianceMember.objects.create(alliance=alliance, institution=self.inst_a)
        AllianceMember.objects.create(alliance=alliance, institution=self.inst_b)

    def b_url(self, name: str = "catalogue-course") -> str:
        return reverse(name, args=[self.inst_b.slug, self.course.public_id])

    def test_a_student_reads_the_course_in_the_readers_language(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url())
        self.assertContains(response, "Programming 1")
        self.assertContains(response, "Basics of programming.")
        self.assertContains(response, "You write small programs.")
        self.assertContains(response, "Student services")
        self.assertContains(response, "0613")
        self.assertContains(response, "Finnish")
        self.assertContains(response, "Find equivalent courses")
        self.assertNotContains(response, "Request enrolment")  # a course of his own institution
        self.assertNotContains(
            response, reverse("catalogue-course-edit", args=[self.inst_a.slug, self.course.public_id])
        )
        self.assertNotContains(response, "Share with the alliance")
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.h1_count, 1)
        self.assertEqual(page.unlabelled(), [])

    def test_the_other_languages_are_one_link_away(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url(), {"lang": "fi"})
        self.assertContains(response, '<span lang="fi">Ohjelmointi 1</span>')
        self.assertContains(response, "Ohjelmoinnin perusteet.")
        # No Finnish outcomes: the English ones, marked as English.
        self.assertContains(response, '<div lang="en"><p>You write small programs.</p></div>', html=True)
        self.assertContains(response, 'href="?lang=en"')

    def test_carol_gets_404_on_an_unshared_course_even_in_one_alliance(self) -> None:
        self.join_alliance()
        self.assert_carol_gets_404(self.b_url())

    def test_carol_reads_a_shared_course_of_a_fellow_member_but_cannot_edit_or_unshare_it(self) -> None:
        share_course(self.course, actor=self.alice)
        self.assert_carol_gets_404(self.b_url())  # not in one alliance yet
        self.join_alliance()
        self.client.force_login(self.carol)
        response = self.client.get(self.b_url())
        self.assertContains(response, "Programming 1")
        self.assertContains(response, "shared with the alliance")
        self.assertNotContains(response, "Stop sharing")
        self.assertEqual(self.client.get(self.b_url("catalogue-course-edit")).status_code, 403)
        self.assertEqual(self.client.post(self.b_url("catalogue-course-share"), {"shared": "0"}).status_code, 403)
        self.assertTrue(Course.objects.get(pk=self.course.pk).shared)

    def test_a_student_of_another_member_may_request_enrolment_in_a_shared_course(self) -> None:
        self.join_alliance()
        share_course(self.course, actor=self.alice)
        self.client.force_login(self.carol_student)
        response = self.client.get(self.b_url())
        self.assertContains(response, "Request enrolment")
        self.assertContains(response, reverse("catalogue-enrol", args=[self.inst_b.slug, self.course.public_id]))

    def test_alice_shares_and_unshares_with_an_audit_event_each(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url("catalogue-course-share"), {"shared": "1"}, follow=True)
        self.assertContains(response, "now shared with the alliance")
        self.assertTrue(Course.objects.get(pk=self.course.pk).shared)
        response = self.client.post(self.url("catalogue-course-share"), {"shared": "1"}, follow=True)
        self.assertContains(response, "already shared")
        self.client.post(self.url("catalogue-course-share"), {"shared": "0"})
        self.assertFalse(Course.objects.get(pk=self.course.pk).shared)
        actions = list(AuditEvent.objects.filter(object_id=str(self.course.public_id)).values_list("action", flat=True))
        self.assertEqual(sorted(actions), ["course.created", "course.shared", "course.unshared"])

    def test_a_student_may_not_share(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url("catalogue-course-share"), {"shared": "1"}).status_code, 403)
        self.assertEqual(self.client.get(self.url("catalogue-course-share")).status_code, 405)

    def test_the_alliance_office_of_another_member_unshares_a_shared_course(self) -> None:
        self.join_alliance()
        share_course(self.course, actor=self.alice)
        office = make_member("office@b.test", self.inst_b, Role.ALLIANCE_OFFICE)
        self.client.force_login(office)
        response = self.client.post(self.b_url("catalogue-course-share"), {"shared": "0"})
        self.assertRedirects(response, reverse("catalogue-search", args=[self.inst_b.slug]))
        self.assertFalse(Course.objects.get(pk=self.course.pk).shared)
        self.assertEqual(self.client.get(self.b_url()).status_code, 404)

    def test_a_missing_course_is_404(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(reverse("catalogue-course", args=[self.inst_a.slug, self.inst_a.public_id]))
        self.assertEqual(response.status_code, 404)


class CourseFormTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.unit = make_ounit(cls.inst_a, "SCI", "Faculty of Science")

    def create_url(self) -> str:
        return reverse("catalogue-course-create", args=[self.inst_a.slug])

    def test_the_new_course_form_asks_for_english_french_and_the_local_language(self) -> None:
        self.client.force_login(self.carol)
        response = self.client.get(reverse("catalogue-course-create", args=[self.inst_b.slug]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<option value="es" selected>', html=False)
        self.assertContains(response, 'name="texts-3-language"')  # en, fr, es and an empty row
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.unlabelled(), [])
        self.assertEqual(page.h1_count, 1)

    def test_alice_creates_a_course(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.create_url(), form_data(ounit=str(self.unit.public_id)))
        course = Course.objects.get(institution=self.inst_a, code="INF-101")
        self.assertRedirects(response, reverse("catalogue-course", args=[self.inst_a.slug, course.public_id]))
        self.assertEqual(course.titles, {"en": "Programming 1", "fr": "Programmation 1"})
        self.assertEqual(course.descriptions, {"en": "Basics of Python."})
        self.assertEqual((course.ects, course.eqf_level, course.languages), (Decimal(5), 6, ["en", "fr"]))
        self.assertEqual((course.ounit, course.alliance_places, course.shared), (self.unit, 3, False))
        self.assertTrue(AuditEvent.objects.filter(action="course.created", actor=self.alice).exists())

    def test_mistakes_are_named_next_to_their_fields(self) -> None:
        self.client.force_login(self.alice)
        data = form_data(**{"texts-0-title": "", "texts-1-title": "", "eqf_level": "9", "isced_code": "61"})
        response = self.client.post(self.create_url(), data)
        self.assertContains(response, "The course was not saved", status_code=400)
        self.assertContains(response, "Select a valid choice", status_code=400)
        self.assertContains(response, "Write 2 to 4 digits starting 00 to 10", status_code=400)
        response = self.client.post(self.create_url(), form_data(**{"texts-0-title": "", "texts-1-title": ""}))
        self.assertContains(response, "Give the course a title in at least one language.", status_code=400)
        response = self.client.post(self.create_url(), form_data(**{"texts-1-language": "en"}))
        self.assertContains(response, "English has two rows", status_code=400)
        response = self.client.post(self.create_url(), form_data(**{"texts-2-title": "Orphan"}))
        self.assertContains(response, "Say which language these texts are in.", status_code=400)
        response = self.client.post(self.create_url(), form_data(languages="English"))
        self.assertContains(response, "is not a language code", status_code=400)
        self.assertFalse(Course.objects.exists())

    def test_a_code_already_used_is_refused(self) -> None:
        create_course(self.inst_a, CourseInput(code="INF-101", titles={"en": "Old"}), actor=self.alice)
        self.client.force_login(self.alice)
        response = self.client.post(self.create_url(), form_data())
        self.assertContains(response, "Another course already has the code", status_code=400)

    def test_add_rows_keeps_what_was_typed_and_shows_no_errors(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.create_url(), form_data(add_rows="1", eqf_level="9"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="texts-4-language"')
        self.assertContains(response, "Programmation 1")
        self.assertNotContains(response, "The course was not saved")

    def test_alice_edits_her_course_and_can_remove_a_language(self) -> None:
        course = create_course(
            self.inst_a, CourseInput(code="INF-101", titles={"en": "Programming", "de": "Programmieren"}), actor=None
        )
        self.client.force_login(self.alice)
        url = reverse("catalogue-course-edit", args=[self.inst_a.slug, course.public_id])
        response = self.client.get(url)
        self.assertContains(response, "Programmieren")
        response = self.client.post(url, form_data(code="INF-101b"))
        self.assertEqual(response.status_code, 302)
        course.refresh_from_db()
        self.assertEqual(course.code, "INF-101b")
        self.assertEqual(course.titles, {"en": "Programming 1", "fr": "Programmation 1"})
        self.assertTrue(AuditEvent.objects.filter(action="course.updated").exists())

    def test_students_may_not_create_or_edit_and_carol_gets_404(self) -> None:
        course = create_course(self.inst_a, CourseInput(code="X", titles={"en": "X"}), actor=None)
        edit_url = reverse("catalogue-course-edit", args=[self.inst_a.slug, course.public_id])
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.create_url()).status_code, 403)
        self.assertEqual(self.client.get(edit_url).status_code, 403)
        self.assertEqual(self.client.post(edit_url, form_data()).status_code, 403)
        self.assert_carol_gets_404(self.create_url())
        self.assert_carol_gets_404(edit_url)
        # carol at her own institution: A's course is not hers to see
        self.assertEqual(
            self.client.get(reverse("catalogue-course-edit", args=[self.inst_b.slug, course.public_id])).status_code,
            404,
        )
