from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "mobilitas.catalogue"
    verbose_name = _("Alliance catalogue")
