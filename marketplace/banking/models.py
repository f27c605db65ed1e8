"""Every call to the bank, and what users did that the marketplace limits per user."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BankCall(models.Model):
    """One request to the bank and what it answered, for staff and audits.

    Written after the answer, never in the way of it: see ``banking.services``.
    """

    class Outcome(models.TextChoices):
        OK = "ok", _("Answered")
        REFUSED = "refused", _("Refused")
        UNAVAILABLE = "unavailable", _("Unreachable")

    action = models.CharField(_("call"), max_length=32)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    bank_code = models.CharField(_("bank's answer"), max_length=64, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    operation_id = models.CharField(_("bank operation"), max_length=64, blank=True)
    elapsed_ms = models.PositiveIntegerField(_("took, ms"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("for user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The account the call was about; the number stays when the account row is removed.
    number = models.CharField(_("account number"), max_length=20, blank=True)
    account = models.ForeignKey(
        "accounts.SettlementAccount",
        verbose_name=_("settlement account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bank_calls",
    )
    payment = models.ForeignKey(
        "payments.Payment",
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="bank_calls",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank call")
        verbose_name_plural = _("bank calls")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["-at"], name="bankcall_newest")]

    def __str__(self) -> str:
        return f"{self.action}: {self.outcome}"


class Attempt(models.Model):
    """One use of something the marketplace limits per user, in a sliding window.

    ``key`` is the idempotency key of the request the attempt belongs to, so that a retry
    of the same request is not counted twice.
    """

    class Kind(models.TextChoices):
        #: A confirmation code typed on the link or the payment form; it counts as wrong
        #: from the moment it is sent until the bank says it was right.
        CODE = "code", _("Confirmation code typed")
        #: A link request or resend, each of which emails the account's owner.
        LINK_EMAIL = "link_email", _("Link code emailed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("request key"), max_length=64)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("limited attempt")
        verbose_name_plural = _("limited attempts")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="attempt_one_per_request"),
        ]
        indexes = [models.Index(fields=["user", "kind", "at"], name="attempt_user_window")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} at {self.at:%Y-%m-%d %H:%M}"
