"""Eligibility: each rule on its own, with the sentence the applicant reads."""

from datetime import timedelta

from django.utils import timezone

from mobilitas.applications import eligibility
from mobilitas.applications.models import Application, Call
from tests.applications.factories import make_call, make_destination
from tests.base import TenantTestCase
from tests.factories import make_institution, make_ounit


class EligibilityTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.science = make_ounit(cls.inst_a, "SCI", "Faculty of Science")
        cls.computing = make_ounit(cls.inst_a, "CS", "Department of Computing", parent=cls.science)
        cls.law = make_ounit(cls.inst_a, "LAW", "Faculty of Law")
        cls.call = make_call(cls.inst_a)
        cls.oviedo = make_institution(name="Universidad de Oviedo")

    def application(self, **fields):  # type: ignore[no-untyped-def]
        """An unsaved application (eligibility reads only what it is given): level 6, 0613, English B2."""
        values = {
            "ounit": self.computing, "study_level": 6, "programme": "Licence Informatique", "isced_code": "0613",
            "languages": {"en": "B2"},
        }  # fmt: skip
        values.update(fields)
        return Application(call=self.call, institution=self.inst_a, student=self.bob, **values)

    def destination(self, **fields):  # type: ignore[no-untyped-def]
        return make_destination(self.call, self.oviedo, **fields)


class CallTests(EligibilityTestCase):
    def test_an_open_call_has_no_problem(self) -> None:
        self.assertEqual(eligibility.call_problems(self.call), [])

    def test_before_the_opening_it_says_when_the_call_opens(self) -> None:
        call = make_call(self.inst_a, opens_at=timezone.now() + timedelta(days=2))
        [problem] = eligibility.call_problems(call)
        self.assertTrue(problem.startswith("The call opens on "), problem)
        self.assertIn("(Europe/Paris)", problem)

    def test_after_the_deadline_it_says_when_the_call_closed(self) -> None:
        [problem] = eligibility.call_problems(make_call(self.inst_a, open_now=False))
        self.assertTrue(problem.startswith("The call closed on "), problem)

    def test_an_unpublished_call_is_not_open(self) -> None:
        call = make_call(self.inst_a, status=Call.Status.DRAFT)
        self.assertEqual(eligibility.call_problems(call), ["The call is not open for applications."])


class ApplicantTests(EligibilityTestCase):
    def test_no_restriction_means_everyone(self) -> None:
        self.assertEqual(eligibility.applicant_problems(self.call, self.application(ounit=None, study_level=None)), [])

    def test_a_sub_unit_of_an_eligible_faculty_is_eligible(self) -> None:
        self.call.eligible_ounits.set([self.science])
        self.assertEqual(eligibility.applicant_problems(self.call, self.application()), [])

    def test_another_faculty_is_not(self) -> None:
        self.call.eligible_ounits.set([self.science])
        problems = eligibility.applicant_problems(self.call, self.application(ounit=self.law))
        self.assertEqual(
            problems, ["The call is for the students of Faculty of Science; your faculty is Faculty of Law."]
        )

    def test_the_study_level(self) -> None:
        self.call.study_levels = [7]
        problems = eligibility.applicant_problems(self.call, self.application(study_level=6))
        self.assertEqual(problems, ["The call is for the study levels Master (EQF 7); yours is Bachelor (EQF 6)."])

    def test_the_programme_ignores_case_and_accents(self) -> None:
        self.call.programmes = ["Licence Mathématiques"]
        self.assertEqual(
            eligibility.applicant_problems(self.call, self.application(programme="licence  mathematiques")), []
        )

    def test_another_programme_is_named(self) -> None:
        self.call.programmes = ["Licence Mathématiques"]
        problems = eligibility.applicant_problems(self.call, self.application(programme="Licence Informatique"))
        self.assertEqual(
            problems,
            ["The call is for the programmes Licence Mathématiques; yours is Licence Informatique."],
        )


class DestinationTests(EligibilityTestCase):
    def test_an_unrestricted_destination_is_open_to_all(self) -> None:
        destination = self.destination()
        application = self.application(languages={}, isced_code="", study_level=None, ounit=None)
        self.assertEqual(eligibility.destination_problems(application, destination), [])
        self.assertEqual(eligibility.eligible_destination_ids(application, [destination]), {destination.pk})

    def test_a_destination_reserved_to_a_faculty_takes_its_sub_units(self) -> None:
        destination = self.destination(ounit=self.science)
        self.assertEqual(eligibility.destination_problems(self.application(), destination), [])

    def test_a_destination_reserved_to_another_faculty(self) -> None:
        destination = self.destination(ounit=self.law)
        self.assertEqual(
            eligibility.destination_problems(self.application(), destination),
            ["Universidad de Oviedo: reserved to the students of Faculty of Law."],
        )

    def test_a_broad_subject_code_covers_the_detailed_codes_under_it(self) -> None:
        application = self.application(isced_code="0613")
        for codes in (["06"], ["061"], ["0613"], ["0411", "06"]):
            with self.subTest(codes=codes):
                self.assertEqual(eligibility.destination_problems(application, self.destination(isced_codes=codes)), [])

    def test_another_subject_area(self) -> None:
        application = self.application(isced_code="0613")
        for codes in (["0612"], ["04"], ["062"]):
            with self.subTest(codes=codes):
                self.assertEqual(
                    eligibility.destination_problems(application, self.destination(isced_codes=codes)),
                    [f"Universidad de Oviedo: for the subject areas {codes[0]}; your field of study is 0613."],
                )

    def test_the_study_level_of_a_destination(self) -> None:
        destination = self.destination(eqf_levels=[7, 8])
        self.assertEqual(
            eligibility.destination_problems(self.application(study_level=6), destination),
            [
                "Universidad de Oviedo: for the study levels Master (EQF 7), Doctorate (EQF 8); "
                "yours is Bachelor (EQF 6)."
            ],
        )
        self.assertEqual(eligibility.destination_problems(self.application(study_level=7), destination), [])

    def test_a_language_level_too_low_says_both_levels(self) -> None:
        destination = self.destination(languages=[{"language": "es", "level": "B2"}])
        self.assertEqual(
            eligibility.destination_problems(self.application(languages={"es": "B1"}), destination),
            ["Universidad de Oviedo: requires Spanish B2; you declared B1."],
        )

    def test_a_language_not_declared(self) -> None:
        destination = self.destination(languages=[{"language": "es", "level": "B2"}])
        self.assertEqual(
            eligibility.destination_problems(self.application(languages={"en": "C1"}), destination),
            ["Universidad de Oviedo: requires Spanish B2; you did not declare Spanish."],
        )

    def test_a_higher_level_or_a_native_speaker_qualifies(self) -> None:
        destination = self.destination(languages=[{"language": "es", "level": "C2"}])
        self.assertEqual(eligibility.destination_problems(self.application(languages={"es": "NS"}), destination), [])
        destination = self.destination(languages=[{"language": "es", "level": "B1"}])
        self.assertEqual(eligibility.destination_problems(self.application(languages={"es": "C1"}), destination), [])

    def test_one_of_several_languages_is_enough(self) -> None:
        destination = self.destination(languages=[{"language": "es", "level": "B2"}, {"language": "en", "level": "B2"}])
        self.assertEqual(eligibility.destination_problems(self.application(languages={"en": "B2"}), destination), [])
        self.assertEqual(
            eligibility.destination_problems(self.application(languages={"en": "A2"}), destination),
            ["Universidad de Oviedo: requires one of Spanish B2, English B2; you declared none of them at that level."],
        )

    def test_every_reason_is_listed(self) -> None:
        destination = self.destination(
            ounit=self.law, isced_codes=["04"], eqf_levels=[7], languages=[{"language": "es", "level": "B2"}]
        )
        self.assertEqual(len(eligibility.destination_problems(self.application(), destination)), 4)
        self.assertEqual(eligibility.eligible_destination_ids(self.application(), [destination]), set())

    def test_the_reasons_are_translated(self) -> None:
        from django.utils.translation import override

        destination = self.destination(languages=[{"language": "es", "level": "B2"}])
        with override("fr"):
            [reason] = eligibility.destination_problems(self.application(languages={"es": "B1"}), destination)
        self.assertIn("Espagnol B2", reason)  # the language's name comes from Django's French catalogue
