from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .state import Role, Status


class Deal(models.Model):
    """A buyer's purchase from an offer. Every amount is frozen when the deal is opened."""

    Status = Status

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="purchases",
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seller"),
        on_delete=models.PROTECT,
        related_name="sales",
    )
    offer = models.ForeignKey(
        "offers.Offer", verbose_name=_("offer"), on_delete=models.PROTECT, related_name="deals"
    )
    offer_title = models.CharField(_("offer title"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.BigIntegerField(_("price per item, kopecks"))
    amount = models.BigIntegerField(_("total, kopecks"))
    commission_percent = models.DecimalField(_("commission, %"), max_digits=5, decimal_places=2)
    commission_amount = models.BigIntegerField(_("commission, kopecks"))
    seller_net = models.BigIntegerField(_("seller receives, kopecks"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CREATED
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    expires_at = models.DateTimeField(_("payment due by"))
    #: The key of the Buy form that opened it: a repeat of that form finds this deal.
    idempotency_key = models.UUIDField(_("idempotency key"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seller_net__gte=0, commission_amount__gte=0)
                & Q(seller_net=F("amount") - F("commission_amount")),
                name="deal_net_plus_commission_is_amount",
            ),
            models.CheckConstraint(
                condition=Q(amount=F("unit_price") * F("quantity")),
                name="deal_amount_is_price_times_quantity",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="deal_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="deal_price_positive"),
            models.CheckConstraint(
                condition=~Q(buyer=F("seller")), name="deal_buyer_is_not_seller"
            ),
            models.CheckConstraint(
                condition=Q(commission_percent__gte=0, commission_percent__lte=100),
                name="deal_commission_percent_range",
            ),
            models.UniqueConstraint(
                fields=["buyer", "idempotency_key"], name="deal_buyer_idempotency_key_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "-created_at", "-id"], name="deal_buyer_newest"),
            models.Index(fields=["seller", "-created_at", "-id"], name="deal_seller_newest"),
            models.Index(
                fields=["expires_at"],
                condition=Q(status__in=["created", "payment_failed"]),
                name="deal_unpaid_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.offer_title} x {self.quantity}"


class DealTransition(models.Model):
    """One status change of a deal, kept for the timeline and the audit."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deal status change")
        verbose_name_plural = _("deal status history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"
