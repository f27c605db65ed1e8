"""The whole confirmation-code flow through the API, as the platform drives it."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from api.models import ApiClient
from api.services import api_client_create
from conftest import SignedClient
from ledger.models import Account, Posting
from operations.codes import codes, hash_operation_key
from operations.models import AccountLink, Operation

from .helpers import balances, confirm, execute_body, last_code, payment_body, start, wrong

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_linking_an_account_by_emailed_code(
    api: SignedClient, make_account: Callable[..., Account], platform: tuple[ApiClient, str]
) -> None:
    account = make_account(balance=42_00)
    balance_url = f"/api/v1/accounts/{account.number}/balance/"
    assert api.get(balance_url).status_code == 422
    response = api.post(
        "/api/v1/links/", {"account": account.number, "idempotency_key": "link-0001"}
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "link"
    code = last_code(to=account.customer.email)  # type: ignore[union-attr]
    confirmed = confirm(api, response.json()["id"], code)
    assert confirmed.status_code == 200
    assert confirmed.json()["key"] is None
    assert AccountLink.objects.filter(client=platform[0], account=account).exists()
    assert api.get(balance_url).json() == {
        "account": account.number,
        "available": "42.00",
        "currency": "RUB",
    }


def test_right_code_gives_a_key_that_executes_the_payment_once(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    email = mail.outbox[-1]
    assert "250.00" in email.body
    assert accounts["seller"].number in email.body
    assert "<html" in str(email.alternatives[0][0])
    response = confirm(api, op, last_code())
    assert response.status_code == 200
    key = response.json()["key"]
    assert len(key) >= 43  # 256 bits, URL-safe base64
    stored = Operation.objects.get(public_id=op)
    assert stored.status == "confirmed"
    assert stored.key_hash == hash_operation_key(key) != key
    done = api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, key))
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert balances(accounts) == {"payer": 750_00, "seller": 237_50, "platform": 12_50}
    assert Operation.objects.get(public_id=op).code_hash is None
    again = api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, key))
    assert again.json()["status"] == "done"
    assert balances(accounts) == {"payer": 750_00, "seller": 237_50, "platform": 12_50}
    assert Posting.objects.filter(kind="payment").count() == 1


def test_wrong_code_counts_down_and_moves_nothing(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    response = confirm(api, op, wrong(last_code()))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_code"
    assert response.json()["error"]["attempts_left"] == 4
    assert Operation.objects.get(public_id=op).status == "awaiting_code"
    assert balances(accounts)["payer"] == 1000_00


def test_five_wrong_codes_block_the_operation(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    code = last_code()
    answers = [confirm(api, op, wrong(code)).json()["error"] for _ in range(5)]
    assert [a.get("attempts_left") for a in answers[:4]] == [4, 3, 2, 1]
    assert answers[4]["code"] == "operation_blocked"
    late = confirm(api, op, code)
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "operation_blocked"
    assert Operation.objects.get(public_id=op).status == "blocked"
    assert api.post(f"/api/v1/operations/{op}/resend/").status_code == 409


def test_expired_code_is_refused_until_a_new_one_is_sent(
    api: SignedClient, accounts: dict[str, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    op = start(api, accounts)
    code = last_code()
    later = timezone.now() + timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(codes, "_now", lambda: later)
    response = confirm(api, op, code)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "code_expired"
    monkeypatch.undo()
    Operation.objects.filter(public_id=op).update(
        code_sent_at=timezone.now() - timedelta(minutes=6)
    )
    assert api.post(f"/api/v1/operations/{op}/resend/").status_code == 200
    assert confirm(api, op, last_code()).status_code == 200


def test_a_used_code_does_not_work_twice(api: SignedClient, accounts: dict[str, Account]) -> None:
    op = start(api, accounts)
    code = last_code()
    assert confirm(api, op, code).status_code == 200
    reused = confirm(api, op, code)
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "wrong_state"


def test_resend_invalidates_the_old_code_and_is_rate_limited(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    old = last_code()
    Operation.objects.filter(public_id=op).update(
        code_sent_at=timezone.now() - timedelta(minutes=1)
    )
    assert api.post(f"/api/v1/operations/{op}/resend/").status_code == 200
    new = last_code()
    too_soon = api.post(f"/api/v1/operations/{op}/resend/")
    assert too_soon.status_code == 429
    assert too_soon.json()["error"]["retry_after"] > 0
    if old != new:
        assert confirm(api, op, old).json()["error"]["code"] == "invalid_code"
    assert confirm(api, op, new).status_code == 200


def test_same_idempotency_key_returns_the_same_operation_without_a_new_email(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    first = api.post("/api/v1/payments/", payment_body(accounts))
    second = api.post("/api/v1/payments/", payment_body(accounts))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "change",
    [
        {
            "amount": "260.00",
            "payees": [
                {"account": "SELLER", "amount": "247.50"},
                {"account": "PLATFORM", "amount": "12.50"},
            ],
        },
        {
            "payees": [
                {"account": "PLATFORM", "amount": "237.50"},
                {"account": "SELLER", "amount": "12.50"},
            ]
        },
    ],
    ids=["amount", "payee"],
)
def test_changed_amount_or_payee_after_the_code_was_issued_is_refused(
    api: SignedClient, accounts: dict[str, Account], change: dict[str, Any]
) -> None:
    def resolve(value: Any) -> Any:
        text = repr(value).replace("SELLER", accounts["seller"].number)
        return eval(text.replace("PLATFORM", accounts["platform"].number))  # noqa: S307

    change = resolve(change)
    op = start(api, accounts)
    # Re-using the request under the same idempotency key with other data: 409.
    conflict = api.post("/api/v1/payments/", payment_body(accounts, **change))
    assert conflict.status_code == 409
    key = confirm(api, op, last_code()).json()["key"]
    # Executing the confirmed operation with other data: 409, nothing moves.
    mismatch = api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, key, **change))
    assert mismatch.status_code == 409
    assert mismatch.json()["error"]["code"] == "data_mismatch"
    assert balances(accounts)["payer"] == 1000_00
    assert Operation.objects.get(public_id=op).status == "confirmed"


def test_code_stops_matching_if_the_stored_amount_is_altered(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    code = last_code()
    Operation.objects.filter(public_id=op).update(amount=1_00)
    assert confirm(api, op, code).json()["error"]["code"] == "invalid_code"


def test_wrong_key_is_refused(api: SignedClient, accounts: dict[str, Account]) -> None:
    op = start(api, accounts)
    confirm(api, op, last_code())
    response = api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, "x" * 43))
    assert response.status_code == 403
    assert balances(accounts)["payer"] == 1000_00


def test_insufficient_funds_at_execution_fail_the_operation_for_good(
    api: SignedClient,
    accounts: dict[str, Account],
    platform: tuple[ApiClient, str],
    make_account: Callable[..., Account],
) -> None:
    op = start(api, accounts)
    key = confirm(api, op, last_code()).json()["key"]
    # The money is spent elsewhere between the code and the execution.
    from ledger.services import Leg, posting_create

    posting_create(
        kind="payment",
        description="elsewhere",
        legs=[Leg(accounts["payer"].pk, -900_00), Leg(make_account().pk, 900_00)],
    )
    failed = api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, key))
    assert failed.status_code == 200
    assert failed.json()["status"] == "failed"
    assert failed.json()["failure_reason"] == "insufficient_funds"
    assert balances(accounts)["payer"] == 100_00
    again = api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, key))
    assert again.json()["status"] == "failed"
    assert api.post(f"/api/v1/operations/{op}/resend/").status_code == 409


def test_another_client_cannot_see_or_touch_the_operation(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    client, secret = api_client_create(name="someone else")
    other = SignedClient(client.client_id, secret)
    assert other.get(f"/api/v1/operations/{op}/").status_code == 404
    assert confirm(other, op, last_code()).status_code == 404
    assert other.get(f"/api/v1/accounts/{accounts['payer'].number}/balance/").status_code == 422


def test_code_email_speaks_the_customer_language(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    customer = accounts["payer"].customer
    customer.language = "ru"  # type: ignore[union-attr]
    customer.save()  # type: ignore[union-attr]
    start(api, accounts)
    assert "250,00" in mail.outbox[-1].body


def test_a_confirmed_payment_takes_no_new_code(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    key = confirm(api, op, last_code()).json()["key"]
    Operation.objects.filter(public_id=op).update(code_sent_at=timezone.now() - timedelta(hours=1))
    assert api.post(f"/api/v1/operations/{op}/resend/").status_code == 409
    done = api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, key))
    assert done.json()["status"] == "done"


def test_resend_limit_is_a_conflict_not_a_wait(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    Operation.objects.filter(public_id=op).update(
        code_sends=5, code_sent_at=timezone.now() - timedelta(hours=1)
    )
    response = api.post(f"/api/v1/operations/{op}/resend/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "resend_limit"


def test_a_confirmed_payment_left_too_long_expires(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    op = start(api, accounts)
    key = confirm(api, op, last_code()).json()["key"]
    Operation.objects.filter(public_id=op).update(confirmed_at=timezone.now() - timedelta(days=2))
    response = api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, key))
    assert (response.json()["status"], response.json()["failure_reason"]) == ("failed", "expired")
    assert balances(accounts)["payer"] == 1000_00


@pytest.mark.parametrize("blocked", ["payer", "seller"])
def test_a_blocked_account_at_execution_fails_the_payment(
    api: SignedClient, accounts: dict[str, Account], blocked: str
) -> None:
    op = start(api, accounts)
    key = confirm(api, op, last_code()).json()["key"]
    Account.objects.filter(pk=accounts[blocked].pk).update(status=Account.Status.BLOCKED)
    response = api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, key))
    assert response.json()["failure_reason"] == "account_blocked"
    assert balances(accounts) == {"payer": 1000_00, "seller": 0, "platform": 0}


def test_a_revoked_link_fails_the_payment(api: SignedClient, accounts: dict[str, Account]) -> None:
    op = start(api, accounts)
    key = confirm(api, op, last_code()).json()["key"]
    assert api.request("DELETE", f"/api/v1/links/{accounts['payer'].number}/").status_code == 204
    response = api.post(f"/api/v1/operations/{op}/execute/", execute_body(accounts, key))
    assert response.json()["failure_reason"] == "account_not_linked"


def test_unlinking_is_idempotent_and_works_for_a_blocked_account(
    api: SignedClient, accounts: dict[str, Account], platform: tuple[ApiClient, str]
) -> None:
    payer = accounts["payer"]
    Account.objects.filter(pk=payer.pk).update(status=Account.Status.BLOCKED)
    for _ in range(2):
        assert api.request("DELETE", f"/api/v1/links/{payer.number}/").status_code == 204
    assert not AccountLink.objects.filter(account=payer, revoked_at__isnull=True).exists()


def test_held_money_cannot_be_asked_for_by_a_payment(
    api: SignedClient, accounts: dict[str, Account], platform: tuple[ApiClient, str]
) -> None:
    from holds.services import Payee, hold_place

    hold_place(
        client=platform[0],
        account_id=accounts["payer"].pk,
        payees=[Payee(accounts["seller"].pk, 800_00)],
        description="held elsewhere",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    response = api.post("/api/v1/payments/", payment_body(accounts))  # 250.00 of 200.00
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "insufficient_funds"
    assert not Operation.objects.exists()
    assert mail.outbox == []
