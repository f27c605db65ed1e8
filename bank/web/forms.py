"""Forms of the customer pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from paylib.money import AmountError, parse_amount
from paylib.signin import BoundedUsernameMixin

#: paylib's reasons for refusing an amount, in the staff's language.
AMOUNT_ERRORS = {
    "Enter a number, for example 1250.00.": _("Enter a number, for example 1250.00."),
    "Use at most two decimal places.": _("Use at most two decimal places."),
    "The amount must be greater than zero.": _("The amount must be greater than zero."),
    "The amount is too large.": _("The amount is too large."),
}


class RoublesField(forms.CharField):
    """An amount typed in roubles ("1 250,50" or "1250.50"), cleaned to integer kopecks."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        text = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            return parse_amount(text)
        except AmountError as error:
            raise ValidationError(AMOUNT_ERRORS.get(str(error), str(error))) from None


class SignInForm(BoundedUsernameMixin, AuthenticationForm):
    """Sign in with the email address the bank has on file and a password."""

    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("The email or the password is not right."),
        "inactive": _("This sign-in is disabled. Please contact the bank."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_suffix = ""  # Pico puts the label above the field: no colon

    def clean_username(self) -> str:
        # Customers are stored with lower-case emails (see CustomerManager.create_user).
        return str(self.cleaned_data["username"]).strip().lower()


class StatementFilterForm(forms.Form):
    """The statement's filters, read from the query string; every one may be left empty."""

    date_from = forms.DateField(
        label=pgettext_lazy("dates", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=pgettext_lazy("dates", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = forms.CharField(
        label=_("Description contains"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_suffix = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters only: a field with an error filters nothing."""
        if not self.is_bound:
            return {"date_from": None, "date_to": None, "search": ""}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "date_from": data.get("date_from") if "date_to" not in self.errors else None,
            "date_to": data.get("date_to") if "date_to" not in self.errors else None,
            "search": (data.get("q") or "").strip(),
        }
