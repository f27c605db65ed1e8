from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Every event a person is told of, on the site and by email."""

    DEAL_OPENED = "deal_opened", _("Deal opened")
    PAID_HELD = "paid_held", _("Paid, money held")
    SHIPPED = "shipped", _("Shipped")
    SHIP_REMINDER = "ship_reminder", _("Shipping reminder")
    SHIP_MISSED = "ship_missed", _("Not shipped in time")
    CONFIRM_REMINDER = "confirm_reminder", _("Receipt reminder")
    COMPLETED = "completed", _("Completed")
    AUTO_COMPLETED = "auto_completed", _("Completed automatically")
    CANCELLED = "cancelled", _("Cancelled")
    DISPUTE_OPENED = "dispute_opened", _("Dispute opened")
    DISPUTE_ANSWERED = "dispute_answered", _("Dispute answered")
    ANSWER_REMINDER = "answer_reminder", _("Dispute answer reminder")
    ANSWER_MISSED = "answer_missed", _("Dispute not answered in time")
    DISPUTE_RESOLVED = "dispute_resolved", _("Dispute resolved")
    DISPUTE_AUTO_REFUNDED = "dispute_auto_refunded", _("Dispute refunded automatically")
    REFUNDED = "refunded", _("Refunded")
    REFUND_FAILED = "refund_failed", _("Refund failed")
    MESSAGE = "message", _("Deal message")


class Notification(models.Model):
    """One event told to one person: a line in his list and one email.

    The text is not stored: ``kind`` and ``params`` are, and the line is rendered when it is
    read, in the reader's language (the list in the page's, the email in the user's).
    """

    Kind = Kind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    deal = models.ForeignKey(
        "deals.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    params = models.JSONField(_("details"), default=dict, blank=True)
    #: The event's identity when the caller gives one: the same event is told once.
    key = models.CharField(  # noqa: DJ001 - NULL: events told without a key, never unique
        _("event key"), max_length=100, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_user_key_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_newest"),
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
