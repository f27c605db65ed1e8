"""Operations that a customer confirms with an emailed code: account links, payments and
hold requests."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiClient
from holds.models import Hold
from ledger.models import Account, Posting

from . import state


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
    """An account link, a payment or a hold request, confirmed by an emailed code.

    Its status moves only through ``operations.lifecycle.operation_transition``, by the
    table in ``operations.state``.
    """

    Kind = state.Kind
    Status = state.Status

    public_id = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    request_hash = models.CharField(_("request fingerprint"), max_length=64, editable=False)
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
        _("status"), max_length=16, choices=Status.choices, default=state.INITIAL
    )
    # NULL, not "", means "no live code": the brief asks that execution set the code to null.
    code_hash = models.CharField(  # noqa: DJ001
        _("code fingerprint"), max_length=64, null=True, blank=True, editable=False
    )
    code_expires_at = models.DateTimeField(_("code expires"), null=True, blank=True)
    code_attempts_left = models.PositiveSmallIntegerField(_("attempts left"), default=0)
    code_sends = models.PositiveSmallIntegerField(_("codes sent"), default=0)
    code_sent_at = models.DateTimeField(_("code sent"), null=True, blank=True)
    key_hash = models.CharField(  # noqa: DJ001
        _("key fingerprint"), max_length=64, null=True, blank=True, editable=False
    )
    posting = models.OneToOneField(
        Posting,
        verbose_name=_("posting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operation",
    )
    hold_until = models.DateTimeField(
        _("hold until"),
        null=True,
        blank=True,
        help_text=_("A hold request's: the latest moment the money may stay held."),
    )
    hold = models.OneToOneField(
        Hold,
        verbose_name=_("hold"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operation",
        help_text=_("The hold this request placed: one at most."),
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
                condition=Q(kind="link", amount=0) | Q(kind__in=["payment", "hold"], amount__gt=0),
                name="operation_amount_by_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="done", kind="payment") | Q(posting__isnull=False),
                name="done_payment_has_posting",
            ),
            models.CheckConstraint(
                condition=Q(kind="hold", hold_until__isnull=False)
                | (~Q(kind="hold") & Q(hold_until__isnull=True, hold__isnull=True)),
                name="operation_hold_fields_by_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="done", kind="hold") | Q(hold__isnull=False),
                name="done_hold_request_has_hold",
            ),
        ]
        indexes = [models.Index(fields=["customer", "-id"], name="operation_customer_newest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"


class OperationLeg(models.Model):
    """A payee of a payment or a hold request and the amount it receives."""

    operation = models.ForeignKey(
        Operation, verbose_name=_("operation"), on_delete=models.CASCADE, related_name="legs"
    )
    account = models.ForeignKey(
        Account, verbose_name=_("payee account"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField(_("amount, kopecks"))
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("payee")
        verbose_name_plural = _("payees")
        ordering = ["operation", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="leg_amount_positive"),
            models.UniqueConstraint(fields=["operation", "position"], name="leg_position"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"


class CodeBudget(models.Model):
    """The lock and the memory behind an account's budget of wrong codes and code emails.

    Every code sent for the account and every wrong code entered for it is counted while
    this row is locked (after the operation's row, never with the ledger's account row),
    so concurrent guesses are counted exactly. The counts live in ``CodeEvent``.
    """

    account = models.OneToOneField(
        Account,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="code_budget",
    )
    window_from = models.DateTimeField(
        _("counting wrong codes since"),
        default=timezone.now,
        help_text=_("Lifting the block moves this to the moment it was lifted."),
    )
    notified_at = models.DateTimeField(_("owner told of a block"), null=True, blank=True)
    links_notified_at = models.DateTimeField(
        _("owner told of repeated link requests"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("code budget")
        verbose_name_plural = _("code budgets")

    def __str__(self) -> str:
        return str(self.account_id)


class CodeEvent(models.Model):
    """A code sent for an operation, or a wrong code entered for it."""

    class Kind(models.TextChoices):
        SENT = "sent", _("Code sent")
        WRONG = "wrong", _("Wrong code")

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.PROTECT, related_name="+"
    )
    operation = models.ForeignKey(
        Operation, verbose_name=_("operation"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("code event")
        verbose_name_plural = _("code events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "kind", "created_at"], name="code_event_account"),
            models.Index(fields=["client", "kind", "created_at"], name="code_event_client"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.account_id}"
