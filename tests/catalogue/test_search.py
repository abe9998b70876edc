"""Searching the catalogue: words in any language, accents ignored, filters, ranking, the search page.

The same tests run on SQLite (substring fallback) and PostgreSQL (full-text search over the GIN index)."""

from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import TestCase
from django.urls import reverse

from mobilitas.catalogue.models import Course
from mobilitas.catalogue.search import CourseFilters, search_courses, search_words
from mobilitas.catalogue.services.courses import CourseInput, create_course
from mobilitas.institutions.models import Alliance, AllianceMember, Institution
from tests.base import TenantTestCase


def make_course(institution: Institution, code: str, titles: dict[str, str], **fields: Any) -> Course:
    shared = fields.pop("shared", False)
    course = create_course(institution, CourseInput(code=code, titles=titles, **fields), actor=None)
    if shared:
        Course.objects.filter(pk=course.pk).update(shared=True)
        course.refresh_from_db()
    return course


def join_alliance(*institutions: Institution) -> Alliance:
    alliance = Alliance.objects.create(slug="eu-alliance", name="EU Alliance")
    for institution in institutions:
        AllianceMember.objects.create(alliance=alliance, institution=institution)
    return alliance


class SearchCoursesTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        a, b = cls.inst_a, cls.inst_b
        cls.programming = make_course(
            a,
            "CS-A1110",
            {"fi": "Ohjelmointi 1", "sv": "Programmering 1", "en": "Programming 1"},
            learning_outcomes={"en": "You can write small programs in Python."},
            ects=Decimal(5),
            eqf_level=6,
            isced_code="0613",
            languages=["fi", "en"],
            mode="blended",
            term="autumn",
        )
        cls.functional = make_course(
            a,
            "inf/funktionale-programmierung",
            {"de": "Funktionale Programmierung"},
            descriptions={"de": "Rekursion, Typen und Funktionen höherer Ordnung."},
            ects=Decimal(10),
            eqf_level=6,
            isced_code="061",
            languages=["de"],
            term="spring",
        )
        cls.economics = make_course(
            a,
            "ECO-201",
            {"fr": "Économie comportementale"},
            descriptions={"fr": "Les décisions des ménages et des entreprises."},
            ects=Decimal("7.5"),
            eqf_level=7,
            isced_code="031",
            languages=["fr"],
            mode="virtual",
            shared=True,
        )
        cls.thesis = make_course(
            a,
            "THESIS",
            {"en": "Master's thesis"},
            descriptions={"en": "A long piece of work; students often use programming to analyse their data."},
            ects=Decimal(30),
            eqf_level=7,
        )
        cls.other = make_course(b, "B-1", {"es": "Programación"}, ects=Decimal(6), shared=True)

    def found(self, q: str = "", **filters: Any) -> list[str]:
        return [c.code for c in search_courses(Course.objects.all(), q, CourseFilters(**filters))]

    def test_it_finds_a_course_by_a_word_in_finnish_german_or_english(self) -> None:
        self.assertEqual(self.found("ohjelmointi"), ["CS-A1110"])
        self.assertEqual(self.found("Programmierung"), ["inf/funktionale-programmierung"])
        self.assertEqual(self.found("python"), ["CS-A1110"])
        self.assertEqual(self.found("Programmering"), ["CS-A1110"])

    def test_accents_and_case_do_not_matter(self) -> None:
        for q in ("économie", "Economie", "ECONOMIE", "économie comportementale", "menages"):
            with self.subTest(q=q):
                self.assertEqual(self.found(q), ["ECO-201"])
        self.assertEqual(self.found("hoherer"), ["inf/funktionale-programmierung"])

    def test_a_word_finds_longer_words_it_begins(self) -> None:
        self.assertEqual(self.found("ohjelm"), ["CS-A1110"])
        found = self.found("program", institution=self.inst_a)
        self.assertEqual(set(found[:2]), {"CS-A1110", "inf/funktionale-programmierung"})
        self.assertEqual(found[2:], ["THESIS"])  # only its description has the word

    def test_every_word_must_match(self) -> None:
        self.assertEqual(self.found("programming python"), ["CS-A1110"])
        self.assertEqual(self.found("programming economics"), [])

    def test_it_finds_a_code(self) -> None:
        self.assertEqual(self.found("CS-A1110"), ["CS-A1110"])
        self.assertEqual(self.found("eco-201"), ["ECO-201"])

    def test_title_matches_come_before_matches_in_the_texts(self) -> None:
        self.assertEqual(self.found("programming", institution=self.inst_a), ["CS-A1110", "THESIS"])

    def test_filters_narrow_the_results(self) -> None:
        self.assertEqual(self.found(institution=self.inst_b), ["B-1"])
        self.assertEqual(self.found(language="de"), ["inf/funktionale-programmierung"])
        self.assertEqual(self.found(language="fi"), ["CS-A1110"])
        self.assertEqual(self.found(mode="virtual"), ["ECO-201"])
        self.assertEqual(
            sorted(self.found(ects_min=Decimal(6), ects_max=Decimal(10))),
            ["B-1", "ECO-201", "inf/funktionale-programmierung"],
        )
        self.assertEqual(self.found(ects_min=Decimal(11)), ["THESIS"])
        self.assertEqual(sorted(self.found(eqf_level=7)), ["ECO-201", "THESIS"])
        self.assertEqual(sorted(self.found(isced="06")), ["CS-A1110", "inf/funktionale-programmierung"])
        self.assertEqual(self.found(isced="0613"), ["CS-A1110"])
        self.assertEqual(self.found(term="spring"), ["inf/funktionale-programmierung"])
        self.assertEqual(sorted(self.found(shared_only=True)), ["B-1", "ECO-201"])
        self.assertEqual(self.found("programming", ects_max=Decimal(5)), ["CS-A1110"])

    def test_without_words_it_lists_by_institution_and_code(self) -> None:
        self.assertEqual(len(self.found()), 5)

    def test_query_words_are_folded_and_kept_to_letters_and_digits(self) -> None:
        self.assertEqual(search_words("Économie, CS-A1110 & | ! :*"), ["economie", "cs", "a1110"])
        self.assertEqual(self.found("& | ! :*"), self.found())


class SearchIndexTests(TestCase):
    def test_postgresql_uses_the_gin_index(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("the full-text index exists on PostgreSQL only")
        query = search_courses(Course.objects.all(), "ohjelmointi").query
        sql, params = query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        self.assertIn("course_search_gin", plan)


class SearchPageTests(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        join_alliance(cls.inst_a, cls.inst_b)
        cls.own = make_course(cls.inst_a, "A-1", {"en": "Programming 1", "fi": "Ohjelmointi 1"}, languages=["fi"])
        cls.shared = make_course(cls.inst_b, "B-1", {"es": "Programación", "en": "Programming"}, shared=True)
        cls.hidden = make_course(cls.inst_b, "B-2", {"en": "Programming secrets"})

    def url(self) -> str:
        return reverse("catalogue-search", args=[self.inst_a.slug])

    def test_a_student_finds_own_and_shared_courses_but_not_unshared_ones(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url(), {"q": "program"})
        self.assertContains(response, "2 courses found")
        self.assertContains(response, "Programming 1")
        self.assertContains(response, "B-1")
        self.assertNotContains(response, "Programming secrets")
        self.assertNotContains(response, "New course")  # students do not manage the catalogue

    def test_it_shows_titles_in_the_readers_language(self) -> None:
        self.client.force_login(self.bob)
        self.client.cookies.load({"django_language": "fr"})
        response = self.client.get(self.url(), {"q": "ohjelmointi"})
        self.assertContains(response, "Programming 1")  # no French title: English
        self.assertContains(response, 'lang="en"')

    def test_filters_narrow_the_page_and_htmx_gets_the_results_only(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(
            self.url(), {"institution": str(self.inst_b.public_id)}, headers={"HX-Request": "true"}
        )
        self.assertContains(response, "1 course found")
        self.assertNotContains(response, "<h1>")
        response = self.client.get(self.url(), {"language": "fi", "shared_only": "on"})
        self.assertContains(response, "0 courses found")

    def test_bad_parameters_are_explained(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url(), {"isced": "abc", "ects_min": "10", "ects_max": "5"})
        self.assertContains(response, "Write 2 to 4 digits", status_code=400)
        self.assertContains(response, "lower than the lowest", status_code=400)
        response = self.client.get(self.url(), {"institution": "not-ours"})
        self.assertEqual(response.status_code, 400)

    def test_every_control_has_a_label(self) -> None:
        from tests.test_accessibility import PageStructure

        self.client.force_login(self.alice)
        for url in (self.url(), reverse("catalogue-import", args=[self.inst_a.slug])):
            page = PageStructure()
            page.feed(self.client.get(url, {"q": "program"}).content.decode())
            self.assertEqual(page.unlabelled(), [], url)
            self.assertEqual(page.h1_count, 1, url)

    def test_another_institution_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url())

    def test_the_query_count_does_not_grow_with_the_results(self) -> None:
        self.client.force_login(self.bob)
        self.client.get(self.url())  # warm up the session
        with self.assertNumQueries(6):
            self.client.get(self.url(), {"q": "program"})
        for number in range(30):
            make_course(self.inst_b, f"B-X{number}", {"en": f"Programming {number}"}, languages=["en"], shared=True)
        with self.assertNumQueries(6):
            response = self.client.get(self.url(), {"q": "program"})
        self.assertContains(response, "32 courses found")
        with self.assertNumQueries(6):
            self.client.get(self.url(), {"page": "2", "language": "en"})
