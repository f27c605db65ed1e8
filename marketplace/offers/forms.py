from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AmountField
from core.idempotency import IdempotencyKeyField
from paylib.text import validate_one_line

from .models import DESCRIPTION_MAX_LENGTH, MAX_QUANTITY, TITLE_MAX_LENGTH, Category
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
        empty_label=None,
        error_messages={"required": _("Choose a category.")},
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
