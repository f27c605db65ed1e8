"""Holds on the customer's pages: balance, held and available; the statement's holds, how
each ended, and the refunds; pending hold requests; in English and Russian; and who may
see them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.models import ApiClient
from api.tests.hold_helpers import (
    capture,
    confirmed_hold_request,
    placed_hold,
    refund,
    request_hold,
    void,
)
from conftest import SignedClient
from customers.models import Customer
from holds.models import Hold
from holds.services import hold_expire
from ledger.models import Account
from operations.models import Operation

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties(
    platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> dict[str, Account]:
    return {
        "payer": make_account(balance=3_000_00, link_to=platform[0]),
        "seller": make_account(),
        "platform": make_account(),
    }


def owner(parties: dict[str, Account]) -> Customer:
    customer = parties["payer"].customer
    assert customer is not None
    return customer


def statement(parties: dict[str, Account], language: str = "") -> str:
    prefix = f"/{language}" if language else ""
    return f"{prefix}/accounts/{parties['payer'].number}/"


@pytest.fixture
def four_holds(api: SignedClient, parties: dict[str, Account]) -> list[str]:
    """Holds of 1,000.00, 500.00 (twice) and 300.00: captured for 600.00 and refunded 100.00
    of it, released, expired, and pending."""
    captured = placed_hold(api, parties, key="deal-1:hold")
    capture(api, captured, "600.00", key="deal-1:capture")
    refund(api, captured, "100.00", key="deal-1:refund")
    released = placed_hold(api, parties, key="deal-2:hold", seller="475.00", platform="25.00")
    void(api, released, key="deal-2:void")
    expired = placed_hold(api, parties, key="deal-3:hold", seller="475.00", platform="25.00")
    Hold.objects.filter(public_id=expired).update(expires_at=timezone.now())
    hold_expire(hold_id=Hold.objects.get(public_id=expired).pk)
    pending = placed_hold(api, parties, key="deal-4:hold", seller="285.00", platform="15.00")
    return [captured, released, expired, pending]


@pytest.mark.smoke
def test_the_accounts_page_shows_balance_held_and_available(
    signed_in: Callable[[Customer], Client], parties: dict[str, Account], four_holds: list[str]
) -> None:
    html = signed_in(owner(parties)).get(reverse("web:accounts")).content.decode()
    # 3,000.00 - 600.00 captured + 100.00 refunded = 2,500.00, of which 300.00 is held.
    assert '<td class="amount" data-label="Balance">2,500.00\u00a0₽</td>' in html
    assert '<td class="amount held" data-label="Held">300.00\u00a0₽</td>' in html
    assert '<td class="amount available" data-label="Available">2,200.00\u00a0₽</td>' in html


@pytest.mark.smoke
def test_the_statement_shows_each_hold_and_how_it_ended(
    signed_in: Callable[[Customer], Client], parties: dict[str, Account], four_holds: list[str]
) -> None:
    page = signed_in(owner(parties)).get(statement(parties))
    html = page.content.decode()
    rows = html.split('data-testid="hold"')[1:]
    assert len(rows) == 4
    pending, expired, released, captured = rows  # newest first
    assert "Held" in pending
    assert "Until" in pending
    assert "300.00\u00a0₽" in pending
    assert parties["seller"].number[:5] in pending
    assert "285.00\u00a0₽" in pending
    assert "Expired" in expired
    assert "Returned to you: 500.00\u00a0₽" in expired
    assert "Released" in released
    assert "Returned to you: 500.00\u00a0₽" in released
    assert "Captured" in captured
    assert "Paid to the payees: 600.00\u00a0₽" in captured
    assert "Returned to you: 400.00\u00a0₽" in captured
    assert "Refunded: 100.00\u00a0₽" in captured
    assert "Held: <strong" in html
    assert "Available: <strong" in html
    assert "Captured hold" in html
    assert "Refund" in html


def test_the_statement_in_russian(
    signed_in: Callable[[Customer], Client], parties: dict[str, Account], four_holds: list[str]
) -> None:
    html = signed_in(owner(parties)).get(statement(parties, "ru")).content.decode()
    for words in (
        "Удержания",
        "Удержано",
        "Списано",
        "Освобождено",
        "Истекло",
        "Перечислено получателям: 600,00\u00a0₽",
        "Возвращено вам: 400,00\u00a0₽",
        "Возвращено: 100,00\u00a0₽",
        "Доступно",
        "Списание удержания",
    ):
        assert words in html, words


def test_the_operations_page_shows_a_pending_hold_request_that_can_be_declined(
    api: SignedClient, signed_in: Callable[[Customer], Client], parties: dict[str, Account]
) -> None:
    op = request_hold(api, parties).json()["id"]
    client = signed_in(owner(parties))
    html = client.get(reverse("web:operations")).content.decode()
    assert "Hold" in html
    assert "Deal #9: a samovar" in html
    assert "To be held until the deal ends, at most until" in html
    assert "If you did not agree to hold this money." in html
    assert client.post(reverse("web:operation-decline", args=[op])).status_code == 302
    operation = Operation.objects.get(public_id=op)
    assert (operation.status, operation.failure_reason) == ("failed", "declined")
    ru = client.get("/ru/operations/").content.decode()
    assert "Удержание до завершения сделки, но не дольше чем до" in ru


def test_a_confirmed_hold_request_is_pending_until_placed(
    api: SignedClient, signed_in: Callable[[Customer], Client], parties: dict[str, Account]
) -> None:
    confirmed_hold_request(api, parties)
    client = signed_in(owner(parties))
    assert len(client.get(reverse("web:operations")).context["pending"]) == 1


def test_only_the_owner_sees_the_holds_on_his_statement(
    client: Client,
    signed_in: Callable[[Customer], Client],
    parties: dict[str, Account],
    four_holds: list[str],
    make_customer: Callable[..., Customer],
) -> None:
    anonymous = client.get(statement(parties))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("web:login"))
    stranger = make_customer()
    assert signed_in(stranger).get(statement(parties)).status_code == 404
    staff = make_customer(is_staff=True, is_superuser=True)
    assert signed_in(staff).get(statement(parties)).status_code == 404  # staff use the admin
    client.logout()
    assert signed_in(owner(parties)).get(statement(parties)).status_code == 200


def test_the_payees_statement_lists_no_hold_of_the_payer(
    signed_in: Callable[[Customer], Client], parties: dict[str, Account], four_holds: list[str]
) -> None:
    seller = parties["seller"]
    assert seller.customer is not None
    page = signed_in(seller.customer).get(f"/accounts/{seller.number}/")
    assert list(page.context["holds"].object_list) == []
    assert "Captured hold" in page.content.decode()  # the money he was paid


def test_staff_see_holds_and_hold_requests_in_the_admin(
    admin_client_: Client, parties: dict[str, Account], four_holds: list[str]
) -> None:
    holds = admin_client_.get(reverse("admin:holds_hold_changelist"), {"status__exact": "expired"})
    assert holds.status_code == 200
    assert holds.context["cl"].result_count == 1
    requests = admin_client_.get(
        reverse("admin:operations_operation_changelist"), {"kind__exact": "hold"}
    )
    assert requests.context["cl"].result_count == 4
    operation = Operation.objects.filter(kind="hold").first()
    assert operation is not None
    detail = admin_client_.get(reverse("admin:operations_operation_change", args=[operation.pk]))
    assert detail.status_code == 200
    assert "hold until" in detail.content.decode().lower()
    hold = Hold.objects.get(pk=operation.hold_id)
    page = admin_client_.get(reverse("admin:holds_hold_change", args=[hold.pk])).content.decode()
    assert str(operation.public_id) in page


def test_the_statement_runs_a_fixed_number_of_queries_however_many_holds(
    api: SignedClient, signed_in: Callable[[Customer], Client], parties: dict[str, Account]
) -> None:
    client = signed_in(owner(parties))
    placed_hold(api, parties, key="deal-1:hold", seller="9.50", platform="0.50")
    with CaptureQueriesContext(connection) as few:
        client.get(statement(parties))
    for n in range(2, 7):
        hold = placed_hold(api, parties, key=f"deal-{n}:hold", seller="9.50", platform="0.50")
        capture(api, hold, "5.00", key=f"deal-{n}:capture")
        refund(api, hold, "1.00", key=f"deal-{n}:refund")
    with CaptureQueriesContext(connection) as many:
        client.get(statement(parties))
    assert len(many) == len(few)


def test_holds_are_paginated_apart_from_the_movements(
    api: SignedClient, signed_in: Callable[[Customer], Client], parties: dict[str, Account]
) -> None:
    for n in range(12):
        placed_hold(api, parties, key=f"deal-{n}:hold", seller="9.50", platform="0.50")
    client = signed_in(owner(parties))
    first = client.get(statement(parties))
    assert len(first.context["holds"].object_list) == 10
    assert "?holds=2" in first.content.decode()
    second = client.get(statement(parties), {"holds": 2, "page": 1})
    assert len(second.context["holds"].object_list) == 2
    assert Hold.objects.filter(expires_at__gt=timezone.now() + timedelta(days=1)).count() == 12
