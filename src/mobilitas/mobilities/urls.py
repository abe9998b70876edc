from django.urls import path

from mobilitas.mobilities.views import nominations

urlpatterns = [
    path("mobilities/", nominations.mobility_list, name="mobilities-list"),
    path("mobilities/nominations/", nominations.nominations, name="mobilities-nominations"),
    path(
        "mobilities/nominations/<uuid:partner_id>.xlsx",
        nominations.nominations_xlsx,
        name="mobilities-nominations-xlsx",
    ),
    path("mobilities/<uuid:public_id>/", nominations.mobility_detail, name="mobilities-mobility"),
]
