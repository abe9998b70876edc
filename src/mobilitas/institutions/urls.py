from django.urls import path

from mobilitas.institutions import views

# Included under `<slug:institution_slug>/`: the middleware resolves request.institution for all of these.
urlpatterns = [
    path("directory/", views.directory, name="institutions-directory"),
    path("directory/<uuid:public_id>/", views.detail, name="institutions-detail"),
    path("directory/<uuid:public_id>/contacts/add/", views.contact_add, name="institutions-contact-add"),
    path("contacts/<uuid:public_id>/delete/", views.contact_delete, name="institutions-contact-delete"),
    path("organisation/", views.organisation, name="institutions-organisation"),
    path("alliances/<slug:alliance_slug>/", views.alliance, name="institutions-alliance"),
]
