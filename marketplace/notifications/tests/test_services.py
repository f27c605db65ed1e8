"""notify(): one row and one email per person, exactly once, in his language."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction

from conftest import seed_reference_data
from deals.models import Deal
from notifications.models import Notification
from notifications.services import notify
from paylib.money import format_rub
from paylib.outbox.models import Message
from paylib.outbox.services import sweep
from users.models import User

# Committed for real: the emails go out after the commit, as in production.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    seed_reference_data()  # the flush after each transactional test removes it


class BrokerDown(Exception):
    """The broker refusing a publish, as a Redis outage does."""


def test_each_person_gets_one_row_and_one_email_none_and_repeats_skipped(
    deal: Deal, buyer: User, seller: User
) -> None:
    notify(users=[buyer, None, seller, buyer], kind="paid_held", deal=deal)
    rows = Notification.objects.order_by("user__email")
    assert [(n.user, n.kind, n.deal) for n in rows] == [
        (buyer, "paid_held", deal),
        (seller, "paid_held", deal),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [buyer.email, seller.email]
    assert Message.objects.filter(kind="notifications.email", done_at__isnull=False).count() == 2


def test_each_email_is_in_its_readers_language(deal: Deal, buyer: User, seller: User) -> None:
    notify(users=[buyer, seller], kind="completed", deal=deal)
    by_address = {m.to[0]: m for m in mail.outbox}
    english, russian = by_address[buyer.email], by_address[seller.email]
    assert english.subject == f"Deal #{deal.pk} is completed"
    assert f"the bank pays the seller {format_rub(deal.seller_net)}." in english.body
    assert russian.subject == f"Сделка №{deal.pk} завершена"
    assert f"банк перечисляет вам {format_rub(deal.seller_net, language='ru')}" in russian.body
    commission = format_rub(deal.commission_amount, language="ru")
    assert f"комиссия площадки — {commission}" in russian.body
    assert f"/deals/{deal.pk}/" in english.body


def test_a_rolled_back_event_tells_nobody(deal: Deal, buyer: User) -> None:
    def the_move_fails() -> None:
        with transaction.atomic():
            notify(users=[buyer], kind="deal_opened", deal=deal)
            raise RuntimeError("the move failed")

    with pytest.raises(RuntimeError):
        the_move_fails()
    assert not Notification.objects.exists()
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_the_same_event_key_twice_tells_once(deal: Deal, buyer: User, seller: User) -> None:
    for _ in range(2):
        notify(users=[buyer, seller], kind="shipped", deal=deal, key="ship-1", method="CDEK")
    assert Notification.objects.count() == 2
    assert Message.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [buyer.email, seller.email]


def test_an_email_delivered_again_goes_out_once(deal: Deal, buyer: User) -> None:
    with mock.patch(
        "paylib.outbox.tasks.deliver_message.apply_async", side_effect=BrokerDown("down")
    ):
        notify(users=[buyer], kind="deal_opened", deal=deal)
    assert mail.outbox == []
    assert sweep() == 1
    assert sweep() == 0
    assert [m.to[0] for m in mail.outbox] == [buyer.email]


def test_the_email_is_worded_when_delivered_in_the_language_then(deal: Deal, buyer: User) -> None:
    with mock.patch(
        "paylib.outbox.tasks.deliver_message.apply_async", side_effect=BrokerDown("down")
    ):
        notify(users=[buyer], kind="deal_opened", deal=deal)
    User.objects.filter(pk=buyer.pk).update(language="ru")
    sweep()
    assert mail.outbox[0].subject == f"Новая сделка №{deal.pk}"


@pytest.mark.parametrize(
    ("kind", "params", "problem"),
    [
        ("no_such_kind", {}, "Unknown"),
        ("ship_reminder", {}, "missing ['deadline']"),
        ("shipped", {"method": "CDEK", "colour": "red"}, "unknown ['colour']"),
        ("refunded", {"amount": "10.00"}, "kopecks"),
        ("cancelled", {"by": "the neighbour"}, "is not one of"),
        ("ship_reminder", {"deadline": "tomorrow"}, "isoformat"),
    ],
)
def test_a_wrong_call_fails_in_the_callers_transaction(
    deal: Deal, buyer: User, kind: str, params: dict[str, str], problem: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        notify(users=[buyer], kind=kind, deal=deal, **params)
    assert not Notification.objects.exists()
    assert not Message.objects.exists()


def test_a_deadline_may_be_given_as_a_datetime(
    deal: Deal, seller: User, make_user: Callable[..., User]
) -> None:
    deadline = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    notify(users=[seller], kind="ship_reminder", deal=deal, deadline=deadline)
    assert Notification.objects.get().params == {"deadline": "2026-12-07T09:30:00+00:00"}
    # 12:30 in Moscow, the site's time zone, in Russian.
    assert "7 декабря 2026, 12:30" in mail.outbox[0].body


def test_one_event_told_by_racing_callers_is_told_once(deal: Deal, buyer: User) -> None:
    from deals.tests.test_concurrency import race

    def tell(i: int) -> None:
        notify(users=[buyer], kind="shipped", deal=deal, key="deal-shipped", method="CDEK")

    assert race(6, tell) == []
    assert Notification.objects.count() == 1
    assert [m.to[0] for m in mail.outbox] == [buyer.email]
