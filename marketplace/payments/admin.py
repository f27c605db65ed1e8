"""Payments for staff: read-only, with every bank call, and a re-check with the bank."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bank_client import BankError
from banking.models import BankCall
from paylib.admin_tools import csv_export_action, money_display

from .models import Payment
from .settlement import payment_recheck

#: Secrets held while the payment needs them: never shown, not even to staff.
SECRET_FIELDS = ("key_encrypted", "code_sealed")
#: Kopecks, shown in roubles.
MONEY_FIELDS = ("amount", "seller_net", "commission")


class BankCallInline(admin.TabularInline):
    model = BankCall
    fk_name = "payment"
    fields = ("at", "action", "outcome", "bank_code", "detail", "elapsed_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.action(description=_("Re-check with the bank"))
def recheck_with_bank(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
    for payment in queryset.select_related("deal"):
        try:
            result = payment_recheck(payment=payment)
        except BankError as error:
            messages.error(
                request, _("Payment %(id)s: %(error)s") % {"id": payment.pk, "error": error.message}
            )
            continue
        messages.info(
            request,
            _("Payment %(id)s: %(status)s")
            % {"id": payment.pk, "status": result.get_status_display()},
        )


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "deal",
        "buyer",
        "amount_rub",
        "status",
        "failure_reason",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "failure_reason", "created_at"]
    search_fields = [
        "idempotency_key",
        "bank_operation_id",
        "buyer__email",
        "payer_number",
        "deal__id",
    ]
    date_hierarchy = "created_at"
    exclude = list(SECRET_FIELDS)
    inlines = [BankCallInline]
    actions = [
        recheck_with_bank,
        csv_export_action(
            [
                "id",
                "deal_id",
                "buyer__email",
                "payer_number",
                "amount",
                "seller_net",
                "commission",
                "status",
                "failure_reason",
                "bank_operation_id",
                "created_at",
                "finished_at",
            ],
            name="payments",
            money=["amount", "seller_net", "commission"],
        ),
    ]

    amount_rub = money_display("amount", _("amount"))
    seller_net_rub = money_display("seller_net", _("to the seller"))
    commission_rub = money_display("commission", _("commission"))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_readonly_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """Every field but the secrets, amounts in roubles in place of their kopecks."""
        return [
            f"{f.name}_rub" if f.name in MONEY_FIELDS else f.name
            for f in Payment._meta.fields
            if f.name not in SECRET_FIELDS and not f.primary_key
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
