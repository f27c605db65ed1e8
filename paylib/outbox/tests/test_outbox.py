"""The outbox: recorded with the transaction that makes an effect due, delivered once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from paylib.outbox import services
from paylib.outbox.mail import message_id_for, send_templated
from paylib.outbox.models import Message
from paylib.outbox.registry import handler

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
TEMPLATES = Path(__file__).parent / "templates"

delivered: list[dict[str, Any]] = []
failures_left = {"count": 0}


@handler("test.record")
def record(message: Message) -> None:
    if failures_left["count"] > 0:
        failures_left["count"] -= 1
        raise OSError("the mail server is away")
    delivered.append(dict(message.payload))


@handler("test.slow")
def slow(message: Message) -> None:
    time.sleep(0.3)
    delivered.append(dict(message.payload))


@handler("test.secret", scrub=True)
def secret(message: Message) -> None:
    delivered.append(dict(message.payload))


@pytest.fixture(autouse=True)
def clean_slate() -> Iterator[None]:
    delivered.clear()
    failures_left["count"] = 0
    yield
    delivered.clear()


def test_an_effect_recorded_in_a_transaction_that_rolls_back_never_happens(
    django_capture_on_commit_callbacks: Any,
) -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            services.enqueue("test.record", {"n": 1})
            raise RuntimeError("the change that made it due failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_that_fails()
    assert not Message.objects.exists()
    assert delivered == []


def test_a_committed_effect_is_delivered_once_and_marked_done(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = services.enqueue("test.record", {"n": 1})
    message.refresh_from_db()
    assert delivered == [{"n": 1}]
    assert message.done_at is not None
    assert message.attempts == 1
    assert services.deliver(message.pk) == "skipped"
    assert services.sweep() == 0
    assert delivered == [{"n": 1}]


def test_a_broker_outage_does_not_fail_the_caller_and_the_sweep_delivers_later(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with (
        mock.patch(
            "paylib.outbox.tasks.deliver_message.apply_async", side_effect=BrokerDown("down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = services.enqueue("test.record", {"n": 2})
    assert delivered == []
    assert Message.objects.get(pk=message.pk).is_pending
    assert services.sweep() == 1
    assert delivered == [{"n": 2}]


def test_the_same_key_records_one_effect() -> None:
    first = services.enqueue("test.record", {"n": 1}, key="paid:7:buyer")
    second = services.enqueue("test.record", {"n": 1}, key="paid:7:buyer")
    assert first.pk == second.pk
    assert Message.objects.count() == 1


def test_an_unknown_kind_fails_in_the_callers_transaction() -> None:
    with pytest.raises(LookupError):
        services.enqueue("no.such.kind")
    assert not Message.objects.exists()


def test_a_failed_delivery_is_retried_later_with_backoff_and_finally_given_up() -> None:
    failures_left["count"] = 100
    message = services.enqueue("test.record", {"n": 3})
    with override_settings(OUTBOX_MAX_ATTEMPTS=3, OUTBOX_RETRY_BASE=10):
        assert services.deliver(message.pk) == "retry"
        message.refresh_from_db()
        assert message.last_error == "OSError: the mail server is away"
        assert timedelta(seconds=9) < message.due_at - timezone.now() <= timedelta(seconds=10)
        assert services.deliver(message.pk) == "skipped"  # not due yet
        for expected in ("retry", "failed"):
            Message.objects.filter(pk=message.pk).update(due_at=timezone.now())
            assert services.deliver(message.pk) == expected
    message.refresh_from_db()
    assert message.failed_at is not None
    assert message.attempts == 3
    assert services.sweep() == 0
    failures_left["count"] = 0
    assert services.retry_now(messages=Message.objects.all()) == 1
    assert services.sweep() == 1
    assert delivered == [{"n": 3}]


def test_a_delivery_left_by_a_dead_worker_is_taken_up_when_its_lease_runs_out() -> None:
    message = services.enqueue("test.record", {"n": 4})
    # A worker claimed it and died: the claim is there, the delivery never finished.
    Message.objects.filter(pk=message.pk).update(
        claimed_until=timezone.now() + timedelta(seconds=60), attempts=1
    )
    assert services.sweep() == 0
    Message.objects.filter(pk=message.pk).update(claimed_until=timezone.now())
    assert services.sweep() == 1
    assert delivered == [{"n": 4}]


def test_a_secret_payload_is_emptied_once_delivered() -> None:
    message = services.enqueue("test.secret", {"sealed": "gAAAA..."})
    assert services.deliver(message.pk) == "done"
    message.refresh_from_db()
    assert message.payload == {}
    assert delivered == [{"sealed": "gAAAA..."}]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_message_deliver_it_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections")
    # Recorded as enqueue() records it, but with no task queued: the workers race for it.
    message = Message.objects.create(kind="test.slow", payload={"n": 5})
    results: list[str] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        try:
            results.append(services.deliver(message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["done"] + ["skipped"] * 7
    assert delivered == [{"n": 5}]


def test_an_email_keeps_its_message_id_on_every_attempt(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [TEMPLATES]}]
    message = services.enqueue("test.record", {})
    for _ in range(2):
        send_templated(
            message,
            to=["someone@example.com"],
            language="en",
            templates="outbox_tests/hello",
            context={"name": "Ann"},
        )
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert ids == [message_id_for(message)] * 2
    assert mail.outbox[0].subject == "Hello, Ann"


def test_an_email_is_done_once_the_server_accepts_it_even_if_saying_goodbye_fails(
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [TEMPLATES]}]
    message = services.enqueue("test.mail", {"to": "ann@example.com"})
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.close", side_effect=OSError("reset")
    ):
        assert services.deliver(message.pk) == "done"
    message.refresh_from_db()
    assert message.done_at is not None
    assert services.sweep() == 0
    assert len(mail.outbox) == 1


@handler("test.mail")
def mail_handler(message: Message) -> None:
    send_templated(
        message,
        to=[message.payload["to"]],
        language="en",
        templates="outbox_tests/hello",
        context={"name": "Ann"},
    )
