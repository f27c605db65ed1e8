from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AmountField
from core.idempotency import IdempotencyKeyField
from core.images import ImagesField, too_many_images
from paylib.text import validate_one_line

from .models import (
    DESCRIPTION_MAX_LENGTH,
    MAX_PHOTOS,
    MAX_QUANTITY,
    TITLE_MAX_LENGTH,
    Category,
    OfferPhoto,
)
from .selectors import CatalogueFilters, categories_all


class OfferForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        validators=[validate_one_line],
        error_messages={"required": _("Enter a title.")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    price = AmountField(
        label=_("Price per item, roubles"),
        help_text=_("For example 1250 or 1250.50."),
        error_messages={"required": _("Enter a price.")},
    )
    quantity = forms.IntegerField(
        label=_("Quantity available"),
        min_value=1,
        max_value=MAX_QUANTITY,
        error_messages={
            "required": _("Enter how many items you offer."),
            "min_value": _("Offer at least one item."),
            "max_value": _("At most %(limit_value)s items in one offer."),
        },
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        empty_label=_("Choose a category"),
        error_messages={"required": _("Choose a category.")},
    )
    photos = ImagesField(
        label=_("Photos"),
        max_count=MAX_PHOTOS,
        help_text=_("Up to 8 photos, JPEG, PNG or WebP, 5 MB each; the first is on the card."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories_all()  # type: ignore[attr-defined]


class OfferCreateForm(OfferForm):
    """Publishing: carried out once however often the form is sent."""

    idempotency_key = IdempotencyKeyField()


class OfferEditForm(OfferForm):
    """When editing, zero is allowed: the offer stays but is sold out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quantity = self.fields["quantity"]
        assert isinstance(quantity, forms.IntegerField)
        quantity.min_value = 0
        quantity.validators = [
            v for v in quantity.validators if getattr(v, "code", "") != "min_value"
        ]
        quantity.widget.attrs["min"] = 0


class PhotoOrderForm(forms.Form):
    """The offer's photos on its edit form: a place (1 to 8) for each, and a box to remove
    it. Sent with the offer's form, in the same <form>."""

    def __init__(self, *args: Any, photos: list[OfferPhoto], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.photos = photos
        for index, photo in enumerate(photos):
            self.fields[f"photo_{photo.pk}_place"] = forms.IntegerField(
                label=_("Place"),
                min_value=1,
                max_value=MAX_PHOTOS,
                initial=index + 1,
                required=False,
                widget=forms.NumberInput(attrs={"class": "photo-place"}),
            )
            self.fields[f"photo_{photo.pk}_remove"] = forms.BooleanField(
                label=_("Remove"), required=False
            )

    def rows(self) -> list[tuple[OfferPhoto, forms.BoundField, forms.BoundField]]:
        return [
            (photo, self[f"photo_{photo.pk}_place"], self[f"photo_{photo.pk}_remove"])
            for photo in self.photos
        ]

    def photo_order(self) -> list[int]:
        """The ids of the photos kept, in their new order. A photo moved to a place goes
        before the one that was there; otherwise the old order holds."""
        data = self.cleaned_data
        kept = []
        for index, photo in enumerate(self.photos):
            if data.get(f"photo_{photo.pk}_remove"):
                continue
            place = data.get(f"photo_{photo.pk}_place") or index + 1
            kept.append((place, place == index + 1, index, photo.pk))
        return [photo_id for *_order, photo_id in sorted(kept)]


def check_photo_total(form: OfferForm, *, kept: int) -> bool:
    """Whether the photos kept and the new ones fit; if not, says so on the form."""
    new = form.cleaned_data.get("photos") or []
    if kept + len(new) <= MAX_PHOTOS:
        return True
    form.add_error("photos", too_many_images(MAX_PHOTOS))
    return False


class CatalogueForm(forms.Form):
    SORT_CHOICES = [
        ("newest", _("Newest first")),
        ("price_asc", _("Cheapest first")),
        ("price_desc", _("Most expensive first")),
        ("relevance", _("Best match")),
    ]

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All categories"),
    )
    price_min = AmountField(label=_("Price from"), required=False)
    price_max = AmountField(label=_("Price to"), required=False)
    seller = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories_all()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "price_max",
                forms.ValidationError(
                    _("The upper price is below the lower one; only the lower one is applied."),
                    code="price_range",
                ),
            )
        return data

    def filters(self) -> CatalogueFilters:
        """The valid filters; an invalid one is shown as an error and left out."""
        data: dict[str, Any] = self.cleaned_data if self.is_bound else {}
        return CatalogueFilters(
            query=(data.get("q") or "").strip(),
            category=data.get("category"),
            seller_id=data.get("seller"),
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            sort=data.get("sort") or ("relevance" if data.get("q") else "newest"),
        )
