"""Hold calls fired at once against a live server on PostgreSQL, each request in its own
thread and connection: money moves once, one of two rivals wins, and no account ever holds
more than it has."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command

from api.idempotency import REPLAYED_HEADER
from api.models import ApiClient
from holds.models import Hold
from ledger.models import Account, Posting
from operations.tests.test_concurrency import LiveApi, run_at_once

from .hold_helpers import confirmed_hold_request, hold_data, placed_hold

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

REPLAYS = 20


@pytest.fixture
def live_api(live_server: Any, platform: tuple[ApiClient, str]) -> LiveApi:
    return LiveApi(live_server.url, platform[0].client_id, platform[1])


def money(*accounts: Account) -> list[tuple[int, int]]:
    return [Account.objects.values_list("balance", "held").get(pk=a.pk) for a in accounts]


def test_twenty_replays_of_one_capture_key_move_the_money_once_with_one_answer(
    live_api: LiveApi, parties: dict[str, Account]
) -> None:
    hold = placed_hold(live_api, parties)
    call = {
        "path": f"/api/v1/holds/{hold}/capture/",
        "body": {"amount": "700.00", "idempotency_key": "deal-9:capture"},
    }
    responses = run_at_once(live_api, [call] * REPLAYS)
    assert sum(REPLAYED_HEADER not in r.headers for r in responses) == 1
    assert {(r.status_code, r.content) for r in responses} == {
        (responses[0].status_code, responses[0].content)
    }
    assert responses[0].status_code == 200, responses[0].text
    assert responses[0].json()["captured"] == "700.00"
    assert money(parties["payer"], parties["seller"], parties["platform"]) == [
        (300_00, 0),
        (665_00, 0),
        (35_00, 0),
    ]
    assert Posting.objects.filter(kind="capture").count() == 1
    call_command("reconcile")


def test_a_capture_and_a_void_racing_on_one_hold_have_one_winner_and_a_named_loser(
    live_api: LiveApi, parties: dict[str, Account]
) -> None:
    winners: Counter[str] = Counter()
    for n in range(10):
        hold = placed_hold(live_api, parties, key=f"deal-{n}:hold", seller="95.00", platform="5.00")
        rivals = [
            {"path": f"/api/v1/holds/{hold}/capture/", "body": {"idempotency_key": f"c-{n:06d}"}},
            {"path": f"/api/v1/holds/{hold}/void/", "body": {"idempotency_key": f"v-{n:06d}"}},
        ]
        if n % 2:
            rivals.reverse()
        answers = {
            r.json().get("status") or r.json()["error"]["code"]
            for r in run_at_once(live_api, rivals)
        }
        assert answers in ({"captured", "already_captured"}, {"voided", "already_voided"}), answers
        winners[(answers - {"already_captured", "already_voided"}).pop()] += 1
        status = Hold.objects.get(public_id=hold).status
        assert status in answers
    assert winners.total() == 10
    captured = winners["captured"] * 100_00
    assert money(parties["payer"], parties["seller"]) == [
        (1000_00 - captured, 0),
        (winners["captured"] * 95_00, 0),
    ]
    call_command("reconcile")


def test_concurrent_placements_from_one_account_succeed_exactly_as_far_as_it_covers(
    live_api: LiveApi, parties: dict[str, Account]
) -> None:
    """Twelve confirmed requests of 150.00 each on 1,000.00: six holds, six refusals."""
    amounts = {"seller": "142.50", "platform": "7.50"}
    confirmed = [
        confirmed_hold_request(live_api, parties, key=f"deal-{n}:hold", **amounts)
        for n in range(12)
    ]
    calls = [
        {
            "path": f"/api/v1/operations/{op}/place/",
            "body": {**hold_data(parties, **amounts), "key": key, "idempotency_key": f"p-{n:06d}"},
        }
        for n, (op, key) in enumerate(confirmed)
    ]
    responses = run_at_once(live_api, calls)
    outcomes = Counter(
        r.status_code if r.status_code == 201 else r.json()["error"]["code"] for r in responses
    )
    assert outcomes == {201: 1000_00 // 150_00, "insufficient_funds": 12 - 1000_00 // 150_00}
    assert money(parties["payer"]) == [(1000_00, 6 * 150_00)]
    assert Hold.objects.filter(status="pending").count() == 6
    call_command("reconcile")


def test_captures_of_many_holds_at_once_pay_each_payee_exactly(
    live_api: LiveApi, parties: dict[str, Account]
) -> None:
    holds = [
        placed_hold(live_api, parties, key=f"deal-{n}:hold", seller="95.00", platform="5.00")
        for n in range(8)
    ]
    responses = run_at_once(
        live_api,
        [
            {
                "path": f"/api/v1/holds/{h}/capture/",
                "body": {"amount": "33.33", "idempotency_key": f"c-{n:06d}"},
            }
            for n, h in enumerate(holds)
        ],
    )
    assert [r.status_code for r in responses] == [200] * 8
    # 33.33 of 95 + 5: 31.6635 and 1.6665; the platform's larger remainder takes the kopeck.
    assert {tuple(p["captured"] for p in r.json()["payees"]) for r in responses} == {
        ("31.66", "1.67")
    }
    assert money(parties["payer"], parties["seller"], parties["platform"]) == [
        (1000_00 - 8 * 33_33, 0),
        (8 * 31_66, 0),
        (8 * 1_67, 0),
    ]
    call_command("reconcile")
