from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from paylib.admin_tools import csv_export_action

from .models import SettlementAccount


@admin.register(SettlementAccount)
class SettlementAccountAdmin(admin.ModelAdmin):
    """Read-only: accounts are linked only through the bank's code confirmation."""

    list_display = ["number", "user", "status", "is_default_payout", "created_at", "linked_at"]
    list_filter = ["status", "is_default_payout", "created_at"]
    search_fields = ["number", "user__email", "user__name", "bank_operation_id"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "number",
        "status",
        "bank_operation_id",
        "idempotency_key",
        "code_expires_at",
        "is_default_payout",
        "created_at",
        "linked_at",
    ]
    actions = [
        csv_export_action(
            [
                "id",
                "user__email",
                "number",
                "status",
                "is_default_payout",
                "created_at",
                "linked_at",
            ],
            name="settlement-accounts",
        )
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
