"""Operations that a customer confirms with an emailed code: account links and payments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from api.models import ApiClient
from ledger.models import Account, Posting


class AccountLink(models.Model):
    """A customer's consent that an API client may see an account and request payments."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.PROTECT, related_name="links"
    )
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="links"
    )
    created_at = models.DateTimeField(_("linked"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("account link")
        verbose_name_plural = _("account links")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "account"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_link_per_client_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} → {self.client}"


class Operation(models.Model):
    class Kind(models.TextChoices):
        LINK = "link", _("Account link")
        PAYMENT = "payment", _("Payment")

    class Status(models.TextChoices):
        AWAITING_CODE = "awaiting_code", _("Awaiting confirmation code")
        CONFIRMED = "confirmed", _("Confirmed, awaiting execution")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        BLOCKED = "blocked", _("Blocked: too many wrong codes")

    FINAL_STATUSES = frozenset({Status.DONE, Status.FAILED, Status.BLOCKED})

    public_id = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    request_hash = models.CharField(max_length=64, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="operations",
        help_text=_("The payer's account, or the account being linked."),
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="operations",
    )
    amount = models.BigIntegerField(_("amount, kopecks"), default=0)
    description = models.CharField(_("description"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.AWAITING_CODE
    )
    # NULL, not "", means "no live code": the brief asks that execution set the code to null.
    code_hash = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, editable=False
    )
    code_expires_at = models.DateTimeField(_("code expires"), null=True, blank=True)
    code_attempts_left = models.PositiveSmallIntegerField(_("attempts left"), default=0)
    code_sends = models.PositiveSmallIntegerField(_("codes sent"), default=0)
    code_sent_at = models.DateTimeField(_("code sent"), null=True, blank=True)
    key_hash = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, editable=False
    )
    posting = models.OneToOneField(
        Posting,
        verbose_name=_("posting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operation",
    )
    failure_reason = models.CharField(_("failure reason"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"], name="operation_idempotency_key"
            ),
            models.CheckConstraint(
                condition=Q(kind="link", amount=0) | Q(kind="payment", amount__gt=0),
                name="operation_amount_by_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="done", kind="payment") | Q(posting__isnull=False),
                name="done_payment_has_posting",
            ),
        ]
        indexes = [models.Index(fields=["customer", "-id"], name="operation_customer_newest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES


class OperationLeg(models.Model):
    """A payee of a payment operation and the amount it receives."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="legs")
    account = models.ForeignKey(
        Account, verbose_name=_("payee account"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField(_("amount, kopecks"))
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["operation", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="leg_amount_positive"),
            models.UniqueConstraint(fields=["operation", "position"], name="leg_position"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"
