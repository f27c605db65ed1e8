"""The OpenAPI document's extras: the request signature, and every error of every call."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from paylib import signing

#: Every error code the API answers, with its status and what it means. Each call lists its
#: own below; the schema documents them, and the fuzz test holds the API to the schema.
ERROR_CODES: dict[str, tuple[int, str]] = {
    "bad_request": (400, "a control character in the path or query string, or a body too big"),
    "validation_error": (400, "a field is malformed; `fields` names each one at fault"),
    "parse_error": (400, "the body is not JSON, or is nested too deeply"),
    "not_authenticated": (401, "a signature header is missing"),
    "authentication_failed": (
        401,
        "a wrong signature, an unknown, revoked or rotated client, a timestamp too far off "
        "or a nonce seen before",
    ),
    "invalid_key": (403, "the operation key does not match the operation"),
    "not_found": (404, "no such path, or no such operation of this client"),
    "not_acceptable": (406, "the Accept header allows no JSON"),
    "idempotency_conflict": (409, "the idempotency key was already used with other data"),
    "data_mismatch": (409, "the payment data differ from the confirmed operation"),
    "operation_blocked": (409, "five wrong codes blocked the operation"),
    "wrong_state": (409, "the operation is not in a state that allows this"),
    "resend_limit": (409, "no more codes can be sent for this operation"),
    "unsupported_media_type": (415, "the body is not `application/json`"),
    "account_not_available": (422, "no such account, or not linked to this client"),
    "account_blocked": (422, "the account is blocked"),
    "insufficient_funds": (
        422,
        "the available balance (the balance less what is held) does not cover the amount; "
        "for a refund, a payee's",
    ),
    "invalid_code": (422, "the code is not right; `attempts_left` says how many remain"),
    "code_expired": (422, "the code has expired; ask for a new one"),
    "resend_too_soon": (429, "a code was sent moments ago; `retry_after` says how long to wait"),
    "operation_declined": (409, "the account's owner declined the operation on the bank's pages"),
    "operation_expired": (409, "the operation ran out of time and ended"),
    "account_codes_blocked": (
        429,
        "too many wrong codes for this account in 24 hours: no code is sent or checked until "
        "its owner lifts the block on the bank's pages",
    ),
    "client_codes_throttled": (
        429,
        "this client entered too many wrong codes lately, and 3 of them for this account: "
        "its codes for the account are not checked; `retry_after` says how long to wait",
    ),
    "code_email_limit": (
        429,
        "the account was sent too many link-request codes nobody used (its owner is told and "
        "can lift it on the bank's pages); `retry_after` says how long to wait",
    ),
    "hold_not_found": (404, "no such hold of this client"),
    "already_captured": (409, "the hold was captured already"),
    "already_voided": (409, "the hold was released already"),
    "hold_expired": (409, "the hold's time is up: it cannot be captured, its money went back"),
    "not_captured": (409, "only a captured hold can be refunded"),
    "exceeds_hold_amount": (422, "the capture is more than the held amount"),
    "refund_exceeds_capture": (
        422,
        "the refund is more than what was captured and not yet refunded (`refundable`)",
    ),
}

#: The refusals of a hold that has ended (capture, void).
HOLD_ENDED_ERRORS = ("already_captured", "already_voided", "hold_expired")

#: The refusals of the wrong-code and code-email budgets (operations/budget.py).
CODE_BUDGET_ERRORS = ("account_codes_blocked", "code_email_limit")

#: What any call can answer, and what any write can answer besides.
COMMON_ERRORS = ("bad_request", "not_authenticated", "authentication_failed", "not_acceptable")
WRITE_ERRORS = ("validation_error", "parse_error", "unsupported_media_type", "idempotency_conflict")


_AMOUNT_TEXT = {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "example": "1250.00"}

#: The path parameters, as strict as the views are.
NUMBER_PARAMETER = OpenApiParameter(
    "number",
    {"type": "string", "pattern": "^[0-9]{20}$"},
    OpenApiParameter.PATH,
    description="An account number: 20 digits.",
)
OPERATION_ID_PARAMETER = OpenApiParameter(
    "operation_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The operation's id."
)
HOLD_ID_PARAMETER = OpenApiParameter(
    "hold_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The hold's id."
)


class AmountFieldSchema(OpenApiSerializerFieldExtension):
    """Roubles as a string with at most two decimals; requests may send an integer."""

    target_class = "api.fields.AmountField"

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        if direction == "response":
            return dict(_AMOUNT_TEXT)
        roubles = {"type": "integer", "minimum": 1, "maximum": 1_000_000_000}
        return {"oneOf": [dict(_AMOUNT_TEXT), roubles], "example": "1250.00"}


def _error_schema(codes: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "enum": codes},
                    "message": {"type": "string"},
                    "field": {"type": "string", "description": "The request field at fault."},
                    "fields": {"description": "Per-field messages of a validation_error."},
                    "attempts_left": {"type": "integer", "minimum": 0},
                    "retry_after": {"type": "integer", "minimum": 1},
                    "refundable": dict(_AMOUNT_TEXT),
                },
            }
        },
    }


def errors(*codes: str) -> dict[int, OpenApiResponse]:
    """The error responses of a call that can answer ``codes`` (and the common ones)."""
    by_status: dict[int, list[str]] = defaultdict(list)
    for code in dict.fromkeys((*COMMON_ERRORS, *codes)):
        by_status[ERROR_CODES[code][0]].append(code)
    return {
        status: OpenApiResponse(
            response=_error_schema(names),
            description="; ".join(f"`{name}`: {ERROR_CODES[name][1]}" for name in names),
        )
        for status, names in sorted(by_status.items())
    }


class SignatureScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SignatureAuthentication"
    name = "RequestSignature"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": signing.HEADER_SIGNATURE,
            "description": (
                f"Every request carries {signing.HEADER_CLIENT}, {signing.HEADER_TIMESTAMP} "
                f"(Unix seconds, at most {signing.MAX_CLOCK_SKEW}s off), {signing.HEADER_NONCE} "
                f"(random, used once) and {signing.HEADER_SIGNATURE}: the hex HMAC-SHA256, "
                "keyed with the client secret, of METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\n"
                "hex(SHA-256(body)), where PATH is the canonical path: percent-decoded, then "
                "every byte but A-Z a-z 0-9 - . _ ~ and / written %XX. See docs/api.md."
            ),
        }
