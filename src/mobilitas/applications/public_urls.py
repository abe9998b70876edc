from django.urls import path

from mobilitas.applications.views import public

# Public pages (no login): the calls an institution has open, for prospective applicants.
urlpatterns = [
    path("open-calls/<slug:slug>/", public.open_calls, name="applications-public-calls"),
    path("open-calls/<slug:slug>/<uuid:public_id>/", public.open_call, name="applications-public-call"),
]
