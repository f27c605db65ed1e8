from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage

#: The longest message: a paragraph or two, as evidence a person can read.
MAX_LENGTH = 2000
#: Photos one message may carry.
MAX_PHOTOS = 4


class Author(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    STAFF = "staff", _("Staff")


class DealMessage(models.Model):
    """What the buyer, the seller or staff wrote on a deal: the dispute's evidence, so it is
    written once and never edited or deleted (no page, service or admin action does)."""

    Author = Author

    deal = models.ForeignKey(
        "deals.Deal", verbose_name=_("deal"), on_delete=models.PROTECT, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="deal_messages",
    )
    role = models.CharField(_("written as"), max_length=8, choices=Author.choices)
    text = models.TextField(_("text"), max_length=MAX_LENGTH)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    #: The key of the form that sent it: a repeat of that form finds this message.
    idempotency_key = models.UUIDField(_("idempotency key"), editable=False)

    class Meta:
        verbose_name = _("deal message")
        verbose_name_plural = _("deal messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"], name="deal_message_author_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(GreaterThanOrEqual(Length("text"), 1))
                & Q(LessThanOrEqual(Length("text"), MAX_LENGTH)),
                name="deal_message_text_length",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Author.values), name="deal_message_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["deal", "created_at", "id"], name="deal_message_deal")]

    def __str__(self) -> str:
        return f"#{self.pk} on deal {self.deal_id} by {self.role}"


class DealMessagePhoto(models.Model):
    """A photo sent with a message: checked and re-encoded (``core.images``) before it is
    stored, so no EXIF (camera, GPS position) of the original is kept. Kept in the private
    storage (``core.storage``) and shown only to those who may see the deal, through
    ``conversations:photo``, never by a public address."""

    message = models.ForeignKey(
        DealMessage, verbose_name=_("message"), on_delete=models.PROTECT, related_name="photos"
    )
    image = models.FileField(_("photo"), upload_to="deal-messages/%Y/%m/", storage=private_storage)
    format = models.CharField(_("format"), max_length=8)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("message photo")
        verbose_name_plural = _("message photos")
        ordering = ["message", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "position"], name="deal_message_photo_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(position__lt=MAX_PHOTOS), name="deal_message_photo_at_most_four"
            ),
        ]

    def __str__(self) -> str:
        return f"photo {self.position + 1} of message #{self.message_id}"
