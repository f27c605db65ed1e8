from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = _("Deals")

    def ready(self) -> None:
        from . import checks, effects  # noqa: F401  (registers the check and the handlers)
