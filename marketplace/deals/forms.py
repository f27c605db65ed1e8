from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from conversations.models import MAX_LENGTH, MAX_PHOTOS
from core.forms import AmountField
from core.idempotency import IdempotencyKeyField
from core.images import ImagesField
from offers.models import Offer

from .models import Dispute, ShipMethod
from .sales import Month
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


class ShipForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How did you send it?"),
        choices=ShipMethod.choices,
        widget=forms.RadioSelect,
        initial=ShipMethod.DELIVERY,
        error_messages={"required": _("Choose how you sent the goods.")},
    )
    carrier = forms.CharField(label=_("Delivery service"), max_length=100, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64, required=False)


class DisputeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=Dispute.Reason.choices,
        error_messages={"required": _("Choose what is wrong.")},
    )
    message = forms.CharField(
        label=_("What happened"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Tell what happened."),
            "max_length": _("Keep it to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    photos = ImagesField(
        label=_("Photos"),
        max_count=MAX_PHOTOS,
        help_text=_("Up to 4 photos (JPEG, PNG or WebP, 5 MB each)."),
    )


class DisputeAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your answer.")},
    )


class DisputeResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Dispute.Outcome.RELEASE, _("Release the money to the seller")),
            (Dispute.Outcome.REFUND, _("Refund the buyer in full")),
            (Dispute.Outcome.PARTIAL, _("Refund the buyer in part")),
        ],
        widget=forms.RadioSelect,
    )
    refund_amount = AmountField(label=_("Refund, ₽ (for a partial refund)"), required=False)
    reason = forms.CharField(
        label=_("Reason, shown to both parties"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == Dispute.Outcome.PARTIAL and not data.get("refund_amount"):
            self.add_error("refund_amount", _("Enter how much to refund."))
        return data


class RefundForm(forms.Form):
    amount = AmountField(label=_("Refund, ₽"))
    reason = forms.CharField(label=_("Reason"), max_length=500)


class SalesMonthForm(forms.Form):
    """The month of the sales page: ``YYYY-MM``, one the chooser lists or any since 2000
    up to the current one."""

    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.Select,
    )

    def __init__(self, *args: Any, months: list[Month], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].widget.choices = [(str(m), m.label()) for m in months]

    def clean_month(self) -> Month:
        text = self.cleaned_data.get("month") or ""
        current = Month.current()
        if not text:
            return current
        month = Month.parse(text)
        if month is None or month > current:
            raise forms.ValidationError(
                _("Choose a month from the list (such as %(example)s).")
                % {"example": str(current)},
                code="invalid",
            )
        return month
