"""HMAC-SHA256 request signatures shared by the bank (verifier) and the platform (signer).

A request is signed over its method, its canonical target (path and query string), a Unix
timestamp, a random nonce and the SHA-256 of its body. The bank refuses a timestamp more
than ``MAX_CLOCK_SKEW`` seconds off and a nonce it has already seen, so a captured request
cannot be replayed, and any change to the body or the path breaks the signature.

The canonical path is the path the application routes on, written by one rule. The path
as sent is percent-decoded to bytes, as every WSGI server does before Django sees it; bytes
that are not UTF-8 are written ``%XX``, as Django does (so ``%FF`` and ``%25FF`` are one
path to Django, and to the signature); then every byte except the unreserved characters of
RFC 3986 (``A-Z a-z 0-9 - . _ ~``) and ``/`` is encoded as ``%XX`` in capitals. Both sides
reach the same string whatever escapes the client, a proxy or the server chose (``%7b``,
``%7B`` and ``{`` are one path; ``%34`` is ``4``), and the verifier signs exactly what
Django routes on (``request.path``), never a re-encoding of its own. The query string is
kept as sent (no server decodes it); only bytes outside printable ASCII are
percent-encoded, which no client sends unescaped anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import quote, unquote_to_bytes

HEADER_CLIENT = "X-Client-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_SIGNATURE = "X-Signature"
MAX_CLOCK_SKEW = 300
NONCE_MAX_LENGTH = 64

# Printable ASCII stays as sent in a query string, ``%`` included (it starts an escape).
_QUERY_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))


def _encode_path(path: bytes) -> str:
    # ``quote`` always keeps A-Z a-z 0-9 _ . - ~ and writes every other byte as %XX.
    return quote(path, safe="/")


def _encode_query(query: bytes) -> str:
    return quote(query, safe=_QUERY_SAFE)


def _join(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def _escape_broken_utf8(raw: bytes) -> bytes:
    """``raw`` with every byte that is not part of valid UTF-8 written as ``%XX``.

    The same rule as Django's ``repercent_broken_unicode``, which builds ``request.path``.
    """
    escaped = bytearray()
    while raw:
        try:
            raw.decode()
        except UnicodeDecodeError as error:
            broken = raw[error.start : error.end]
            escaped += raw[: error.start] + b"".join(b"%%%02X" % byte for byte in broken)
            raw = raw[error.end :]
        else:
            escaped += raw
            break
    return bytes(escaped)


def canonical_target(target: str) -> str:
    """The canonical form of a request target (``/path?query``) as the client sends it."""
    path, _, query = target.partition("?")
    decoded = _escape_broken_utf8(unquote_to_bytes(path))
    return _join(_encode_path(decoded), _encode_query(query.encode()))


def routed_target(*, path: str, query_string: str) -> str:
    """The canonical target of a request as the server received it.

    ``path`` is the decoded path that Django routes on (``request.path``), ``query_string``
    the raw one from the WSGI environ (PEP 3333 carries its bytes as a latin-1 string).
    """
    try:
        query = query_string.encode("latin-1")
    except UnicodeEncodeError:  # not a PEP 3333 string: take it as text
        query = query_string.encode()
    return _join(_encode_path(path.encode()), _encode_query(query))


def canonical_request(*, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The signed text; ``path`` is a request target, canonicalised here (idempotently)."""
    return "\n".join(
        [
            method.upper(),
            canonical_target(path),
            timestamp,
            nonce,
            hashlib.sha256(body).hexdigest(),
        ]
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
    """The headers that authenticate one request; a fresh nonce every call.

    ``path`` is the request target as it goes on the wire, query string included.
    """
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
