from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_link_key() -> str:
    return f"link:{uuid.uuid4().hex}"


class SettlementAccount(models.Model):
    """A user's account at the bank, linked once the bank's customer confirms with a code."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        LINKED = "linked", _("Linked")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="settlement_accounts",
    )
    number = models.CharField(_("account number"), max_length=20)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # One idempotency key per attempt: a retried request after a timeout is the same request.
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=64, default=new_link_key, editable=False
    )
    #: The add form's idempotency key of the attempt that asked for the current code: the
    #: same form sent again (a double click) asks for no second code.
    form_key = models.UUIDField(_("form key"), null=True, blank=True, editable=False)
    bank_operation_id = models.CharField(_("bank operation"), max_length=64, blank=True)
    code_expires_at = models.DateTimeField(_("code expires"), null=True, blank=True)
    is_default_payout = models.BooleanField(_("default for payouts"), default=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    linked_at = models.DateTimeField(_("linked"), null=True, blank=True)

    class Meta:
        verbose_name = _("settlement account")
        verbose_name_plural = _("settlement accounts")
        ordering = ["-is_default_payout", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "number"], name="accounts_one_number_per_user"),
            # A bank account belongs to one person: linked to one user at most. Removing it
            # revokes the platform's link at the bank, which would cut off anyone else.
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(status="linked"),
                name="accounts_number_linked_once",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(is_default_payout=True),
                name="accounts_one_default_payout_per_user",
            ),
            models.CheckConstraint(
                condition=Q(is_default_payout=False) | Q(status="linked"),
                name="accounts_default_payout_is_linked",
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{20}$"), name="accounts_number_20_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def masked(self) -> str:
        return f"•••• {self.number[-4:]}"
