from django.urls import path

from mobilitas.home import views as placeholder

urlpatterns = [
    path("activity/", placeholder.institution_home, name="audit-activity"),
]
