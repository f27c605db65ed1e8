"""Notifications for staff: read-only, as sent."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "deal", "created_at", "read_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["=id", "user__email", "=deal__id"]
    list_select_related = ["user", "deal"]
    date_hierarchy = "created_at"
    readonly_fields = ["user", "kind", "deal", "params", "key", "created_at", "read_at"]
    fields = list(readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
