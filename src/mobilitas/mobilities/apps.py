from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilitiesConfig(AppConfig):
    name = "mobilitas.mobilities"
    verbose_name = _("Mobilities")

    def ready(self) -> None:
        # An accepted place becomes a nomination, a place given up cancels it (applications.acceptance):
        # mobilities depends on applications, never the reverse.
        from mobilitas.mobilities.services import register_handlers

        register_handlers()
