"""Confirmation codes and operation keys, stored only as keyed hashes.

Modelled on ``django.contrib.auth.tokens``: a small class with an injectable clock.
A code's hash covers the operation's data (payer, amount, payees, and how long a hold
request may hold the money) and which code of the operation it is, so the code stops
matching if the data change or a new code is sent.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import Operation

CODE_DIGITS = 6


def operation_binding(operation: Operation) -> str:
    """Everything a code vouches for; any change to these makes the code stop matching."""
    legs = ",".join(
        f"{leg.account.number}:{leg.amount}" for leg in operation.legs.select_related("account")
    )
    parts = [
        str(operation.public_id),
        operation.kind,
        operation.account.number,
        str(operation.amount),
        legs,
        str(operation.code_sends),
    ]
    if operation.hold_until is not None:  # a hold request's code vouches for its time too
        parts.append(operation.hold_until.astimezone(UTC).isoformat())  # as stored: in UTC
    return "|".join(parts)


class ConfirmationCodes:
    key_salt = "bank.operations.codes.ConfirmationCodes"

    def _now(self) -> datetime:
        return timezone.now()

    def make_code(self) -> str:
        return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"

    def hash_code(self, operation: Operation, code: str) -> str:
        value = f"{operation_binding(operation)}|{code}"
        return salted_hmac(self.key_salt, value, algorithm="sha256").hexdigest()

    def check_code(self, operation: Operation, code: str) -> bool:
        if not operation.code_hash:
            return False
        return constant_time_compare(self.hash_code(operation, code), operation.code_hash)

    def is_expired(self, operation: Operation) -> bool:
        return operation.code_expires_at is None or operation.code_expires_at <= self._now()


def make_operation_key() -> str:
    """256 random bits, shown to the API client once."""
    return secrets.token_urlsafe(32)


def hash_operation_key(key: str) -> str:
    # The key has 256 bits of entropy: a plain SHA-256 is enough to make a stolen hash useless.
    return hashlib.sha256(key.encode()).hexdigest()


def operation_key_matches(operation: Operation, key: str) -> bool:
    if not operation.key_hash:
        return False
    return constant_time_compare(hash_operation_key(key), operation.key_hash)


codes = ConfirmationCodes()
