from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "paylib.outbox"
    label = "outbox"
    verbose_name = _("Outbox")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every app keeps its outbox handlers in ``effects.py``; import them all, so that a
        # worker can deliver any kind that a web process recorded.
        autodiscover_modules("effects")
