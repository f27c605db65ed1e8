"""One exception handler: every API error is JSON with a stable code."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from paylib.errors import ApplicationError


def _first_messages(detail: Any) -> Any:
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return " ".join(str(item) for item in detail)
        return [_first_messages(item) for item in detail]
    if isinstance(detail, dict):
        return {key: _first_messages(value) for key, value in detail.items()}
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response({"error": exc.as_dict()}, status=exc.status)
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "error": {
                "code": "validation_error",
                "message": "Some fields are not valid.",
                "fields": _first_messages(exc.detail),
            }
        }
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        response.data = {"error": {"code": code, "message": str(exc.detail)}}
    return response
