"""A buyer's payment for a deal. Its status moves only through ``payments.state``; every
call to the bank about it is in the bank-call log (``banking.BankCall``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def new_payment_key() -> str:
    return f"pay-{uuid.uuid4().hex}"


class Payment(models.Model):
    class Status(models.TextChoices):
        REQUESTING = "requesting", _("Asking the bank for a code")
        AWAITING_CODE = "awaiting_code", _("Awaiting confirmation code")
        CONFIRMING = "confirming", _("Checking the code")
        PROCESSING = "processing", _("Processing")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    #: A deal has at most one payment in these at a time (a database constraint).
    LIVE = (
        Status.REQUESTING,
        Status.AWAITING_CODE,
        Status.CONFIRMING,
        Status.PROCESSING,
        Status.SUCCEEDED,
    )

    deal = models.ForeignKey(
        "deals.Deal", verbose_name=_("deal"), on_delete=models.PROTECT, related_name="payments"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    payer_number = models.CharField(_("paid from"), max_length=20)
    seller_number = models.CharField(_("seller's account"), max_length=20)
    platform_number = models.CharField(_("commission account"), max_length=20)
    amount = models.BigIntegerField(_("amount, kopecks"))
    seller_net = models.BigIntegerField(_("to the seller, kopecks"))
    commission = models.BigIntegerField(_("commission, kopecks"))
    idempotency_key = models.CharField(
        _("idempotency key"),
        max_length=64,
        unique=True,
        default=new_payment_key,
        editable=False,
    )
    bank_operation_id = models.CharField(_("bank operation"), max_length=64, blank=True)
    #: The latest moment the bank may keep the money held (fixed when the payment opens,
    #: so that every retry of the hold request asks for the very same thing).
    hold_until = models.DateTimeField(_("held at most until"), null=True, blank=True)
    #: What the bank shows the payer (his statement, the code email), in his language,
    #: fixed when the payment opens for the same reason.
    description = models.CharField(_("description at the bank"), max_length=255, blank=True)
    #: The bank's hold, once placed: the deal captures or releases it.
    hold_id = models.CharField(_("bank hold"), max_length=64, blank=True)
    code_expires_at = models.DateTimeField(_("code expires"), null=True, blank=True)
    attempts_left = models.PositiveSmallIntegerField(_("attempts left"), default=0)
    #: The bank's operation key, encrypted (see payments.crypto); empty until confirmed.
    key_encrypted = models.TextField(_("operation key, encrypted"), blank=True, editable=False)
    #: The code being checked and the idempotency key of that check, stored before the
    #: bank is asked, so that a confirmation left in doubt (a timeout) is retried as the
    #: very same request. The code is sealed (payments.crypto) and only while confirming.
    confirm_key = models.CharField(_("confirmation key"), max_length=64, blank=True)
    code_sealed = models.TextField(_("code being checked, sealed"), blank=True, editable=False)
    #: Why the bank refused the last code (``invalid_code``, ``code_expired``), for the page.
    code_refusal = models.CharField(_("last code refused"), max_length=32, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTING
    )
    failure_reason = models.CharField(_("failure reason"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    processing_since = models.DateTimeField(_("processing since"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deal"],
                condition=Q(
                    status__in=[
                        "requesting",
                        "awaiting_code",
                        "confirming",
                        "processing",
                        "succeeded",
                    ]
                ),
                name="payment_one_live_per_deal",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0, seller_net__gte=0, commission__gte=0)
                & Q(amount=F("seller_net") + F("commission")),
                name="payment_amount_is_net_plus_commission",
            ),
        ]
        indexes = [
            models.Index(
                fields=["processing_since"],
                condition=Q(status="processing"),
                name="payment_processing_since",
            ),
            models.Index(
                fields=["updated_at"],
                condition=Q(status="confirming"),
                name="payment_confirming_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} ({self.get_status_display()})"
