"""Pathway services: validation, lifecycle, applications, progress, completion and its hook, e-mails.

`PathwayTestCase` (also used by the page tests): an alliance of A and C (B is outside it), a shared course at C,
and a Pathway of three components made through the real service.
"""

from decimal import Decimal
from typing import Any

from django.core import mail

from mobilitas.audit.models import AuditEvent
from mobilitas.catalogue import completion
from mobilitas.catalogue.models import (
    ComponentProgress,
    Course,
    Mode,
    Pathway,
    PathwayComponent,
    PathwayEnrolment,
)
from mobilitas.catalogue.services import pathways as services
from mobilitas.catalogue.services.pathways import ComponentInput, InvalidInput, PathwayInput
from mobilitas.institutions.models import Alliance, AllianceMember, Role
from mobilitas.lib.errors import Conflict, DomainError, NotAllowed
from tests.base import TenantTestCase
from tests.factories import make_hosted_institution, make_member

Progress = ComponentProgress.Status


class PathwayTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inst_c = make_hosted_institution("univ-c", name="Università C", country="IT", city="Corfu")
        cls.alliance = Alliance.objects.create(slug="eu-alliance", name="EU Alliance", coordinator=cls.inst_a)
        for institution in (cls.inst_a, cls.inst_c):
            AllianceMember.objects.create(alliance=cls.alliance, institution=institution)
        cls.office = make_member("office@c.test", cls.inst_c, Role.ALLIANCE_OFFICE, full_name="Olga Office")
        cls.dora = make_member("dora@c.test", cls.inst_c, Role.STUDENT, full_name="Dora Student")
        cls.course_c = Course.objects.create(
            institution=cls.inst_c,
            code="C-101",
            titles={"en": "Data ethics", "it": "Etica dei dati"},
            ects=Decimal(5),
            mode=Mode.VIRTUAL,
            shared=True,
        )
        cls.pathway = make_pathway(cls)

    def components(self, pathway: Pathway | None = None) -> list[PathwayComponent]:
        return list((pathway or self.pathway).components.order_by("position"))

    def publish(self, pathway: Pathway | None = None) -> Pathway:
        return services.publish_pathway(pathway or self.pathway, actor=self.alice)

    def accepted(self, student: Any = None, home: Any = None) -> PathwayEnrolment:
        """A published Pathway and an accepted student (bob of A by default)."""
        if self.pathway.status != Pathway.Status.PUBLISHED:
            self.pathway = self.publish()
        enrolment = services.apply_to_pathway(
            self.pathway, student=student or self.bob, home=home or self.inst_a, motivation="I like data."
        )
        return services.decide_application(enrolment, actor=self.alice, accept=True)


def three_components(test: Any) -> list[ComponentInput]:
    """A module at A, the shared course of C, then a capstone at A requiring both."""
    return [
        ComponentInput(institution=test.inst_a, title="Foundations of data", ects=Decimal(6)),
        ComponentInput(course=test.course_c),
        ComponentInput(
            institution=test.inst_a, title="Capstone project", mode=Mode.BLENDED, ects=Decimal(4), prerequisites=[0, 1]
        ),
    ]


def make_pathway(test: Any, slug: str = "data-europe", **fields: Any) -> Pathway:
    fields.setdefault("titles", {"en": "Data in Europe", "fr": "Les données en Europe"})
    fields.setdefault("components", three_components(test))
    return services.create_pathway(test.alliance, test.inst_a, PathwayInput(slug=slug, **fields), actor=test.alice)


def messages_of(error: InvalidInput) -> dict[str, str]:
    return {p.place: p.message for p in error.problems}


class CreatePathwayTests(PathwayTestCase):
    def test_it_creates_the_components_in_order_with_the_total(self) -> None:
        components = self.components()
        self.assertEqual([c.position for c in components], [1, 2, 3])
        self.assertEqual([c.title for c in components], ["Foundations of data", "Data ethics", "Capstone project"])
        # A course gives its institution, mode and credits.
        self.assertEqual(components[1].institution, self.inst_c)
        self.assertEqual(components[1].mode, Mode.VIRTUAL)
        self.assertEqual(components[1].ects, Decimal(5))
        self.assertEqual(components[1].course, self.course_c)
        self.assertEqual(set(components[2].prerequisites.all()), {components[0], components[1]})
        self.assertEqual(services.total_ects(components), Decimal(15))
        self.assertEqual(services.institutions_of(components), [self.inst_a, self.inst_c])
        self.assertEqual(services.modes_of(components), ["Physical", "Virtual", "Blended"])
        self.assertEqual(self.pathway.status, Pathway.Status.DRAFT)
        event = AuditEvent.objects.get(action="catalogue.pathway_created")
        self.assertEqual(event.institution, self.inst_a)
        self.assertEqual(event.data["ects"], "15")

    def test_it_makes_the_address_from_the_title(self) -> None:
        pathway = make_pathway(self, slug="", titles={"fr": "Écologie des côtes"})
        self.assertEqual(pathway.slug, "ecologie-des-cotes")

    def test_it_refuses_a_pathway_at_one_institution_only(self) -> None:
        components = [
            ComponentInput(institution=self.inst_a, title="One", ects=Decimal(5)),
            ComponentInput(institution=self.inst_a, title="Two", ects=Decimal(5)),
        ]
        with self.assertRaises(InvalidInput) as raised:
            make_pathway(self, slug="only-a", components=components)
        self.assertIn(
            "A Pathway takes its students to two or more member institutions of the alliance: every component is "
            "at University A. Add a component at another member.",
            messages_of(raised.exception)["components"],
        )
        self.assertFalse(Pathway.objects.filter(slug="only-a").exists())

    def test_it_refuses_a_pathway_without_components(self) -> None:
        with self.assertRaises(InvalidInput) as raised:
            make_pathway(self, slug="empty", components=[])
        self.assertIn("at least two", messages_of(raised.exception)["components"])

    def test_it_refuses_an_institution_outside_the_alliance(self) -> None:
        components = three_components(self)
        components[0].institution = self.inst_b
        with self.assertRaises(InvalidInput) as raised:
            make_pathway(self, slug="with-b", components=components)
        self.assertEqual(
            messages_of(raised.exception)["components.0.institution"],
            "University B is not a member of EU Alliance: components are taught at member institutions.",
        )

    def test_it_refuses_components_without_credits(self) -> None:
        components = three_components(self)
        components[0].ects = Decimal(0)
        components[2].ects = None
        with self.assertRaises(InvalidInput) as raised:
            make_pathway(self, slug="no-credits", components=components)
        problems = messages_of(raised.exception)
        self.assertEqual(problems["components.0.ects"], "Give the ECTS credits of “Foundations of data” (more than 0).")
        self.assertEqual(problems["components.2.ects"], "Give the ECTS credits of “Capstone project” (more than 0).")

    def test_it_refuses_a_prerequisite_cycle(self) -> None:
        components = three_components(self)
        components[0].prerequisites = [2]
        with self.assertRaises(InvalidInput) as raised:
            make_pathway(self, slug="cycle", components=components)
        self.assertEqual(
            messages_of(raised.exception)["components.0.prerequisites"],
            "The prerequisites go round in a circle: “Foundations of data” → “Capstone project” → "
            "“Foundations of data”. A component can only require components that come before it.",
        )

    def test_it_refuses_a_prerequisite_that_comes_later(self) -> None:
        components = three_components(self)
        components[2].prerequisites = []
        components[0].prerequisites = [1]
        with self.assertRaises(InvalidInput) as raised:
            make_pathway(self, slug="later", components=components)
        self.assertEqual(
            messages_of(raised.exception)["components.0.prerequisites"],
            "“Foundations of data” requires “Data ethics”, which comes after it: put the prerequisite first.",
        )

    def test_it_refuses_a_component_requiring_itself(self) -> None:
        components = three_components(self)
        components[1].prerequisites = [1]
        with self.assertRaises(InvalidInput) as raised:
            make_pathway(self, slug="itself", components=components)
        self.assertEqual(
            messages_of(raised.exception)["components.1.prerequisites"],
            "“Data ethics” cannot be its own prerequisite.",
        )

    def test_it_refuses_a_taken_address_and_a_missing_title(self) -> None:
        with self.assertRaises(InvalidInput) as raised:
            make_pathway(self, slug="data-europe", titles={"en": "  "})
        problems = messages_of(raised.exception)
        self.assertEqual(problems["slug"], "Another Pathway of EU Alliance already has the address “data-europe”.")
        self.assertEqual(problems["title"], "Give the Pathway a title.")

    def test_it_refuses_an_owner_outside_the_alliance(self) -> None:
        with self.assertRaises(InvalidInput) as raised:
            services.create_pathway(
                self.alliance,
                self.inst_b,
                PathwayInput(titles={"en": "B's"}, slug="bs", components=three_components(self)),
                actor=self.carol,
            )
        self.assertEqual(messages_of(raised.exception)[""], "University B is not a member of EU Alliance.")


class UpdatePathwayTests(PathwayTestCase):
    def test_it_updates_components_in_place_and_keeps_progress(self) -> None:
        enrolment = self.accepted()
        first, second, third = self.components()
        services.record_component_progress(enrolment, first, actor=self.alice, status=Progress.PASSED, grade="16")
        data = services.stored_input(self.pathway)
        data.components[0].title = "Foundations of data science"
        data.components.insert(
            2, ComponentInput(institution=self.inst_c, title="Summer school", mode=Mode.PHYSICAL, ects=Decimal(3))
        )
        data.components[3].prerequisites = [0, 1, 2]
        services.update_pathway(self.pathway, data, actor=self.alice)
        components = self.components()
        self.assertEqual([c.pk for c in components[:2]], [first.pk, second.pk])
        self.assertEqual(components[0].title, "Foundations of data science")
        self.assertEqual(components[3].pk, third.pk)
        self.assertEqual(components[3].position, 4)
        self.assertEqual(components[3].prerequisites.count(), 3)
        self.assertEqual(enrolment.progress.get().component_id, first.pk)
        self.assertTrue(AuditEvent.objects.filter(action="catalogue.pathway_updated").exists())

    def test_it_refuses_to_remove_a_component_with_progress(self) -> None:
        enrolment = self.accepted()
        first = self.components()[0]
        services.record_component_progress(enrolment, first, actor=self.alice, status=Progress.IN_PROGRESS)
        data = services.stored_input(self.pathway)
        del data.components[0]
        data.components[1].prerequisites = [0]
        with self.assertRaises(InvalidInput) as raised:
            services.update_pathway(self.pathway, data, actor=self.alice)
        self.assertIn(
            "“Foundations of data” cannot be removed: students already have progress recorded on it.",
            messages_of(raised.exception)["components"],
        )
        self.assertEqual(len(self.components()), 3)

    def test_it_refuses_fewer_places_than_students_accepted(self) -> None:
        self.accepted()
        self.accepted(self.dora, self.inst_c)
        data = services.stored_input(self.pathway)
        data.places = 1
        with self.assertRaises(InvalidInput) as raised:
            services.update_pathway(self.pathway, data, actor=self.alice)
        self.assertEqual(
            messages_of(raised.exception)["places"],
            "2 students already hold a place: the places cannot be fewer.",
        )


class LifecycleTests(PathwayTestCase):
    def test_it_publishes_closes_and_reopens(self) -> None:
        pathway = self.publish()
        self.assertEqual(pathway.status, Pathway.Status.PUBLISHED)
        pathway = services.close_pathway(pathway, actor=self.alice)
        self.assertEqual(pathway.status, Pathway.Status.CLOSED)
        pathway = self.publish(pathway)
        self.assertEqual(pathway.status, Pathway.Status.PUBLISHED)
        actions = list(AuditEvent.objects.filter(object_id=str(pathway.public_id)).values_list("action", flat=True))
        self.assertEqual(actions.count("catalogue.pathway_published"), 2)
        self.assertIn("catalogue.pathway_closed", actions)

    def test_it_refuses_to_close_a_draft_or_publish_twice(self) -> None:
        with self.assertRaisesMessage(Conflict, "This Pathway is “Draft”: it cannot become “Closed”."):
            services.close_pathway(self.pathway, actor=self.alice)
        self.publish()
        with self.assertRaises(Conflict):
            self.publish()

    def test_it_checks_the_components_again_before_publishing(self) -> None:
        # A member leaves the alliance: the Pathway no longer runs at two members.
        AllianceMember.objects.filter(alliance=self.alliance, institution=self.inst_c).delete()
        with self.assertRaises(InvalidInput) as raised:
            self.publish()
        self.assertIn("Università C is not a member of EU Alliance", raised.exception.message)
        self.pathway.refresh_from_db()
        self.assertEqual(self.pathway.status, Pathway.Status.DRAFT)


class ApplicationTests(PathwayTestCase):
    def test_a_student_of_a_member_applies(self) -> None:
        self.publish()
        with self.captureOnCommitCallbacks(execute=True):
            enrolment = services.apply_to_pathway(
                self.pathway, student=self.bob, home=self.inst_a, motivation="  Data!  "
            )
        self.assertEqual(enrolment.status, PathwayEnrolment.Status.APPLIED)
        self.assertEqual(enrolment.motivation, "Data!")
        self.assertTrue(AuditEvent.objects.filter(action="catalogue.pathway_applied", actor=self.bob).exists())
        # The student gets a confirmation; the managing institution's officers a notice.
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["alice@a.test", "bob@a.test"])
        notice = next(m for m in mail.outbox if m.to == ["alice@a.test"])
        self.assertIn("Bob Student (University A) applied to the Pathway “Data in Europe”", notice.body)

    def test_it_refuses_a_draft(self) -> None:
        with self.assertRaisesMessage(Conflict, "Applications are open only while the Pathway is published."):
            services.apply_to_pathway(self.pathway, student=self.bob, home=self.inst_a)

    def test_it_refuses_students_outside_the_alliance_and_non_students(self) -> None:
        self.publish()
        erin = make_member("erin@b.test", self.inst_b, Role.STUDENT)
        with self.assertRaisesMessage(NotAllowed, "Students of University B cannot apply"):
            services.apply_to_pathway(self.pathway, student=erin, home=self.inst_b)
        with self.assertRaisesMessage(NotAllowed, "Only students of a member institution"):
            services.apply_to_pathway(self.pathway, student=self.alice, home=self.inst_a)
        self.assertFalse(PathwayEnrolment.objects.exists())

    def test_it_refuses_a_second_application(self) -> None:
        self.publish()
        services.apply_to_pathway(self.pathway, student=self.bob, home=self.inst_a)
        with self.assertRaisesMessage(Conflict, "You have already applied to this Pathway (Applied)."):
            services.apply_to_pathway(self.pathway, student=self.bob, home=self.inst_a)

    def test_it_keeps_to_the_places(self) -> None:
        self.pathway.places = 1
        self.pathway.save()
        self.accepted()
        with self.assertRaisesMessage(Conflict, "All 1 places of this Pathway are taken."):
            services.apply_to_pathway(self.pathway, student=self.dora, home=self.inst_c)

    def test_it_accepts_within_the_places_only(self) -> None:
        self.pathway.places = 1
        self.pathway.save()
        self.publish()
        first = services.apply_to_pathway(self.pathway, student=self.bob, home=self.inst_a)
        second = services.apply_to_pathway(self.pathway, student=self.dora, home=self.inst_c)
        services.decide_application(first, actor=self.alice, accept=True)
        with self.assertRaisesMessage(Conflict, "All 1 places are taken"):
            services.decide_application(second, actor=self.office, accept=True)
        services.decide_application(second, actor=self.office, accept=False, note="Next year, maybe.")
        second.refresh_from_db()
        self.assertEqual(second.status, PathwayEnrolment.Status.REFUSED)

    def test_it_tells_the_student_the_decision_with_the_note(self) -> None:
        self.publish()
        enrolment = services.apply_to_pathway(self.pathway, student=self.bob, home=self.inst_a)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            services.decide_application(enrolment, actor=self.alice, accept=False, note="Full this year.")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["bob@a.test"])
        self.assertIn("was not accepted", mail.outbox[0].subject)
        self.assertIn("Full this year.", mail.outbox[0].body)
        event = AuditEvent.objects.get(action="catalogue.pathway_application_refused")
        self.assertEqual(event.data["note"], "Full this year.")

    def test_it_decides_once(self) -> None:
        enrolment = self.accepted()
        with self.assertRaisesMessage(Conflict, "This application was already decided (Accepted)."):
            services.decide_application(enrolment, actor=self.alice, accept=False)


class ProgressTests(PathwayTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.completed: list[int] = []
        completion.register_completion_handler(self.handler)
        self.addCleanup(completion.unregister_completion_handler, self.handler)

    def handler(self, enrolment: PathwayEnrolment) -> None:
        self.completed.append(enrolment.pk)

    def test_it_refuses_progress_before_the_prerequisites_are_passed(self) -> None:
        enrolment = self.accepted()
        first, _second, third = self.components()
        services.record_component_progress(enrolment, first, actor=self.alice, status=Progress.PASSED)
        with self.assertRaisesMessage(
            DomainError,
            "“Capstone project” requires “Data ethics”: record them as passed before any progress on "
            "“Capstone project”.",
        ):
            services.record_component_progress(enrolment, third, actor=self.alice, status=Progress.IN_PROGRESS)
        # Planning is always possible.
        services.record_component_progress(enrolment, third, actor=self.alice, status=Progress.PLANNED)

    def test_it_completes_the_pathway_when_every_component_is_passed(self) -> None:
        enrolment = self.accepted()
        first, second, third = self.components()
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            services.record_component_progress(enrolment, first, actor=self.alice, status=Progress.PASSED, grade="15")
            services.record_component_progress(enrolment, second, actor=self.office, status=Progress.FAILED)
            services.record_component_progress(enrolment, second, actor=self.office, status=Progress.PASSED, grade="B")
            services.record_component_progress(enrolment, third, actor=self.alice, status=Progress.IN_PROGRESS)
            self.assertEqual(self.completed, [])
            services.record_component_progress(enrolment, third, actor=self.alice, status=Progress.PASSED, grade="A")
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, PathwayEnrolment.Status.COMPLETED)
        self.assertIsNotNone(enrolment.completed_at)
        self.assertEqual(self.completed, [enrolment.pk])
        self.assertEqual(enrolment.progress.get(component=second).grade, "B")
        event = AuditEvent.objects.get(action="catalogue.pathway_completed")
        self.assertEqual(event.data["ects"], "15")
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("you completed the Pathway “Data in Europe”", mail.outbox[0].subject)
        # Completed: nothing more to record, and completing twice is refused.
        with self.assertRaises(Conflict):
            services.record_component_progress(enrolment, third, actor=self.alice, status=Progress.PASSED)
        with self.assertRaises(Conflict):
            services.complete_pathway_enrolment(enrolment, actor=self.alice)
        self.assertEqual(self.completed, [enrolment.pk])

    def test_it_refuses_to_complete_before_every_component_is_passed(self) -> None:
        enrolment = self.accepted()
        with self.assertRaisesMessage(DomainError, "some are not yet"):
            services.complete_pathway_enrolment(enrolment, actor=self.alice)
        self.assertEqual(self.completed, [])

    def test_a_failing_handler_rolls_the_completion_back(self) -> None:
        enrolment = self.accepted()
        first, second, third = self.components()
        for component in (first, second):
            services.record_component_progress(enrolment, component, actor=self.alice, status=Progress.PASSED)

        def broken(enrolment: PathwayEnrolment) -> None:
            raise DomainError("The credential could not be issued.")

        completion.register_completion_handler(broken)
        self.addCleanup(completion.unregister_completion_handler, broken)
        with self.assertRaisesMessage(DomainError, "The credential could not be issued."):
            services.record_component_progress(enrolment, third, actor=self.alice, status=Progress.PASSED)
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, PathwayEnrolment.Status.ACCEPTED)
        self.assertFalse(enrolment.progress.filter(component=third).exists())

    def test_a_prerequisite_stays_passed_once_later_components_started(self) -> None:
        enrolment = self.accepted()
        first, second, third = self.components()
        for component in (first, second):
            services.record_component_progress(enrolment, component, actor=self.alice, status=Progress.PASSED)
        services.record_component_progress(enrolment, third, actor=self.alice, status=Progress.IN_PROGRESS)
        with self.assertRaisesMessage(DomainError, "“Data ethics” must stay passed: “Capstone project”"):
            services.record_component_progress(enrolment, second, actor=self.alice, status=Progress.FAILED)

    def test_it_records_progress_for_accepted_students_only(self) -> None:
        self.publish()
        enrolment = services.apply_to_pathway(self.pathway, student=self.bob, home=self.inst_a)
        with self.assertRaisesMessage(Conflict, "this enrolment is “Applied”"):
            services.record_component_progress(
                enrolment, self.components()[0], actor=self.alice, status=Progress.PASSED
            )

    def test_it_refuses_a_component_of_another_pathway_and_a_long_grade(self) -> None:
        enrolment = self.accepted()
        other = make_pathway(self, slug="other")
        with self.assertRaisesMessage(DomainError, "This component is not part of the student's Pathway."):
            services.record_component_progress(
                enrolment, self.components(other)[0], actor=self.alice, status=Progress.PASSED
            )
        with self.assertRaisesMessage(DomainError, "at most 20 characters"):
            services.record_component_progress(
                enrolment, self.components()[0], actor=self.alice, status=Progress.PASSED, grade="x" * 21
            )


class CompletionRegistryTests(TenantTestCase):
    def test_it_calls_each_handler_once_in_order(self) -> None:
        calls: list[str] = []

        def first(enrolment: Any) -> None:
            calls.append(f"first {enrolment}")

        def second(enrolment: Any) -> None:
            calls.append(f"second {enrolment}")

        for handler in (first, second, first):
            completion.register_completion_handler(handler)
            self.addCleanup(completion.unregister_completion_handler, handler)
        completion.on_pathway_completed("E")  # type: ignore[arg-type]
        self.assertEqual(calls, ["first E", "second E"])
        completion.unregister_completion_handler(first)
        completion.on_pathway_completed("F")  # type: ignore[arg-type]
        self.assertEqual(calls[2:], ["second F"])

    def test_it_serves_as_a_decorator(self) -> None:
        @completion.register_completion_handler
        def handler(enrolment: Any) -> None:
            pass

        self.addCleanup(completion.unregister_completion_handler, handler)
        self.assertTrue(callable(handler))
