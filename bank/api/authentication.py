"""Signed-request authentication for API clients (see ``paylib.signing``)."""

from __future__ import annotations

import random
import re
import time
from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from paylib import signing

from .models import ApiClient, RequestNonce
from .rows import insert_unless_taken
from .services import client_secret

# Nonces older than twice the allowed clock skew can never be replayed: their
# timestamp is refused first. They are swept now and then.
NONCE_RETENTION = timedelta(seconds=2 * signing.MAX_CLOCK_SKEW)
# Checked before any arithmetic or comparison, so odd bytes get a 401, never a 500.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_NONCE = re.compile(rf"[A-Za-z0-9_-]{{8,{signing.NONCE_MAX_LENGTH}}}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")


class SignatureAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiClient, None]:
        headers = request.headers
        client_id = headers.get(signing.HEADER_CLIENT, "")
        timestamp = headers.get(signing.HEADER_TIMESTAMP, "")
        nonce = headers.get(signing.HEADER_NONCE, "")
        signature = headers.get(signing.HEADER_SIGNATURE, "")
        if not (client_id and timestamp and nonce and signature):
            raise exceptions.NotAuthenticated("The request is not signed.")
        if not _TIMESTAMP.fullmatch(timestamp) or (
            abs(time.time() - int(timestamp)) > signing.MAX_CLOCK_SKEW
        ):
            raise exceptions.AuthenticationFailed("The request timestamp is too far off.")
        if not _NONCE.fullmatch(nonce) or not _SIGNATURE.fullmatch(signature):
            raise exceptions.AuthenticationFailed("The nonce or the signature is malformed.")
        client = ApiClient.objects.filter(client_id=client_id, is_active=True).first()
        secret = client_secret(client) if client else None
        if (
            client is None
            or secret is None
            or not signing.signature_matches(
                secret=secret,
                signature=signature,
                method=request.method or "",
                # What the client signed, as Django routes on it: see paylib.signing.
                path=signing.routed_target(
                    path=request.path, query_string=request.META.get("QUERY_STRING", "")
                ),
                timestamp=timestamp,
                nonce=nonce,
                body=request._request.body,
            )
        ):
            raise exceptions.AuthenticationFailed("The signature is not valid.")
        self._use_nonce(client, nonce)
        return client, None

    def authenticate_header(self, request: Request) -> str:
        return 'Signature realm="bank"'

    @staticmethod
    def _use_nonce(client: ApiClient, nonce: str) -> None:
        # In a write's own transaction (api.base.ApiView): one commit for the request.
        if (
            insert_unless_taken(RequestNonce, client=client, nonce=nonce, seen_at=timezone.now())
            is None
        ):
            raise exceptions.AuthenticationFailed("This request was already received.")
        if random.random() < 0.01:  # noqa: S311 - sampling, not security
            RequestNonce.objects.filter(seen_at__lt=timezone.now() - NONCE_RETENTION).delete()


def request_client(request: Request) -> ApiClient:
    """The API client that signed ``request`` (views run only after IsApiClient passed)."""
    client = request.user
    if not isinstance(client, ApiClient):
        raise exceptions.NotAuthenticated("The request is not signed.")
    return client


class IsApiClient(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, ApiClient)
