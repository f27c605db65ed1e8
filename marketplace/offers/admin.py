from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Field
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import AmountField
from paylib.admin_tools import csv_export_action, money_display

from .models import Category, Offer


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    verbose_name_accusative = pgettext_lazy("accusative", "category")
    list_display = ["slug", "name_en", "name_ru", "position"]
    list_editable = ["position"]
    search_fields = ["slug", "name_en", "name_ru"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "seller",
        "price_rub",
        "quantity_available",
        "status",
        "category",
        "created_at",
    ]
    list_filter = ["status", "category", "created_at"]
    search_fields = ["=id", "title", "seller__email", "seller__name"]
    list_select_related = ["seller", "category"]
    raw_id_fields = ["seller"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # no COUNT over a million offers on every page
    actions = [
        csv_export_action(
            [
                "id",
                "title",
                "seller__email",
                "price",
                "quantity_available",
                "status",
                "category__slug",
                "created_at",
            ],
            name="offers",
            money=["price"],
        )
    ]

    price_rub = money_display("price", _("price"))

    def formfield_for_dbfield(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        """Staff type the price in roubles, as sellers do, not in kopecks."""
        if db_field.name == "price":
            return AmountField(label=_("Price, roubles"))
        return super().formfield_for_dbfield(db_field, request, **kwargs)
