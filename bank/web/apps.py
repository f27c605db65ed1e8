from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "web"
    verbose_name = _("Customer pages")

    def ready(self) -> None:
        from paylib.sqlite_fold import register_sqlite_fold

        # The statement's search on SQLite folds Cyrillic case and ё (web.selectors).
        connection_created.connect(register_sqlite_fold, dispatch_uid="web.sqlite_fold")
