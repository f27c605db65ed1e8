"""The one domain error both services raise; views and API handlers turn it into answers."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A refusal with a stable machine ``code``, a human ``message`` and an HTTP status.

    ``field`` names the request field at fault, when there is one; ``extra`` carries any
    details the client may show (for example how many attempts are left).
    """

    status = 400
    code = "invalid_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.field = field
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, **self.extra}
        if self.field:
            body["field"] = self.field
        return body
