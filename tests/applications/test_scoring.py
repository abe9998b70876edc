"""The score of an application: normalised criteria, the call's weights, the adjustment, "not scored yet"."""

from decimal import Decimal

from django.test import SimpleTestCase

from mobilitas.applications.models import Application, Call
from mobilitas.applications.scoring import best_language_level, breakdown, missing_criteria, score_of


def call(**weights: str) -> Call:
    values = {
        "weight_grades": "50",
        "weight_language": "20",
        "weight_motivation": "30",
        "weight_fewer_opportunities": "0",
    }
    values.update(weights)
    return Call(**{key: Decimal(value) for key, value in values.items()})


def application(**fields: object) -> Application:
    values: dict[str, object] = {
        "grade_average": Decimal("15"),
        "grade_scale": Decimal("20"),
        "languages": {"en": "B2", "es": "C1"},
        "motivation_score": Decimal("16"),
        "fewer_opportunities": False,
        "adjustment": Decimal("0"),
    }
    values.update(fields)
    return Application(**values)


class ScoreTests(SimpleTestCase):
    def test_it_is_the_weighted_mean_of_the_normalised_criteria_on_20(self) -> None:
        # 20 x (50 x 15/20 + 20 x 5/6 (C1, the best level) + 30 x 16/20) / 100 = 15.6333...
        self.assertEqual(score_of(application(), call()), Decimal("15.63"))

    def test_the_adjustment_is_added(self) -> None:
        self.assertEqual(score_of(application(adjustment=Decimal("1.5")), call()), Decimal("17.13"))
        self.assertEqual(score_of(application(adjustment=Decimal("-2")), call()), Decimal("13.63"))

    def test_it_rounds_half_up_to_cents(self) -> None:
        # 11.3/16 = 0.70625 -> 14.125 on 20: half up gives 14.13 (half even would give 14.12).
        only_grades = call(weight_language="0", weight_motivation="0")
        self.assertEqual(score_of(application(grade_average=Decimal("11.3"), grade_scale=Decimal("16")), only_grades),
                         Decimal("14.13"))  # fmt: skip

    def test_fewer_opportunities_counts_one_or_nothing(self) -> None:
        weights = call(weight_grades="0", weight_language="0", weight_motivation="0", weight_fewer_opportunities="1")
        self.assertEqual(score_of(application(fewer_opportunities=True), weights), Decimal("20.00"))
        self.assertEqual(score_of(application(fewer_opportunities=False), weights), Decimal("0.00"))

    def test_a_native_speaker_counts_as_the_top_level(self) -> None:
        only_language = call(weight_grades="0", weight_motivation="0")
        self.assertEqual(score_of(application(languages={"fr": "NS", "en": "A2"}), only_language), Decimal("20.00"))
        self.assertEqual(score_of(application(languages={"en": "A1"}), only_language), Decimal("3.33"))
        self.assertEqual(best_language_level({"en": "b1", "de": "A2"}), ("B1", Decimal(3) / Decimal(6)))
        self.assertIsNone(best_language_level({"en": "fluent"}))

    def test_a_missing_weighted_criterion_leaves_it_unscored(self) -> None:
        unscored = application(motivation_score=None)
        self.assertIsNone(score_of(unscored, call()))
        self.assertEqual(missing_criteria(unscored, call()), ["Motivation"])
        self.assertIsNone(score_of(application(languages={}), call()))
        self.assertIsNone(score_of(application(grade_average=None), call()))

    def test_a_missing_criterion_of_weight_zero_does_not_matter(self) -> None:
        no_motivation = call(weight_motivation="0")
        # 20 x (50 x 0.75 + 20 x 5/6) / 70 = 15.476...
        self.assertEqual(score_of(application(motivation_score=None), no_motivation), Decimal("15.48"))

    def test_the_breakdown_gives_each_criterion_its_value_and_points(self) -> None:
        rows = {row.key: row for row in breakdown(application(), call())}
        self.assertEqual(rows["grades"].value, Decimal("0.75"))
        self.assertEqual(rows["grades"].points, Decimal("7.50"))
        self.assertEqual(rows["grades"].shown, "15/20")
        self.assertEqual(rows["language"].shown, "C1 (es)")
        self.assertEqual(rows["language"].points, Decimal("3.33"))
        self.assertEqual(rows["motivation"].points, Decimal("4.80"))
        self.assertEqual(rows["fewer_opportunities"].points, Decimal("0.00"))
        self.assertFalse(rows["fewer_opportunities"].counts)
        self.assertTrue(breakdown(application(motivation_score=None), call())[2].missing)
