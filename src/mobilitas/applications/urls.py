from django.urls import path

from mobilitas.applications.views import applying, calls, results, review

urlpatterns = [
    # Calls (officers manage; everyone reads the published ones).
    path("calls/", calls.call_list, name="applications-calls"),
    path("calls/new/", calls.call_create, name="applications-call-create"),
    path("calls/<uuid:public_id>/", calls.call_detail, name="applications-call"),
    path("calls/<uuid:public_id>/edit/", calls.call_edit, name="applications-call-edit"),
    path("calls/<uuid:public_id>/destinations/", calls.call_destinations, name="applications-call-destinations"),
    path("calls/<uuid:public_id>/publish/", calls.call_publish, name="applications-call-publish"),
    path("calls/<uuid:public_id>/close/", calls.call_close, name="applications-call-close"),
    # Applying (students; a student reads only their own).
    path("calls/<uuid:public_id>/apply/", applying.start, name="applications-start"),
    path("applications/", applying.my_applications, name="applications-mine"),
    path("applications/<uuid:public_id>/", applying.application_detail, name="applications-application"),
    path("applications/<uuid:public_id>/edit/", applying.application_edit, name="applications-edit"),
    path("applications/<uuid:public_id>/autosave/", applying.autosave, name="applications-autosave"),
    path("applications/<uuid:public_id>/documents/", applying.upload, name="applications-upload"),
    path(
        "applications/<uuid:public_id>/documents/<uuid:upload_id>/",
        applying.download,
        name="applications-document",
    ),
    path(
        "applications/<uuid:public_id>/documents/<uuid:upload_id>/delete/",
        applying.delete_upload,
        name="applications-document-delete",
    ),
    path("applications/<uuid:public_id>/submit/", applying.submit, name="applications-submit"),
    path("applications/<uuid:public_id>/withdraw/", applying.withdraw, name="applications-withdraw"),
    # Review (coordinators score their faculties' applications; officers rank and adjust).
    path("calls/<uuid:public_id>/review/", review.review_list, name="applications-review"),
    path("calls/<uuid:public_id>/ranking/", review.ranking, name="applications-ranking"),
    path("applications/<uuid:public_id>/score/", review.score, name="applications-score"),
    path("applications/<uuid:public_id>/adjust/", review.adjust, name="applications-adjust"),
    # Allocation and results.
    path("calls/<uuid:public_id>/allocation/", results.allocation, name="applications-allocation"),
    path("calls/<uuid:public_id>/allocation/run/", results.run, name="applications-allocation-run"),
    path("calls/<uuid:public_id>/allocation/input.json", results.input_json, name="applications-allocation-input"),
    path("calls/<uuid:public_id>/allocation/<uuid:run_id>/", results.run_detail, name="applications-run"),
    path("calls/<uuid:public_id>/allocation/<uuid:run_id>/publish/", results.publish, name="applications-run-publish"),
    path("applications/<uuid:public_id>/result/", results.result, name="applications-result"),
    path("offers/<uuid:public_id>/accept/", results.accept, name="applications-offer-accept"),
    path("offers/<uuid:public_id>/decline/", results.decline, name="applications-offer-decline"),
]
