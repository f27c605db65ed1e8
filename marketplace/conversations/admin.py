"""Deal messages for staff: read, never changed, inside the deal's admin page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import DealMessage


class DealMessageInline(admin.TabularInline):
    model = DealMessage
    extra = 0
    can_delete = False
    fields = ("created_at", "role", "author", "text")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
