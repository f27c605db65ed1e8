"""Queueing a payment's background work so that a broker outage never fails the request.

The tasks are looked up by name, so the services that queue them and the tasks that call
the services do not import each other. The message is published after the commit; if the
broker is down, that is logged and the request goes on (``robust``): beat's
``check_stuck_payments`` finds the payment, still confirming or processing, and does the
work itself.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction

EXECUTE = "payments.tasks.execute_payment"
CONFIRM = "payments.tasks.confirm_payment"


def queue(task_name: str, payment_id: int, *, countdown: float | None = None) -> None:
    transaction.on_commit(lambda: _publish(task_name, payment_id, countdown), robust=True)


def _publish(task_name: str, payment_id: int, countdown: float | None) -> None:
    current_app.tasks[task_name].apply_async((payment_id,), countdown=countdown)
