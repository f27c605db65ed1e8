"""Thin Celery tasks around the outbox services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="outbox.deliver")
def deliver_message(message_id: int) -> str:
    return services.deliver(message_id)


@shared_task(name="outbox.sweep")
def sweep_outbox() -> int:
    """Periodic (beat): deliver whatever is due and not being delivered."""
    return services.sweep()
