"""Secrets a payment holds for a while, encrypted at rest with Fernet (AES-128-CBC with
HMAC-SHA256): the bank's operation key until the payment ends, and the confirmation code
while its check is in doubt (sealed with a lifetime, so that an old copy cannot be opened).

The encryption key comes from ``settings.PAYMENT_KEY_ENCRYPTION_KEY`` (base64, 32 bytes),
or is derived from ``SECRET_KEY`` when that is not set; codes use a key of their own derived
from it.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet(purpose: str = "key") -> Fernet:
    configured = getattr(settings, "PAYMENT_KEY_ENCRYPTION_KEY", "")
    if configured and purpose == "key":
        return Fernet(configured)
    secret = configured or settings.SECRET_KEY
    digest = hashlib.sha256(f"marketplace.payments.{purpose}|{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_key(key: str) -> str:
    return _fernet().encrypt(key.encode()).decode()


def decrypt_key(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def seal_code(code: str) -> str:
    return _fernet("code").encrypt(code.encode()).decode()


def open_code(token: str) -> str | None:
    """The sealed code, or None once ``PAYMENT_CODE_SEAL_TTL`` seconds have passed."""
    if not token:
        return None
    try:
        return _fernet("code").decrypt(token.encode(), ttl=settings.PAYMENT_CODE_SEAL_TTL).decode()
    except InvalidToken:
        return None
