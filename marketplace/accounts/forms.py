from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from core.idempotency import IdempotencyKeyField
from paylib.errors import ApplicationError

from .services import check_account_number


class AccountAddForm(forms.Form):
    number = forms.CharField(
        label=_("Account number"),
        max_length=40,
        help_text=_("20 digits, as on your statement at the bank."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Enter the account number.")},
    )
    idempotency_key = IdempotencyKeyField()

    def clean_number(self) -> str:
        try:
            return check_account_number(self.cleaned_data["number"])
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the bank's email"),
        max_length=8,
        min_length=4,
        validators=[RegexValidator(r"^[0-9]+$", _("The code consists of digits."))],
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
        error_messages={
            "required": _("Enter the code."),
            "min_length": _("The code has at least %(limit_value)d digits."),
            "max_length": _("The code has at most %(limit_value)d digits."),
        },
    )
