"""The safe deal's pages: where the money is, each party's next step, the forms, and the
admin's disputes queue and rulings, for anonymous, another user, the parties and staff."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import client_for, db_snapshot
from deals.actions import deal_ship
from deals.disputes import dispute_open
from deals.models import Deal, Dispute, Refund
from deals.tests.conftest import FakePaymentBank
from users.models import User

pytestmark = pytest.mark.django_db


def page(user: User | None, deal: Deal, language: str = "en") -> str:
    client = client_for(user)
    client.cookies["django_language"] = language
    response = client.get(reverse("deals:detail", args=[deal.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_a_held_deal_says_where_the_money_is_and_what_each_party_does_next(held: Deal) -> None:
    buyer_page, seller_page = page(held.buyer, held), page(held.seller, held)
    assert "is held at the bank until you confirm receipt" in buyer_page
    assert "The seller ships by" in buyer_page
    assert "Ship the goods by" in seller_page
    assert reverse("deals:ship", args=[held.pk]) in seller_page
    assert reverse("deals:ship", args=[held.pk]) not in buyer_page
    assert reverse("deals:cancel", args=[held.pk]) in buyer_page


def test_the_pages_speak_russian(held: Deal) -> None:
    held.buyer.language = "ru"
    held.buyer.save(update_fields=["language"])
    with translation.override("ru"):
        text = page(held.buyer, held, "ru")
    assert "удерживаются банком" in text


def test_the_seller_ships_from_the_page_and_the_buyer_is_offered_receipt_and_dispute(
    held: Deal,
) -> None:
    response = client_for(held.seller).post(
        reverse("deals:ship", args=[held.pk]),
        {"method": "delivery", "carrier": "CDEK", "tracking_number": "1234"},
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.status, held.tracking_number) == ("shipped", "1234")
    text = page(held.buyer, held)
    assert "CDEK, 1234" in text
    assert "Confirm receipt or open a dispute by" in text
    assert reverse("deals:complete", args=[held.pk]) in text
    assert reverse("deals:dispute", args=[held.pk]) in text


def test_a_ship_form_without_a_tracking_number_names_it_and_writes_nothing(held: Deal) -> None:
    client = client_for(held.seller)
    before = db_snapshot()
    response = client.post(
        reverse("deals:ship", args=[held.pk]), {"method": "delivery", "carrier": "CDEK"}
    )
    assert response.status_code == 400
    assert 'id="id_tracking_number_error"' in response.content.decode()
    assert db_snapshot() == before


@pytest.mark.parametrize("who", ["anonymous", "stranger", "buyer", "staff"])
def test_only_the_seller_ships(held: Deal, who: str, make_user: Any, staff_user: User) -> None:
    user = {"anonymous": None, "stranger": make_user(), "buyer": held.buyer, "staff": staff_user}[
        who
    ]
    client = client_for(user)
    before = db_snapshot()
    response = client.post(reverse("deals:ship", args=[held.pk]), {"method": "in_person"})
    assert response.status_code in (302, 400, 404)
    if who == "anonymous":
        assert "/login" in response["Location"] or "login" in response["Location"]
    if who == "stranger":
        assert response.status_code == 404
    assert db_snapshot() == before


def shipped(deal: Deal) -> Deal:
    deal_ship(deal=deal, seller=deal.seller, method="in_person")
    deal.refresh_from_db()
    return deal


def test_the_buyer_disputes_and_the_seller_answers_from_the_page(held: Deal) -> None:
    deal = shipped(held)
    response = client_for(deal.buyer).post(
        reverse("deals:dispute", args=[deal.pk]),
        {"reason": "damaged", "message": "The screen is cracked."},
    )
    assert response.status_code == 302
    text = page(deal.seller, deal)
    assert "The screen is cracked." in text
    assert "Answer the dispute by" in text
    response = client_for(deal.seller).post(
        reverse("deals:answer", args=[deal.pk]), {"answer": "It left intact."}
    )
    assert response.status_code == 302
    assert Dispute.objects.get().answer == "It left intact."
    assert reverse("deals:answer", args=[deal.pk]) not in page(deal.seller, deal)


@pytest.mark.parametrize("who", ["anonymous", "stranger", "buyer", "staff"])
def test_only_the_seller_answers(held: Deal, who: str, make_user: Any, staff_user: User) -> None:
    deal = shipped(held)
    dispute_open(deal=deal, buyer=deal.buyer, reason="other", message="Hm.")
    user = {"anonymous": None, "stranger": make_user(), "buyer": deal.buyer, "staff": staff_user}[
        who
    ]
    client = client_for(user)
    before = db_snapshot()
    response = client.post(reverse("deals:answer", args=[deal.pk]), {"answer": "x"})
    assert response.status_code in (302, 400, 404)
    assert db_snapshot() == before


@pytest.mark.parametrize("who", ["anonymous", "stranger", "seller", "staff"])
def test_only_the_buyer_disputes(held: Deal, who: str, make_user: Any, staff_user: User) -> None:
    deal = shipped(held)
    user = {"anonymous": None, "stranger": make_user(), "seller": deal.seller, "staff": staff_user}[
        who
    ]
    client = client_for(user)
    before = db_snapshot()
    response = client.post(
        reverse("deals:dispute", args=[deal.pk]), {"reason": "other", "message": "x"}
    )
    assert response.status_code in (302, 400, 404)
    assert db_snapshot() == before


def test_a_completed_deal_says_when_the_seller_was_paid(held: Deal) -> None:
    from deals.actions import deal_confirm_receipt
    from deals.tests.conftest import committed

    deal = shipped(held)
    committed(lambda: deal_confirm_receipt(deal=deal, buyer=deal.buyer))
    text = page(deal.buyer, deal)
    assert "Paid to the seller on" in text
    assert "3,000.00" in text


def test_staff_resolve_a_dispute_in_the_admin_with_a_partial_refund(
    held: Deal, staff_user: User, bank: FakePaymentBank
) -> None:
    from deals.tests.conftest import committed

    deal = shipped(held)
    dispute = dispute_open(deal=deal, buyer=deal.buyer, reason="damaged", message="Dent.")
    client = client_for(staff_user)
    queue = client.get(reverse("admin:deals_dispute_changelist") + "?state=open")
    assert reverse("admin:deals_dispute_resolve", args=[dispute.pk]) in queue.content.decode()
    url = reverse("admin:deals_dispute_resolve", args=[dispute.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"outcome": "partial", "refund_amount": "", "reason": "Dent."})
    assert bad.status_code == 200
    assert "Enter how much to refund." in bad.content.decode()
    response = committed(
        lambda: client.post(
            url, {"outcome": "partial", "refund_amount": "500,00", "reason": "Dent."}
        )
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    dispute.refresh_from_db()
    assert (deal.status, deal.returned_amount, dispute.refund_amount) == (
        "completed",
        500_00,
        500_00,
    )
    text = page(deal.buyer, deal)
    assert (
        "Refunded to the buyer 500.00" in text
        or "Refunded to the buyer ₽500.00" in text
        or "500.00" in text
    )
    assert "Dent." in text


@pytest.mark.parametrize("who", ["anonymous", "stranger", "buyer", "seller"])
def test_only_staff_reach_the_rulings(held: Deal, who: str, make_user: Any) -> None:
    deal = shipped(held)
    dispute = dispute_open(deal=deal, buyer=deal.buyer, reason="damaged", message="Dent.")
    user = {"anonymous": None, "stranger": make_user(), "buyer": deal.buyer, "seller": deal.seller}[
        who
    ]
    client = client_for(user)
    before = db_snapshot()
    for url in (
        reverse("admin:deals_dispute_resolve", args=[dispute.pk]),
        reverse("admin:deals_deal_refund", args=[deal.pk]),
    ):
        response = client.post(url, {"outcome": "refund", "reason": "x", "amount": "1"})
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    assert db_snapshot() == before


def test_staff_refund_a_completed_deal_in_the_admin(held: Deal, staff_user: User) -> None:
    from deals.actions import deal_confirm_receipt
    from deals.tests.conftest import committed

    deal = shipped(held)
    committed(lambda: deal_confirm_receipt(deal=deal, buyer=deal.buyer))
    client = client_for(staff_user)
    url = reverse("admin:deals_deal_refund", args=[deal.pk])
    too_much = client.post(url, {"amount": "3000.01", "reason": "Late."})
    assert too_much.status_code == 200
    assert not Refund.objects.exists()
    response = committed(lambda: client.post(url, {"amount": "100", "reason": "Late."}))
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.returned_amount == 100_00
    assert client.get(reverse("admin:deals_dispute_resolve", args=[999_999])).status_code == 404


def test_both_parties_see_when_the_sellers_answer_is_due_and_when_it_has_passed(
    held: Deal,
) -> None:
    import time_machine

    deal = shipped(held)
    dispute = dispute_open(deal=deal, buyer=deal.buyer, reason="damaged", message="Dent.")
    for user in (deal.buyer, deal.seller):
        assert "Seller's answer due" in page(user, deal)
        assert 'data-testid="answer-by"' in page(user, deal)
    with time_machine.travel(dispute.answer_by + timedelta(seconds=1)):
        for user in (deal.buyer, deal.seller):
            assert "the seller did not answer in time" in page(user, deal)
        assert reverse("deals:answer", args=[deal.pk]) not in page(deal.seller, deal)
    with translation.override("ru"):
        assert "Ответ продавца" in page(deal.buyer, deal, "ru")


def test_the_disputes_queue_shows_and_filters_what_waits_for_the_seller(
    held: Deal, staff_user: User, make_offer: Any, make_user: Any
) -> None:
    import time_machine

    deal = shipped(held)
    dispute = dispute_open(deal=deal, buyer=deal.buyer, reason="damaged", message="Dent.")
    client = client_for(staff_user)
    url = reverse("admin:deals_dispute_changelist")
    resolve = reverse("admin:deals_dispute_resolve", args=[dispute.pk])
    assert resolve in client.get(url + "?state=unanswered").content.decode()
    assert resolve not in client.get(url + "?state=overdue").content.decode()
    assert client.get(url + "?o=4").status_code == 200  # sorted by the answer's deadline
    with time_machine.travel(dispute.answer_by + timedelta(seconds=1)):
        assert resolve in client.get(url + "?state=overdue").content.decode()
        assert resolve in client.get(url + "?state=unanswered").content.decode()
    Dispute.objects.filter(pk=dispute.pk).update(answer="Fine.", answered_at=dispute.opened_at)
    with time_machine.travel(dispute.answer_by + timedelta(seconds=1)):
        assert resolve not in client.get(url + "?state=overdue").content.decode()
        assert resolve not in client.get(url + "?state=unanswered").content.decode()


def test_the_deal_admin_shows_the_money_moved_in_roubles(held: Deal, staff_user: User) -> None:
    Deal.objects.filter(pk=held.pk).update(
        capture_amount=held.amount, released_amount=held.amount - 1, returned_amount=1
    )
    text = client_for(staff_user).get(reverse("admin:deals_deal_change", args=[held.pk]))
    content = text.content.decode()
    assert text.status_code == 200
    assert "0.01" in content
    assert f"{(held.amount - 1) / 100:,.2f}" in content
    assert f">{held.amount - 1}<" not in content
