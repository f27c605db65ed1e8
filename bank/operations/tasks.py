"""Thin periodic tasks (Celery beat) around the operations' services."""

from __future__ import annotations

from celery import shared_task

from . import budget, lifecycle


@shared_task(name="operations.expire_stale")
def expire_stale_operations() -> int:
    """End confirmed payments past their execute window and operations whose codes can no
    longer be used."""
    return lifecycle.operations_expire_stale()


@shared_task(name="operations.purge_code_events")
def purge_code_events() -> int:
    return budget.code_events_purge()
