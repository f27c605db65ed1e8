"""Idempotent writes: every write of the API answers a repeated key with its first answer.

A write carries ``idempotency_key`` in its JSON body. The first request with a key runs
the view and stores its answer (status code and body) in an ``IdempotentRequest`` row,
in the same transaction as the view's effect; a repeat with the same method, path and
body gets that answer again, errors (4xx) included, and runs nothing; another request
under a used key is refused with ``409 idempotency_conflict`` and runs nothing.

Concurrency: the row is inserted before the view runs, so a repeat that arrives while the
first is still working waits on the unique index; when the first commits, the repeat reads
its answer; when it rolls back (a 5xx, an unexpected error: nothing is stored), the repeat
runs as the first. The lock order of every write is therefore: this row, then whatever the
view locks (the operation row, then the accounts in primary-key order).

Stored bodies are encrypted: a confirmation's answer carries the operation key in plain
text. Encryption, not re-deriving the key: the layer stays generic (it need not know which
answers hold secrets) and operation keys stay random, not a function of the server's
secret. The cipher key is derived from ``SECRET_KEY`` (and its fallbacks, so a rotation
does not make stored answers unreadable); a copy of the database alone reveals no key, and
anyone who also holds ``SECRET_KEY`` still needs a client's signing secret to use one.
Rows are purged once ``OPERATION_EXECUTE_WINDOW`` has passed, when no confirmed payment
can be executed any more.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from operations.errors import IdempotencyConflict
from paylib import signing

from .authentication import request_client
from .fields import idempotency_key_field
from .models import ApiClient, IdempotentRequest
from .rows import insert_unless_taken

KEY_FIELD = "idempotency_key"
REPLAYED_HEADER = "Idempotent-Replayed"
PURGE_SAMPLE = 0.01
_IN_PROGRESS = 0  # the status of a row whose request has not finished (never committed)

Handler = Callable[..., Response]


class IdempotencyKeyIn(serializers.Serializer):
    idempotency_key = idempotency_key_field


@dataclass(frozen=True)
class Fingerprint:
    method: str
    path: str
    body_hash: str

    @classmethod
    def of(cls, request: Request) -> Fingerprint:
        """The method, the canonical target (as signed) and a hash of the parsed body.

        The body is hashed as canonical JSON, so key order and white space do not matter.
        """
        body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        target = signing.routed_target(
            path=request.path, query_string=request.META.get("QUERY_STRING", "")
        )
        return cls(
            method=request.method or "",
            path=target,
            body_hash=hashlib.sha256(body.encode()).hexdigest(),
        )

    def matches(self, record: IdempotentRequest) -> bool:
        return (self.method, self.path, self.body_hash) == (
            record.method,
            record.path,
            record.body_hash,
        )


def idempotent(handler: Handler) -> Handler:
    """Make an ``APIView`` write method idempotent on the ``idempotency_key`` of its body."""

    @functools.wraps(handler)
    def wrapper(view: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
        return respond_once(view, request, lambda: handler(view, request, *args, **kwargs))

    return wrapper


def respond_once(view: APIView, request: Request, handle: Callable[[], Response]) -> Response:
    """Run ``handle`` for the first request with its key; answer repeats as it answered."""
    key = _key(request)
    fingerprint = Fingerprint.of(request)
    client = request_client(request)
    # Part of the write's transaction (api.base.ApiView), or its own if there is none.
    with transaction.atomic(savepoint=False):
        record, replay = _claim(client, key, fingerprint)
        if replay is not None:
            return replay
        response = _handle(view, handle)
        if response.status_code >= 500:
            transaction.set_rollback(True)  # nothing of it stays, nor its answer
            return response
        record.status_code = response.status_code
        record.response = _seal(json.dumps(response.data, cls=JSONEncoder))
        record.save(update_fields=["status_code", "response"])
    if random.random() < PURGE_SAMPLE:  # noqa: S311 - sampling, not security
        idempotent_requests_purge()
    return response


def idempotent_requests_purge() -> int:
    """Delete the stored answers older than ``OPERATION_EXECUTE_WINDOW``; return how many."""
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=_oldest_valid()).delete()
    return deleted


def _key(request: Request) -> str:
    """The request's key, or a 400 naming the field (nothing is stored without one)."""
    data = IdempotencyKeyIn(data=request.data)
    data.is_valid(raise_exception=True)
    return str(data.validated_data[KEY_FIELD])


def _handle(view: APIView, handle: Callable[[], Response]) -> Response:
    """The view's answer, with an error turned into its answer here, inside the transaction,
    so that it is stored; an unexpected error propagates and rolls everything back."""
    try:
        return handle()
    except Exception as error:  # handle_exception re-raises what it cannot answer
        return view.handle_exception(error)


def _claim(
    client: ApiClient, key: str, fingerprint: Fingerprint
) -> tuple[IdempotentRequest, Response | None]:
    """The new row for this request, or the answer stored for an earlier one.

    The insert waits on the unique index while another request with the key is running.
    """
    created = _create(client, key, fingerprint)
    if created is not None:
        return created, None
    # The key is taken: by an earlier request, or by one that committed while this one
    # waited on the index.
    record = _stored(client, key)
    if record is None:  # it was past the window, and is gone now
        created = _create(client, key, fingerprint)
        if created is None:
            raise IdempotencyConflict(
                "A request with this idempotency key is being answered.", field=KEY_FIELD
            )
        return created, None
    if not fingerprint.matches(record):
        raise IdempotencyConflict(
            "This idempotency key was already used with different data.", field=KEY_FIELD
        )
    body = _unseal(record.response)
    if body is None:
        # Sealed under a key the bank no longer has: run the request again. Every write of
        # this API may run twice: a repeat finds the operation's state and changes nothing.
        record.delete()
        created = _create(client, key, fingerprint)
        if created is None:
            raise IdempotencyConflict(
                "A request with this idempotency key is being answered.", field=KEY_FIELD
            )
        return created, None
    headers = {REPLAYED_HEADER: "true"}
    return record, Response(json.loads(body), status=record.status_code, headers=headers)


def _stored(client: ApiClient, key: str) -> IdempotentRequest | None:
    """The committed row for the key; one past the window is deleted: the key is free again."""
    record = IdempotentRequest.objects.filter(client=client, key=key).first()
    if record is not None and record.created_at < _oldest_valid():
        record.delete()
        return None
    return record


def _create(client: ApiClient, key: str, fingerprint: Fingerprint) -> IdempotentRequest | None:
    """The new row for the key, or None if the key is taken (one statement, no savepoint)."""
    values = {
        "client": client,
        "key": key,
        "method": fingerprint.method,
        "path": fingerprint.path,
        "body_hash": fingerprint.body_hash,
        "status_code": _IN_PROGRESS,
        "response": "",
        "created_at": timezone.now(),
    }
    pk = insert_unless_taken(IdempotentRequest, **values)
    return None if pk is None else IdempotentRequest(pk=pk, **values)


def _oldest_valid() -> Any:
    return timezone.now() - timedelta(seconds=settings.OPERATION_EXECUTE_WINDOW)


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac(
                        "bank.api.idempotency", "stored-answers", secret=key, algorithm="sha256"
                    ).digest()
                )
            )
            for key in keys
        ]
    )


def _seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def _unseal(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
