"""Forms of the customer pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
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

    def clean_username(self) -> str:
        # Customers are stored with lower-case emails (see CustomerManager.create_user).
        return str(self.cleaned_data["username"]).strip().lower()
