"""Joint programmes: the services (programme, mobility windows, cohort) and the list and detail pages."""

from datetime import date
from decimal import Decimal
from typing import Any

import time_machine
from django.urls import reverse

from mobilitas.audit.models import AuditEvent
from mobilitas.catalogue.models import JointProgramme, Mode
from mobilitas.catalogue.services import programmes as services
from mobilitas.catalogue.services.pathways import InvalidInput
from mobilitas.catalogue.services.programmes import ProgrammeInput, WindowInput
from mobilitas.institutions.models import Alliance, AllianceMember, Role
from mobilitas.lib.errors import Conflict, DomainError, NotAllowed
from tests.base import TenantTestCase
from tests.factories import make_institution, make_member
from tests.test_accessibility import PageStructure

Kind = JointProgramme.Kind


class ProgrammeTestCase(TenantTestCase):
    """A runs an Erasmus Mundus master with B and Cardiff (a directory institution) and a double licence with
    Cardiff only; C (hosted, outside both) is a third institution."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.cardiff = make_institution(
            name="Cardiff University", country="GB", city="Cardiff", erasmus_code="UK CARDIFF01"
        )
        cls.inst_c = make_institution(name="Università C", country="IT", hosted=True, slug="univ-c")
        cls.dora = make_member("dora@b.test", cls.inst_b, Role.STUDENT, full_name="Dora Student")
        cls.master = make_programme(cls, Kind.JOINT, [cls.inst_b, cls.cardiff], erasmus_mundus=True)

    def windows(self, programme: JointProgramme) -> list[tuple[int, str, str]]:
        return [(w.semester, w.host.name, w.mode) for w in programme.windows.order_by("semester", "id")]


def make_programme(test: Any, kind: str, partners: list[Any], **fields: Any) -> JointProgramme:
    fields.setdefault("titles", {"en": "Master in European Law", "fr": "Master en droit européen"})
    fields.setdefault(
        "windows",
        [
            WindowInput(1, test.inst_a),
            WindowInput(2, partners[0], Mode.PHYSICAL, "Spring school"),
            WindowInput(3, partners[-1], Mode.BLENDED),
            WindowInput(4, test.inst_a),
        ],
    )
    fields.setdefault("degree", "Master")
    fields.setdefault("eqf_level", 7)
    fields.setdefault("ects", Decimal(120))
    data = ProgrammeInput(kind=kind, partners=partners, **fields)
    return services.create_programme(test.inst_a, data, actor=test.alice)


def problems(error: InvalidInput) -> dict[str, str]:
    return {p.place: p.message for p in error.problems}


class ProgrammeServiceTests(ProgrammeTestCase):
    def test_it_creates_a_programme_with_its_mobility_plan(self) -> None:
        master = self.master
        self.assertEqual(set(master.partners.all()), {self.inst_b, self.cardiff})
        self.assertTrue(master.erasmus_mundus)
        self.assertEqual(
            self.windows(master),
            [
                (1, "Université A", "physical"),
                (2, "Universidad B", "physical"),
                (3, "Cardiff University", "blended"),
                (4, "Université A", "physical"),
            ],
        )
        event = AuditEvent.objects.get(action="catalogue.programme_created")
        self.assertEqual(event.institution, self.inst_a)
        self.assertEqual(event.data["semesters"], 4)

    def test_it_refuses_a_window_at_an_institution_outside_the_programme(self) -> None:
        with self.assertRaises(InvalidInput) as raised:
            make_programme(self, Kind.JOINT, [self.inst_b], windows=[WindowInput(2, self.cardiff)])
        self.assertEqual(
            problems(raised.exception)["windows.0.host"],
            "Semester 2: Cardiff University is neither the managing institution nor a partner of the programme.",
        )

    def test_it_refuses_a_window_outside_the_semesters(self) -> None:
        with self.assertRaises(InvalidInput) as raised:
            make_programme(self, Kind.JOINT, [self.inst_b], semesters=4, windows=[WindowInput(5, self.inst_b)])
        self.assertEqual(
            problems(raised.exception)["windows.0.semester"],
            "Semester 5 is outside the programme, which lasts 4 semesters.",
        )

    def test_it_refuses_the_wrong_number_of_partners(self) -> None:
        with self.assertRaises(InvalidInput) as raised:
            make_programme(self, Kind.DOUBLE, [self.inst_b, self.cardiff])
        self.assertEqual(
            problems(raised.exception)["partners"],
            "A double degree is awarded by two institutions: choose exactly one partner.",
        )
        with self.assertRaises(InvalidInput) as raised:
            make_programme(self, Kind.MULTIPLE, [self.cardiff])
        self.assertIn("three or more institutions", problems(raised.exception)["partners"])
        with self.assertRaises(InvalidInput) as raised:
            make_programme(self, Kind.JOINT, [self.inst_a], windows=[])
        self.assertIn("cannot be one of its own partners", raised.exception.message)

    def test_it_refuses_other_wrong_values(self) -> None:
        with self.assertRaises(InvalidInput) as raised:
            make_programme(
                self, Kind.JOINT, [self.cardiff], titles={}, eqf_level=9, semesters=0, languages=["english"], windows=[]
            )
        found = problems(raised.exception)
        self.assertEqual(found["title"], "Give the programme a title.")
        self.assertEqual(found["eqf_level"], "The EQF level must be between 1 and 8.")
        self.assertEqual(found["semesters"], "A programme lasts from 1 to 12 semesters.")
        self.assertIn("“english” are not language codes", found["languages"])

    def test_it_refuses_an_alliance_the_institution_is_not_in(self) -> None:
        alliance = Alliance.objects.create(slug="other", name="Other Alliance")
        with self.assertRaises(InvalidInput) as raised:
            make_programme(self, Kind.DOUBLE, [self.cardiff], alliance=alliance)
        self.assertEqual(problems(raised.exception)["alliance"], "University A is not a member of Other Alliance.")

    def test_it_updates_the_partners_and_the_plan(self) -> None:
        data = ProgrammeInput(
            kind=Kind.DOUBLE,
            titles={"en": "Double licence in law"},
            partners=[self.cardiff],
            semesters=6,
            languages=["EN", "fr", "en"],
            windows=[WindowInput(5, self.cardiff), WindowInput(6, self.cardiff, Mode.VIRTUAL)],
        )
        programme = services.update_programme(self.master, data, actor=self.alice)
        self.assertEqual(list(programme.partners.all()), [self.cardiff])
        self.assertEqual(programme.languages, ["en", "fr"])
        self.assertEqual(
            self.windows(programme), [(5, "Cardiff University", "physical"), (6, "Cardiff University", "virtual")]
        )
        self.assertTrue(AuditEvent.objects.filter(action="catalogue.programme_updated").exists())

    def test_it_keeps_a_partner_whose_students_are_in_the_cohort(self) -> None:
        services.add_cohort_member(
            self.master, student=self.dora, home=self.inst_b, intake_year="2026/2027", actor=self.alice
        )
        data = ProgrammeInput(kind=Kind.DOUBLE, titles={"en": "Law"}, partners=[self.cardiff])
        with self.assertRaises(InvalidInput) as raised:
            services.update_programme(self.master, data, actor=self.alice)
        self.assertIn("come from a partner you removed", raised.exception.message)
        self.assertEqual(self.master.partners.count(), 2)


class CohortTests(ProgrammeTestCase):
    def test_it_adds_students_of_the_managing_institution_and_of_partners(self) -> None:
        bob = services.add_cohort_member(
            self.master, student=self.bob, home=self.inst_a, intake_year="2026/2027", actor=self.alice
        )
        dora = services.add_cohort_member(
            self.master,
            student=self.dora,
            home=self.inst_b,
            intake_year=" 2025/2026 ",
            current_semester=3,
            actor=self.alice,
        )
        self.assertEqual((bob.intake_year, bob.current_semester), ("2026/2027", 1))
        self.assertEqual((dora.intake_year, dora.current_semester), ("2025/2026", 3))
        self.assertEqual(AuditEvent.objects.filter(action="catalogue.programme_cohort_added").count(), 2)
        services.remove_cohort_member(bob, actor=self.alice)
        self.assertEqual(list(self.master.cohort.all()), [dora])
        self.assertTrue(AuditEvent.objects.filter(action="catalogue.programme_cohort_removed").exists())

    def test_it_refuses_students_of_other_institutions(self) -> None:
        erin = make_member("erin@c.test", self.inst_c, Role.STUDENT)
        with self.assertRaisesMessage(
            NotAllowed, "Students of Università C cannot join: it is neither the managing institution nor a partner."
        ):
            services.add_cohort_member(
                self.master, student=erin, home=self.inst_c, intake_year="2026/2027", actor=self.alice
            )
        with self.assertRaisesMessage(DomainError, "Carol Officer is not a student of University B."):
            services.add_cohort_member(
                self.master, student=self.carol, home=self.inst_b, intake_year="2026/2027", actor=self.alice
            )

    def test_it_refuses_a_wrong_intake_year_semester_or_a_second_place(self) -> None:
        with self.assertRaisesMessage(DomainError, "“2026-27” is not an academic year: write it like 2026/2027."):
            services.add_cohort_member(
                self.master, student=self.bob, home=self.inst_a, intake_year="2026-27", actor=self.alice
            )
        with self.assertRaisesMessage(DomainError, "The current semester must be between 1 and 4."):
            services.add_cohort_member(
                self.master,
                student=self.bob,
                home=self.inst_a,
                intake_year="2026/2027",
                current_semester=5,
                actor=self.alice,
            )
        services.add_cohort_member(
            self.master, student=self.bob, home=self.inst_a, intake_year="2026/2027", actor=self.alice
        )
        with self.assertRaisesMessage(Conflict, "Bob Student is already in the cohort"):
            services.add_cohort_member(
                self.master, student=self.bob, home=self.inst_a, intake_year="2027/2028", actor=self.alice
            )

    def test_it_knows_the_semester_a_cohort_is_in(self) -> None:
        self.assertEqual(services.cohort_semester("2026/2027", date(2026, 9, 1)), 1)
        self.assertEqual(services.cohort_semester("2026/2027", date(2027, 1, 31)), 1)
        self.assertEqual(services.cohort_semester("2026/2027", date(2027, 2, 1)), 2)
        self.assertEqual(services.cohort_semester("2026/2027", date(2027, 10, 1)), 3)
        self.assertEqual(services.cohort_semester("2026/2027", date(2026, 6, 1)), 0)


class ProgrammePagesTests(ProgrammeTestCase):
    def url(self, name: str, *args: Any, slug: str = "univ-a") -> str:
        return reverse(name, args=[slug, *args])

    def test_the_list_shows_ours_and_those_we_take_part_in(self) -> None:
        make_programme(self, Kind.DOUBLE, [self.cardiff], titles={"en": "Double licence in law"})
        self.client.force_login(self.alice)
        response = self.client.get(self.url("catalogue-programmes"))
        self.assertContains(response, "Master in European Law")
        self.assertContains(response, "Double licence in law")
        self.assertContains(response, "Erasmus Mundus")
        # B takes part in the master only.
        self.client.force_login(self.carol)
        response = self.client.get(self.url("catalogue-programmes", slug="univ-b"))
        self.assertContains(response, "Master in European Law")
        self.assertContains(response, "Partner")
        self.assertNotContains(response, "Double licence in law")

    def test_the_list_reads_in_a_constant_number_of_queries(self) -> None:
        self.client.force_login(self.alice)
        url = self.url("catalogue-programmes")
        # Session, user and memberships (the middleware), the count, the programmes, their partners.
        with self.assertNumQueries(6):
            self.client.get(url)
        for n in range(3):
            programme = make_programme(self, Kind.DOUBLE, [self.cardiff], titles={"en": f"Double {n}"})
            services.add_cohort_member(
                programme, student=self.bob, home=self.inst_a, intake_year="2026/2027", actor=self.alice
            )
        with self.assertNumQueries(6):
            response = self.client.get(url)
        self.assertEqual(len(response.context["rows"]), 4)
        self.assertEqual([r.programme.cohort_size for r in response.context["rows"]], [0, 1, 1, 1])

    def test_the_detail_shows_the_plan_and_where_each_cohort_is(self) -> None:
        services.add_cohort_member(
            self.master, student=self.bob, home=self.inst_a, intake_year="2025/2026", actor=self.alice
        )
        services.add_cohort_member(
            self.master, student=self.dora, home=self.inst_b, intake_year="2026/2027", actor=self.alice
        )
        self.client.force_login(self.alice)
        with time_machine.travel(date(2026, 10, 15)):
            response = self.client.get(self.url("catalogue-programme", self.master.public_id))
        self.assertContains(response, "Spring school")
        self.assertContains(response, "Semester 4")
        self.assertContains(response, "Intake 2026/2027: 1 student")
        self.assertContains(response, "This semester (semester 1):\n      University A (physical)")
        self.assertContains(response, "This semester (semester 3):\n      Cardiff University (blended)")
        self.assertContains(response, "Dora Student")
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.h1_count, 1)

    def test_a_student_is_offered_no_management(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url("catalogue-programme", self.master.public_id))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Add a student to the cohort")

    def test_students_see_counts_not_names(self) -> None:
        services.add_cohort_member(
            self.master, student=self.dora, home=self.inst_b, intake_year="2026/2027", actor=self.alice
        )
        self.client.force_login(self.bob)
        response = self.client.get(self.url("catalogue-programme", self.master.public_id))
        self.assertContains(response, "Intake 2026/2027: 1 student")
        self.assertNotContains(response, "Dora Student")

    def test_carol_gets_404_unless_b_takes_part_or_shares_the_alliance(self) -> None:
        double = make_programme(self, Kind.DOUBLE, [self.cardiff], titles={"en": "Double licence in law"})
        self.assert_carol_gets_404(self.url("catalogue-programme", double.public_id, slug="univ-b"))
        self.assertEqual(
            self.client.get(self.url("catalogue-programme", self.master.public_id, slug="univ-b")).status_code, 200
        )
        alliance = Alliance.objects.create(slug="eu", name="EU Alliance")
        for institution in (self.inst_a, self.inst_b):
            AllianceMember.objects.create(alliance=alliance, institution=institution)
        services.update_programme(
            double,
            ProgrammeInput(
                kind=Kind.DOUBLE, titles={"en": "Double licence in law"}, partners=[self.cardiff], alliance=alliance
            ),
            actor=self.alice,
        )
        response = self.client.get(self.url("catalogue-programme", double.public_id, slug="univ-b"))
        self.assertContains(response, "Double licence in law")


def programme_form(windows: list[dict[str, str]], initial: int = 0, **fields: str) -> dict[str, str]:
    data = {
        "title_en": "Double licence in law",
        "title_fr": "Double licence en droit",
        "kind": "double",
        "partners": "UK CARDIFF01",
        "alliance": "",
        "degree": "Licence/LLB",
        "eqf_level": "6",
        "ects": "180",
        "semesters": "6",
        "languages": "fr, en",
        "windows-TOTAL_FORMS": str(len(windows) + 1),
        "windows-INITIAL_FORMS": str(initial),
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "40",
    }
    for i, window in enumerate(windows):
        for key, value in window.items():
            data[f"windows-{i}-{key}"] = value
    data[f"windows-{len(windows)}-mode"] = "physical"  # a blank row, as the browser sends it
    data.update(fields)
    return data


class ProgrammeManagementPagesTests(ProgrammeTestCase):
    def url(self, name: str, *args: Any, slug: str = "univ-a") -> str:
        return reverse(name, args=[slug, *args])

    def check_structure(self, url: str) -> None:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.unlabelled(), [], url)
        self.assertEqual(page.h1_count, 1, url)

    def test_an_officer_creates_a_double_degree(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.url("catalogue-programmes")), self.url("catalogue-programme-create"))
        self.check_structure(self.url("catalogue-programme-create"))
        windows = [
            {"semester": "3", "host": "", "mode": "physical", "note": ""},
            {"semester": "4", "host": "UK CARDIFF01", "mode": "physical", "note": "LLB year"},
        ]
        response = self.client.post(self.url("catalogue-programme-create"), programme_form(windows))
        programme = JointProgramme.objects.get(kind=Kind.DOUBLE)
        self.assertRedirects(response, self.url("catalogue-programme", programme.public_id))
        self.assertEqual(list(programme.partners.all()), [self.cardiff])
        self.assertEqual(programme.languages, ["fr", "en"])
        self.assertEqual(
            self.windows(programme), [(3, "Université A", "physical"), (4, "Cardiff University", "physical")]
        )

    def test_it_says_what_is_wrong(self) -> None:
        self.client.force_login(self.alice)
        windows = [{"semester": "7", "host": "E  OVIEDO01", "mode": "physical", "note": ""}]
        response = self.client.post(self.url("catalogue-programme-create"), programme_form(windows))
        self.assertContains(response, "Semester 7 is outside the programme, which lasts 6 semesters.", status_code=400)
        self.assertContains(
            response, "Semester 7: University B is neither the managing institution nor a partner", status_code=400
        )
        response = self.client.post(self.url("catalogue-programme-create"), programme_form([], partners="XX NOWHERE01"))
        self.assertContains(response, "No institution of the directory has the Erasmus code", status_code=400)
        self.assertFalse(JointProgramme.objects.filter(kind=Kind.DOUBLE).exists())

    def test_it_adds_window_rows_without_javascript(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url("catalogue-programme-create"), programme_form([], add_rows="1"))
        self.assertEqual(len(response.context["formset"].forms), 3)
        self.assertNotContains(response, "was not saved")

    def test_an_officer_edits_the_programme(self) -> None:
        self.client.force_login(self.alice)
        url = self.url("catalogue-programme-edit", self.master.public_id)
        self.check_structure(url)
        response = self.client.get(url)
        formset = response.context["formset"]
        windows = [{k: "" if v is None else str(v) for k, v in form.initial.items()} for form in formset.forms[:4]]
        windows[3]["DELETE"] = "on"
        data = programme_form(
            windows, initial=4, kind="joint", partners="E  OVIEDO01\nUK CARDIFF01", semesters="4", ects="120"
        )
        response = self.client.post(url, data)
        self.assertRedirects(response, self.url("catalogue-programme", self.master.public_id))
        self.assertEqual(len(self.windows(self.master)), 3)
        self.master.refresh_from_db()
        self.assertEqual(self.master.titles["fr"], "Double licence en droit")

    def test_an_officer_adds_and_removes_cohort_students(self) -> None:
        self.client.force_login(self.alice)
        detail = self.url("catalogue-programme", self.master.public_id)
        self.check_structure(detail)
        add = self.url("catalogue-programme-cohort-add", self.master.public_id)
        data = {
            "email": "dora@b.test",
            "home": str(self.inst_b.public_id),
            "intake_year": "2026/2027",
            "current_semester": "1",
        }
        self.assertRedirects(self.client.post(add, data), detail + "#cohort-heading")
        member = self.master.cohort.get()
        self.assertEqual((member.student, member.home), (self.dora, self.inst_b))
        response = self.client.post(add, {**data, "email": "bob@a.test"})
        self.assertContains(response, "No student of University B has the e-mail “bob@a.test”.", status_code=400)
        response = self.client.post(add, data)
        self.assertContains(response, "Dora Student is already in the cohort", status_code=400)
        remove = self.url("catalogue-programme-cohort-remove", self.master.public_id)
        self.assertRedirects(
            self.client.post(remove, {"student": str(self.dora.public_id)}), detail + "#cohort-heading"
        )
        self.assertFalse(self.master.cohort.exists())

    def test_only_the_managing_officers_manage(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url("catalogue-programme-create")).status_code, 403)
        self.assertNotContains(self.client.get(self.url("catalogue-programmes")), "New joint programme")
        # Carol's B is a partner of the master: she reads it but does not manage it.
        self.client.force_login(self.carol)
        self.assertEqual(
            self.client.get(self.url("catalogue-programme-edit", self.master.public_id, slug="univ-b")).status_code, 403
        )
        response = self.client.post(
            self.url("catalogue-programme-cohort-remove", self.master.public_id, slug="univ-b"), {}
        )
        self.assertEqual(response.status_code, 403)
        double = make_programme(self, Kind.DOUBLE, [self.cardiff], titles={"en": "Double licence in law"})
        self.assert_carol_gets_404(self.url("catalogue-programme-edit", double.public_id, slug="univ-b"))
