from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from operations.models import Operation
from paylib.text import validate_one_line

from .fields import AccountNumberField, AmountField, idempotency_key_field

MAX_PAYEES = 10


class AccountPathIn(serializers.Serializer):
    account = AccountNumberField()


class LinkRequestIn(serializers.Serializer):
    account = AccountNumberField()
    idempotency_key = idempotency_key_field


class PayeeIn(serializers.Serializer):
    account = AccountNumberField()
    amount = AmountField()


class PaymentDataIn(serializers.Serializer):
    payer_account = AccountNumberField()
    payees = serializers.ListField(child=PayeeIn(), min_length=1, max_length=MAX_PAYEES)
    amount = AmountField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if sum(payee["amount"] for payee in attrs["payees"]) != attrs["amount"]:
            raise serializers.ValidationError(
                {"amount": "The amount must equal the sum of the payees' amounts."}
            )
        return attrs


class PaymentRequestIn(PaymentDataIn):
    description = serializers.CharField(
        max_length=255,
        validators=[validate_one_line],
    )
    idempotency_key = idempotency_key_field


class WriteIn(serializers.Serializer):
    """A write with nothing to say but its idempotency key (resend, revoke)."""

    idempotency_key = idempotency_key_field


class ConfirmIn(WriteIn):
    """The code the customer received, with the idempotency key of this attempt."""

    code = serializers.RegexField(
        r"^[0-9]{6}$", error_messages={"invalid": "The code is six digits."}
    )


class ExecuteIn(PaymentDataIn):
    key = serializers.CharField(max_length=128)
    idempotency_key = idempotency_key_field


class PayeeOut(serializers.Serializer):
    account = serializers.CharField(source="account.number")
    amount = AmountField()


class OperationOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    account = serializers.CharField(source="account.number")
    amount = AmountField()
    payees = serializers.SerializerMethodField()
    attempts_left = serializers.IntegerField(source="code_attempts_left")
    hold = serializers.UUIDField(
        source="hold.public_id",
        allow_null=True,
        default=None,
        help_text="A hold request's hold, once placed; null otherwise.",
    )

    class Meta:
        model = Operation
        fields = [
            "id",
            "kind",
            "status",
            "account",
            "amount",
            "payees",
            "description",
            "code_expires_at",
            "attempts_left",
            "code_sends",
            "failure_reason",
            "hold_until",
            "hold",
            "created_at",
            "confirmed_at",
            "finished_at",
        ]

    @extend_schema_field(PayeeOut(many=True))
    def get_payees(self, operation: Operation) -> list[dict[str, Any]]:
        legs = operation.legs.select_related("account")
        return PayeeOut(legs, many=True).data  # type: ignore[return-value]


class ConfirmOut(serializers.Serializer):
    operation = OperationOut()
    key = serializers.CharField(allow_null=True, help_text="Shown once; null for links.")


class BalanceOut(serializers.Serializer):
    account = serializers.CharField()
    available = AmountField()
    currency = serializers.CharField()
