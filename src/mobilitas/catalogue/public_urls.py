from django.urls import path

from mobilitas.catalogue.views import pathways

# Public pages (no login): what the alliance publishes to prospective students.
urlpatterns = [
    path("pathways/<slug:alliance_slug>/", pathways.public_list, name="catalogue-public-pathways"),
    path("pathways/<slug:alliance_slug>/<slug:slug>/", pathways.public_pathway, name="catalogue-public-pathway"),
]
