"""A placed hold through the API: read, capture (all or part), release, expiry, refunds,
each refusal with its named error, and each write idempotent on its key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from api.models import ApiClient, IdempotentRequest
from api.services import api_client_create
from conftest import SignedClient
from holds.models import Hold, Refund
from ledger.models import Account, Posting
from ledger.services import Leg, posting_create

from .hold_helpers import capture, error_code, placed_hold, refund, void

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def money(*accounts: Account) -> list[tuple[int, int]]:
    """(balance, held) of each account, read anew."""
    return [Account.objects.values_list("balance", "held").get(pk=a.pk) for a in accounts]


@pytest.fixture
def hold(api: SignedClient, parties: dict[str, Account]) -> str:
    """1,000.00 held on the payer for the seller (950.00) and the platform (50.00)."""
    return placed_hold(api, parties)


def test_a_partial_capture_pays_in_the_confirmed_proportion_and_frees_the_rest(
    api: SignedClient, parties: dict[str, Account], hold: str
) -> None:
    response = capture(api, hold, "600.01")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["captured"], body["released"]) == ("captured", "600.01", "399.99")
    # 600.01 * 0.95 = 570.0095 and 600.01 * 0.05 = 30.0005: the seller's larger remainder
    # takes the odd kopeck; the two add up to the capture exactly.
    assert [p["captured"] for p in body["payees"]] == ["570.01", "30.00"]
    assert money(parties["payer"], parties["seller"], parties["platform"]) == [
        (399_99, 0),
        (570_01, 0),
        (30_00, 0),
    ]
    call_command("reconcile")


def test_a_capture_without_an_amount_takes_all_of_it(
    api: SignedClient, parties: dict[str, Account], hold: str
) -> None:
    body = capture(api, hold).json()
    assert (body["captured"], body["released"]) == ("1000.00", "0.00")
    assert money(parties["payer"], parties["seller"]) == [(0, 0), (950_00, 0)]


def test_a_capture_beyond_the_hold_is_refused_and_changes_nothing(
    api: SignedClient, parties: dict[str, Account], hold: str
) -> None:
    assert error_code(capture(api, hold, "1000.01")) == (422, "exceeds_hold_amount")
    assert error_code(capture(api, hold, "0", key="capture-2")) == (400, "validation_error")
    assert money(parties["payer"]) == [(1000_00, 1000_00)]
    assert Hold.objects.get().status == "pending"


def test_an_ended_hold_says_how_it_ended(
    api: SignedClient, parties: dict[str, Account], hold: str
) -> None:
    assert void(api, hold).json()["status"] == "voided"
    assert money(parties["payer"]) == [(1000_00, 0)]
    assert error_code(capture(api, hold, key="capture-2")) == (409, "already_voided")
    assert error_code(void(api, hold, key="void-0002")) == (409, "already_voided")
    other = placed_hold(api, parties, key="deal-10:hold")
    capture(api, other, "10.00", key="capture-3")
    assert error_code(void(api, other, key="void-0003")) == (409, "already_captured")
    assert error_code(capture(api, other, key="capture-4")) == (409, "already_captured")


def test_a_read_past_the_hold_time_marks_it_expired_and_nothing_can_capture_it(
    api: SignedClient, parties: dict[str, Account], hold: str
) -> None:
    Hold.objects.filter(public_id=hold).update(expires_at=timezone.now() - timedelta(seconds=1))
    read = api.get(f"/api/v1/holds/{hold}/")
    assert (read.status_code, read.json()["status"], read.json()["released"]) == (
        200,
        "expired",
        "1000.00",
    )
    assert money(parties["payer"]) == [(1000_00, 0)]
    assert error_code(capture(api, hold)) == (409, "hold_expired")
    assert error_code(void(api, hold)) == (409, "hold_expired")
    call_command("reconcile")


def test_refunds_give_back_in_the_captured_proportion_up_to_the_capture(
    api: SignedClient, parties: dict[str, Account], hold: str
) -> None:
    capture(api, hold, "800.00")  # seller 760.00, platform 40.00
    first = refund(api, hold, "100.00")
    assert first.status_code == 201, first.content
    assert first.json()["amount"] == "100.00"
    assert first.json()["hold"]["refunded"] == "100.00"
    assert [p["refunded"] for p in first.json()["hold"]["payees"]] == ["95.00", "5.00"]
    too_much = refund(api, hold, "700.01", key="refund-2")
    assert error_code(too_much) == (422, "refund_exceeds_capture")
    assert too_much.json()["error"]["refundable"] == "700.00"  # roubles, as every amount
    rest = refund(api, hold, "700.00", key="refund-3")
    assert rest.json()["hold"]["refunded"] == "800.00"
    assert len(rest.json()["hold"]["refunds"]) == 2
    assert money(parties["payer"], parties["seller"], parties["platform"]) == [
        (1000_00, 0),
        (0, 0),
        (0, 0),
    ]
    call_command("reconcile")


def test_only_a_captured_hold_is_refunded(
    api: SignedClient, parties: dict[str, Account], hold: str
) -> None:
    assert error_code(refund(api, hold, "1.00")) == (409, "not_captured")
    void(api, hold)
    assert error_code(refund(api, hold, "1.00", key="refund-2")) == (409, "not_captured")
    assert Refund.objects.count() == 0


def test_a_refund_the_seller_has_spent_is_refused_whole(
    api: SignedClient,
    parties: dict[str, Account],
    hold: str,
    make_account: Callable[..., Account],
) -> None:
    capture(api, hold)
    seller, shop = parties["seller"], make_account()
    posting_create(
        kind="payment", description="spent", legs=[Leg(seller.pk, -900_00), Leg(shop.pk, 900_00)]
    )
    assert error_code(refund(api, hold, "1000.00")) == (422, "insufficient_funds")
    assert money(seller, parties["platform"]) == [(50_00, 0), (50_00, 0)]
    assert Refund.objects.count() == 0


def test_a_refund_repeated_after_its_stored_answer_is_gone_gives_nothing_back_twice(
    api: SignedClient, parties: dict[str, Account], hold: str
) -> None:
    """The API keeps answers for a day; the refund keeps its key for good."""
    capture(api, hold)
    first = refund(api, hold, "300.00", key="deal-9:refund-1")
    IdempotentRequest.objects.all().delete()  # a day later
    again = refund(api, hold, "300.00", key="deal-9:refund-1")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert money(parties["payer"]) == [(300_00, 0)]
    assert Posting.objects.filter(kind="refund").count() == 1
    IdempotentRequest.objects.all().delete()
    other = refund(api, hold, "400.00", key="deal-9:refund-1")
    assert error_code(other) == (409, "idempotency_conflict")
    assert money(parties["payer"]) == [(300_00, 0)]


def test_a_replayed_capture_answers_as_first_and_other_data_under_its_key_is_a_409(
    api: SignedClient, parties: dict[str, Account], hold: str
) -> None:
    first = capture(api, hold, "100.00", key="deal-9:capture")
    replay = capture(api, hold, "100.00", key="deal-9:capture")
    assert (replay.status_code, replay.content) == (first.status_code, first.content)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert error_code(capture(api, hold, "200.00", key="deal-9:capture")) == (
        409,
        "idempotency_conflict",
    )
    assert Posting.objects.filter(kind="capture").count() == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda api, hold: api.get(f"/api/v1/holds/{hold}/"),
        lambda api, hold: capture(api, hold),
        lambda api, hold: void(api, hold),
        lambda api, hold: refund(api, hold, "1.00"),
    ],
)
def test_another_clients_hold_and_a_made_up_id_are_not_found(
    api: SignedClient, parties: dict[str, Account], hold: str, call: Any
) -> None:
    client, secret = api_client_create(name="another platform")
    stranger = SignedClient(client.client_id, secret)
    assert error_code(call(stranger, hold)) == (404, "hold_not_found")
    assert error_code(call(api, "not-a-uuid")) == (404, "hold_not_found")
    assert Hold.objects.get().status == "pending"
    assert ApiClient.objects.count() == 2


def test_the_balance_call_answers_what_is_available_not_what_is_held(
    api: SignedClient, parties: dict[str, Account]
) -> None:
    """It answered the whole balance: a platform checking it before a payment was told held
    money could pay."""
    placed_hold(api, parties, seller="570.00", platform="30.00")
    balance = api.get(f"/api/v1/accounts/{parties['payer'].number}/balance/").json()
    assert balance["available"] == "400.00"
    assert money(parties["payer"]) == [(1000_00, 600_00)]
