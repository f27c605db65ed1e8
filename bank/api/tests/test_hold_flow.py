"""A hold from the request to the refund against a live server on PostgreSQL, the code
read out of the email that a real SMTP server received."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from api.models import ApiClient
from holds.selectors import hold_violations
from ledger.models import Account
from ledger.selectors import ledger_violations
from operations.tests.test_concurrency import LiveApi
from paylib.smtp_catcher import SmtpCatcher, text_body

from .hold_helpers import hold_data, until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def money(*accounts: Account) -> list[tuple[int, int]]:
    return [Account.objects.values_list("balance", "held").get(pk=a.pk) for a in accounts]


def test_request_code_by_smtp_confirm_place_capture_part_and_refund_to_the_kopeck(
    live_server: Any, platform: tuple[ApiClient, str], parties: dict[str, Account]
) -> None:
    api = LiveApi(live_server.url, platform[0].client_id, platform[1])
    payer, seller, fee = parties["payer"], parties["seller"], parties["platform"]
    email = payer.customer.email  # type: ignore[union-attr]
    data = hold_data(parties, seller="712.37", platform="37.49")  # 749.86 in all
    with (
        SmtpCatcher() as smtp,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=smtp.host,
            EMAIL_PORT=smtp.port,
        ),
    ):
        requested = api.post(
            "/api/v1/hold-requests/",
            {
                **data,
                "description": "Deal #12: a bicycle",
                "hold_until": until(days=21),
                "idempotency_key": "deal-12:hold",
            },
        )
        assert requested.status_code == 201, requested.text
        code = smtp.last_code(email)
        letter = smtp.messages[-1]
    text = text_body(letter)
    assert "749.86" in letter["Subject"]
    assert "held until the deal ends" in text
    assert all(account.number in text for account in (seller, fee))
    assert "712.37" in text
    assert "37.49" in text
    op = requested.json()["id"]

    confirmed = api.post(
        f"/api/v1/operations/{op}/confirm/", {"code": code, "idempotency_key": "deal-12:c"}
    )
    key = confirmed.json()["key"]
    placed = api.post(
        f"/api/v1/operations/{op}/place/", {**data, "key": key, "idempotency_key": "deal-12:p"}
    )
    assert placed.status_code == 201, placed.text
    hold = placed.json()["id"]
    assert money(payer, seller, fee) == [(1000_00, 749_86), (0, 0), (0, 0)]

    captured = api.post(
        f"/api/v1/holds/{hold}/capture/", {"amount": "500.00", "idempotency_key": "deal-12:cap"}
    )
    assert captured.status_code == 200, captured.text
    # 500.00 of 712.37 + 37.49: 475.00 (474.9996...) and 25.00 (24.9983...) to the kopeck.
    shares = [p["captured"] for p in captured.json()["payees"]]
    assert shares == ["475.00", "25.00"]
    assert money(payer, seller, fee) == [(500_00, 0), (475_00, 0), (25_00, 0)]

    refunded = api.post(
        f"/api/v1/holds/{hold}/refunds/", {"amount": "120.01", "idempotency_key": "deal-12:r1"}
    )
    assert refunded.status_code == 201, refunded.text
    assert [p["refunded"] for p in refunded.json()["hold"]["payees"]] == ["114.01", "6.00"]
    assert money(payer, seller, fee) == [(620_01, 0), (360_99, 0), (19_00, 0)]
    read = api.get(f"/api/v1/holds/{hold}/").json()
    assert (read["status"], read["captured"], read["released"], read["refunded"]) == (
        "captured",
        "500.00",
        "249.86",
        "120.01",
    )
    assert ledger_violations() == hold_violations() == []
    call_command("reconcile")
