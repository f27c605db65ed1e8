from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import PayableAccount


class ChooseAccountForm(forms.Form):
    account = forms.TypedChoiceField(
        label=_("Pay from"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the account to pay from.")},
    )

    def __init__(self, *args: Any, accounts: list[PayableAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["account"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(a.account.pk, a.account.number) for a in accounts]


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Confirmation code"),
        regex=r"^\d{6}$",
        max_length=12,
        error_messages={
            "invalid": _("The code is six digits, as in the email from the bank."),
            "required": _("Enter the code from the email."),
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": r"\d{6}",
                "maxlength": "6",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        data = args[0] if args else kwargs.get("data")
        if data is not None and "code" in data:
            data = data.copy()
            data["code"] = str(data["code"]).replace(" ", "").strip()
            args = (data, *args[1:]) if args else args
            if "data" in kwargs:
                kwargs["data"] = data
        super().__init__(*args, **kwargs)
