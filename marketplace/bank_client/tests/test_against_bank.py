"""The client against the real bank: a server process, its own PostgreSQL database and an
SMTP inbox that receives the codes the bank emails to its customers."""

from __future__ import annotations

import time
import uuid

import pytest

from bank_client import (
    BankClient,
    BankError,
    BankRefused,
    BankUnavailable,
    OperationInfo,
    Payee,
    new_idempotency_key,
)

from .conftest import LiveBank, link
from .live_bank import BankServer, Customer, Inbox, ledger_balance

pytestmark = pytest.mark.integration


def request_payment(
    client: BankClient, payer: Customer, payees: list[Payee], key: str | None = None
) -> OperationInfo:
    return client.payment_request(
        payer_account=payer.account,
        payees=payees,
        amount=sum(p.amount for p in payees),
        description="Deal 42: a bicycle",
        idempotency_key=key or new_idempotency_key("deal-42"),
    )


def execute(
    client: BankClient, operation: OperationInfo, key: str, payer: Customer, payees: list[Payee]
) -> OperationInfo:
    return client.operation_execute(
        operation_id=operation.id,
        key=key,
        payer_account=payer.account,
        payees=payees,
        amount=operation.amount,
    )


def test_a_linked_account_shows_its_balance(
    client: BankClient, inbox: Inbox, bank: LiveBank
) -> None:
    customer = bank.customers["linker"]
    sent = inbox.count(customer.email)
    requested = client.link_request(
        account_number=customer.account, idempotency_key=new_idempotency_key("link")
    )
    assert (requested.kind, requested.status, requested.amount) == ("link", "awaiting_code", 0)
    assert requested.code_expires_at is not None
    assert requested.attempts_left == 5

    linked = client.link_confirm(
        operation_id=requested.id, code=inbox.code(customer.email, after=sent)
    )

    assert (linked.id, linked.status, linked.is_final) == (requested.id, "done", True)
    assert linked.finished_at is not None
    balance = client.balance(account_number=customer.account)
    assert (balance.account, balance.available, balance.currency) == (
        customer.account,
        500_00,
        "RUB",
    )


def test_the_balance_of_an_unlinked_account_is_refused(client: BankClient, bank: LiveBank) -> None:
    with pytest.raises(BankRefused) as caught:
        client.balance(account_number=bank.customers["stranger"].account)
    assert (caught.value.code, caught.value.status) == ("account_not_available", 422)


def test_a_revoked_link_hides_the_balance_again(
    client: BankClient, inbox: Inbox, bank: LiveBank
) -> None:
    customer = bank.customers["revoker"]
    link(client, inbox, customer)
    assert client.balance(account_number=customer.account).available == 1_00

    client.link_revoke(account_number=customer.account)

    with pytest.raises(BankRefused) as caught:
        client.balance(account_number=customer.account)
    assert caught.value.code == "account_not_available"


def test_a_confirmed_payment_moves_exactly_its_amount_once(
    client: BankClient, inbox: Inbox, payer: Customer, payees: list[Payee]
) -> None:
    accounts = [payer.account, *(p.account for p in payees)]
    before = [ledger_balance(number) for number in accounts]
    sent = inbox.count(payer.email)
    key = new_idempotency_key("deal-42")

    requested = request_payment(client, payer, payees, key)
    assert (requested.kind, requested.status, requested.amount) == (
        "payment",
        "awaiting_code",
        1500_50,
    )
    assert requested.payees == tuple(payees)
    assert request_payment(client, payer, payees, key).id == requested.id  # a retry: no new one
    confirmation = client.operation_confirm(
        operation_id=requested.id, code=inbox.code(payer.email, after=sent)
    )
    assert inbox.count(payer.email) == sent + 1
    assert confirmation.key is not None
    assert confirmation.operation.status == "confirmed"
    assert [ledger_balance(number) for number in accounts] == before  # nothing moved yet

    done = execute(client, requested, confirmation.key, payer, payees)
    assert (done.status, done.failure_reason) == ("done", "")
    assert done.finished_at is not None
    expected = [before[0] - 1500_50, before[1] + 1250_00, before[2] + 250_50]
    assert [ledger_balance(number) for number in accounts] == expected
    assert client.balance(account_number=payer.account).available == expected[0]

    repeat = execute(client, requested, confirmation.key, payer, payees)  # a task's retry
    assert repeat.status == "done"
    assert [ledger_balance(number) for number in accounts] == expected
    assert client.operation_get(operation_id=requested.id) == done


def test_a_wrong_code_is_refused_with_the_attempts_left(
    client: BankClient, inbox: Inbox, payer: Customer, payees: list[Payee]
) -> None:
    sent = inbox.count(payer.email)
    operation = request_payment(client, payer, payees)
    code = inbox.code(payer.email, after=sent)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    with pytest.raises(BankRefused) as caught:
        client.operation_confirm(operation_id=operation.id, code=wrong)

    refusal = caught.value
    assert (refusal.code, refusal.status, refusal.field) == ("invalid_code", 422, "code")
    assert refusal.attempts_left == 4
    assert client.operation_get(operation_id=operation.id).attempts_left == 4
    assert client.operation_confirm(operation_id=operation.id, code=code).key


def test_a_wrong_key_cannot_execute_a_payment(
    client: BankClient, inbox: Inbox, payer: Customer, payees: list[Payee]
) -> None:
    sent = inbox.count(payer.email)
    operation = request_payment(client, payer, payees)
    client.operation_confirm(operation_id=operation.id, code=inbox.code(payer.email, after=sent))
    before = ledger_balance(payer.account)

    with pytest.raises(BankRefused) as caught:
        execute(client, operation, "not-the-key", payer, payees)

    assert (caught.value.code, caught.value.status) == ("invalid_key", 403)
    assert ledger_balance(payer.account) == before
    assert client.operation_get(operation_id=operation.id).status == "confirmed"


def test_a_new_code_replaces_the_old_one_after_a_pause(
    client: BankClient, inbox: Inbox, payer: Customer, payees: list[Payee]
) -> None:
    sent = inbox.count(payer.email)
    operation = request_payment(client, payer, payees)
    first_code = inbox.code(payer.email, after=sent)

    with pytest.raises(BankRefused) as caught:
        client.operation_resend(operation_id=operation.id)
    assert (caught.value.code, caught.value.status) == ("resend_too_soon", 429)
    assert caught.value.retry_after is not None
    time.sleep(caught.value.retry_after)

    resent = client.operation_resend(operation_id=operation.id)
    second_code = inbox.code(payer.email, after=sent + 1)

    assert resent.code_sends == 2
    if first_code != second_code:
        with pytest.raises(BankRefused, match="invalid_code"):
            client.operation_confirm(operation_id=operation.id, code=first_code)
    assert client.operation_confirm(operation_id=operation.id, code=second_code).key


def test_a_confirm_retried_with_its_key_gets_the_same_operation_key(
    client: BankClient, inbox: Inbox, payer: Customer, payees: list[Payee]
) -> None:
    """A confirm whose answer was lost (a timeout) is retried, not abandoned."""
    sent = inbox.count(payer.email)
    operation = request_payment(client, payer, payees)
    code = inbox.code(payer.email, after=sent)
    key = new_idempotency_key("deal-42.confirm")
    lost = client.operation_confirm(operation_id=operation.id, code=code, idempotency_key=key)
    retried = client.operation_confirm(operation_id=operation.id, code=code, idempotency_key=key)
    assert lost.key is not None
    assert retried == lost
    before = ledger_balance(payer.account)
    assert execute(client, operation, str(retried.key), payer, payees).status == "done"
    assert ledger_balance(payer.account) == before - operation.amount


def test_a_replayed_wrong_code_is_the_same_refusal_and_costs_no_attempt(
    client: BankClient, inbox: Inbox, payer: Customer, payees: list[Payee]
) -> None:
    sent = inbox.count(payer.email)
    operation = request_payment(client, payer, payees)
    wrong = f"{(int(inbox.code(payer.email, after=sent)) + 1) % 1_000_000:06d}"
    key = new_idempotency_key("deal-42.confirm")
    refusals = []
    for _ in range(3):
        with pytest.raises(BankRefused) as caught:
            client.operation_confirm(operation_id=operation.id, code=wrong, idempotency_key=key)
        refusals.append((caught.value.code, caught.value.status, caught.value.attempts_left))
    assert refusals == [("invalid_code", 422, 4)] * 3
    assert client.operation_get(operation_id=operation.id).attempts_left == 4


def test_a_second_confirm_under_a_new_key_finds_the_code_used(
    client: BankClient, inbox: Inbox, payer: Customer, payees: list[Payee]
) -> None:
    """A new key is a new attempt: the code has been used, and the lost key is withdrawn by a
    resend only while the operation awaits a code, so nothing can move money but the key."""
    sent = inbox.count(payer.email)
    operation = request_payment(client, payer, payees)
    code = inbox.code(payer.email, after=sent)
    assert client.operation_confirm(operation_id=operation.id, code=code).key is not None

    with pytest.raises(BankRefused) as caught:
        client.operation_confirm(operation_id=operation.id, code=code)
    assert (caught.value.code, caught.value.status) == ("wrong_state", 409)
    assert client.operation_get(operation_id=operation.id).status == "confirmed"

    time.sleep(2)  # CONFIRMATION_CODE_RESEND_INTERVAL in the bank's environment
    with pytest.raises(BankRefused) as refused:
        client.operation_resend(operation_id=operation.id)
    assert (refused.value.code, refused.value.status) == ("wrong_state", 409)


def test_a_repeated_execute_under_its_key_answers_the_first_answer(
    client: BankClient, inbox: Inbox, payer: Customer, payees: list[Payee]
) -> None:
    sent = inbox.count(payer.email)
    operation = request_payment(client, payer, payees)
    confirmation = client.operation_confirm(
        operation_id=operation.id, code=inbox.code(payer.email, after=sent)
    )
    key = new_idempotency_key("payment-7.execute")
    answers = [
        client.operation_execute(
            operation_id=operation.id,
            key=str(confirmation.key),
            payer_account=payer.account,
            payees=payees,
            amount=operation.amount,
            idempotency_key=key,
        )
        for _ in range(3)
    ]
    assert answers[0].status == "done"
    assert answers == [answers[0]] * 3


def test_an_idempotency_key_reused_with_other_data_is_refused(
    client: BankClient, payer: Customer, payees: list[Payee]
) -> None:
    key = new_idempotency_key("deal-43")
    request_payment(client, payer, payees, key)
    with pytest.raises(BankRefused) as caught:
        request_payment(client, payer, payees[:1], key)
    assert (caught.value.code, caught.value.status) == ("idempotency_conflict", 409)
    assert caught.value.field == "idempotency_key"


def test_amounts_that_do_not_add_up_are_a_validation_error(
    client: BankClient, payer: Customer, payees: list[Payee]
) -> None:
    with pytest.raises(BankRefused) as caught:
        client.payment_request(
            payer_account=payer.account,
            payees=payees,
            amount=1_00,
            description="Deal 44",
            idempotency_key=new_idempotency_key("deal-44"),
        )
    assert (caught.value.code, caught.value.status) == ("validation_error", 400)
    assert set(caught.value.fields) == {"amount"}


def test_a_malformed_account_number_in_the_url_is_a_validation_error(
    client: BankClient,
) -> None:
    with pytest.raises(BankRefused) as caught:
        client.balance(account_number="12345")
    assert (caught.value.code, caught.value.status) == ("validation_error", 400)
    assert caught.value.fields  # a bare message from the bank, kept as non_field_errors


def test_an_unknown_operation_is_not_found(client: BankClient) -> None:
    with pytest.raises(BankRefused) as caught:
        client.operation_get(operation_id=str(uuid.uuid4()))
    assert (caught.value.code, caught.value.status) == ("not_found", 404)


def test_an_operation_id_that_is_not_a_uuid_is_not_found(client: BankClient) -> None:
    with pytest.raises(BankRefused) as caught:
        client.operation_get(operation_id="not-a-uuid")
    assert (caught.value.code, caught.value.status) == ("not_found", 404)


@pytest.mark.parametrize("operation_id", ["a:b", "x(1)!", "a+b,c", "{x}", "é"])
def test_an_escaped_path_is_signed_as_sent_and_is_not_found(
    client: BankClient, operation_id: str
) -> None:
    """The client escapes every reserved character of a path part; the bank verifies the
    signature over the same canonical path (it was a 401: it re-escaped the path its way)."""
    with pytest.raises(BankRefused) as caught:
        client.operation_get(operation_id=operation_id)
    assert (caught.value.code, caught.value.status) == ("not_found", 404)


def test_a_wrong_secret_is_an_auth_failure_not_a_refusal(bank: LiveBank) -> None:
    impostor = BankClient(bank.url, bank.client_id, "0" * 64)
    with impostor, pytest.raises(BankError) as caught:
        impostor.balance(account_number=bank.customers["payer"].account)
    assert type(caught.value) is BankError
    assert (caught.value.code, caught.value.status) == ("bank_auth_failed", 401)
    assert caught.value.extra == {"bank_code": "authentication_failed"}


def test_a_stopped_bank_is_unavailable(
    bank: LiveBank, payer: Customer, payees: list[Payee]
) -> None:
    second = BankServer(env=bank.env, log_path=bank.server.log_path.with_name("second.log"))
    second.start()
    try:
        client = BankClient(second.url, bank.client_id, bank.secret, timeout=5)
        with client:
            assert client.balance(account_number=payer.account).currency == "RUB"
            second.stop()
            with pytest.raises(BankUnavailable) as read:
                client.balance(account_number=payer.account)
            with pytest.raises(BankUnavailable) as write:
                request_payment(client, payer, payees)
    finally:
        second.stop()
    assert read.value.code == write.value.code == "bank_unavailable"
    assert read.value.status == write.value.status == 0
