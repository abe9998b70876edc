from django.urls import path

from mobilitas.home import views as placeholder

urlpatterns = [
    path("directory/", placeholder.institution_home, name="institutions-directory"),
    path("organisation/", placeholder.institution_home, name="institutions-organisation"),
]
