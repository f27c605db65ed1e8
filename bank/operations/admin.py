"""Staff's read-only view of operations, account links and the code budgets.

Operations change only through the API and its services; the code and key hashes are
never shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from paylib.admin_tools import csv_export_action
from web.formatting import rub

from .models import AccountLink, CodeBudget, CodeEvent, Operation, OperationLeg


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OperationLegInline(ReadOnlyMixin, admin.TabularInline):
    model = OperationLeg
    fields = ("position", "account", "payee", "amount_display")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[OperationLeg]:
        return super().get_queryset(request).select_related("account__customer")

    @admin.display(description=_("payee"))
    def payee(self, leg: OperationLeg) -> str:
        return str(leg.account.customer or "")

    @admin.display(description=_("amount"))
    def amount_display(self, leg: OperationLeg) -> str:
        return rub(leg.amount)


@admin.register(Operation)
class OperationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    verbose_name_accusative = pgettext_lazy("accusative", "operation")
    list_display = (
        "public_id",
        "created_at",
        "kind",
        "status",
        "account",
        "customer",
        "amount_display",
        "client",
    )
    list_filter = ("status", "kind", "client", "created_at")
    search_fields = ("=public_id", "account__number", "customer__email", "description")
    list_select_related = ("account", "customer", "client")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("public_id", "client", "kind", "status", "failure_reason")}),
        (
            _("Payment or hold"),
            {"fields": ("account", "customer", "amount_display", "description", "hold_until")},
        ),
        (
            _("Confirmation code"),
            {"fields": ("code_expires_at", "code_attempts_left", "code_sends", "code_sent_at")},
        ),
        (
            _("History"),
            {
                "fields": (
                    "idempotency_key",
                    "created_at",
                    "confirmed_at",
                    "finished_at",
                    "posting",
                    "hold",
                )
            },
        ),
    )
    readonly_fields = flatten_fieldsets(fieldsets)
    inlines = [OperationLegInline]
    actions = [
        csv_export_action(
            [
                "public_id",
                "created_at",
                "kind",
                "status",
                "failure_reason",
                "client__name",
                "account__number",
                "customer__email",
                "amount",
                "description",
                "confirmed_at",
                "finished_at",
            ],
            name="operations",
            money=["amount"],
        )
    ]

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, operation: Operation) -> str:
        return rub(operation.amount) if operation.amount else "—"


@admin.register(AccountLink)
class AccountLinkAdmin(ReadOnlyMixin, admin.ModelAdmin):
    verbose_name_accusative = pgettext_lazy("accusative", "account link")
    list_display = ("account", "client", "created_at", "revoked_at")
    list_filter = ("client", "revoked_at")
    search_fields = ("account__number", "account__customer__email")
    list_select_related = ("account", "client")
    fields = ("account", "client", "created_at", "revoked_at")
    readonly_fields = fields


@admin.register(CodeEvent)
class CodeEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Every code sent and every wrong code entered: who guesses, on which accounts."""

    list_display = ("created_at", "kind", "account", "client", "operation")
    list_filter = ("kind", "client", "created_at")
    search_fields = ("account__number", "=operation__public_id")
    list_select_related = ("account", "client", "operation")
    date_hierarchy = "created_at"
    fields = ("created_at", "kind", "account", "client", "operation")
    readonly_fields = fields


@admin.register(CodeBudget)
class CodeBudgetAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("account", "window_from", "notified_at", "links_notified_at")
    search_fields = ("account__number", "account__customer__email")
    list_select_related = ("account",)
    fields = ("account", "window_from", "notified_at", "links_notified_at")
    readonly_fields = fields
