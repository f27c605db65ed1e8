from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "offers"
    verbose_name = _("Offers")

    def ready(self) -> None:
        from paylib.sqlite_fold import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="offers.sqlite_fold")
