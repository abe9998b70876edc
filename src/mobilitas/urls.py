from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from mobilitas.api.urls import api
from mobilitas.home import views as home_views

urlpatterns = [
    path("", home_views.index, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("mobilitas.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("mobilitas.catalogue.public_urls")),
    path("", include("mobilitas.applications.public_urls")),
    # Everything below belongs to one hosted institution; the middleware resolves request.institution.
    path("<slug:institution_slug>/", home_views.institution_home, name="home-institution"),
    path("<slug:institution_slug>/", include("mobilitas.institutions.urls")),
    path("<slug:institution_slug>/", include("mobilitas.audit.urls")),
    path("<slug:institution_slug>/", include("mobilitas.agreements.urls")),
    path("<slug:institution_slug>/", include("mobilitas.catalogue.urls")),
    path("<slug:institution_slug>/", include("mobilitas.applications.urls")),
    path("<slug:institution_slug>/", include("mobilitas.mobilities.urls")),
]
