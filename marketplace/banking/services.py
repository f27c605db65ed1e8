"""The one way the marketplace calls the bank: every call is recorded in the bank-call log.

The record is written after the bank has answered and can never undo that answer: if the
database refuses it, the failure is logged and the caller gets the bank's answer all the
same (an answered link or payment request must reach the code that stores its result).
Bank errors propagate as ``bank_client`` raises them; an unconfigured client reads as
``BankUnavailable``, like a bank that cannot be reached.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction

from bank_client import BankClient, BankError, BankRefused, BankUnavailable, get_bank_client

from .models import BankCall

if TYPE_CHECKING:
    from accounts.models import SettlementAccount
    from payments.models import Payment
    from users.models import User

logger = logging.getLogger(__name__)
T = TypeVar("T")


class BankSession:
    """One client for several calls (a page that reads several balances), each recorded."""

    def __init__(self, client: BankClient | None, problem: str = "") -> None:
        self._client = client
        self._problem = problem

    def call(
        self,
        action: str,
        call: Callable[[BankClient], T],
        *,
        user: User | None = None,
        account: SettlementAccount | None = None,
        payment: Payment | None = None,
        number: str = "",
    ) -> T:
        """Run ``call`` against the bank and record it; bank errors propagate."""
        about: dict[str, Any] = {
            "user_id": user.pk if user else _first(account, payment, "user_id", "buyer_id"),
            "account": account,
            "payment": payment,
            "number": number
            or (account.number if account else "")
            or (payment.payer_number if payment else ""),
        }
        started = time.monotonic()
        try:
            if self._client is None:
                raise BankUnavailable(self._problem)
            result = call(self._client)
        except BankError as error:
            refused = isinstance(error, BankRefused)
            outcome = BankCall.Outcome.REFUSED if refused else BankCall.Outcome.UNAVAILABLE
            code = error.code if self._client is not None else "not_configured"
            _record(action, outcome, code, error.message, "", started, about)
            raise
        operation = getattr(result, "operation", result)
        status = str(getattr(operation, "status", ""))
        operation_id = str(getattr(operation, "id", ""))
        _record(action, BankCall.Outcome.OK, status, "", operation_id, started, about)
        return result


def _first(account: Any, payment: Any, account_attr: str, payment_attr: str) -> int | None:
    if account is not None:
        return int(getattr(account, account_attr))
    if payment is not None:
        return int(getattr(payment, payment_attr))
    return None


@contextmanager
def bank_session() -> Iterator[BankSession]:
    try:
        client = get_bank_client()
    except ImproperlyConfigured as error:
        yield BankSession(None, str(error))
        return
    with client:
        yield BankSession(client)


def bank_call(
    action: str,
    call: Callable[[BankClient], T],
    *,
    user: User | None = None,
    account: SettlementAccount | None = None,
    payment: Payment | None = None,
    number: str = "",
) -> T:
    """One call to the bank, recorded (see ``BankSession.call``)."""
    with bank_session() as session:
        return session.call(
            action, call, user=user, account=account, payment=payment, number=number
        )


def _record(
    action: str,
    outcome: str,
    code: str,
    detail: str,
    operation_id: str,
    started: float,
    about: dict[str, Any],
) -> None:
    elapsed_ms = int((time.monotonic() - started) * 1000)
    try:
        with transaction.atomic():  # a savepoint when called inside a transaction
            BankCall.objects.create(
                action=action[:32],
                outcome=outcome,
                bank_code=code[:64],
                detail=detail[:255],
                operation_id=operation_id[:64],
                elapsed_ms=max(elapsed_ms, 0),
                **about,
            )
    except DatabaseError:
        # The bank has answered; losing the log line must not lose the answer.
        logger.warning(
            "Could not record the bank call %s (%s %s)", action, outcome, code, exc_info=True
        )
