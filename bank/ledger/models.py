"""Accounts and the double-entry ledger.

Balances are integer kopecks. A stored ``Account.balance`` is a cache of the sum of the
account's entries, updated in the same transaction as the entries under a row lock;
``manage.py reconcile`` proves the two agree. On PostgreSQL, triggers (migration 0002)
refuse an unbalanced posting and any UPDATE or DELETE of an entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer account")
        INTERNAL = "internal", _("Bank's own account")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        BLOCKED = "blocked", _("Blocked")

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CUSTOMER)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="accounts",
        null=True,
        blank=True,
    )
    code = models.SlugField(
        _("internal code"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Names the bank's own accounts, such as 'cash'."),
    )
    name = models.CharField(_("name"), max_length=100, default="", blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="RUB", editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    balance = models.BigIntegerField(_("balance, kopecks"), default=0, editable=False)
    #: The sum of the account's pending holds (``holds.Hold``): part of the balance that
    #: is reserved, not available. ``balance - held`` is what the customer can spend.
    held = models.BigIntegerField(_("held, kopecks"), default=0, editable=False)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="internal") | Q(balance__gte=0),
                name="customer_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(held__gte=0) & (Q(held=0) | Q(kind="customer")),
                name="only_customers_hold_money",
            ),
            models.CheckConstraint(
                condition=Q(kind="internal") | Q(balance__gte=F("held")),
                name="customer_available_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind="internal", customer__isnull=True)
                | Q(kind="customer", customer__isnull=False),
                name="customer_account_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def available(self) -> int:
        """What the customer can spend or hold now: the balance less what is held."""
        return self.balance - self.held


class Posting(models.Model):
    """One balanced movement of money: two or more entries that sum to zero."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        PAYMENT = "payment", _("Payment")
        CAPTURE = "capture", _("Captured hold")
        REFUND = "refund", _("Refund")
        ADJUSTMENT = "adjustment", _("Correction")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=255)
    created_at = models.DateTimeField(_("posted"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}: {self.description}"


class Entry(models.Model):
    """One side of a posting. Append-only: corrections are new postings."""

    posting = models.ForeignKey(
        Posting, verbose_name=_("posting"), on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    amount = models.BigIntegerField(_("amount, kopecks"))
    balance_after = models.BigIntegerField(_("balance after, kopecks"))

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "-id"], name="entry_account_newest")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount:+d}"
