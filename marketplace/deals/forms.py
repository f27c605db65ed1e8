from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from core.idempotency import IdempotencyKeyField
from offers.models import Offer

from .state import Role, Status


class DealCreateForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        initial=1,
        error_messages={
            "required": _("Enter how many items you buy."),
            "min_value": _("Buy at least one item."),
            "max_value": _("Only %(limit_value)s left."),
        },
    )
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args: Any, offer: Offer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quantity = self.fields["quantity"]
        assert isinstance(quantity, forms.IntegerField)
        quantity.max_value = offer.quantity_available
        quantity.validators.append(MaxValueValidator(offer.quantity_available))
        quantity.widget.attrs["max"] = offer.quantity_available


class DealFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("I am"),
        required=False,
        choices=[("", _("Buyer or seller")), (Role.BUYER, _("Buyer")), (Role.SELLER, _("Seller"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices]
    )
