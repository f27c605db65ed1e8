"""The bank's operation key, encrypted at rest with Fernet (AES-128-CBC with HMAC-SHA256).

The encryption key comes from ``settings.PAYMENT_KEY_ENCRYPTION_KEY`` (base64, 32 bytes),
or is derived from ``SECRET_KEY`` when that is not set.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    configured = getattr(settings, "PAYMENT_KEY_ENCRYPTION_KEY", "")
    if configured:
        return Fernet(configured)
    digest = hashlib.sha256(f"marketplace.payments.key|{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_key(key: str) -> str:
    return _fernet().encrypt(key.encode()).decode()


def decrypt_key(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
