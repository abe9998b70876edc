"""Who sees which courses, enrolments, Pathways and programmes ("missing" and "not yours" both answer 404).

A member institution sees its own catalogue and the courses its alliances share. Its officers and admins manage
its own courses; the alliance office (at any member) manages what the alliance shares and its Pathways.
"""

from uuid import UUID

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from mobilitas.catalogue.models import Course, CrossEnrolment, JointProgramme, Pathway, PathwayEnrolment
from mobilitas.institutions.access import MANAGERS, alliances_for, has_role
from mobilitas.institutions.models import Alliance, Institution, Role
from mobilitas.institutions.requests import InstitutionRequest

COURSE_EDITORS = MANAGERS
ALLIANCE_EDITORS = frozenset({Role.ALLIANCE_OFFICE})
# Who may read the names in a joint programme's cohort, at an institution taking part in it.
COHORT_READERS = frozenset({*MANAGERS, Role.COORDINATOR, Role.ALLIANCE_OFFICE, Role.LEADERSHIP})


def alliance_members(request: InstitutionRequest) -> QuerySet[Institution]:
    """Every institution sharing an alliance with request.institution (itself included)."""
    return Institution.objects.filter(alliance_memberships__alliance__in=alliances_for(request)).distinct()


def courses_for(request: InstitutionRequest) -> QuerySet[Course]:
    """Our own courses and the shared courses of our alliances' members."""
    return Course.objects.filter(
        Q(institution=request.institution) | Q(shared=True, institution__in=alliance_members(request))
    )


def get_course_for(request: InstitutionRequest, public_id: UUID) -> Course:
    return get_object_or_404(courses_for(request).select_related("institution", "ounit"), public_id=public_id)


def can_edit_course(request: InstitutionRequest, course: Course) -> bool:
    if course.institution_id == request.institution.pk and has_role(request, *COURSE_EDITORS):
        return True
    return has_role(request, *ALLIANCE_EDITORS) and course.shared


def can_share_course(request: InstitutionRequest, course: Course) -> bool:
    """Officers of the owner share and unshare; the alliance office shares its own and unshares any shared."""
    own = course.institution_id == request.institution.pk
    if has_role(request, *ALLIANCE_EDITORS) and (own or course.shared):
        return True
    return own and has_role(request, *COURSE_EDITORS)


def enrolments_for(request: InstitutionRequest) -> QuerySet[CrossEnrolment]:
    """Cross-enrolments request.institution takes part in: its students going out, or its courses' guests.

    Students see only their own; coordinators and officers see their institution's side.
    """
    enrolments = CrossEnrolment.objects.filter(Q(home=request.institution) | Q(course__institution=request.institution))
    if has_role(request, *MANAGERS, Role.COORDINATOR, Role.ALLIANCE_OFFICE):
        return enrolments
    return enrolments.filter(student=request.user)


def get_enrolment_for(request: InstitutionRequest, public_id: UUID) -> CrossEnrolment:
    enrolments = enrolments_for(request).select_related("student", "home", "course__institution", "recognised_as")
    return get_object_or_404(enrolments, public_id=public_id)


def pathways_for(request: InstitutionRequest) -> QuerySet[Pathway]:
    """Published Pathways of our alliances, and drafts to those who manage them."""
    pathways = Pathway.objects.filter(alliance__in=alliances_for(request))
    if has_role(request, *ALLIANCE_EDITORS):
        return pathways
    if has_role(request, *MANAGERS):
        return pathways.filter(Q(status=Pathway.Status.PUBLISHED) | Q(owner=request.institution))
    return pathways.filter(status=Pathway.Status.PUBLISHED)


def published_pathways(alliance: Alliance) -> QuerySet[Pathway]:
    """What an alliance publishes to everyone (the public pages, no login)."""
    return Pathway.objects.filter(alliance=alliance, status=Pathway.Status.PUBLISHED)


def get_pathway_for(request: InstitutionRequest, public_id: UUID) -> Pathway:
    return get_object_or_404(pathways_for(request).select_related("alliance", "owner"), public_id=public_id)


def can_edit_pathway(request: InstitutionRequest, pathway: Pathway) -> bool:
    if has_role(request, *ALLIANCE_EDITORS):
        return True
    return pathway.owner_id == request.institution.pk and has_role(request, *MANAGERS)


def pathway_enrolments_for(request: InstitutionRequest) -> QuerySet[PathwayEnrolment]:
    """Applications to Pathways: the alliance office sees all of its alliances', officers and coordinators those
    of their students and of the Pathways their institution manages, students their own."""
    if has_role(request, *ALLIANCE_EDITORS):
        return PathwayEnrolment.objects.filter(pathway__alliance__in=alliances_for(request))
    enrolments = PathwayEnrolment.objects.filter(Q(home=request.institution) | Q(pathway__owner=request.institution))
    if has_role(request, *MANAGERS, Role.COORDINATOR):
        return enrolments
    return enrolments.filter(student=request.user)


def programmes_for(request: InstitutionRequest) -> QuerySet[JointProgramme]:
    """Joint programmes we run or take part in, and those of our alliances."""
    return JointProgramme.objects.filter(
        Q(institution=request.institution) | Q(partners=request.institution) | Q(alliance__in=alliances_for(request))
    ).distinct()


def can_edit_programme(request: InstitutionRequest, programme: JointProgramme) -> bool:
    if programme.institution_id == request.institution.pk and has_role(request, *MANAGERS):
        return True
    return (
        has_role(request, *ALLIANCE_EDITORS)
        and programme.alliance_id is not None
        and alliances_for(request).filter(pk=programme.alliance_id).exists()
    )


def get_programme_for(request: InstitutionRequest, public_id: UUID) -> JointProgramme:
    return get_object_or_404(programmes_for(request).select_related("institution", "alliance"), public_id=public_id)
