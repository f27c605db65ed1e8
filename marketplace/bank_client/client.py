"""The marketplace's client of the bank's HTTP API (``bank/api``); nothing else calls the bank.

Signing: every attempt of every request is signed with ``paylib.signing`` over its method,
its path with query string as sent (canonicalised the same way on both sides) and the exact
body bytes (JSON is serialised once, then sent as is), with a fresh timestamp and nonce: the
bank refuses a nonce it has already seen, so a retry is signed anew.

Idempotency: every write carries an idempotency key in its body. Link, payment and hold
requests and refunds take one from the caller (it also names the operation or the refund);
confirm, resend, execute, revoke, place, capture and void take an optional
``idempotency_key`` and make a fresh one when given none. The bank answers a repeat of a
key with the first answer, status code included (a 4xx too), for a day; the same key with
other data is ``409 idempotency_conflict``. So a caller that stores its key before the call
and sends it again after a timeout gets the outcome of the first call, never a second one.

Retries: a GET (balance, operation status) is tried once more after a transport error or a
timeout. Writes are not retried here: after a timeout their outcome is unknown, so they raise
``BankUnavailable`` and the caller (a Celery task, a page) retries with the same key.

A lost answer to a code confirmation: retry ``operation_confirm`` with the same code and the
same ``idempotency_key``; the bank answers what it answered the first time (the operation
key of a payment, shown in that answer and its replays only). A confirm with a new key is a
new attempt: the code is used up and the bank answers ``wrong_state``.

Errors: see ``bank_client.errors``. ``BankRefused`` is final, ``BankUnavailable`` is worth a
retry, ``BankError("bank_auth_failed")`` needs an operator.

``base_url`` is the bank's root (``https://bank.example``); the paths below are appended.
"""

from __future__ import annotations

import functools
import logging
import secrets
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import httpx

from paylib import signing

from . import wire
from .errors import BankUnavailable, error_from_response
from .holds import HoldCalls, path_segment
from .types import Balance, Confirmation, OperationInfo, Payee

logger = logging.getLogger(__name__)
T = TypeVar("T")

API_PREFIX = "/api/v1"
GET_ATTEMPTS = 2
_IDEMPOTENCY_KEY_MAX = 64
_IDEMPOTENCY_RANDOM_CHARS = 24


def new_idempotency_key(prefix: str) -> str:
    """A fresh key such as ``deal-42:1f0c...``; store it before the first call that uses it."""
    if not prefix or len(prefix) + 1 + _IDEMPOTENCY_RANDOM_CHARS > _IDEMPOTENCY_KEY_MAX:
        raise ValueError(f"The prefix must be 1 to 39 characters, got {prefix!r}")
    if not all(ch.isascii() and (ch.isalnum() or ch in "_.-") for ch in prefix):
        raise ValueError(f"Use letters, digits and _ . - in the prefix, got {prefix!r}")
    return f"{prefix}:{secrets.token_hex(_IDEMPOTENCY_RANDOM_CHARS // 2)}"


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle costs ~20 ms of CPU each time,
    and a client is built for every unit of work."""
    return ssl.create_default_context()


def _nothing(data: Any) -> None:
    return None


def _keyed(body: dict[str, Any], idempotency_key: str | None, prefix: str) -> dict[str, Any]:
    """``body`` with the caller's idempotency key, or a fresh one named after the call."""
    return {**body, "idempotency_key": idempotency_key or new_idempotency_key(prefix)}


class BankClient(HoldCalls):
    """Typed calls to the bank (the hold calls in ``bank_client.holds``); use it as a
    context manager or ``close()`` it."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        secret: str,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._client_id = client_id
        self._secret = secret
        self._http = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            verify=_tls_context(),
            headers={"Accept": "application/json", "User-Agent": "marketplace-bank-client/1"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BankClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Account links

    def link_request(self, *, account_number: str, idempotency_key: str) -> OperationInfo:
        """Ask the account's owner to link it; the bank emails him a code."""
        body = {"account": account_number, "idempotency_key": idempotency_key}
        return self._call("POST", "/links/", wire.operation_from_json, body)

    def link_confirm(
        self, *, operation_id: str, code: str, idempotency_key: str | None = None
    ) -> OperationInfo:
        """Confirm a link with the owner's code; the link is done at once."""
        return self.operation_confirm(
            operation_id=operation_id, code=code, idempotency_key=idempotency_key
        ).operation

    def link_revoke(self, *, account_number: str, idempotency_key: str | None = None) -> None:
        """Stop using the account: payments from it are refused from now on."""
        path = f"/links/{path_segment(account_number)}/revoke/"
        self._call("POST", path, _nothing, _keyed({}, idempotency_key, "revoke"))

    def balance(self, *, account_number: str) -> Balance:
        """The available balance of an account linked to the marketplace."""
        path = f"/accounts/{path_segment(account_number)}/balance/"
        return self._call("GET", path, wire.balance_from_json)

    # Payments

    def payment_request(
        self,
        *,
        payer_account: str,
        payees: Sequence[Payee],
        amount: int,
        description: str,
        idempotency_key: str,
    ) -> OperationInfo:
        """Create a payment of ``amount`` kopecks; the bank emails the payer a code."""
        body = {
            "payer_account": payer_account,
            "payees": wire.payees_to_wire(payees),
            "amount": wire.amount_to_wire(amount),
            "description": description,
            "idempotency_key": idempotency_key,
        }
        return self._call("POST", "/payments/", wire.operation_from_json, body)

    def operation_resend(
        self, *, operation_id: str, idempotency_key: str | None = None
    ) -> OperationInfo:
        """Email a new code; the previous one stops working."""
        path = f"/operations/{path_segment(operation_id)}/resend/"
        body = _keyed({}, idempotency_key, "resend")
        return self._call("POST", path, wire.operation_from_json, body)

    def operation_confirm(
        self, *, operation_id: str, code: str, idempotency_key: str | None = None
    ) -> Confirmation:
        """Check the code; a payment's answer carries its key.

        Retried with the same code and ``idempotency_key`` (after a timeout, say), it gets
        the same answer, the key included; see the module docstring.
        """
        path = f"/operations/{path_segment(operation_id)}/confirm/"
        body = _keyed({"code": code}, idempotency_key, "confirm")
        return self._call("POST", path, wire.confirmation_from_json, body)

    def operation_execute(
        self,
        *,
        operation_id: str,
        key: str,
        payer_account: str,
        payees: Sequence[Payee],
        amount: int,
        idempotency_key: str | None = None,
    ) -> OperationInfo:
        """Move the money of a confirmed payment; a repeat with the same key moves nothing.

        The answer's status is ``done`` or ``failed`` (see ``failure_reason``).
        """
        body = {
            "key": key,
            "payer_account": payer_account,
            "payees": wire.payees_to_wire(payees),
            "amount": wire.amount_to_wire(amount),
        }
        body = _keyed(body, idempotency_key, "execute")
        path = f"/operations/{path_segment(operation_id)}/execute/"
        return self._call("POST", path, wire.operation_from_json, body)

    def operation_get(self, *, operation_id: str) -> OperationInfo:
        path = f"/operations/{path_segment(operation_id)}/"
        return self._call("GET", path, wire.operation_from_json)

    # Transport

    def _key(self, idempotency_key: str | None, prefix: str) -> str:
        return idempotency_key or new_idempotency_key(prefix)

    def _call(
        self,
        method: str,
        path: str,
        read: Callable[[Any], T],
        payload: Mapping[str, Any] | None = None,
    ) -> T:
        """Send one signed request and ``read`` the JSON answer (None if the answer is empty).

        An answer that is not what the API promises counts as no answer: after a write
        nobody can tell from it whether the bank did the work.
        """
        body = b"" if payload is None else wire.to_json_bytes(payload)
        response = self._send(method, API_PREFIX + path, body)
        if not response.is_success:
            raise error_from_response(response)
        try:
            return read(response.json() if response.content else None)
        except ValueError as error:  # not JSON, or wire.BadAnswer
            raise BankUnavailable(
                f"The bank answered {response.status_code} with an unreadable body: {error}",
                status=response.status_code,
            ) from error

    def _send(self, method: str, path: str, body: bytes) -> httpx.Response:
        attempts = GET_ATTEMPTS if method == "GET" else 1
        attempt = 1
        while True:
            try:
                return self._send_once(method, path, body)
            except httpx.TransportError as error:
                logger.warning(
                    "bank %s %s attempt %d/%d: %r", method, path, attempt, attempts, error
                )
                if attempt >= attempts:
                    raise BankUnavailable(
                        f"The bank did not answer {method} {path}: {type(error).__name__}"
                    ) from error
                attempt += 1

    def _send_once(self, method: str, path: str, body: bytes) -> httpx.Response:
        started = time.monotonic()
        response = self._http.send(self._signed_request(method, path, body))
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.info("bank %s %s -> %d in %.0f ms", method, path, response.status_code, elapsed_ms)
        return response

    def _signed_request(self, method: str, path: str, body: bytes) -> httpx.Request:
        headers = {"Content-Type": "application/json"} if body else {}
        request = self._http.build_request(method, path, content=body or None, headers=headers)
        request.headers.update(
            signing.signed_headers(
                client_id=self._client_id,
                secret=self._secret,
                method=method,
                path=request.url.raw_path.decode("ascii"),
                body=body,
            )
        )
        return request


def get_bank_client() -> BankClient:
    """A client configured from the Django settings ``BANK_API_*``; close it after use."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    missing = [
        name
        for name in ("BANK_API_URL", "BANK_API_CLIENT_ID", "BANK_API_SECRET")
        if not getattr(settings, name, "")
    ]
    if missing:
        raise ImproperlyConfigured(f"Set {', '.join(missing)} to reach the bank.")
    return BankClient(
        base_url=settings.BANK_API_URL,
        client_id=settings.BANK_API_CLIENT_ID,
        secret=settings.BANK_API_SECRET,
        timeout=float(getattr(settings, "BANK_API_TIMEOUT", 10.0)),
    )
