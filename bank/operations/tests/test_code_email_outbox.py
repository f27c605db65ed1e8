"""A code email is recorded with the code it carries: a broker outage only delays it."""

from collections.abc import Callable
from unittest import mock

import pytest
from django.core import mail
from kombu.exceptions import OperationalError as BrokerDown

from api.models import ApiClient
from conftest import SignedClient, keyed
from ledger.models import Account
from operations.models import Operation
from operations.tests.helpers import last_code
from paylib.outbox.models import Message
from paylib.outbox.services import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def request_payment(api: SignedClient, payer: Account, payee: Account) -> dict[str, object]:
    response = api.post(
        "/api/v1/payments/",
        {
            "payer_account": payer.number,
            "amount": "5.00",
            "description": "Deal #1",
            "payees": [{"account": payee.number, "amount": "5.00"}],
            "idempotency_key": "outbox-test-0001",
        },
    )
    assert response.status_code == 201, response.json()
    return response.json()  # type: ignore[no-any-return]


def test_a_code_requested_while_the_broker_is_down_is_emailed_by_the_sweep(
    api: SignedClient, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> None:
    payer, payee = make_account(balance=10_00, link_to=platform[0]), make_account()
    with mock.patch(
        "paylib.outbox.tasks.deliver_message.apply_async", side_effect=BrokerDown("down")
    ):
        operation = request_payment(api, payer, payee)
    assert mail.outbox == []
    assert sweep() == 1
    code = last_code(payer.customer.email)  # type: ignore[union-attr]
    confirmed = api.post(f"/api/v1/operations/{operation['id']}/confirm/", keyed({"code": code}))
    assert confirmed.status_code == 200
    # Once sent, the sealed code is gone from the database.
    assert Message.objects.get().payload == {}


def test_a_failing_mail_server_is_retried_until_the_code_goes_out(
    api: SignedClient, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> None:
    payer, payee = make_account(balance=10_00, link_to=platform[0]), make_account()
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("no SMTP"),
    ):
        request_payment(api, payer, payee)
    message = Message.objects.get()
    assert message.is_pending
    assert message.attempts == 1
    Message.objects.filter(pk=message.pk).update(due_at=message.created_at)
    assert sweep() == 1
    assert len(mail.outbox) == 1
    assert Operation.objects.get().code_sends == 1


def test_a_superseded_code_is_not_emailed(
    api: SignedClient, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> None:
    payer, payee = make_account(balance=10_00, link_to=platform[0]), make_account()
    with mock.patch(
        "paylib.outbox.tasks.deliver_message.apply_async", side_effect=BrokerDown("down")
    ):
        request_payment(api, payer, payee)
    Operation.objects.update(code_sends=2)  # a newer code was issued meanwhile
    assert sweep() == 1
    assert mail.outbox == []
