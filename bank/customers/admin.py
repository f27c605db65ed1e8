"""Staff manage customers here: an email-based variant of Django's UserAdmin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ledger.models import Account
from paylib.admin_tools import rub

from .models import Customer


def _normalized_email(value: str) -> str:
    return Customer.objects.normalize_email(value).strip().lower()


class CustomerCreationForm(BaseUserCreationForm):
    class Meta:
        model = Customer
        fields = ("email", "full_name", "language")

    def clean_email(self) -> str:
        email = _normalized_email(self.cleaned_data["email"])
        if Customer.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A customer with this email already exists."))
        return email


class CustomerChangeForm(UserChangeForm):
    class Meta:
        model = Customer
        fields = "__all__"

    def clean_email(self) -> str:
        email = _normalized_email(self.cleaned_data["email"])
        others = Customer.objects.exclude(pk=self.instance.pk)
        if others.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A customer with this email already exists."))
        return email


class AccountInline(admin.TabularInline):
    """The customer's accounts, for reference; accounts are opened and changed on their own."""

    model = Account
    fk_name = "customer"
    fields = ("number", "name", "status", "balance_display")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("balance"))
    def balance_display(self, account: Account) -> str:
        return rub(account.balance)


@admin.register(Customer)
class CustomerAdmin(UserAdmin):
    verbose_name_accusative = pgettext_lazy("accusative", "customer")
    verbose_name_plural_accusative = pgettext_lazy("accusative", "customers")
    form = CustomerChangeForm
    add_form = CustomerCreationForm
    add_form_template = None
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "language", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "full_name", "language", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "language", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    inlines = [AccountInline]

    def get_inlines(self, request: HttpRequest, obj: Customer | None) -> Any:
        return [AccountInline] if obj is not None else []
