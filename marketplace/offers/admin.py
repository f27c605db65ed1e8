from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_actions import csv_export_action
from paylib.money import format_rub

from .models import Category, Offer


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_ru", "position"]
    list_editable = ["position"]
    search_fields = ["slug", "name_en", "name_ru"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "seller",
        "price_display",
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
        )
    ]

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, obj: Offer) -> str:
        return format_rub(obj.price)
