from django.urls import path

from mobilitas.catalogue.views import courses, enrolments, matching, pathways, programmes

# Included under `<slug:institution_slug>/`: the middleware resolves request.institution for all of these.
urlpatterns = [
    path("catalogue/", courses.search, name="catalogue-search"),
    path("catalogue/courses/new/", courses.course_create, name="catalogue-course-create"),
    path("catalogue/courses/<uuid:public_id>/", courses.course_detail, name="catalogue-course"),
    path("catalogue/courses/<uuid:public_id>/edit/", courses.course_edit, name="catalogue-course-edit"),
    path("catalogue/courses/<uuid:public_id>/share/", courses.course_share, name="catalogue-course-share"),
    path("catalogue/courses/<uuid:public_id>/matches/", matching.course_matches, name="catalogue-course-matches"),
    path("catalogue/import/", courses.course_import, name="catalogue-import"),
    path("catalogue/template.xlsx", courses.course_template, name="catalogue-template"),
    path("catalogue/courses/<uuid:public_id>/enrol/", enrolments.request_enrolment, name="catalogue-enrol"),
    path("catalogue/enrolments/", enrolments.enrolment_list, name="catalogue-enrolments"),
    path("catalogue/enrolments/<uuid:public_id>/", enrolments.enrolment_detail, name="catalogue-enrolment"),
    path(
        "catalogue/enrolments/<uuid:public_id>/<slug:action>/",
        enrolments.enrolment_action,
        name="catalogue-enrolment-action",
    ),
    path("catalogue/pathways/", pathways.pathway_list, name="catalogue-pathways"),
    path("catalogue/pathways/new/", pathways.pathway_create, name="catalogue-pathway-create"),
    path("catalogue/pathways/<uuid:public_id>/", pathways.pathway_detail, name="catalogue-pathway"),
    path("catalogue/pathways/<uuid:public_id>/edit/", pathways.pathway_edit, name="catalogue-pathway-edit"),
    path("catalogue/pathways/<uuid:public_id>/apply/", pathways.pathway_apply, name="catalogue-pathway-apply"),
    path(
        "catalogue/pathway-enrolments/<uuid:public_id>/",
        pathways.pathway_enrolment,
        name="catalogue-pathway-enrolment",
    ),
    path("catalogue/programmes/", programmes.programme_list, name="catalogue-programmes"),
    path("catalogue/programmes/new/", programmes.programme_create, name="catalogue-programme-create"),
    path("catalogue/programmes/<uuid:public_id>/", programmes.programme_detail, name="catalogue-programme"),
    path("catalogue/programmes/<uuid:public_id>/edit/", programmes.programme_edit, name="catalogue-programme-edit"),
    path(
        "catalogue/programmes/<uuid:public_id>/cohort/add/",
        programmes.cohort_add,
        name="catalogue-programme-cohort-add",
    ),
    path(
        "catalogue/programmes/<uuid:public_id>/cohort/remove/",
        programmes.cohort_remove,
        name="catalogue-programme-cohort-remove",
    ),
]
