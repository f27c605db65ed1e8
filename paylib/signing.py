"""HMAC-SHA256 request signatures shared by the bank (verifier) and the platform (signer).

A request is signed over its method, path with query string, a Unix timestamp, a random
nonce and the SHA-256 of its body. The bank refuses a timestamp more than
``MAX_CLOCK_SKEW`` seconds off and a nonce it has already seen, so a captured request
cannot be replayed, and any change to the body or the path breaks the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER_CLIENT = "X-Client-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_SIGNATURE = "X-Signature"
MAX_CLOCK_SKEW = 300
NONCE_MAX_LENGTH = 64


def canonical_request(*, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join(
        [method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]
    ).encode()


def compute_signature(
    *, secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes
) -> str:
    message = canonical_request(
        method=method, path=path, timestamp=timestamp, nonce=nonce, body=body
    )
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_matches(
    *,
    secret: str,
    signature: str,
    method: str,
    path: str,
    timestamp: str,
    nonce: str,
    body: bytes,
) -> bool:
    expected = compute_signature(
        secret=secret, method=method, path=path, timestamp=timestamp, nonce=nonce, body=body
    )
    return hmac.compare_digest(expected, signature)


def signed_headers(
    *,
    client_id: str,
    secret: str,
    method: str,
    path: str,
    body: bytes,
    now: float | None = None,
) -> dict[str, str]:
    """The headers that authenticate one request; a fresh nonce every call."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_hex(16)
    signature = compute_signature(
        secret=secret, method=method, path=path, timestamp=timestamp, nonce=nonce, body=body
    )
    return {
        HEADER_CLIENT: client_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature,
    }
