"""Display helpers for the bank's templates: money in roubles and grouped account numbers."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from paylib.money import format_rub

register = template.Library()

# 5-3-1-4-7: balance account, currency, control key, branch, serial number.
_ACCOUNT_NUMBER_GROUPS = (5, 3, 1, 4, 7)

#: Why an operation failed, by the machine code the bank stores, in words for the customer.
FAILURE_REASONS = {
    "insufficient_funds": _("The balance did not cover the payment."),
    "account_blocked": _("An account of the payment is blocked."),
    "account_not_linked": _("The account is no longer linked to the platform."),
}


@register.filter
def rub(kopecks: int | None) -> str:
    """``123450`` → ``1,234.50 ₽`` (or ``1 234,50 ₽`` in Russian)."""
    if kopecks is None:
        return ""
    return format_rub(int(kopecks), language=get_language() or "en")


@register.filter
def rub_signed(kopecks: int | None) -> str:
    """Like :func:`rub`, with an explicit sign: ``+1,234.50 ₽`` or ``−1,234.50 ₽``."""
    if kopecks is None:
        return ""
    kopecks = int(kopecks)
    sign = "+" if kopecks > 0 else "\u2212" if kopecks < 0 else ""
    return sign + rub(abs(kopecks))


@register.filter
def account_number(number: str | None) -> str:
    """``40817810100000000001`` → ``40817 810 1 0000 0000001``, for reading aloud."""
    if not number or len(number) != sum(_ACCOUNT_NUMBER_GROUPS):
        return number or ""
    parts, start = [], 0
    for size in _ACCOUNT_NUMBER_GROUPS:
        parts.append(number[start : start + size])
        start += size
    return " ".join(parts)


@register.filter
def failure_reason(code: str | None) -> str:
    """A stored failure code (``insufficient_funds``) in the customer's words."""
    if not code:
        return ""
    return str(FAILURE_REASONS.get(code, code))


@register.filter
def minutes(duration: timedelta | None) -> int:
    """A duration in whole minutes, rounded up, for "try again in N minutes"."""
    if duration is None:
        return 0
    return -(-int(duration.total_seconds()) // 60)
