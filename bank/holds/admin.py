"""Staff's view of holds: read-only, like the ledger; they change only through the API."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ledger.admin import ReadOnlyAdmin
from paylib.admin_tools import csv_export_action
from web.formatting import rub

from .models import Hold, HoldLeg, Refund


class HoldLegInline(admin.TabularInline):
    model = HoldLeg
    fields = ("position", "account", "amount_display", "captured_display", "refunded_display")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("held"))
    def amount_display(self, leg: HoldLeg) -> str:
        return rub(leg.amount)

    @admin.display(description=_("captured"))
    def captured_display(self, leg: HoldLeg) -> str:
        return rub(leg.captured)

    @admin.display(description=_("refunded"))
    def refunded_display(self, leg: HoldLeg) -> str:
        return rub(leg.refunded)


class RefundInline(admin.TabularInline):
    model = Refund
    fields = ("created_at", "amount_display", "posting")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("amount"))
    def amount_display(self, refund: Refund) -> str:
        return rub(refund.amount)


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = (
        "public_id",
        "account",
        "amount_display",
        "status",
        "expires_at",
        "captured_display",
        "refunded_display",
        "created_at",
    )
    list_filter = ("status", ("expires_at", admin.DateFieldListFilter), "client")
    search_fields = ("public_id", "account__number", "account__customer__email", "description")
    list_select_related = ("account",)
    date_hierarchy = "created_at"
    fields = (
        "public_id",
        "client",
        "account",
        "description",
        "amount_display",
        "status",
        "expires_at",
        "created_at",
        "resolved_at",
        "captured_display",
        "refunded_display",
        "capture_posting",
        "hold_request",
    )
    readonly_fields = fields
    inlines = [HoldLegInline, RefundInline]
    actions = [
        csv_export_action(
            [
                "public_id",
                "client__name",
                "account__number",
                "description",
                "amount",
                "captured",
                "refunded",
                "status",
                "expires_at",
                "created_at",
                "resolved_at",
            ],
            name="holds",
            money=["amount", "captured", "refunded"],
        )
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Hold]:
        return super().get_queryset(request).select_related("account", "client")

    @admin.display(description=_("hold request"))
    def hold_request(self, hold: Hold) -> str:
        """The operation whose confirmed code placed the hold."""
        operation = getattr(hold, "operation", None)
        return str(operation.public_id) if operation is not None else "—"

    @admin.display(description=_("held"), ordering="amount")
    def amount_display(self, hold: Hold) -> str:
        return rub(hold.amount)

    @admin.display(description=_("captured"), ordering="captured")
    def captured_display(self, hold: Hold) -> str:
        return rub(hold.captured)

    @admin.display(description=_("refunded"), ordering="refunded")
    def refunded_display(self, hold: Hold) -> str:
        return rub(hold.refunded)
