from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from conversations.admin import DealMessageInline
from paylib.admin_tools import csv_export_action, money_display
from paylib.errors import ApplicationError
from users.models import User

from .models import Deal, DealTransition
from .services import deal_transition
from .state import Role, Status


class DealTransitionInline(admin.TabularInline):
    model = DealTransition
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "role", "actor", "reason")
    readonly_fields = ("at", "from_status", "to_status", "role", "actor", "reason")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _move(request: HttpRequest, queryset: QuerySet[Deal], to: Status) -> None:
    """Staff move deals only through the state machine; refusals are reported per deal."""
    assert isinstance(request.user, User)
    moved = 0
    for deal in queryset.order_by("pk"):
        try:
            deal_transition(
                deal=deal, to=to, actor=request.user, role=Role.STAFF, reason="admin action"
            )
        except ApplicationError as error:
            messages.error(request, f"#{deal.pk}: {error.message}")
        else:
            moved += 1
    if moved:
        messages.success(
            request,
            _("%(count)d deals moved to “%(status)s”.") % {"count": moved, "status": to.label},
        )


@admin.action(description=_("Cancel selected deals"))
def cancel_deals(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Deal]) -> None:
    _move(request, queryset, Status.CANCELLED)


@admin.action(description=_("Mark selected deals completed"))
def complete_deals(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Deal]) -> None:
    _move(request, queryset, Status.COMPLETED)


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    """Money and parties are frozen; the status changes only through the actions above."""

    verbose_name_accusative = pgettext_lazy("accusative", "deal")

    list_display = [
        "id",
        "offer_title",
        "buyer",
        "seller",
        "quantity",
        "amount_rub",
        "status",
        "created_at",
        "expires_at",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["=id", "offer_title", "buyer__email", "seller__email"]
    list_select_related = ["buyer", "seller"]
    date_hierarchy = "created_at"
    inlines = [DealTransitionInline, DealMessageInline]
    exclude = ["unit_price", "amount", "commission_amount", "seller_net"]  # shown in roubles
    readonly_fields = [
        "buyer",
        "seller",
        "offer",
        "offer_title",
        "quantity",
        "unit_price_rub",
        "amount_rub",
        "commission_percent",
        "commission_amount_rub",
        "seller_net_rub",
        "status",
        "created_at",
        "updated_at",
        "expires_at",
    ]
    actions = [
        cancel_deals,
        complete_deals,
        csv_export_action(
            [
                "id",
                "offer_title",
                "buyer__email",
                "seller__email",
                "quantity",
                "unit_price",
                "amount",
                "commission_percent",
                "commission_amount",
                "seller_net",
                "status",
                "created_at",
            ],
            name="deals",
            money=["unit_price", "amount", "commission_amount", "seller_net"],
        ),
    ]

    unit_price_rub = money_display("unit_price", _("price per item"))
    amount_rub = money_display("amount", _("total"))
    commission_amount_rub = money_display("commission_amount", _("commission"))
    seller_net_rub = money_display("seller_net", _("seller receives"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
