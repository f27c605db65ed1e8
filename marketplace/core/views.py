"""Small helpers the apps' views share."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from paylib.client_ip import client_ip as paylib_client_ip
from paylib.errors import ApplicationError
from users.models import User


def add_application_error(form: forms.BaseForm, error: ApplicationError) -> None:
    """Show a service's refusal on the form: on its field when the form has one."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def current_user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def signed_in_user(request: HttpRequest) -> User:
    """The user of a view behind ``login_required``."""
    user = current_user(request)
    if user is None:
        raise PermissionError("login_required must guard this view")
    return user


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as django-axes takes it too (``TRUSTED_PROXY_COUNT``)."""
    return paylib_client_ip(request)
