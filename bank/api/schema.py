"""Describes the request signature in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from paylib import signing


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
                "hex(SHA-256(body)). See docs/api.md."
            ),
        }
