"""The Pathway pages: list, detail, create/edit, apply, the enrolment page with decisions and progress, and the
public pages. Who sees what: carol (officer of B) gets 404 unless B is in the alliance; bob (student of A) applies.
"""

from typing import Any

from django.urls import reverse

from mobilitas.catalogue.models import Pathway, PathwayEnrolment
from mobilitas.catalogue.services import pathways as services
from mobilitas.institutions.models import AllianceMember
from tests.catalogue.test_pathways import PathwayTestCase, make_pathway
from tests.test_accessibility import PageStructure

Progress = services.ProgressStatus
# Session, user and memberships (the middleware), then the page's own: the count, the Pathways, their components
# and the user's enrolments.
LIST_QUERIES = 7
# The middleware's three, the Pathway, its components, their prerequisites, the user's own enrolment, and for an
# editor the enrolments with their progress.
DETAIL_QUERIES = 9


def form_data(rows: list[dict[str, str]], extra: int = 0, initial: int = 0, **fields: str) -> dict[str, str]:
    data = {
        "alliance": "eu-alliance",
        "title_en": "Sea and coasts",
        "title_fr": "",
        "slug": "",
        "places": "",
        "description_en": "",
        "description_fr": "",
        "components-TOTAL_FORMS": str(len(rows) + extra),
        "components-INITIAL_FORMS": str(initial),
        "components-MIN_NUM_FORMS": "0",
        "components-MAX_NUM_FORMS": "60",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"components-{i}-{key}"] = value
    for i in range(len(rows), len(rows) + extra):
        data.update({f"components-{i}-institution": "", f"components-{i}-mode": ""})
    data.update(fields)
    return data


class PathwayPagesTestCase(PathwayTestCase):
    def url(self, name: str, *args: Any, slug: str = "univ-a") -> str:
        return reverse(name, args=[slug, *args])

    def detail_url(self, pathway: Pathway | None = None, slug: str = "univ-a") -> str:
        return self.url("catalogue-pathway", (pathway or self.pathway).public_id, slug=slug)

    def enrolment_url(self, enrolment: PathwayEnrolment, slug: str = "univ-a") -> str:
        return self.url("catalogue-pathway-enrolment", enrolment.public_id, slug=slug)

    def module(self, institution: Any, title: str, ects: str = "5", **fields: str) -> dict[str, str]:
        return {"institution": str(institution.public_id), "title": title, "ects": ects, "mode": "", **fields}

    def check_structure(self, url: str, user: Any = None) -> None:
        if user is not None:
            self.client.force_login(user)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.unlabelled(), [], f"form controls without a label on {url}")
        self.assertEqual(page.h1_count, 1, url)


class ListTests(PathwayPagesTestCase):
    def test_editors_see_drafts_students_only_published(self) -> None:
        published = make_pathway(self, slug="published", titles={"en": "Published one"})
        services.publish_pathway(published, actor=self.alice)
        self.client.force_login(self.alice)
        response = self.client.get(self.url("catalogue-pathways"))
        self.assertContains(response, "Data in Europe")
        self.assertContains(response, "Published one")
        self.assertContains(response, "University A; Università C")
        self.assertContains(response, "Physical, Virtual, Blended")
        self.assertContains(response, "<td>15</td>", html=True)
        self.client.force_login(self.bob)
        response = self.client.get(self.url("catalogue-pathways"))
        self.assertNotContains(response, "Data in Europe")
        self.assertContains(response, "Published one")

    def test_carol_sees_nothing_unless_b_is_in_the_alliance(self) -> None:
        services.publish_pathway(self.pathway, actor=self.alice)
        self.client.force_login(self.carol)
        response = self.client.get(self.url("catalogue-pathways", slug="univ-b"))
        self.assertNotContains(response, "Data in Europe")
        AllianceMember.objects.create(alliance=self.alliance, institution=self.inst_b)
        response = self.client.get(self.url("catalogue-pathways", slug="univ-b"))
        self.assertContains(response, "Data in Europe")

    def test_it_reads_the_list_in_a_constant_number_of_queries(self) -> None:
        self.client.force_login(self.alice)
        url = self.url("catalogue-pathways")
        with self.assertNumQueries(LIST_QUERIES):
            self.assertEqual(self.client.get(url).status_code, 200)
        for n in range(4):
            make_pathway(self, slug=f"more-{n}")
        with self.assertNumQueries(LIST_QUERIES):
            response = self.client.get(url)
        self.assertEqual(len(response.context["summaries"]), 5)

    def test_its_controls_are_labelled(self) -> None:
        self.check_structure(self.url("catalogue-pathways"), self.alice)


class DetailTests(PathwayPagesTestCase):
    def test_it_shows_the_components_in_order(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.detail_url())
        self.assertContains(response, "<h1>Data in Europe</h1>", html=True)
        content = response.content.decode()
        self.assertLess(content.index("Foundations of data"), content.index("Data ethics"))
        self.assertLess(content.index("Data ethics"), content.index("Capstone project"))
        self.assertContains(response, '<a href="#component-1">component 1</a>', html=True)
        self.assertContains(response, "C-101")
        self.assertContains(response, "Publish")

    def test_carol_gets_404_unless_b_is_in_the_alliance(self) -> None:
        services.publish_pathway(self.pathway, actor=self.alice)
        self.assert_carol_gets_404(self.detail_url(slug="univ-b"))
        draft = make_pathway(self, slug="draft")
        AllianceMember.objects.create(alliance=self.alliance, institution=self.inst_b)
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(self.detail_url(slug="univ-b")).status_code, 200)
        # A draft is for those who manage it; carol may not edit A's Pathway.
        self.assertEqual(self.client.get(self.detail_url(draft, slug="univ-b")).status_code, 404)
        edit = self.url("catalogue-pathway-edit", self.pathway.public_id, slug="univ-b")
        self.assertEqual(self.client.get(edit).status_code, 403)

    def test_a_student_sees_no_draft(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.detail_url()).status_code, 404)

    def test_an_editor_publishes_and_closes(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.detail_url(), {"action": "publish"})
        self.assertRedirects(response, self.detail_url())
        self.pathway.refresh_from_db()
        self.assertEqual(self.pathway.status, Pathway.Status.PUBLISHED)
        self.client.post(self.detail_url(), {"action": "close"})
        self.pathway.refresh_from_db()
        self.assertEqual(self.pathway.status, Pathway.Status.CLOSED)

    def test_a_student_cannot_publish(self) -> None:
        services.publish_pathway(self.pathway, actor=self.alice)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.detail_url(), {"action": "close"}).status_code, 403)

    def test_the_alliance_office_of_another_member_manages_it(self) -> None:
        self.client.force_login(self.office)
        response = self.client.get(self.detail_url(slug="univ-c"))
        self.assertContains(response, "Applications to decide")
        self.client.post(self.detail_url(slug="univ-c"), {"action": "publish"})
        self.pathway.refresh_from_db()
        self.assertEqual(self.pathway.status, Pathway.Status.PUBLISHED)

    def test_it_reads_the_page_in_a_constant_number_of_queries(self) -> None:
        self.client.force_login(self.alice)
        url = self.detail_url()
        self.accepted()
        with self.assertNumQueries(DETAIL_QUERIES):
            self.client.get(url)
        self.accepted(self.dora, self.inst_c)
        for n in range(3):
            student = self.make_student(n)
            services.apply_to_pathway(self.pathway, student=student, home=self.inst_c)
        with self.assertNumQueries(DETAIL_QUERIES):
            response = self.client.get(url)
        self.assertEqual(len(response.context["applications"]), 3)
        self.assertEqual(len(response.context["students"]), 2)

    def make_student(self, n: int) -> Any:
        from mobilitas.institutions.models import Role
        from tests.factories import make_member

        return make_member(f"student{n}@c.test", self.inst_c, Role.STUDENT, full_name=f"Student {n}")


class FormTests(PathwayPagesTestCase):
    def test_an_officer_creates_a_pathway_from_modules_and_a_course_code(self) -> None:
        self.client.force_login(self.alice)
        rows = [
            self.module(self.inst_a, "Coastal ecology", "6"),
            {"institution": "", "course_code": "c-101", "mode": ""},
            self.module(self.inst_a, "Field work", "4", mode="physical", prerequisites="1, 2"),
        ]
        response = self.client.post(self.url("catalogue-pathway-create"), form_data(rows, extra=2, places="12"))
        pathway = Pathway.objects.get(slug="sea-and-coasts")
        self.assertRedirects(response, self.detail_url(pathway))
        self.assertEqual(pathway.owner, self.inst_a)
        self.assertEqual(pathway.places, 12)
        components = list(pathway.components.order_by("position"))
        self.assertEqual([c.title for c in components], ["Coastal ecology", "Data ethics", "Field work"])
        self.assertEqual(components[1].course, self.course_c)
        self.assertEqual(services.total_ects(components), 15)
        self.assertEqual(
            sorted(p.position for p in components[2].prerequisites.all()),
            [1, 2],
        )

    def test_it_says_what_is_wrong_next_to_the_row(self) -> None:
        self.client.force_login(self.alice)
        rows = [
            self.module(self.inst_a, "Coastal ecology", "6", prerequisites="2"),
            self.module(self.inst_a, "Field work", "0", prerequisites="1"),
        ]
        response = self.client.post(self.url("catalogue-pathway-create"), form_data(rows, extra=1))
        self.assertContains(response, "The Pathway was not saved.", status_code=400)
        self.assertContains(response, "every component is at University A", status_code=400)
        self.assertContains(response, "Give the ECTS credits of “Field work” (more than 0).", status_code=400)
        self.assertContains(response, "The prerequisites go round in a circle", status_code=400)
        self.assertFalse(Pathway.objects.filter(slug="sea-and-coasts").exists())

    def test_it_refuses_unknown_course_codes_and_prerequisites_on_blank_rows(self) -> None:
        self.client.force_login(self.alice)
        rows = [
            self.module(self.inst_a, "Coastal ecology", "6"),
            {"institution": str(self.inst_c.public_id), "course_code": "NOPE", "mode": ""},
            self.module(self.inst_c, "Field work", "4", prerequisites="1, 4, x"),
        ]
        response = self.client.post(self.url("catalogue-pathway-create"), form_data(rows, extra=1))
        self.assertContains(response, "No course with the code “NOPE” at Università C", status_code=400)
        self.assertContains(response, "Write the numbers of earlier components", status_code=400)
        rows[2]["prerequisites"] = "1, 4"
        response = self.client.post(self.url("catalogue-pathway-create"), form_data(rows, extra=1))
        self.assertContains(response, "There is no component 4 (an empty or removed row).", status_code=400)

    def test_it_adds_rows_without_javascript(self) -> None:
        self.client.force_login(self.alice)
        rows = [self.module(self.inst_a, "Coastal ecology", "6")]
        response = self.client.post(self.url("catalogue-pathway-create"), form_data(rows, extra=2, add_rows="1"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["formset"].forms), 6)
        self.assertContains(response, "Coastal ecology")
        self.assertNotContains(response, "was not saved")

    def test_an_editor_edits_and_removes_a_component(self) -> None:
        self.client.force_login(self.alice)
        url = self.url("catalogue-pathway-edit", self.pathway.public_id)
        response = self.client.get(url)
        self.assertContains(response, 'value="Foundations of data"')
        self.assertContains(response, 'value="1, 2"')
        formset = response.context["formset"]
        rows = [dict(form.initial) for form in formset.forms[:3]]
        for row in rows:
            row.update({k: "" if v is None else str(v) for k, v in row.items()})
        rows[0]["title"] = "Foundations"
        rows[2]["prerequisites"] = "2"
        rows[0]["DELETE"] = "on"
        rows.append(self.module(self.inst_c, "Coastal lab", "2"))
        data = form_data(rows, initial=3, title_en="Data in Europe", slug="data-europe")
        del data["alliance"]
        response = self.client.post(url, data)
        self.assertRedirects(response, self.detail_url())
        titles = list(self.pathway.components.order_by("position").values_list("title", "position"))
        self.assertEqual(titles, [("Data ethics", 1), ("Capstone project", 2), ("Coastal lab", 3)])

    def test_a_student_cannot_create_and_carol_cannot_edit(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url("catalogue-pathway-create")).status_code, 403)
        self.assert_carol_gets_404(self.url("catalogue-pathway-edit", self.pathway.public_id, slug="univ-b"))

    def test_an_institution_without_alliance_is_told(self) -> None:
        self.client.force_login(self.carol)
        response = self.client.get(self.url("catalogue-pathway-create", slug="univ-b"))
        self.assertContains(response, "not a member of an alliance")

    def test_its_controls_are_labelled(self) -> None:
        self.check_structure(self.url("catalogue-pathway-create"), self.alice)
        self.check_structure(self.url("catalogue-pathway-edit", self.pathway.public_id))


class ApplyAndProgressTests(PathwayPagesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.pathway = services.publish_pathway(self.pathway, actor=self.alice)

    def test_bob_applies_and_follows_his_progress(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.detail_url())
        apply_url = self.url("catalogue-pathway-apply", self.pathway.public_id)
        self.assertContains(response, apply_url)
        self.check_structure(apply_url)
        response = self.client.post(apply_url, {"motivation": "Sea and data."})
        enrolment = PathwayEnrolment.objects.get(student=self.bob)
        self.assertRedirects(response, self.enrolment_url(enrolment))
        self.assertEqual(enrolment.home, self.inst_a)
        response = self.client.get(self.enrolment_url(enrolment))
        self.assertContains(response, "Your Pathway Data in Europe")
        self.assertContains(response, "0 of 3 components passed, 0 of 15 ECTS")
        self.assertNotContains(response, 'name="decision"')
        # Applying again leads to the enrolment.
        self.assertRedirects(self.client.get(apply_url), self.enrolment_url(enrolment))
        self.assertContains(self.client.get(self.url("catalogue-pathways")), "Your Pathways")

    def test_a_refused_application_shows_why(self) -> None:
        self.client.force_login(self.bob)
        self.pathway.places = 1
        self.pathway.save()
        self.accepted(self.dora, self.inst_c)
        response = self.client.post(self.url("catalogue-pathway-apply", self.pathway.public_id), {"motivation": ""})
        self.assertContains(response, "All 1 places of this Pathway are taken.", status_code=400)

    def test_only_students_apply(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url("catalogue-pathway-apply", self.pathway.public_id)).status_code, 403)

    def test_the_editor_accepts_from_the_pathway_page_and_records_progress(self) -> None:
        enrolment = services.apply_to_pathway(self.pathway, student=self.bob, home=self.inst_a, motivation="Sea.")
        self.client.force_login(self.alice)
        response = self.client.get(self.detail_url())
        self.assertContains(response, "Bob Student")
        self.check_structure(self.detail_url())
        response = self.client.post(
            self.enrolment_url(enrolment),
            {"form": "decision", "decision": "accept", "note": "", "return_to": "pathway"},
        )
        self.assertRedirects(response, self.detail_url() + "#applications")
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, PathwayEnrolment.Status.ACCEPTED)
        self.check_structure(self.enrolment_url(enrolment))
        # The capstone (3) needs 1 and 2 passed first.
        response = self.client.post(
            self.enrolment_url(enrolment), {"form": "progress", "component": "3", "c3-status": "in-progress"}
        )
        self.assertContains(response, "record them as passed before any progress", status_code=400)
        for number in (1, 2, 3):
            response = self.client.post(
                self.enrolment_url(enrolment),
                {"form": "progress", "component": str(number), f"c{number}-status": "passed", f"c{number}-grade": "A"},
            )
            self.assertRedirects(response, self.enrolment_url(enrolment) + f"#component-{number}")
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, PathwayEnrolment.Status.COMPLETED)
        response = self.client.get(self.detail_url())
        self.assertContains(response, "Completed")

    def test_the_student_cannot_record_progress_and_carol_gets_404(self) -> None:
        enrolment = self.accepted()
        self.client.force_login(self.bob)
        response = self.client.post(
            self.enrolment_url(enrolment), {"form": "progress", "component": "1", "c1-status": "passed"}
        )
        self.assertEqual(response.status_code, 403)
        self.assert_carol_gets_404(self.enrolment_url(enrolment, slug="univ-b"))
        # Another student of A does not see bob's enrolment either.
        from mobilitas.institutions.models import Role
        from tests.factories import make_member

        self.client.force_login(make_member("eve@a.test", self.inst_a, Role.STUDENT))
        self.assertEqual(self.client.get(self.enrolment_url(enrolment)).status_code, 404)

    def test_the_alliance_office_elsewhere_sees_the_enrolment(self) -> None:
        enrolment = self.accepted()
        self.client.force_login(self.office)
        response = self.client.get(self.enrolment_url(enrolment, slug="univ-c"))
        self.assertContains(response, "Bob Student in the Pathway Data in Europe")


class PublicPagesTests(PathwayPagesTestCase):
    def test_published_pathways_are_public_without_login(self) -> None:
        self.accepted()
        make_pathway(self, slug="draft", titles={"en": "Secret draft"})
        response = self.client.get(reverse("catalogue-public-pathways", args=["eu-alliance"]))
        self.assertContains(response, "Pathways of EU Alliance")
        self.assertContains(response, "Data in Europe")
        self.assertNotContains(response, "Secret draft")
        response = self.client.get(reverse("catalogue-public-pathway", args=["eu-alliance", "data-europe"]))
        self.assertContains(response, "<h1>Data in Europe</h1>", html=True)
        self.assertContains(response, "Capstone project")
        self.assertContains(response, "Università C")
        for personal in ("Bob Student", "bob@a.test", "Alice", "Dora"):
            self.assertNotContains(response, personal)

    def test_drafts_and_unknown_alliances_answer_404(self) -> None:
        self.assertEqual(
            self.client.get(reverse("catalogue-public-pathway", args=["eu-alliance", "data-europe"])).status_code, 404
        )
        self.assertEqual(self.client.get(reverse("catalogue-public-pathways", args=["nope"])).status_code, 404)

    def test_the_public_list_reads_in_a_constant_number_of_queries(self) -> None:
        url = reverse("catalogue-public-pathways", args=["eu-alliance"])
        services.publish_pathway(self.pathway, actor=self.alice)
        self.client.get(url)
        with self.assertNumQueries(3):  # the alliance, the Pathways, their components
            self.client.get(url)
        for n in range(3):
            services.publish_pathway(make_pathway(self, slug=f"more-{n}"), actor=self.alice)
        with self.assertNumQueries(3):
            response = self.client.get(url)
        self.assertEqual(len(response.context["summaries"]), 4)

    def test_its_controls_are_labelled(self) -> None:
        services.publish_pathway(self.pathway, actor=self.alice)
        self.check_structure(reverse("catalogue-public-pathways", args=["eu-alliance"]))
        self.check_structure(reverse("catalogue-public-pathway", args=["eu-alliance", "data-europe"]))
