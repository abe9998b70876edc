from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "mobilitas.demo"
    verbose_name = "Demo data"
