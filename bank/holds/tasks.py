"""Thin Celery tasks: each calls one service."""

from __future__ import annotations

from celery import shared_task

from .services import holds_expire_due


@shared_task(name="holds.expire")
def expire_holds() -> int:
    """Periodic (beat): release the pending holds whose time is up."""
    return holds_expire_due()
