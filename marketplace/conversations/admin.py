"""Deal messages for staff: read, never changed, inside the deal's admin page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .models import DealMessage


def photo_links(message: DealMessage | None) -> SafeString:
    """Links to a message's photos, numbered, for staff (through the checked view)."""
    if message is None:
        return SafeString("")
    return format_html_join(
        " ",
        '<a href="{}" target="_blank" rel="noopener">{}</a>',
        (
            (reverse("conversations:photo", args=[message.deal_id, p.pk]), p.position + 1)
            for p in message.photos.all()
        ),
    )


class DealMessageInline(admin.TabularInline):
    model = DealMessage
    extra = 0
    can_delete = False
    fields = ("created_at", "role", "author", "text", "photo_links")
    readonly_fields = fields

    @admin.display(description=_("Photos"))
    def photo_links(self, obj: DealMessage) -> SafeString:
        return photo_links(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
