"""Reads of the commission in force, and the split it makes of an amount."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from paylib.errors import ApplicationError
from paylib.money import format_rub

from .models import SINGLETON_ID, CommissionSetting
from .split import Split, commission_split


class CommissionTakesAll(ApplicationError):
    """At this amount the commission would leave the seller nothing."""

    code = "commission_takes_all"


def commission_current() -> CommissionSetting:
    """The setting in force; created with the defaults if the data migration never ran."""
    setting, _created = CommissionSetting.objects.get_or_create(pk=SINGLETON_ID)
    return setting


def commission_split_checked(
    amount: int, *, setting: CommissionSetting | None = None, field: str | None = "price"
) -> Split:
    """The split of ``amount`` under ``setting`` (the one in force by default); raises
    ``CommissionTakesAll`` if the seller would receive nothing."""
    setting = setting or commission_current()
    split = commission_split(amount, percent=setting.percent, minimum=setting.minimum)
    if split.net > 0:
        return split
    if setting.minimum >= amount:
        minimum = format_rub(setting.minimum, language=get_language() or "en")
        message = _(
            "The platform's minimum commission is %(minimum)s: ask more than that, so that "
            "something is left for the seller."
        ) % {"minimum": minimum}
    else:
        message = _("At this price the platform's commission takes the whole sum.")
    raise CommissionTakesAll(message, field=field, extra={"minimum": setting.minimum})
