"""How the settlement-accounts pages talk about the bank's answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bank_client import BankClient, BankError, BankUnavailable, get_bank_client
from paylib.errors import ApplicationError

T = TypeVar("T")


class BankRefusal(ApplicationError):
    """The bank said no, or could not be asked; ``code`` is the bank's (or ours)."""


def _message(error: BankError) -> str:
    if error.code == "invalid_code":
        left = error.extra.get("attempts_left")
        if isinstance(left, int):
            return ngettext(
                "The code is not right. %(count)d attempt left.",
                "The code is not right. %(count)d attempts left.",
                left,
            ) % {"count": left}
        return _("The code is not right.")
    messages = {
        "code_expired": _("The code has expired. Ask for a new one."),
        "operation_blocked": _("Too many wrong codes. Remove this account and add it again."),
        "resend_too_soon": _("A code was sent moments ago. Wait a little before asking again."),
        "wrong_state": _("This confirmation is no longer open. Add the account again."),
        "account_not_available": _("The bank cannot link this account. Check the number."),
        "validation_error": _("The bank did not accept this account number."),
        "not_found": _("The bank does not know this confirmation. Add the account again."),
        "bank_unavailable": _("The bank cannot be reached right now. Try again in a minute."),
    }
    return messages.get(error.code, _("The bank refused: %(message)s") % {"message": error.message})


@contextmanager
def _client() -> Iterator[BankClient]:
    try:
        client = get_bank_client()
    except ImproperlyConfigured as exc:
        raise BankUnavailable(str(exc)) from exc
    with client:
        yield client


def call_bank(call: Callable[[BankClient], T], *, field: str | None = None) -> T:
    """Run one request; any refusal becomes a ``BankRefusal`` with a message for people."""
    try:
        with _client() as client:
            return call(client)
    except BankError as error:
        raise BankRefusal(
            _message(error),
            code=error.code,
            field=field,
            extra={"unavailable": isinstance(error, BankUnavailable), **error.extra},
        ) from error
