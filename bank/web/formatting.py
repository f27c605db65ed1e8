"""Money and account numbers as the customer and the staff read them, in the active language."""

from __future__ import annotations

from django.utils.translation import get_language

from paylib.accounts import group_account_number
from paylib.money import format_rub


def rub(kopecks: int | None) -> str:
    """``123450`` → ``1,234.50 ₽`` (``1 234,50 ₽`` in Russian); ``None`` → ``""``."""
    if kopecks is None:
        return ""
    return format_rub(int(kopecks), language=get_language() or "en")


def rub_signed(kopecks: int | None) -> str:
    """Like :func:`rub`, with an explicit sign: a plus or a minus sign (U+2212)."""
    if kopecks is None:
        return ""
    kopecks = int(kopecks)
    sign = "+" if kopecks > 0 else "\u2212" if kopecks < 0 else ""
    return sign + rub(abs(kopecks))


def account_number(number: str | None) -> str:
    """``40817810100000000001`` → ``40817 810 1 0000 0000001``, for reading aloud."""
    return group_account_number(number)
