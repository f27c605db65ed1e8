"""The hold calls' input and output: one small serializer per call and answer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from holds.models import Hold, HoldLeg, Refund

from .fields import AmountField
from .serializers import PaymentRequestIn, WriteIn


class HoldRequestIn(PaymentRequestIn):
    hold_until = serializers.DateTimeField(
        help_text="The latest moment the money may stay held: in the future, at most "
        "HOLD_MAX_DAYS (60) days ahead. The code email states it; after it, the hold expires "
        "and the money is the payer's again."
    )

    def validate_hold_until(self, value: datetime) -> datetime:
        now = timezone.now()
        if value <= now:
            raise serializers.ValidationError("The hold must end in the future.")
        if value > now + timedelta(days=settings.HOLD_MAX_DAYS):
            raise serializers.ValidationError(
                f"A hold may last at most {settings.HOLD_MAX_DAYS} days."
            )
        return value


class CaptureIn(WriteIn):
    amount = AmountField(
        required=False, help_text="At most the held amount; all of it if left out."
    )


class RefundIn(WriteIn):
    amount = AmountField(help_text="At most what was captured and not yet refunded.")


class HoldPayeeOut(serializers.ModelSerializer):
    account = serializers.CharField(source="account.number")
    amount = AmountField()
    captured = AmountField()
    refunded = AmountField()

    class Meta:
        model = HoldLeg
        fields = ["account", "amount", "captured", "refunded"]


class RefundBriefOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    amount = AmountField()

    class Meta:
        model = Refund
        fields = ["id", "amount", "created_at"]


class HoldOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    operation = serializers.SerializerMethodField(
        help_text="The hold request that placed it (null for none)."
    )
    account = serializers.CharField(source="account.number")
    amount = AmountField()
    payees = serializers.SerializerMethodField()
    captured = AmountField()
    released = AmountField(help_text="What went back to the payer when the hold ended.")
    refunded = AmountField()
    refunds = serializers.SerializerMethodField()

    class Meta:
        model = Hold
        fields = [
            "id",
            "operation",
            "status",
            "account",
            "amount",
            "payees",
            "description",
            "expires_at",
            "created_at",
            "resolved_at",
            "captured",
            "released",
            "refunded",
            "refunds",
        ]

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_operation(self, hold: Hold) -> str | None:
        operation = getattr(hold, "operation", None)  # the reverse side may be missing
        return None if operation is None else str(operation.public_id)

    @extend_schema_field(HoldPayeeOut(many=True))
    def get_payees(self, hold: Hold) -> list[dict[str, Any]]:
        legs = hold.legs.select_related("account").order_by("position")
        return HoldPayeeOut(legs, many=True).data  # type: ignore[return-value]

    @extend_schema_field(RefundBriefOut(many=True))
    def get_refunds(self, hold: Hold) -> list[dict[str, Any]]:
        return RefundBriefOut(hold.refunds.order_by("id"), many=True).data  # type: ignore[return-value]


class RefundOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    amount = AmountField()
    hold = HoldOut()

    class Meta:
        model = Refund
        fields = ["id", "amount", "created_at", "hold"]
