from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from paylib.admin_tools import csv_export_action

from .models import User


class UserCreationAdminForm(AdminUserCreationForm):
    """A user staff add has a confirmed address: staff vouch for it."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "name", "language")

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.email_verified_at = timezone.now()
        if commit:
            user.save()
            self.save_m2m()
        return user


class UserChangeAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    verbose_name_accusative = pgettext_lazy("accusative", "user")
    verbose_name_plural_accusative = pgettext_lazy("accusative", "users")
    add_form = UserCreationAdminForm
    form = UserChangeAdminForm
    ordering = ["email"]
    list_display = [
        "email",
        "name",
        "language",
        "is_staff",
        "is_active",
        "email_verified_at",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "language", "email_verified_at"]
    search_fields = ["email", "name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "email_verified_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "language", "password1", "password2"),
            },
        ),
    )
    actions = [
        csv_export_action(
            ["id", "email", "name", "language", "is_staff", "is_active", "date_joined"],
            name="users",
        )
    ]
