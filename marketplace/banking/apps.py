from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BankingConfig(AppConfig):
    """The marketplace's side of talking to the bank: the one wrapper around the client,
    the log of every call, the words for the bank's answers and the per-user limits."""

    name = "banking"
    verbose_name = _("Bank calls")
