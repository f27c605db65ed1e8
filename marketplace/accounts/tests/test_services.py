from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts import services
from accounts.models import SettlementAccount
from bank_client import BankRefused, BankUnavailable
from conftest import FakeBank, account_number, db_snapshot, number_with_a_typo
from paylib.errors import ApplicationError
from paylib.errors import ApplicationError as BankRefusal
from users.models import User

pytestmark = pytest.mark.django_db


def add(user: User, number: str | None = None) -> SettlementAccount:
    return services.settlement_account_add(user=user, number=number or account_number())


def test_adding_an_account_asks_the_bank_for_a_code(user: User, fake_bank: FakeBank) -> None:
    number = account_number()
    account = services.settlement_account_add(user=user, number=f" {number[:10]} {number[10:]} ")
    assert (account.number, account.status) == (number, "pending")
    assert account.bank_operation_id == "op-1"
    assert account.code_expires_at is not None
    assert fake_bank.calls == [
        ("link_request", {"account_number": number, "key": account.idempotency_key})
    ]


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("4081781000000000000", "wrong_length"),
        ("4081781000000000000x", "not_digits"),
        ("typo", "bad_control_key"),
    ],
)
def test_malformed_numbers_never_reach_the_bank(
    user: User, fake_bank: FakeBank, number: str, code: str
) -> None:
    number = number_with_a_typo() if number == "typo" else number
    with pytest.raises(ApplicationError) as caught:
        services.settlement_account_add(user=user, number=number)
    assert caught.value.code == code
    assert fake_bank.calls == []
    assert not SettlementAccount.objects.exists()


def test_a_refusal_by_the_bank_leaves_nothing_behind(user: User, fake_bank: FakeBank) -> None:
    fake_bank.fail_next = BankRefused("account_not_available", "No such account.", status=422)
    before = db_snapshot()
    with pytest.raises(BankRefusal, match="cannot link"):
        add(user)
    assert db_snapshot() == before


def test_after_a_timeout_the_retry_reuses_the_idempotency_key(
    user: User, fake_bank: FakeBank
) -> None:
    number = account_number()
    fake_bank.fail_next = BankUnavailable("Timed out.")
    with pytest.raises(BankRefusal, match="cannot be reached"):
        add(user, number)
    pending = SettlementAccount.objects.get()
    account = add(user, number)
    assert account.pk == pending.pk
    keys = [kwargs["key"] for name, kwargs in fake_bank.calls]
    assert keys == [pending.idempotency_key, pending.idempotency_key]


def test_the_right_code_links_the_first_account_as_default(user: User, fake_bank: FakeBank) -> None:
    account = services.settlement_account_confirm(account=add(user), code=FakeBank.CODE)
    assert (account.status, account.is_default_payout) == ("linked", True)
    second = services.settlement_account_confirm(account=add(user), code=FakeBank.CODE)
    assert (second.status, second.is_default_payout) == ("linked", False)


def test_a_wrong_code_says_how_many_attempts_are_left(user: User, fake_bank: FakeBank) -> None:
    account = add(user)
    with pytest.raises(BankRefusal, match="2 attempts left"):
        services.settlement_account_confirm(account=account, code="000000")
    with pytest.raises(BankRefusal, match="1 attempt left"):
        services.settlement_account_confirm(account=account, code="000000")
    with pytest.raises(BankRefusal, match="Too many wrong codes"):
        services.settlement_account_confirm(account=account, code="000000")
    account.refresh_from_db()
    assert account.status == "pending"


def test_a_lost_confirmation_answer_is_recovered(user: User, fake_bank: FakeBank) -> None:
    account = add(user)
    fake_bank.confirm_answer_lost = True
    with pytest.raises(BankRefusal):
        services.settlement_account_confirm(account=account, code=FakeBank.CODE)
    fake_bank.confirm_answer_lost = False
    account = services.settlement_account_confirm(account=account, code=FakeBank.CODE)
    assert account.status == "linked"
    assert fake_bank.call_names()[-1] == "operation_get"


def test_adding_again_after_a_blocked_code_starts_a_new_operation(
    user: User, fake_bank: FakeBank
) -> None:
    number = account_number()
    first = add(user, number)
    key = first.idempotency_key
    second = add(user, number)
    assert second.pk == first.pk
    assert second.idempotency_key != key
    assert second.bank_operation_id == "op-2"


def test_an_account_already_linked_cannot_be_added_twice(user: User, fake_bank: FakeBank) -> None:
    account = services.settlement_account_confirm(account=add(user), code=FakeBank.CODE)
    with pytest.raises(ApplicationError, match="already linked"):
        add(user, account.number)


def test_resend_asks_the_bank_for_a_new_code(user: User, fake_bank: FakeBank) -> None:
    account = add(user)
    services.settlement_account_resend(account=account)
    assert fake_bank.call_names() == ["link_request", "operation_resend"]


def test_choosing_the_default_payout_account(
    user: User, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    first = make_linked_account(user)
    second = make_linked_account(user, default=False)
    services.settlement_account_set_default(account=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default_payout, second.is_default_payout) == (False, True)


def test_a_pending_account_cannot_be_the_default(user: User, fake_bank: FakeBank) -> None:
    with pytest.raises(ApplicationError):
        services.settlement_account_set_default(account=add(user))


def test_removing_revokes_the_link_and_passes_the_default_on(
    user: User, fake_bank: FakeBank
) -> None:
    first = services.settlement_account_confirm(account=add(user), code=FakeBank.CODE)
    second = services.settlement_account_confirm(account=add(user), code=FakeBank.CODE)
    services.settlement_account_remove(account=first)
    assert ("link_revoke", {"account_number": first.number}) in fake_bank.calls
    assert list(SettlementAccount.objects.values_list("pk", "is_default_payout")) == [
        (second.pk, True)
    ]


def test_removing_when_the_bank_is_down_keeps_the_account(
    user: User, make_linked_account: Callable[..., SettlementAccount], fake_bank: FakeBank
) -> None:
    account = make_linked_account(user)
    fake_bank.linked.add(account.number)
    fake_bank.fail_next = BankUnavailable("Down.")
    with pytest.raises(BankRefusal):
        services.settlement_account_remove(account=account)
    assert SettlementAccount.objects.filter(pk=account.pk).exists()


def test_an_unconfigured_bank_client_reads_as_unavailable(user: User) -> None:
    with pytest.raises(BankRefusal, match="cannot be reached"):
        add(user)  # no fake: BANK_API_CLIENT_ID is empty in the test settings
    assert SettlementAccount.objects.count() == 1  # pending, ready for a retry


def test_a_sellers_last_account_stays_while_his_offers_are_active(
    user: User,
    fake_bank: FakeBank,
    make_linked_account: Callable[..., SettlementAccount],
    make_offer: Callable[..., object],
) -> None:
    account = make_linked_account(user)
    offer = make_offer(user)
    before = db_snapshot()
    with pytest.raises(ApplicationError, match="active offers"):
        services.settlement_account_remove(account=account)
    assert db_snapshot() == before
    assert fake_bank.calls == []
    second = make_linked_account(user, default=False)
    services.settlement_account_remove(account=account)  # another one remains
    second.refresh_from_db()
    assert second.is_default_payout
    assert offer is not None
