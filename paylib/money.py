"""Money as integer kopecks, with exact conversion to and from decimal roubles.

Both services store amounts as integer kopecks (no rounding can happen in storage or
arithmetic) and exchange them over HTTP as decimal strings with two places, "1234.50".
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

KOPECKS_PER_ROUBLE = 100
QUANTUM = Decimal("0.01")
#: The largest amount either service accepts in one operation: 1 billion roubles.
MAX_AMOUNT_KOPECKS = 100_000_000_000


_AMOUNT = re.compile(r"[0-9]{1,15}(\.[0-9]{1,2})?")
_TOO_PRECISE = re.compile(r"[0-9]{1,15}\.[0-9]{3,}")


class AmountError(ValueError):
    """The amount is not a positive sum of roubles with at most two decimals.

    ``code`` names the reason (``not_a_number``, ``float``, ``too_precise``,
    ``not_positive``, ``too_large``), so that forms can word it in their own language.
    """

    def __init__(self, message: str, *, code: str = "not_a_number") -> None:
        super().__init__(message)
        self.code = code


_NOT_A_NUMBER = "Enter a number, for example 1250.00."


def parse_amount(value: str | Decimal | int) -> int:
    """Parse roubles (``"12.30"``) into kopecks (``1230``), refusing anything inexact.

    A string must be plain ASCII digits with an optional point and at most two decimals:
    no exponent, sign, separators or other scripts' digits. Only a string, an integer or a
    ``Decimal`` is an amount: anything else (a JSON object or list) is refused before
    ``Decimal()`` sees it, since ``Decimal((0, (1, 0, 0), -2))`` would build 1.00 from a tuple.
    """
    if isinstance(value, (float, bool)):
        raise AmountError("Amounts must not be floats.", code="float")
    if isinstance(value, str):
        if _TOO_PRECISE.fullmatch(value):
            raise AmountError("Use at most two decimal places.", code="too_precise")
        if not _AMOUNT.fullmatch(value):
            if _AMOUNT.fullmatch(value.removeprefix("-")):
                raise AmountError("The amount must be greater than zero.", code="not_positive")
            raise AmountError(_NOT_A_NUMBER)
        amount = Decimal(value)
    elif isinstance(value, (int, Decimal)):
        amount = Decimal(value)
        if not amount.is_finite() or abs(amount) > MAX_AMOUNT_KOPECKS:
            raise AmountError(_NOT_A_NUMBER)
        if amount != amount.quantize(QUANTUM):
            raise AmountError("Use at most two decimal places.", code="too_precise")
    else:
        raise AmountError(_NOT_A_NUMBER)
    kopecks = int(amount * KOPECKS_PER_ROUBLE)
    if kopecks <= 0:
        raise AmountError("The amount must be greater than zero.", code="not_positive")
    if kopecks > MAX_AMOUNT_KOPECKS:
        raise AmountError("The amount is too large.", code="too_large")
    return kopecks


def kopecks_to_decimal(kopecks: int) -> Decimal:
    return (Decimal(kopecks) / KOPECKS_PER_ROUBLE).quantize(QUANTUM)


def format_amount(kopecks: int) -> str:
    """The wire format: ``"1234.50"``."""
    return str(kopecks_to_decimal(kopecks))


def format_amount_to_type(kopecks: int, *, language: str = "en") -> str:
    """A sum as a person of ``language`` types it in a form: ``1234.50`` in English,
    ``1234,50`` (a decimal comma) in Russian; no thousands separators, no currency sign."""
    text = format_amount(kopecks)
    return text.replace(".", ",") if language.startswith("ru") else text


def format_rub(kopecks: int, *, language: str = "en") -> str:
    """A human-readable sum: ``1,234.50 ₽`` in English, ``1 234,50 ₽`` in Russian."""
    text = f"{kopecks_to_decimal(kopecks):,.2f}"
    if language.startswith("ru"):
        text = text.replace(",", "\u00a0").replace(".", ",")
    return f"{text}\u00a0₽"


def percent_of(kopecks: int, percent: Decimal) -> int:
    """``percent`` of an amount, rounded half-up to the kopeck."""
    share = Decimal(kopecks) * percent / 100
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))
