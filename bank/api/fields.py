from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from paylib.accounts import AccountNumberError, validate_account_number
from paylib.money import AmountError, format_amount, parse_amount

ACCOUNT_NUMBER_SCHEMA = {
    "type": "string",
    "pattern": "^[0-9]{20}$",
    "description": "20 digits whose control key matches the bank's BIK.",
    "example": "40817810500001234567",
}


@extend_schema_field(ACCOUNT_NUMBER_SCHEMA)
class AccountNumberField(serializers.CharField):
    """A 20-digit account number whose control key matches this bank's BIK."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        number = super().to_internal_value(data)
        try:
            validate_account_number(number, bik=settings.BANK_BIK)
        except AccountNumberError as error:
            raise serializers.ValidationError(str(error), code=error.code) from None
        return number


class AmountField(serializers.Field):
    """Roubles on the wire as a string ("1250.00") or integer; kopecks inside.

    Its schema (``api.schema.AmountFieldSchema``) is a string in answers, a string or an
    integer in requests.
    """

    default_error_messages = {"float": 'Send the amount as a string, for example "1250.00".'}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, (float, bool)):
            self.fail("float")
        try:
            return parse_amount(data)
        except AmountError as error:
            raise serializers.ValidationError(str(error), code="invalid_amount") from None

    def to_representation(self, value: int) -> str:
        return format_amount(value)


idempotency_key_field = serializers.CharField(
    min_length=8,
    max_length=64,
    validators=[RegexValidator(r"^[A-Za-z0-9_.:-]+$", "Use letters, digits and _ . : - only.")],
)
