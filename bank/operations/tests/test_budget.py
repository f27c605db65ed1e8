"""Wrong codes add up per payer account over every path, and past the budget the bank
neither sends nor checks codes for the account; code emails nobody used are limited too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django.fixtures import Settings

from api.models import ApiClient
from api.services import api_client_create
from conftest import SignedClient, keyed
from ledger.models import Account
from operations.models import AccountLink, CodeBudget, CodeEvent, Operation
from paylib.outbox.models import Message

from .helpers import confirm, last_code, payment_body, wrong

pytestmark = pytest.mark.django_db

BUDGET = 20


def allow_resend(op: str) -> None:
    """Move the last code's send time back past the resend interval."""
    Operation.objects.filter(public_id=op).update(
        code_sent_at=timezone.now() - timedelta(minutes=1)
    )


class Attacker:
    """Guesses codes for one account through the API, opening operations as needed."""

    def __init__(self, api: SignedClient, accounts: dict[str, Account]) -> None:
        self.api = api
        self.accounts = accounts
        self.keys = (f"attempt-{n:05d}" for n in range(10_000))

    def payment(self) -> Any:
        return self.api.post(
            "/api/v1/payments/", payment_body(self.accounts, idempotency_key=next(self.keys))
        )

    def link(self) -> Any:
        number = self.accounts["payer"].number
        return self.api.post(
            "/api/v1/links/", {"account": number, "idempotency_key": next(self.keys)}
        )

    def resend(self, op: str) -> Any:
        allow_resend(op)
        return self.api.post(f"/api/v1/operations/{op}/resend/", keyed())

    def guess(self, op: str, times: int) -> list[str]:
        """``times`` wrong codes; the error code of each answer."""
        code = last_code(self.accounts["payer"].customer.email)  # type: ignore[union-attr]
        return [confirm(self.api, op, wrong(code)).json()["error"]["code"] for _ in range(times)]


@pytest.fixture
def attacker(api: SignedClient, accounts: dict[str, Account]) -> Attacker:
    return Attacker(api, accounts)


def wrong_codes_recorded(account: Account) -> int:
    return CodeEvent.objects.filter(account=account, kind=CodeEvent.Kind.WRONG).count()


def cycle(attacker: Attacker, path: str) -> Iterator[str]:
    """Operations to guess on, four wrong codes each, the way ``path`` gets fresh codes."""
    if path == "resend":
        op = attacker.payment().json()["id"]
        yield op
        while True:
            assert attacker.resend(op).status_code == 200
            yield op
    while True:
        response = attacker.link() if path == "link" else attacker.payment()
        assert response.status_code == 201, response.content
        yield response.json()["id"]


@pytest.mark.parametrize("path", ["link", "payment", "resend"])
def test_wrong_codes_add_up_per_account_whichever_way_new_codes_are_had(
    attacker: Attacker, accounts: dict[str, Account], path: str
) -> None:
    ops = cycle(attacker, path)
    answers: list[str] = []
    for _ in range(BUDGET // 4):
        answers += attacker.guess(next(ops), 4)
    assert answers == ["invalid_code"] * BUDGET
    assert wrong_codes_recorded(accounts["payer"]) == BUDGET
    op = Operation.objects.filter(status="awaiting_code").order_by("-id").first()
    assert op is not None
    # The 21st guess is not checked at all, not even a right code.
    right = last_code()
    refused = confirm(attacker.api, str(op.public_id), right)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "account_codes_blocked"
    assert wrong_codes_recorded(accounts["payer"]) == BUDGET
    op.refresh_from_db()
    assert op.status == "awaiting_code"
    assert op.key_hash is None


@pytest.mark.smoke
def test_at_most_20_wrong_guesses_per_account_per_day_across_all_paths(
    attacker: Attacker, accounts: dict[str, Account]
) -> None:
    """The figure: links and payments, resends and new operations together give 20."""
    first = attacker.payment().json()["id"]
    answers = attacker.guess(first, 4)
    attacker.resend(first)
    answers += attacker.guess(first, 4)
    second = attacker.payment().json()["id"]
    answers += attacker.guess(second, 4)
    link = attacker.link().json()["id"]
    answers += attacker.guess(link, 4)
    attacker.resend(link)
    answers += attacker.guess(link, 4)
    assert answers == ["invalid_code"] * 20
    assert attacker.guess(second, 1) == ["account_codes_blocked"]
    assert wrong_codes_recorded(accounts["payer"]) == 20


def test_past_the_budget_no_new_code_is_sent_and_nothing_is_written(
    attacker: Attacker, accounts: dict[str, Account]
) -> None:
    ops = cycle(attacker, "payment")
    for _ in range(BUDGET // 4):
        attacker.guess(next(ops), 4)
    last_op = Operation.objects.order_by("-id").first()
    assert last_op is not None
    mails, operations, messages = len(mail.outbox), Operation.objects.count(), Message.objects
    code_emails = messages.filter(kind="operations.code_email").count()
    refusals = [attacker.payment(), attacker.link(), attacker.resend(str(last_op.public_id))]
    assert [r.status_code for r in refusals] == [429, 429, 429]
    assert {r.json()["error"]["code"] for r in refusals} == {"account_codes_blocked"}
    assert Operation.objects.count() == operations
    assert messages.filter(kind="operations.code_email").count() == code_emails
    # No code email; only the one telling the owner (already sent with the 20th).
    assert len(mail.outbox) == mails
    assert Operation.objects.get(pk=last_op.pk).code_sends == last_op.code_sends


def test_the_window_slides_and_old_wrong_codes_stop_counting(
    attacker: Attacker, accounts: dict[str, Account]
) -> None:
    ops = cycle(attacker, "payment")
    for _ in range(BUDGET // 4):
        attacker.guess(next(ops), 4)
    assert attacker.payment().status_code == 429
    CodeEvent.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    op = attacker.payment()
    assert op.status_code == 201
    assert attacker.guess(op.json()["id"], 1) == ["invalid_code"]


def test_the_owner_is_emailed_once_in_his_language(
    attacker: Attacker, accounts: dict[str, Account]
) -> None:
    customer = accounts["payer"].customer
    assert customer is not None
    customer.language = "ru"
    customer.save(update_fields=["language"])
    ops = cycle(attacker, "payment")
    for _ in range(BUDGET // 4):
        op = next(ops)
        attacker.guess(op, 4)
    for _ in range(3):  # more tries: refused, and no more letters
        assert attacker.payment().status_code == 429
        assert attacker.guess(op, 1) == ["account_codes_blocked"]
    told = [m for m in mail.outbox if m.subject == "Кто-то вводил неверные коды для вашего счёта"]
    assert len(told) == 1, [m.subject for m in mail.outbox]
    email = told[0]
    assert email.to == [customer.email]
    assert "20 неверных кодов подтверждения" in email.body
    assert accounts["payer"].number in email.body
    assert "http://127.0.0.1:8001/ru/" in email.body
    assert "<html" in str(email.alternatives[0][0])  # type: ignore[attr-defined]
    assert Message.objects.filter(kind="operations.codes_blocked_email").count() == 1


def test_the_owner_is_told_again_of_a_new_block_after_lifting_the_last(
    attacker: Attacker, accounts: dict[str, Account]
) -> None:
    from operations.budget import account_codes_unblock

    for _round in range(2):
        ops = cycle(attacker, "payment")
        for _ in range(BUDGET // 4):
            attacker.guess(next(ops), 4)
        assert account_codes_unblock(account=accounts["payer"])
        Operation.objects.filter(status="awaiting_code").update(status="failed")
    assert Message.objects.filter(kind="operations.codes_blocked_email").count() == 2


def client_over_budget(
    api: SignedClient,
    platform: tuple[ApiClient, str],
    make_account: Callable[..., Account],
    settings: Settings,
) -> Account:
    """Spend the client's budget (6 here) with wrong codes on two accounts; the payee."""
    settings.CONFIRMATION_WRONG_CODES_PER_CLIENT = 6
    payee = make_account()
    for n in range(2):
        payer = make_account(balance=1000_00, link_to=platform[0])
        op = open_payment(api, payer, payee, key=f"spender-{n:04d}")
        code = last_code(payer.customer.email)  # type: ignore[union-attr]
        answers = [confirm(api, op, wrong(code)).json()["error"]["code"] for _ in range(3)]
        assert answers == ["invalid_code"] * 3
    return payee


def open_payment(api: SignedClient, payer: Account, payee: Account, key: str) -> str:
    accounts = {"payer": payer, "seller": payee, "platform": payee}
    body = payment_body(accounts, idempotency_key=key, amount="1.00")
    body["payees"] = [{"account": payee.number, "amount": "1.00"}]
    response = api.post("/api/v1/payments/", body)
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def test_past_the_client_budget_an_honest_buyer_still_confirms(
    api: SignedClient,
    platform: tuple[ApiClient, str],
    make_account: Callable[..., Account],
    settings: Settings,
) -> None:
    """One attacker spending the platform's budget does not lock its other buyers out."""
    payee = client_over_budget(api, platform, make_account, settings)
    buyer = make_account(balance=1000_00, link_to=platform[0])
    op = open_payment(api, buyer, payee, key="honest-0001")
    code = last_code(buyer.customer.email)  # type: ignore[union-attr]
    # Even a slip of the finger is forgiven once or twice.
    assert confirm(api, op, wrong(code)).json()["error"]["code"] == "invalid_code"
    confirmed = confirm(api, op, code)
    assert confirmed.status_code == 200, confirmed.content
    assert Operation.objects.get(public_id=op).status == "confirmed"


def test_past_the_client_budget_each_account_takes_only_a_few_wrong_codes(
    api: SignedClient,
    platform: tuple[ApiClient, str],
    make_account: Callable[..., Account],
    settings: Settings,
) -> None:
    payee = client_over_budget(api, platform, make_account, settings)
    fresh = make_account(balance=1000_00, link_to=platform[0])
    ops = [open_payment(api, fresh, payee, key=f"fresh-{n:04d}") for n in range(2)]
    code = last_code(fresh.customer.email)  # type: ignore[union-attr]
    answers = [confirm(api, ops[1], wrong(code)).json()["error"]["code"] for _ in range(3)]
    assert answers == ["invalid_code"] * 3
    # The fourth is not checked, not even a right code, on a new operation either.
    for op in ops[::-1]:
        throttled = confirm(api, op, code)
        assert throttled.status_code == 429
        assert throttled.json()["error"]["code"] == "client_codes_throttled"
        assert 3500 < throttled.json()["error"]["retry_after"] <= 3601
    assert wrong_codes_recorded(fresh) == 3
    assert Operation.objects.get(public_id=ops[1]).status == "awaiting_code"
    # Another platform is not held up by this one's guessing.
    other, secret = api_client_create(name="other platform")
    AccountLink.objects.create(client=other, account=fresh)
    other_api = SignedClient(other.client_id, secret)
    op = open_payment(other_api, fresh, payee, key="elsewhere-0001")
    assert confirm(other_api, op, last_code()).status_code == 200
    # An hour later the first client may try the account again.
    CodeEvent.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    assert confirm(api, ops[1], code).status_code == 200


def test_a_stranger_cannot_mail_an_account_without_end(
    api: SignedClient, make_account: Callable[..., Account]
) -> None:
    victim = make_account()
    for n in range(10):
        response = api.post(
            "/api/v1/links/", {"account": victim.number, "idempotency_key": f"spam-{n:05d}"}
        )
        assert response.status_code == 201
    assert len(code_emails()) == 10
    refused = api.post(
        "/api/v1/links/", {"account": victim.number, "idempotency_key": "spam-extra-1"}
    )
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "code_email_limit"
    assert 86_000 < refused.json()["error"]["retry_after"] <= 86_401
    assert len(code_emails()) == 10
    assert Operation.objects.count() == 10


LINK_NOTICE = "Someone asked to link your account repeatedly"


def code_emails() -> list[Any]:
    return [m for m in mail.outbox if m.subject != LINK_NOTICE]


def link_spam(api: SignedClient, account: Account, times: int, prefix: str) -> list[int]:
    return [
        api.post(
            "/api/v1/links/", {"account": account.number, "idempotency_key": f"{prefix}-{n:04d}"}
        ).status_code
        for n in range(times)
    ]


def test_payment_codes_nobody_used_do_not_count_nor_are_limited(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    """Payment codes come from a link the owner approved: a platform's buyer who opens and
    leaves many payments is not cut off, and link requests are still counted apart."""
    for n in range(12):
        response = api.post(
            "/api/v1/payments/",
            payment_body(accounts, idempotency_key=f"left-unpaid-{n:04d}", amount="1.00")
            | {"payees": [{"account": accounts["seller"].number, "amount": "1.00"}]},
        )
        assert response.status_code == 201, response.content
    assert len(mail.outbox) == 12
    assert link_spam(api, accounts["payer"], 11, "link") == [201] * 10 + [429]


def test_the_owner_is_told_once_a_window_that_someone_asks_to_link_his_account(
    api: SignedClient, make_account: Callable[..., Account]
) -> None:
    from operations.budget import account_codes_unblock

    victim = make_account()
    assert victim.customer is not None
    victim.customer.language = "ru"
    victim.customer.save(update_fields=["language"])
    assert link_spam(api, victim, 9, "spam") == [201] * 9
    assert Message.objects.filter(kind="operations.link_requests_limited_email").count() == 0
    assert link_spam(api, victim, 4, "more") == [201, 429, 429, 429]
    told = [
        m
        for m in mail.outbox
        if m.subject == "Кто-то раз за разом запрашивал привязку вашего счёта"
    ]
    assert len(told) == 1, [m.subject for m in mail.outbox]
    assert told[0].to == [victim.customer.email]
    assert "10 раз запросили привязку вашего счёта" in told[0].body
    assert victim.number in told[0].body
    assert "http://127.0.0.1:8001/ru/" in told[0].body
    assert "<html" in str(told[0].alternatives[0][0])  # type: ignore[attr-defined]
    # The owner lifts it; someone spams again: he is told of the new window once more.
    assert account_codes_unblock(account=victim)
    assert link_spam(api, victim, 11, "again") == [201] * 10 + [429]
    kind = "operations.link_requests_limited_email"
    assert Message.objects.filter(kind=kind).count() == 2


def test_codes_that_were_used_do_not_count_towards_the_email_limit(
    api: SignedClient, accounts: dict[str, Account]
) -> None:
    for n in range(12):
        response = api.post(
            "/api/v1/payments/",
            payment_body(accounts, idempotency_key=f"busy-buyer-{n:04d}", amount="1.00")
            | {"payees": [{"account": accounts["seller"].number, "amount": "1.00"}]},
        )
        assert response.status_code == 201, response.content
        assert confirm(api, response.json()["id"], last_code()).status_code == 200
    assert len(mail.outbox) == 12


def test_the_budget_row_is_made_once_per_account(
    attacker: Attacker, accounts: dict[str, Account]
) -> None:
    op = attacker.payment().json()["id"]
    attacker.guess(op, 2)
    attacker.link()
    assert CodeBudget.objects.filter(account=accounts["payer"]).count() == 1
