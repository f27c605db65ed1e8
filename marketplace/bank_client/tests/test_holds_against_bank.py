"""The hold calls against the real bank: a server process, its own PostgreSQL database and
an SMTP inbox that receives the codes, as the Safe deal will use them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from bank_client import BankClient, BankRefused, HoldInfo, Payee, new_idempotency_key

from .conftest import LiveBank, link
from .live_bank import Customer, Inbox, ledger_money

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def holder(client: BankClient, inbox: Inbox, bank: LiveBank) -> Customer:
    """A buyer with 2,000.00, his account linked to the platform."""
    customer = bank.customers["holder"]
    link(client, inbox, customer)
    return customer


@pytest.fixture(scope="session")
def hold_payees(bank: LiveBank) -> list[Payee]:
    return [
        Payee(bank.customers["seller"].account, 190_00),
        Payee(bank.customers["platform"].account, 10_00),
    ]


def place_hold(
    client: BankClient, inbox: Inbox, holder: Customer, payees: list[Payee], days: int = 14
) -> HoldInfo:
    """Request, the code from the buyer's mailbox, confirm, place: the hold."""
    sent = inbox.count(holder.email)
    amount = sum(p.amount for p in payees)
    requested = client.hold_request(
        payer_account=holder.account,
        payees=payees,
        amount=amount,
        description="Safe deal 7: a guitar",
        hold_until=datetime.now(UTC) + timedelta(days=days),
        idempotency_key=new_idempotency_key("deal-7.hold"),
    )
    assert (requested.kind, requested.status) == ("hold", "awaiting_code")
    confirmation = client.operation_confirm(
        operation_id=requested.id, code=inbox.code(holder.email, after=sent)
    )
    letter = inbox.to(holder.email)[-1]
    body = letter.get_body(preferencelist=("plain",))
    assert body is not None
    assert "held until the deal ends" in body.get_content()
    assert confirmation.key is not None
    return client.hold_place(
        operation_id=requested.id,
        key=confirmation.key,
        payer_account=holder.account,
        payees=payees,
        amount=amount,
    )


def test_a_hold_is_placed_by_the_buyers_code_and_captured_in_part_then_refunded(
    client: BankClient, inbox: Inbox, holder: Customer, hold_payees: list[Payee]
) -> None:
    seller, fee = (p.account for p in hold_payees)
    before = [ledger_money(n)[0] for n in (holder.account, seller, fee)]
    available = client.balance(account_number=holder.account).available

    hold = place_hold(client, inbox, holder, hold_payees)
    assert (hold.status, hold.amount, hold.is_final) == ("pending", 200_00, False)
    assert ledger_money(holder.account) == (before[0], 200_00)
    assert client.balance(account_number=holder.account).available == available - 200_00

    captured = client.hold_capture(hold_id=hold.id, amount=150_01)
    # 150.01 of 190 + 10: 142.5095 and 7.5005; the seller's larger remainder takes the kopeck.
    assert [p.captured for p in captured.payees] == [142_51, 7_50]
    assert (captured.status, captured.captured, captured.released) == ("captured", 150_01, 49_99)
    assert [ledger_money(n)[0] for n in (holder.account, seller, fee)] == [
        before[0] - 150_01,
        before[1] + 142_51,
        before[2] + 7_50,
    ]
    assert ledger_money(holder.account)[1] == 0

    key = new_idempotency_key("deal-7.refund")
    refund = client.hold_refund(hold_id=hold.id, amount=50_00, idempotency_key=key)
    again = client.hold_refund(hold_id=hold.id, amount=50_00, idempotency_key=key)
    assert again == refund  # a retry gives nothing back twice
    assert (refund.amount, refund.hold.refunded, refund.hold.refundable) == (50_00, 50_00, 100_01)
    assert ledger_money(holder.account)[0] == before[0] - 100_01
    assert client.hold_get(hold_id=hold.id) == refund.hold

    with pytest.raises(BankRefused) as caught:
        client.hold_refund(
            hold_id=hold.id, amount=100_02, idempotency_key=new_idempotency_key("deal-7.refund")
        )
    assert (caught.value.code, caught.value.status) == ("refund_exceeds_capture", 422)
    assert caught.value.extra == {"refundable": "100.01"}


def test_a_released_hold_cannot_be_captured_and_a_placed_hold_is_placed_once(
    client: BankClient, inbox: Inbox, holder: Customer, hold_payees: list[Payee]
) -> None:
    hold = place_hold(client, inbox, holder, hold_payees)
    released = client.hold_void(hold_id=hold.id)
    assert (released.status, released.released, released.is_final) == ("voided", 200_00, True)
    assert ledger_money(holder.account)[1] == 0
    with pytest.raises(BankRefused) as caught:
        client.hold_capture(hold_id=hold.id)
    assert (caught.value.code, caught.value.status) == ("already_voided", 409)
    with pytest.raises(BankRefused) as refused:
        client.hold_refund(hold_id=hold.id, amount=1_00, idempotency_key=new_idempotency_key("r"))
    assert refused.value.code == "not_captured"
    operation = client.operation_get(operation_id=str(hold.operation_id))
    assert (operation.kind, operation.status, operation.hold_id) == ("hold", "done", hold.id)
    assert operation.hold_until == hold.expires_at


def test_a_hold_beyond_the_available_balance_is_refused_before_any_code(
    client: BankClient, inbox: Inbox, holder: Customer, hold_payees: list[Payee]
) -> None:
    sent = inbox.count(holder.email)
    with pytest.raises(BankRefused) as caught:
        client.hold_request(
            payer_account=holder.account,
            payees=[Payee(hold_payees[0].account, 1_000_000_00)],
            amount=1_000_000_00,
            description="Safe deal 8",
            hold_until=datetime.now(UTC) + timedelta(days=1),
            idempotency_key=new_idempotency_key("deal-8.hold"),
        )
    assert (caught.value.code, caught.value.status) == ("insufficient_funds", 422)
    assert inbox.count(holder.email) == sent


def test_a_hold_of_more_than_sixty_days_is_a_validation_error(
    client: BankClient, holder: Customer, hold_payees: list[Payee]
) -> None:
    with pytest.raises(BankRefused) as caught:
        client.hold_request(
            payer_account=holder.account,
            payees=hold_payees,
            amount=200_00,
            description="Safe deal 9",
            hold_until=datetime.now(UTC) + timedelta(days=61),
            idempotency_key=new_idempotency_key("deal-9.hold"),
        )
    assert (caught.value.code, caught.value.status) == ("validation_error", 400)
    assert set(caught.value.fields) == {"hold_until"}


def test_an_unknown_hold_is_not_found(client: BankClient) -> None:
    with pytest.raises(BankRefused) as caught:
        client.hold_get(hold_id=str(uuid.uuid4()))
    assert (caught.value.code, caught.value.status) == ("hold_not_found", 404)
