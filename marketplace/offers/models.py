from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from imagekit.models import ImageSpecField
from imagekit.processors import ResizeToFill, ResizeToFit

from paylib.money import MAX_AMOUNT_KOPECKS
from paylib.text import validate_one_line

MAX_QUANTITY = 1_000_000
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
# What the catalogue shows; the partial indexes below cover exactly these rows.
IN_CATALOGUE = Q(status="active", quantity_available__gt=0)


class Category(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name_en = models.CharField(_("name in English"), max_length=100)
    name_ru = models.CharField(_("name in Russian"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ru if (get_language() or "").startswith("ru") else self.name_en


class Offer(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seller"),
        on_delete=models.PROTECT,
        related_name="offers",
    )
    # One line: the title goes into the payment's description, which the bank prints.
    title = models.CharField(
        _("title"), max_length=TITLE_MAX_LENGTH, validators=[validate_one_line]
    )
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    price = models.BigIntegerField(_("price, kopecks"))
    quantity_available = models.PositiveIntegerField(_("quantity available"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="offers"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Filled by a PostgreSQL trigger from the title and description (migration 0002).
    search_vector = SearchVectorField(_("search index"), null=True, editable=False)
    #: The key of the form that published it: a repeat of that form finds this offer.
    idempotency_key = models.UUIDField(_("idempotency key"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0, price__lte=MAX_AMOUNT_KOPECKS), name="offer_price_range"
            ),
            models.CheckConstraint(
                condition=Q(quantity_available__lte=MAX_QUANTITY), name="offer_quantity_max"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="offer_title_not_empty"),
            models.UniqueConstraint(
                fields=["seller", "idempotency_key"], name="offer_seller_idempotency_key_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["-created_at", "-id"], condition=IN_CATALOGUE, name="offer_cat_newest"
            ),
            models.Index(fields=["price", "id"], condition=IN_CATALOGUE, name="offer_cat_price"),
            models.Index(
                fields=["category", "-created_at", "-id"],
                condition=IN_CATALOGUE,
                name="offer_cat_category_newest",
            ),
            models.Index(
                fields=["category", "price", "id"],
                condition=IN_CATALOGUE,
                name="offer_cat_category_price",
            ),
            models.Index(fields=["seller", "-created_at", "-id"], name="offer_seller_newest"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def in_catalogue(self) -> bool:
        return self.status == self.Status.ACTIVE and self.quantity_available > 0


MAX_PHOTOS = 8


def _photo_path(photo: OfferPhoto, filename: str) -> str:
    # ``filename`` is already a random name (core.images.CleanImage.as_file).
    return f"offers/{photo.offer_id}/{filename}"


class OfferPhoto(models.Model):
    """A photo of an offer, as checked and re-encoded by ``core.images``; the first by
    ``position`` is the one on the catalogue's card."""

    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(
        _("image"), upload_to=_photo_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    position = models.PositiveSmallIntegerField(_("position"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    thumbnail = ImageSpecField(
        source="image",
        processors=[ResizeToFill(480, 360)],
        format="JPEG",
        options={"quality": 82},
    )
    large = ImageSpecField(
        source="image",
        processors=[ResizeToFit(1200, 1200, upscale=False)],
        format="JPEG",
        options={"quality": 85},
    )

    class Meta:
        verbose_name = _("offer photo")
        verbose_name_plural = _("offer photos")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(position__lt=MAX_PHOTOS), name="offer_photo_position_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id}#{self.position}"
