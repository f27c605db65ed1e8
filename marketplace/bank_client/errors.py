"""The bank's refusals and silences as local exceptions.

``BankRefused``: the bank answered with a JSON error (4xx); the request did nothing and
repeating it unchanged gets the same answer. ``BankUnavailable``: no usable answer (a
transport error, a timeout, a 5xx, something that is not the bank's JSON); the outcome of a
write is unknown, so retry it with the same idempotency key or operation key. A plain
``BankError`` with code ``bank_auth_failed`` means the bank refused our signature: a
configuration problem (credentials, clock), not a business refusal.
"""

from __future__ import annotations

from typing import Any

import httpx

AUTH_FAILED = "bank_auth_failed"
UNAVAILABLE = "bank_unavailable"


class BankError(Exception):
    """``code`` is the bank's stable error code; ``status`` the HTTP status, 0 if none came.

    ``field`` names the request field at fault; ``fields`` holds the per-field messages of a
    ``validation_error``; ``extra`` carries the rest of the bank's error (``attempts_left``,
    ``retry_after``...).
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        fields: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        status: int = 0,
    ) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.field = field
        self.fields = fields or {}
        self.extra = extra or {}
        self.status = status

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r}, status={self.status})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only details survive pickling (Celery may serialise a task's exception).
        return (type(self), (self.code, self.message), self.__dict__)

    @property
    def attempts_left(self) -> int | None:
        """After a wrong code, how many attempts remain before the operation is blocked."""
        value = self.extra.get("attempts_left")
        return value if isinstance(value, int) else None

    @property
    def retry_after(self) -> int | None:
        """After ``resend_too_soon``, the seconds to wait before asking again."""
        value = self.extra.get("retry_after")
        return value if isinstance(value, int) else None


class BankRefused(BankError):
    """The bank refused the request and did nothing (a 4xx answer with an error code)."""


class BankUnavailable(BankError):
    """The bank gave no usable answer; whether a write happened is unknown."""

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(UNAVAILABLE, message, status=status)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message,), self.__dict__)


def _error_body(response: httpx.Response) -> dict[str, Any] | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        return None
    return error


def _fields(value: Any) -> dict[str, Any]:
    # The bank sends a dict of field messages, except when it validates a URL part, where
    # ``fields`` is a bare message (the balance view's account number).
    if isinstance(value, dict):
        return value
    return {"non_field_errors": value} if value else {}


def error_from_response(response: httpx.Response) -> BankError:
    """The exception for an answer that is not a success."""
    status = response.status_code
    error = _error_body(response)
    if status == httpx.codes.UNAUTHORIZED:
        message = str(error.get("message", "")) if error else ""
        return BankError(
            AUTH_FAILED,
            f"The bank refused our credentials: {message or 'no details'}",
            extra={"bank_code": error["code"]} if error else {},
            status=status,
        )
    if status >= 500 or error is None:
        content_type = response.headers.get("content-type", "no content type")
        return BankUnavailable(
            f"The bank answered {status} ({content_type}) instead of its JSON error.",
            status=status,
        )
    details = {k: v for k, v in error.items() if k not in {"code", "message", "field", "fields"}}
    field = error.get("field")
    return BankRefused(
        error["code"],
        str(error.get("message", "")),
        field=field if isinstance(field, str) else None,
        fields=_fields(error.get("fields")),
        extra=details,
        status=status,
    )
