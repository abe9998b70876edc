from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "mobilitas.home"
