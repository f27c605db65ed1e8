from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from paylib.signin import BoundedUsernameMixin

from .models import User


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    name = forms.CharField(
        label=_("Name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        # Never "this address is taken": that would tell anyone who has an account. The
        # email to the address says so instead (users.services.signup_request).
        email: str = self.cleaned_data["email"].strip().lower()
        return email

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            probe = User(email=data.get("email", ""), name=data.get("name", ""))
            try:
                password_validation.validate_password(first, user=probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SignInForm(BoundedUsernameMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("The email or the password is not right."),
        "inactive": _("This account is inactive."),
        "unverified": _(
            "Confirm your email address first: follow the link in the email we sent you. "
            "No email? Sign up again with the same address for a new link."
        ),
    }

    def confirm_login_allowed(self, user: User) -> None:
        """Only the owner of a confirmed address signs in (told only with the password)."""
        super().confirm_login_allowed(user)
        if isinstance(user, User) and not user.email_verified:
            raise forms.ValidationError(self.error_messages["unverified"], code="unverified")


class VerifyEmailForm(forms.Form):
    """The button on the confirmation link's page: a link alone (which mail scanners open)
    changes nothing."""


class ProfileForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name
