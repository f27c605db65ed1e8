"""Template filters of the bank: ``{% load bank %}``, then ``{{ kopecks|rub }}`` and so on."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import gettext_lazy as _

from ledger.models import Posting
from operations.state import FailureReason
from web import formatting

register = template.Library()

register.filter("rub", formatting.rub)
register.filter("rub_signed", formatting.rub_signed)
register.filter("account_number", formatting.account_number)


@register.filter
def failure_reason(code: str | None) -> str:
    """A stored failure code (``insufficient_funds``) in the customer's words, as
    ``operations.state.FailureReason`` has them."""
    if not code:
        return ""
    return str(FailureReason(code).label) if code in FailureReason.values else code


@register.filter
def minutes(duration: timedelta | None) -> int:
    """A duration in whole minutes, rounded up, for "try again in N minutes"."""
    if duration is None:
        return 0
    return -(-int(duration.total_seconds()) // 60)


#: Descriptions the bank itself writes in English; shown in the reader's language.
_SYSTEM_TEXTS = {"Deposit": _("Deposit"), "Opening deposit": _("Opening deposit")}


@register.filter
def posting_text(posting: Posting) -> str:
    """A posting's description; the bank's own stock phrases are translated."""
    return str(_SYSTEM_TEXTS.get(posting.description, posting.description))
