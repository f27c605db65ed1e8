"""Recording effects and delivering them: the only writes to ``outbox.Message``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import Message
from .registry import handler_for, scrubs

logger = logging.getLogger(__name__)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    delay: timedelta | None = None,
) -> Message:
    """Record that ``kind`` must be delivered with ``payload``; call it inside the
    transaction that makes the effect due. With ``key``, a second call records nothing
    and returns the first message.

    After the commit a Celery task delivers it; if the broker is down the request goes on
    regardless (``robust``) and the periodic sweep delivers it later.
    """
    handler_for(kind)  # an unknown kind fails here, in the caller's transaction
    due_at = timezone.now() + (delay or timedelta(0))
    fields = {"kind": kind, "payload": payload or {}, "due_at": due_at}
    if key is None:
        message = Message.objects.create(**fields)
    else:
        message, created = Message.objects.get_or_create(key=key, defaults=fields)
        if not created:
            return message
    countdown = max(int((delay or timedelta(0)).total_seconds()), 0)
    transaction.on_commit(lambda: _kick(message.pk, countdown), robust=True)
    return message


def _kick(message_id: int, countdown: int) -> None:
    from .tasks import deliver_message

    deliver_message.apply_async((message_id,), countdown=countdown or None)


def _due(now: datetime) -> QuerySet[Message]:
    return Message.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        done_at__isnull=True,
        failed_at__isnull=True,
        due_at__lte=now,
    )


def deliver(message_id: int) -> str:
    """Deliver one message if it is due and nobody else holds it.

    Returns ``"done"``, ``"retry"`` (the handler failed; it is due again later),
    ``"failed"`` (the last attempt failed: staff see it in the admin) or ``"skipped"``
    (done already, not due yet, or being delivered by another worker).
    """
    now = timezone.now()
    lease = now + timedelta(seconds=_setting("OUTBOX_LEASE", 150))
    claimed = (
        _due(now).filter(pk=message_id).update(claimed_until=lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    message = Message.objects.get(pk=message_id)
    try:
        handler_for(message.kind)(message)
    except Exception as error:
        if message.done_at is not None:  # done, and failed only afterwards (closing SMTP)
            logger.warning("Outbox %s delivered; then: %s", message, error)
            return "done"
        return _after_failure(message, error)
    mark_done(message)
    return "done"


def mark_done(message: Message) -> None:
    """Record that ``message`` was delivered. ``deliver`` calls it when the handler returns;
    a handler may call it earlier, the moment its effect has happened (an email the server
    accepted, before the connection is closed), to make the window in which a killed worker
    would deliver it again as short as it can be. A second call changes nothing."""
    if message.done_at is not None:
        return
    message.done_at = timezone.now()
    done: dict[str, Any] = {"done_at": message.done_at, "claimed_until": None, "last_error": ""}
    if scrubs(message.kind):
        done["payload"] = {}
    _persist(lambda: Message.objects.filter(pk=message.pk, done_at__isnull=True).update(**done))


def _after_failure(message: Message, error: Exception) -> str:
    now = timezone.now()
    attempts = message.attempts
    text = f"{type(error).__name__}: {error}"[:255]
    if attempts >= _setting("OUTBOX_MAX_ATTEMPTS", 12):
        logger.error("Outbox %s gave up after %d attempts: %s", message, attempts, text)
        changes: dict[str, Any] = {"failed_at": now, "claimed_until": None, "last_error": text}
        result = "failed"
    else:
        base, ceiling = _setting("OUTBOX_RETRY_BASE", 5), _setting("OUTBOX_RETRY_CEILING", 3600)
        wait = min(base * 2 ** (attempts - 1), ceiling)
        logger.warning(
            "Outbox %s attempt %d failed (%s); again in %ds", message, attempts, text, wait
        )
        changes = {
            "due_at": now + timedelta(seconds=wait),
            "claimed_until": None,
            "last_error": text,
        }
        result = "retry"
    _persist(lambda: Message.objects.filter(pk=message.pk).update(**changes))
    return result


def _persist(write: Callable[[], object], attempts: int = 3) -> None:
    """Record a delivery's outcome even across a dropped database connection: after an email
    went out, losing this write would send it again when the lease expires."""
    for attempt in range(1, attempts + 1):
        try:
            write()
            return
        except DatabaseError:
            if attempt == attempts:
                raise
            close_old_connections()
            time.sleep(0.5 * attempt)


def sweep(*, limit: int = 200) -> int:
    """Deliver what is due and unclaimed (enqueued while the broker was down, retried, or
    left by a worker that died); returns how many were done."""
    ids = list(_due(timezone.now()).order_by("due_at", "id").values_list("pk", flat=True)[:limit])
    return sum(deliver(pk) == "done" for pk in ids)


def retry_now(*, messages: QuerySet[Message]) -> int:
    """Staff: make failed or waiting messages due again at once, with a fresh budget."""
    return messages.filter(done_at__isnull=True).update(
        due_at=timezone.now(), failed_at=None, attempts=0, claimed_until=None
    )
