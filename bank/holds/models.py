"""Holds: money reserved on a payer's account for named payees until it is captured,
released or expires (TigerBeetle's pending transfers, with ``Account.held`` as its
``debits_pending``)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from api.models import ApiClient
from ledger.models import Account, Posting

from .state import HoldStatus


class Hold(models.Model):
    Status = HoldStatus

    public_id = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(
        Account, verbose_name=_("payer account"), on_delete=models.PROTECT, related_name="holds"
    )
    amount = models.BigIntegerField(_("held, kopecks"))
    status = models.CharField(
        _("status"), max_length=16, choices=HoldStatus.choices, default=HoldStatus.PENDING
    )
    description = models.CharField(_("description"), max_length=255)
    expires_at = models.DateTimeField(_("expires"))
    created_at = models.DateTimeField(_("placed"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    captured = models.BigIntegerField(_("captured, kopecks"), default=0)
    refunded = models.BigIntegerField(_("refunded, kopecks"), default=0)
    capture_posting = models.OneToOneField(
        Posting,
        verbose_name=_("capture posting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="captured_hold",
    )

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="hold_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured__gte=0, captured__lte=F("amount")),
                name="hold_captured_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(refunded__gte=0, refunded__lte=F("captured")),
                name="hold_refunded_within_captured",
            ),
            models.CheckConstraint(
                condition=Q(status="captured", captured__gt=0, capture_posting__isnull=False)
                | (~Q(status="captured") & Q(captured=0, capture_posting__isnull=True)),
                name="hold_captured_has_posting",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", resolved_at__isnull=True)
                | (~Q(status="pending") & Q(resolved_at__isnull=False)),
                name="hold_resolved_when_not_pending",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"], condition=Q(status="pending"), name="hold_pending_expiry"
            ),
            models.Index(fields=["account", "-id"], name="hold_account_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.public_id}"

    @property
    def released(self) -> int:
        """What went back to the payer: all of it unless captured, else the uncaptured rest."""
        return self.amount - self.captured if self.status != HoldStatus.PENDING else 0


class HoldLeg(models.Model):
    """A payee of a hold: its part of the hold, of the capture, and of the refunds since."""

    hold = models.ForeignKey(
        Hold, verbose_name=_("hold"), on_delete=models.CASCADE, related_name="legs"
    )
    account = models.ForeignKey(
        Account, verbose_name=_("payee account"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField(_("held for the payee, kopecks"))
    captured = models.BigIntegerField(_("captured, kopecks"), default=0)
    refunded = models.BigIntegerField(_("refunded, kopecks"), default=0)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("hold payee")
        verbose_name_plural = _("hold payees")
        ordering = ["hold", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="hold_leg_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured__gte=0, captured__lte=F("amount")),
                name="hold_leg_captured_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(refunded__gte=0, refunded__lte=F("captured")),
                name="hold_leg_refunded_within_captured",
            ),
            models.UniqueConstraint(fields=["hold", "position"], name="hold_leg_position"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"


class Refund(models.Model):
    """Money the payees of a captured hold gave back to the payer: one balanced posting.

    ``idempotency_key`` is the platform's key of the refund request: the same key on the
    same hold finds this refund again, for as long as the hold exists, so that no replay
    gives money back twice (the API's stored answers are kept for a day only).
    """

    public_id = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    hold = models.ForeignKey(
        Hold, verbose_name=_("hold"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.BigIntegerField(_("amount, kopecks"))
    posting = models.OneToOneField(
        Posting, verbose_name=_("posting"), on_delete=models.PROTECT, related_name="refund"
    )
    created_at = models.DateTimeField(_("refunded"), auto_now_add=True)
    idempotency_key = models.CharField(  # noqa: DJ001 - NULL: refunds made without a key
        _("idempotency key"), max_length=64, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["hold", "idempotency_key"], name="refund_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.hold_id}"
