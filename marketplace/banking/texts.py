"""The bank's answers in words for people: the one place in the marketplace that says them.

``refusal_text`` words a refusal (or silence) of the bank for the page that asked, an
account link or a payment; ``failure_text`` words the reason a payment ended, which is the
bank's code or one of ours (``deal_cancelled``...).
"""

from __future__ import annotations

from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bank_client import BankError

About = Literal["link", "payment"]

UNREACHABLE: dict[About, Promise] = {
    "link": _("The bank cannot be reached right now. Try again in a minute."),
    "payment": _("The bank cannot be reached right now. Nothing was charged; try again shortly."),
}

#: The bank's error codes; a pair is (for a link, for a payment), one text serves both.
_REFUSALS: dict[str, Promise | tuple[Promise, Promise]] = {
    "code_expired": _("The code has expired. Ask for a new one."),
    "operation_blocked": (
        _("Too many wrong codes. Remove this account and add it again."),
        _("Too many wrong codes: this payment was stopped. You can pay again with a new code."),
    ),
    "account_codes_blocked": _(
        "Too many wrong codes for this account; its owner can lift the block at the bank."
    ),
    "client_codes_throttled": _(
        "Too many wrong codes were entered for this account lately; the bank is taking no "
        "more of them from the marketplace for now. Try again in an hour."
    ),
    "code_email_limit": _(
        "The bank has sent this account too many codes that were not used. Ask again later."
    ),
    "operation_declined": (
        _("The account's owner declined this link at the bank."),
        _("The account's owner declined the payment at the bank. Nothing was charged."),
    ),
    "operation_expired": (
        _("This confirmation can no longer be used. Add the account again."),
        _("This payment's codes can no longer be used. Pay again to get a new code."),
    ),
    "resend_too_soon": _("A code was sent moments ago. Wait a little before asking again."),
    "resend_limit": (
        _("No more codes can be sent for this request. Add the account again for a new code."),
        _("No more codes can be sent for this payment. Pay again to get a new code."),
    ),
    "wrong_state": (
        _("This confirmation is no longer open. Add the account again."),
        _("This payment no longer takes codes."),
    ),
    "account_not_available": (
        _("The bank cannot link this account. Check the number."),
        _("The bank does not let us use this account any more."),
    ),
    "validation_error": _("The bank did not accept this account number."),
    "not_found": (
        _("The bank does not know this confirmation. Add the account again."),
        _("The bank does not know this payment any more. Nothing was charged; pay again."),
    ),
    "insufficient_funds": _("The account does not have enough money for this deal."),
    "account_blocked": _("The bank has blocked this account."),
}

# The bank's earlier name for a spent budget of wrong codes.
_REFUSALS["too_many_failures"] = _REFUSALS["account_codes_blocked"]

#: Why a payment ended: the bank's codes and the marketplace's own.
_FAILURES: dict[str, Promise] = {
    "insufficient_funds": _("The account did not have enough money when the bank tried."),
    "account_blocked": _("The bank has blocked the account."),
    "account_not_linked": _("The account is no longer linked to the marketplace."),
    "account_not_available": _("The bank does not let us use this account any more."),
    "operation_blocked": _("Too many wrong codes."),
    "account_codes_blocked": _REFUSALS["account_codes_blocked"],  # type: ignore[dict-item]
    "too_many_failures": _REFUSALS["account_codes_blocked"],  # type: ignore[dict-item]
    "operation_declined": _("The account's owner declined the payment at the bank."),
    "operation_expired": _("The payment's codes could no longer be used. Nothing was charged."),
    "code_expired": _("No confirmation code was entered in time. Nothing was charged."),
    "resend_limit": _("No more codes could be sent for this payment. Nothing was charged."),
    "deal_cancelled": _("The deal was cancelled before the payment went through."),
    "deal_expired": _("The time to pay for the deal ran out before the payment went through."),
    "confirmation_lost": _("The bank's answer was lost; nothing was charged."),
    "declined": _("The account's owner declined the payment at the bank."),
}


def code_not_right(attempts_left: int | None) -> str:
    if attempts_left is None:
        return str(_("The code is not right."))
    return ngettext(
        "The code is not right. %(count)d attempt left.",
        "The code is not right. %(count)d attempts left.",
        attempts_left,
    ) % {"count": attempts_left}


def refusal_text(error: BankError, *, about: About) -> str:
    """What to tell the person whose request the bank refused or could not answer."""
    if error.code == "bank_unavailable" or error.code == "bank_auth_failed":
        return str(UNREACHABLE[about])
    if error.code == "invalid_code":
        return code_not_right(error.attempts_left)
    text = _REFUSALS.get(error.code)
    if isinstance(text, tuple):
        text = text[0] if about == "link" else text[1]
    if text is None:
        return str(_("The bank refused: %(message)s") % {"message": error.message})
    return str(text)


def failure_text(reason: str) -> str:
    """Why a payment ended, from its stored ``failure_reason``."""
    if not reason:
        return ""
    text = _FAILURES.get(reason)
    if text is None:
        return str(_("The bank refused the payment (%(reason)s).") % {"reason": reason})
    return str(text)
