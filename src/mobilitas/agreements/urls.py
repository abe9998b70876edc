from django.urls import path

from mobilitas.agreements.views import files, pages

# Included under `<slug:institution_slug>/`: the middleware resolves request.institution for all of these.
urlpatterns = [
    path("agreements/", pages.agreement_list, name="agreements-list"),
    path("agreements/new/", pages.agreement_create, name="agreements-create"),
    path("agreements/places/", pages.places, name="agreements-places"),
    path("agreements/import-ewp/", pages.import_partner_document, name="agreements-import-xml"),
    path("agreements/template.xlsx", files.xlsx_template, name="agreements-xlsx-template"),
    path("agreements/import/", files.xlsx_import, name="agreements-xlsx-import"),
    path("agreements/export.xlsx", files.xlsx_export, name="agreements-xlsx-export"),
    path("agreements/<uuid:public_id>/", pages.agreement_detail, name="agreements-detail"),
    path("agreements/<uuid:public_id>/edit/", pages.agreement_edit, name="agreements-edit"),
    path("agreements/<uuid:public_id>/renew/", pages.agreement_renew, name="agreements-renew"),
    path("agreements/<uuid:public_id>/share/", pages.agreement_share, name="agreements-share"),
    path("agreements/<uuid:public_id>/approve/", pages.agreement_approve, name="agreements-approve"),
    path(
        "agreements/<uuid:public_id>/partner-approval/",
        pages.agreement_partner_approval,
        name="agreements-partner-approval",
    ),
    path("agreements/<uuid:public_id>/terminate/", pages.agreement_terminate, name="agreements-terminate"),
    path("agreements/<uuid:public_id>/delete/", pages.agreement_delete, name="agreements-delete"),
    path("agreements/<uuid:public_id>/compare/", pages.agreement_compare, name="agreements-compare"),
    path("agreements/<uuid:public_id>/partner-copy/", pages.partner_copy_upload, name="agreements-partner-copy"),
    path("agreements/<uuid:public_id>/documents/add/", pages.document_add, name="agreements-document-add"),
    path("agreements/documents/<uuid:public_id>/", pages.document_download, name="agreements-document"),
    path("agreements/documents/<uuid:public_id>/delete/", pages.document_delete, name="agreements-document-delete"),
    path("agreements/<uuid:public_id>/agreement.pdf", files.agreement_pdf, name="agreements-pdf"),
    path("agreements/<uuid:public_id>/iia.xml", files.agreement_xml, name="agreements-xml"),
]
