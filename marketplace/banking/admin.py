"""The bank-call log for staff: read-only, newest first."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import pgettext_lazy

from .models import Attempt, BankCall


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BankCall)
class BankCallAdmin(ReadOnly):
    list_display = ["at", "action", "outcome", "bank_code", "number", "user", "elapsed_ms"]
    list_filter = ["outcome", "action", "at"]
    search_fields = ["number", "operation_id", "bank_code", "user__email", "payment__id"]
    list_select_related = ["user"]
    ordering = ["-at", "-id"]
    date_hierarchy = "at"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(ReadOnly):
    """Staff may delete a user's attempts to lift a limit early (after checking with him)."""

    verbose_name_accusative = pgettext_lazy("accusative", "limited attempt")

    list_display = ["at", "kind", "user"]
    list_filter = ["kind", "at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    ordering = ["-at", "-id"]
