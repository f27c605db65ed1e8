"""The API's own OpenAPI schema as a schemathesis schema, and requests signed on the wire."""

from __future__ import annotations

import json
from typing import Any

import requests
import schemathesis
from rest_framework.utils.encoders import JSONEncoder
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from paylib import signing

#: No server error; a status code the call documents; JSON; a body of the documented shape
#: (an error's code among those the call lists for that status).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def load_schema() -> Any:
    """The document that /api/schema/ serves, generated in process (no server is needed to
    collect the tests; they call a live one)."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(json.dumps(document, cls=JSONEncoder)))


class Signed(requests.auth.AuthBase):
    """Signs each request as it goes on the wire: its path as sent, its exact body bytes."""

    def __init__(self, client_id: str, secret: str) -> None:
        self.client_id = client_id
        self.secret = secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        request.headers.update(
            signing.signed_headers(
                client_id=self.client_id,
                secret=self.secret,
                method=request.method or "GET",
                path=request.path_url,
                body=body.encode() if isinstance(body, str) else body,
            )
        )
        return request
