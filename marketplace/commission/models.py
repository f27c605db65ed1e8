from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SINGLETON_ID = 1


class CommissionSetting(models.Model):
    """The platform-wide default commission; there is exactly one row (id 1)."""

    percent = models.DecimalField(
        _("commission, %"), max_digits=5, decimal_places=2, default=Decimal("5.00")
    )
    minimum = models.BigIntegerField(
        _("minimum commission, kopecks"),
        default=0,
        help_text=_("The commission is never less than this (but never more than the deal)."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("commission setting")
        verbose_name_plural = _("commission setting")
        constraints = [
            models.CheckConstraint(condition=Q(pk=SINGLETON_ID), name="commission_singleton"),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="commission_percent_range"
            ),
            models.CheckConstraint(condition=Q(minimum__gte=0), name="commission_minimum_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.percent}%"


class CommissionChange(models.Model):
    """One edit of the commission setting: who made it, when, and what changed."""

    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True, db_index=True)
    old_percent = models.DecimalField(_("old percent"), max_digits=5, decimal_places=2)
    new_percent = models.DecimalField(_("new percent"), max_digits=5, decimal_places=2)
    old_minimum = models.BigIntegerField(_("old minimum, kopecks"))
    new_minimum = models.BigIntegerField(_("new minimum, kopecks"))

    class Meta:
        verbose_name = _("commission change")
        verbose_name_plural = _("commission history")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.old_percent}% → {self.new_percent}%"
