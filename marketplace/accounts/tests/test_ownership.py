"""A bank account belongs to one marketplace user, and asking for its link is limited."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts import services
from accounts.models import SettlementAccount
from bank_client import BankRefused, BankUnavailable
from banking.limits import LimitReached
from banking.models import Attempt
from conftest import FakeBank, account_number, seed_reference_data
from paylib.errors import ApplicationError
from users.models import User

ELSEWHERE = "already linked to another user"


def linked(user: User, number: str) -> SettlementAccount:
    account = services.settlement_account_add(user=user, number=number)
    return services.settlement_account_confirm(account=account, code=FakeBank.CODE)


@pytest.mark.django_db
def test_an_account_linked_by_one_user_cannot_be_added_by_another(
    user: User, other_user: User, fake_bank: FakeBank
) -> None:
    number = account_number()
    linked(user, number)
    calls = len(fake_bank.calls)
    with pytest.raises(ApplicationError, match=ELSEWHERE) as refused:
        services.settlement_account_add(user=other_user, number=number)
    assert refused.value.field == "number"
    assert len(fake_bank.calls) == calls  # the owner gets no email
    assert not SettlementAccount.objects.filter(user=other_user).exists()


@pytest.mark.django_db
def test_of_two_pending_requests_both_confirmed_the_second_is_refused(
    user: User, other_user: User, fake_bank: FakeBank
) -> None:
    number = account_number()
    first = services.settlement_account_add(user=user, number=number)
    second = services.settlement_account_add(user=other_user, number=number)
    services.settlement_account_confirm(account=first, code=FakeBank.CODE)
    with pytest.raises(ApplicationError, match=ELSEWHERE):
        services.settlement_account_confirm(account=second, code=FakeBank.CODE)
    assert list(
        SettlementAccount.objects.filter(number=number, status="linked").values_list(
            "user_id", flat=True
        )
    ) == [user.pk]
    # Removing it later revokes the one link there is, and cuts off nobody else.
    services.settlement_account_remove(account=SettlementAccount.objects.get(pk=first.pk))


@pytest.mark.django_db
def test_the_database_refuses_a_second_linked_owner(user: User, other_user: User) -> None:
    number = account_number()
    SettlementAccount.objects.create(user=user, number=number, status="linked")
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementAccount.objects.create(user=other_user, number=number, status="linked")


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_two_confirmations_racing_link_the_account_once(
    make_user: Callable[..., User], fake_bank: FakeBank
) -> None:
    seed_reference_data()
    number = account_number()
    users = [make_user() for _ in range(4)]
    pending = [services.settlement_account_add(user=u, number=number) for u in users]
    barrier = threading.Barrier(len(pending))
    errors: list[BaseException] = []

    def confirm(account: SettlementAccount) -> None:
        try:
            barrier.wait()
            services.settlement_account_confirm(account=account, code=FakeBank.CODE)
        except BaseException as error:  # collected, then asserted on
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(a,)) for a in pending]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert SettlementAccount.objects.filter(number=number, status="linked").count() == 1
    assert len(errors) == 3
    assert all(isinstance(e, ApplicationError) and ELSEWHERE in e.message for e in errors)


@pytest.mark.django_db
def test_link_emails_are_limited_per_user(user: User, fake_bank: FakeBank, settings: Any) -> None:
    settings.LINK_EMAILS_PER_USER = 3
    victim = account_number()
    account = services.settlement_account_add(user=user, number=victim)
    services.settlement_account_resend(account=account)
    services.settlement_account_add(user=user, number=victim)  # a new attempt, a new email
    calls = len(fake_bank.calls)
    with pytest.raises(LimitReached, match="each one emails the account's owner"):
        services.settlement_account_add(user=user, number=victim)
    with pytest.raises(LimitReached):
        services.settlement_account_resend(account=account)
    with pytest.raises(LimitReached):
        services.settlement_account_add(user=user, number=account_number())
    assert len(fake_bank.calls) == calls  # the owner was not emailed again


@pytest.mark.django_db
def test_requests_that_sent_no_email_are_not_counted(
    user: User, fake_bank: FakeBank, settings: Any
) -> None:
    settings.LINK_EMAILS_PER_USER = 1
    fake_bank.fail_next = BankRefused("account_not_available", "No.", status=422)
    with pytest.raises(ApplicationError):
        services.settlement_account_add(user=user, number=account_number())
    number = account_number()
    fake_bank.fail_next = BankUnavailable("Timed out.")
    with pytest.raises(ApplicationError, match="cannot be reached"):
        services.settlement_account_add(user=user, number=number)
    # The retry is the same request (same key): counted once, whatever the bank did.
    account = services.settlement_account_add(user=user, number=number)
    assert account.bank_operation_id
    assert Attempt.objects.filter(user=user, kind="link_email").count() == 1


@pytest.mark.django_db
def test_the_window_of_link_emails_slides(user: User, fake_bank: FakeBank, settings: Any) -> None:
    import time_machine

    settings.LINK_EMAILS_PER_USER = 1
    services.settlement_account_add(user=user, number=account_number())
    with pytest.raises(LimitReached):
        services.settlement_account_add(user=user, number=account_number())
    with time_machine.travel(timezone.now() + settings.LINK_EMAIL_WINDOW):
        assert services.settlement_account_add(user=user, number=account_number()).pk
