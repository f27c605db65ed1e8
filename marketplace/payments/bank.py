"""Calls to the bank about one payment, each recorded as a ``PaymentEvent``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

from bank_client import BankClient, BankError, BankUnavailable, get_bank_client

from .models import Payment, PaymentEvent

T = TypeVar("T")


def bank_call(payment: Payment, action: str, call: Callable[[BankClient], T]) -> T:
    """Run ``call`` against the bank and record the outcome; bank errors propagate."""
    try:
        with get_bank_client() as client:
            result = call(client)
    except ImproperlyConfigured as error:
        _record(payment, action, PaymentEvent.Outcome.UNAVAILABLE, "not_configured", str(error))
        raise BankUnavailable(str(error)) from error
    except BankUnavailable as error:
        _record(payment, action, PaymentEvent.Outcome.UNAVAILABLE, error.code, error.message)
        raise
    except BankError as error:
        _record(payment, action, PaymentEvent.Outcome.REFUSED, error.code, error.message)
        raise
    status = getattr(getattr(result, "operation", result), "status", "")
    _record(payment, action, PaymentEvent.Outcome.OK, str(status), "")
    return result


def _record(payment: Payment, action: str, outcome: str, code: str, detail: str) -> None:
    PaymentEvent.objects.create(
        payment=payment,
        action=action,
        outcome=outcome,
        bank_code=code[:64],
        detail=detail[:255],
    )
