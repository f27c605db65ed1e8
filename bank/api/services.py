"""API clients: creation, secret derivation, revocation."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import ApiClient


def derive_secret(*, client_id: str, version: int) -> str:
    """The client's signing secret, recomputed from ``settings.API_CLIENT_KEY``."""
    return salted_hmac(
        "bank.api.client-secret",
        f"{client_id}:{version}",
        secret=settings.API_CLIENT_KEY,
        algorithm="sha256",
    ).hexdigest()


def secret_fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def client_secret(client: ApiClient) -> str | None:
    """The live secret of ``client``, or None if the bank's key changed since it was issued."""
    secret = derive_secret(client_id=client.client_id, version=client.secret_version)
    if not secrets.compare_digest(secret_fingerprint(secret), client.secret_hash):
        return None
    return secret


def api_client_create(*, name: str) -> tuple[ApiClient, str]:
    """Create a client; the returned secret is shown once and never stored."""
    client_id = f"cl_{secrets.token_hex(12)}"
    secret = derive_secret(client_id=client_id, version=1)
    client = ApiClient.objects.create(
        name=name, client_id=client_id, secret_hash=secret_fingerprint(secret)
    )
    return client, secret


def api_client_rotate(*, client: ApiClient) -> str:
    """Issue a new secret; the old one stops working at once."""
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        client.secret_version += 1
        secret = derive_secret(client_id=client.client_id, version=client.secret_version)
        client.secret_hash = secret_fingerprint(secret)
        client.save(update_fields=["secret_version", "secret_hash"])
    return secret


def api_client_revoke(*, client: ApiClient) -> None:
    client.is_active = False
    client.revoked_at = timezone.now()
    client.save(update_fields=["is_active", "revoked_at"])
