"""Signing in on both sites: a username field that refuses what django-axes cannot store.

django-axes records every failed sign-in with its username in a 255-character column;
Django's ``AuthenticationForm`` sets the field's ``max_length`` after the field was built,
so no validator enforces it, and a longer username reached the database and failed there
(a server error instead of "not right"). Forms get a real limit; axes gets a username that
fits, whatever form (the admin's included) sends it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest

#: django-axes' ``AccessAttempt.username`` and ``AccessFailureLog.username`` columns.
AXES_USERNAME_MAX_LENGTH = 255


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the username axes would take, cut to what it can store."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    if not isinstance(username, str):
        return None
    return username.replace("\x00", "")[:AXES_USERNAME_MAX_LENGTH]


class BoundedUsernameMixin:
    """For ``AuthenticationForm`` subclasses: enforce the username field's ``max_length``."""

    fields: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        limit = min(username.max_length or AXES_USERNAME_MAX_LENGTH, AXES_USERNAME_MAX_LENGTH)
        if not any(isinstance(v, MaxLengthValidator) for v in username.validators):
            username.validators.append(MaxLengthValidator(limit))
