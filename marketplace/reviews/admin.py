from __future__ import annotations

from django.contrib import admin

from .models import Review


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["id", "seller", "buyer", "rating", "created_at", "replied_at"]
    list_filter = ["rating"]
    search_fields = ["text", "reply", "seller__email", "buyer__email"]
    raw_id_fields = ["deal", "seller", "buyer", "offer"]
    readonly_fields = ["created_at", "updated_at", "replied_at"]
