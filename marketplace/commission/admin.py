from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from paylib.admin_tools import csv_export_action, money_display
from users.models import User

from .forms import CommissionSettingForm
from .models import CommissionChange, CommissionSetting
from .services import commission_setting_update


@admin.register(CommissionSetting)
class CommissionSettingAdmin(admin.ModelAdmin):
    verbose_name_accusative = pgettext_lazy("accusative", "commission setting")
    form = CommissionSettingForm
    list_display = ["percent", "minimum_rub", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    minimum_rub = money_display("minimum", _("minimum commission"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not CommissionSetting.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: CommissionSetting, form: Any, change: bool
    ) -> None:
        actor = request.user if isinstance(request.user, User) else None
        saved = commission_setting_update(percent=obj.percent, minimum=obj.minimum, actor=actor)
        obj.pk = saved.pk


@admin.register(CommissionChange)
class CommissionChangeAdmin(admin.ModelAdmin):
    list_display = [
        "changed_at",
        "changed_by",
        "old_percent",
        "new_percent",
        "old_minimum_rub",
        "new_minimum_rub",
    ]
    list_filter = ["changed_at"]
    search_fields = ["changed_by__email", "changed_by__name"]
    date_hierarchy = "changed_at"
    actions = [
        csv_export_action(
            [
                "changed_at",
                "changed_by__email",
                "old_percent",
                "new_percent",
                "old_minimum",
                "new_minimum",
            ],
            name="commission-history",
            money=["old_minimum", "new_minimum"],
        )
    ]

    old_minimum_rub = money_display("old_minimum", _("old minimum"))
    new_minimum_rub = money_display("new_minimum", _("new minimum"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
