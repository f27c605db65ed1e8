from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CustomerManager(BaseUserManager["Customer"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Customer:
        if not email:
            raise ValueError("A customer needs an email address.")
        customer = self.model(email=self.normalize_email(email).lower(), **extra)
        customer.set_password(password)
        customer.save(using=self._db)
        return customer

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Customer:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class Customer(AbstractBaseUser, PermissionsMixin):
    """A person or company with accounts at the bank; staff sign in to the admin as one."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=8, default="en", choices=[("en", "English"), ("ru", "Русский")]
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[CustomerManager] = CustomerManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["email"]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class PasswordResetRequest(models.Model):
    """One password-reset request counted against a source (an address or a client IP),
    by a keyed hash of the source: the table names no one. Purged once out of the window."""

    source = models.CharField(_("source"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("password-reset request")
        verbose_name_plural = _("password-reset requests")

    def __str__(self) -> str:
        return f"{self.source[:12]}… {self.created_at:%Y-%m-%d %H:%M}"
