"""Encrypts a code for its short trip through the broker to the email task.

The database keeps only the code's hash, so the task cannot read it there; the broker
sees only ciphertext that expires with the code.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"bank.operations.sealing|{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(code: str) -> str:
    return _fernet().encrypt(code.encode()).decode()


def unseal(token: str, *, ttl: int) -> str | None:
    try:
        return _fernet().decrypt(token.encode(), ttl=ttl).decode()
    except InvalidToken:
        return None
