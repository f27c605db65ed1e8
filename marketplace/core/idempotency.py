"""Forms that create something are carried out once, however often they are sent.

Each such form carries an idempotency key (a UUID made when the form is shown, in a hidden
field); the created row stores it under a unique constraint with its owner. A second
submission with the same key (a double click, a resent POST, the back button) finds the
first row and answers with it instead of creating another. Two submissions at the same
moment cannot both create: the database lets one insert, the other gets IntegrityError,
which turns into a lookup of the winner.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=Model)


def create_once(model: type[M], *, key: dict[str, Any], create: Callable[[], M]) -> M:
    """The row of ``model`` matching ``key`` (the owner and the idempotency key) if an
    earlier submission made it, else ``create()``'s.

    Call inside the caller's transaction, after any row lock that orders the submissions.
    """
    earlier = model._default_manager.filter(**key).first()
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        earlier = model._default_manager.filter(**key).first()
        if earlier is None:
            raise  # another constraint refused the row: not a repeat
        return earlier


class IdempotencyKeyField(forms.UUIDField):
    """The hidden field of a form that creates something; a new key each time it is shown."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("initial", uuid.uuid4)
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("This form is out of date: reload the page and send it again."),
                "invalid": _("This form is out of date: reload the page and send it again."),
            },
        )
        super().__init__(**kwargs)
