from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RATING_MIN, RATING_MAX = 1, 5
TEXT_MAX_LENGTH = 2000
#: How long after writing it the buyer may still change his review.
EDIT_WINDOW = timedelta(days=14)


class Review(models.Model):
    """The buyer's rating of the seller after a completed deal: one per deal; the seller
    may answer it once."""

    deal = models.OneToOneField(
        "deals.Deal", verbose_name=_("deal"), on_delete=models.PROTECT, related_name="review"
    )
    # Copied from the deal, so that a seller's page reads his reviews by one index.
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seller"),
        on_delete=models.PROTECT,
        related_name="reviews_received",
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="reviews_written",
    )
    offer = models.ForeignKey(
        "offers.Offer", verbose_name=_("offer"), on_delete=models.PROTECT, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    reply = models.TextField(_("seller's answer"), max_length=TEXT_MAX_LENGTH, blank=True)
    replied_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="review_rating_range",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="review_text_not_empty"),
            models.CheckConstraint(
                condition=Q(reply="", replied_at__isnull=True)
                | (~Q(reply="") & Q(replied_at__isnull=False)),
                name="review_reply_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["seller", "-created_at", "-id"], name="review_seller_newest"),
            models.Index(fields=["offer", "-created_at", "-id"], name="review_offer_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 #{self.deal_id}"

    @property
    def editable_until(self) -> datetime:
        return self.created_at + EDIT_WINDOW

    @property
    def is_editable(self) -> bool:
        """Whether the buyer may still change it."""
        return timezone.now() < self.editable_until
