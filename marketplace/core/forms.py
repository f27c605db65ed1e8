"""Form fields shared by the apps: amounts of money typed by people."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from paylib.money import (
    MAX_AMOUNT_KOPECKS,
    AmountError,
    format_amount_to_type,
    format_rub,
    parse_amount,
)

MAX_LENGTH = 24
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_NOT_A_NUMBER = "Enter a number, for example 1250.00."
# paylib speaks English; these are the same messages, translatable.
_AMOUNT_MESSAGES = {
    "Amounts must not be floats.": _("Enter a number, for example 1250.00."),
    "Enter a number, for example 1250.00.": _("Enter a number, for example 1250.00."),
    "Use at most two decimal places.": _("Use at most two decimal places."),
    "The amount must be greater than zero.": _("The amount must be greater than zero."),
}
_TOO_LARGE = "The amount is too large."


def _too_large() -> forms.ValidationError:
    """Says what the limit is: "too large" alone leaves one guessing."""
    limit = format_rub(MAX_AMOUNT_KOPECKS, language=get_language() or "en")
    return forms.ValidationError(
        gettext("The amount is too large: at most %(limit)s.") % {"limit": limit},
        code="invalid_amount",
    )


# Spaces people put between thousands: typed, or copied from a page (no-break ones).
_SPACES = re.compile(r"[ \u00a0\u2009\u202f]")


def _normalise(text: str) -> str:
    """Accept "1 250,50" as well as "1250.50": spaces out, a decimal comma becomes a point."""
    return _SPACES.sub("", text).replace(",", ".")


class AmountField(forms.CharField):
    """Roubles with at most two decimals, cleaned to integer kopecks."""

    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        # Checked on the text in to_python: the max_length validator would see kopecks.
        kwargs.pop("max_length", None)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "maxlength": MAX_LENGTH})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        """Kopecks shown as the page's reader types a sum: ``1234,50`` in Russian."""
        if isinstance(value, int) and not isinstance(value, bool):
            return format_amount_to_type(value, language=get_language() or "en")
        return value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        raw = super().to_python(value)
        if raw is None or raw in self.empty_values:
            return None
        if len(raw) > MAX_LENGTH:
            raise _too_large()
        text = _normalise(raw)
        if not _PLAIN_NUMBER.fullmatch(text):
            # No exponents, no "NaN", no "+": a sum as people write it, or nothing.
            raise forms.ValidationError(_AMOUNT_MESSAGES[_NOT_A_NUMBER], code="invalid_amount")
        if self.allow_zero and _is_zero(text):
            return 0
        if Decimal(text) * 100 > MAX_AMOUNT_KOPECKS:
            raise _too_large()
        try:
            return parse_amount(text)
        except AmountError as exc:
            if str(exc) == _TOO_LARGE:
                raise _too_large() from None
            message = _AMOUNT_MESSAGES.get(str(exc), str(exc))
            raise forms.ValidationError(message, code="invalid_amount") from None


def _is_zero(text: str) -> bool:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return False
    return number.is_finite() and number == 0 and number == number.quantize(Decimal("0.01"))
