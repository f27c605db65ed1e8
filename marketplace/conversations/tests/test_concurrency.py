"""A double submit racing itself on real PostgreSQL: one message, one notice, one email."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail

from conftest import seed_reference_data
from conversations.models import DealMessage
from conversations.services import deal_message_create
from deals.models import Deal
from deals.tests.test_concurrency import race
from notifications.models import Notification
from paylib.outbox.models import Message
from users.models import User

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    seed_reference_data()  # the flush after each transactional test removes it


def test_six_submits_of_one_form_at_once_write_and_tell_once(
    deal: Deal, buyer: User, seller: User
) -> None:
    key = uuid.uuid4()
    found: list[int] = []

    def submit(i: int) -> None:
        message = deal_message_create(
            deal=deal, author=buyer, role="buyer", text="Hello", idempotency_key=key
        )
        found.append(message.pk)

    assert race(6, submit) == []
    assert DealMessage.objects.count() == 1
    assert set(found) == {DealMessage.objects.get().pk}
    assert Notification.objects.filter(user=seller, kind="message").count() == 1
    assert Message.objects.filter(kind="notifications.email").count() == 1
    assert [m.to[0] for m in mail.outbox] == [seller.email]


def test_different_forms_at_once_each_write(deal: Deal, buyer: User, seller: User) -> None:
    def submit(i: int) -> None:
        deal_message_create(
            deal=deal, author=buyer, role="buyer", text=f"#{i}", idempotency_key=uuid.uuid4()
        )

    assert race(4, submit) == []
    assert DealMessage.objects.count() == 4
    assert Notification.objects.filter(user=seller).count() == 4
