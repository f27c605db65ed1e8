from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .state import Money, Role, Status


class ShipMethod(models.TextChoices):
    DELIVERY = "delivery", _("Delivery service")
    IN_PERSON = "in_person", _("Handed over in person")


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

    # The deadlines, set by the move that starts each (deals.services.deal_transition).
    held_at = models.DateTimeField(_("money held since"), null=True, blank=True)
    ship_by = models.DateTimeField(_("ship by"), null=True, blank=True)
    ship_reminded_at = models.DateTimeField(_("ship reminder sent"), null=True, blank=True)
    confirm_by = models.DateTimeField(_("confirm receipt by"), null=True, blank=True)
    confirm_reminded_at = models.DateTimeField(_("confirm reminder sent"), null=True, blank=True)

    # The shipment, as the seller states it.
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    ship_method = models.CharField(
        _("shipped by"), max_length=16, choices=ShipMethod.choices, blank=True
    )
    carrier = models.CharField(_("delivery service"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)

    # The money at the bank: what the last move made due, and what the bank has done.
    money_due = models.CharField(
        _("due at the bank"), max_length=8, choices=Money.choices, blank=True
    )
    #: The part of the hold to pay the seller and the platform (the rest goes back).
    capture_amount = models.BigIntegerField(_("to capture, kopecks"), null=True, blank=True)
    released_at = models.DateTimeField(_("paid to the seller at"), null=True, blank=True)
    released_amount = models.BigIntegerField(_("paid out, kopecks"), default=0)
    returned_at = models.DateTimeField(_("returned to the buyer at"), null=True, blank=True)
    returned_amount = models.BigIntegerField(_("returned, kopecks"), default=0)
    #: A bank refusal that retrying cannot mend (the hold expired...): staff must look.
    bank_problem = models.CharField(_("bank problem"), max_length=64, blank=True)
    bank_problem_at = models.DateTimeField(_("bank problem since"), null=True, blank=True)

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
            models.CheckConstraint(
                condition=Q(capture_amount__isnull=True)
                | Q(capture_amount__gte=0, capture_amount__lte=F("amount")),
                name="deal_capture_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(released_amount__gte=0, returned_amount__gte=0)
                & Q(released_amount__lte=F("amount"), returned_amount__lte=F("amount")),
                name="deal_money_within_amount",
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
            models.Index(fields=["ship_by"], condition=Q(status="held"), name="deal_held_ship_by"),
            models.Index(
                fields=["confirm_by"], condition=Q(status="shipped"), name="deal_shipped_confirm_by"
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
        """The change as the admin's reader names the statuses: "Создана → Отменена"."""
        return f"{self.get_from_status_display() or '∅'} → {self.get_to_status_display()}"


class Dispute(models.Model):
    """The buyer's complaint about a shipped deal, the seller's answer and staff's ruling."""

    class Reason(models.TextChoices):
        NOT_RECEIVED = "not_received", _("Not received")
        NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
        DAMAGED = "damaged", _("Damaged")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        RELEASE = "release", _("Released to the seller")
        REFUND = "refund", _("Refunded in full")
        PARTIAL = "partial", _("Refunded in part")
        TIMED_OUT = "timed_out", _("Refunded: not resolved in time")

    deal = models.OneToOneField(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="dispute"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    message = models.TextField(_("buyer's message"), max_length=4000)
    #: The buyer's message as posted on the deal, with the photos he sent with the dispute.
    evidence = models.OneToOneField(
        "conversations.DealMessage",
        verbose_name=_("evidence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispute_opened",
    )
    opened_at = models.DateTimeField(_("opened"))
    answer_by = models.DateTimeField(_("seller answers by"))
    resolve_by = models.DateTimeField(_("refunded if not resolved by"))
    answer = models.TextField(_("seller's answer"), max_length=4000, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer_reminded_at = models.DateTimeField(_("answer reminder sent"), null=True, blank=True)
    #: The answer window passed without an answer: the buyer is told, staff see the flag.
    answer_missed_at = models.DateTimeField(_("answer window passed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    refund_amount = models.BigIntegerField(_("refunded, kopecks"), default=0)
    resolution = models.CharField(_("staff's reason"), max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["resolve_by", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refund_amount__gte=0), name="dispute_refund_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Dispute')} #{self.deal_id}"

    @property
    def awaits_answer(self) -> bool:
        """Open, and the seller has not answered (within the window or not)."""
        return self.is_open and self.answered_at is None

    @property
    def is_open(self) -> bool:
        return not self.outcome


class Refund(models.Model):
    """Money given back to the buyer by staff after the seller was paid (the bank's refund).

    Its key names the refund at the bank for good: a retry never refunds twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being refunded")
        DONE = "done", _("Refunded")
        FAILED = "failed", _("Refused by the bank")

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.BigIntegerField(_("amount, kopecks"))
    reason = models.CharField(_("reason"), max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    failure_code = models.CharField(_("bank's refusal"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["deal"], condition=Q(status="pending"), name="refund_one_pending_per_deal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} ({self.get_status_display()})"
