from django.urls import path

from mobilitas.audit import views

urlpatterns = [
    path("activity/", views.activity, name="audit-activity"),
]
