from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        # Register the tasks in every process, the web ones included: payments.queue
        # publishes them by name, without importing the module that calls the services.
        from . import tasks  # noqa: F401
