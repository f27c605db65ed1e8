from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Message
from .services import retry_now


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("pending", _("Pending")), ("done", _("Done")), ("failed", _("Given up"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Message]) -> QuerySet[Message]:
        match self.value():
            case "pending":
                return queryset.filter(done_at__isnull=True, failed_at__isnull=True)
            case "done":
                return queryset.filter(done_at__isnull=False)
            case "failed":
                return queryset.filter(failed_at__isnull=False)
        return queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: messages change only by being delivered (or by the retry action)."""

    list_display = ["id", "kind", "created_at", "due_at", "attempts", "done_at", "failed_at"]
    list_filter = [StateFilter, "kind"]
    search_fields = ["kind", "key"]
    date_hierarchy = "created_at"
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Deliver again now"), permissions=["view"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = retry_now(messages=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be delivered again.",
                "%(count)d messages will be delivered again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
