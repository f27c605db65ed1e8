"""The seller's sales page: its figures to the kopeck for a mix of deals, who sees what, the
month chooser's bad input, and its CSV file in both languages."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import BigIntegerField, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import translation

from conftest import client_for
from deals.models import Deal, Refund
from deals.sales import Month, sales_deals, sales_figures, seller_share
from deals.services import deal_create
from deals.tests.conftest import FakePaymentBank, committed
from offers.models import Offer
from paylib.csvfile import BOM
from paylib.money import MAX_AMOUNT_KOPECKS
from payments.models import Payment
from payments.tests.conftest import split_in_proportion
from users.models import User

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=MSK)
DECEMBER, NOVEMBER = Month(2026, 12), Month(2026, 11)


def at(day: int, hour: int = 12, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MSK)


@pytest.fixture(autouse=True)
def december() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sonya(make_user: Callable[..., User]) -> User:
    return make_user("sonya@example.com", name="Sonya Seller")


@pytest.fixture
def boris(make_user: Callable[..., User]) -> User:
    return make_user("boris@example.com", name="Boris Buyer")


@pytest.fixture
def make_sale(make_offer: Callable[..., Offer], boris: User) -> Callable[..., Deal]:
    offers: dict[int, Offer] = {}

    def make(seller: User, *, price: int = 1_000_00, **fields: Any) -> Deal:
        """A deal of ``seller``'s put straight into a state (the fields the money writes)."""
        key = seller.pk * 10**12 + price
        if key not in offers:
            offers[key] = make_offer(seller, price=price, quantity_available=100)
        deal = deal_create(buyer=boris, offer=offers[key], quantity=1)
        Deal.objects.filter(pk=deal.pk).update(**fields)
        deal.refresh_from_db()
        return deal

    return make


def captured(
    deal: Deal, amount: int, when: datetime, held: datetime | None = None, **fields: Any
) -> dict[str, Any]:
    return {
        "status": "completed",
        "held_at": held or at(1),
        "money_due": "capture",
        "capture_amount": amount,
        "released_amount": amount,
        "released_at": when,
        **fields,
    }


@pytest.fixture
def mix(
    make_sale: Callable[..., Deal], sonya: User, make_user: Callable[..., User]
) -> dict[str, Deal]:
    """Sonya's deals of every kind, and another seller's."""
    d: dict[str, Deal] = {}
    d["held"] = make_sale(sonya, status="held", held_at=at(10))
    d["shipped_from_november"] = make_sale(sonya, status="shipped", held_at=at(20, month=11))
    d["capture_pending"] = make_sale(
        sonya, status="completed", held_at=at(2), money_due="capture", capture_amount=1_000_00
    )
    d["hold_lost"] = make_sale(
        sonya, status="held", held_at=at(3), bank_problem="hold_expired", bank_problem_at=at(4)
    )
    d["released"] = make_sale(sonya)
    Deal.objects.filter(pk=d["released"].pk).update(**captured(d["released"], 1_000_00, at(5)))
    # A dispute refunded in part: 1000.01 back, the rest (odd kopecks) shared by the bank.
    partial = make_sale(sonya, price=1_234_57)
    Deal.objects.filter(pk=partial.pk).update(
        **captured(partial, 1_234_57 - 1_000_01, at(7), returned_amount=1_000_01, returned_at=at(7))
    )
    d["partial"] = partial
    d["refunded"] = make_sale(
        sonya,
        status="refunded",
        held_at=at(6),
        money_due="void",
        returned_amount=1_000_00,
        returned_at=at(8),
    )
    d["cancelled_unpaid"] = make_sale(sonya, status="cancelled")
    d["cancelled_paid"] = make_sale(
        sonya,
        status="cancelled",
        held_at=at(2),
        money_due="void",
        returned_amount=1_000_00,
        returned_at=at(3),
    )
    # Paid out in November, 500.00 of it refunded by staff in December.
    late = make_sale(sonya)
    Deal.objects.filter(pk=late.pk).update(
        **captured(
            late,
            1_000_00,
            at(25, month=11),
            at(20, month=11),
            returned_amount=500_00,
            returned_at=at(9),
        )
    )
    Refund.objects.create(
        deal=late,
        amount=500_00,
        reason="Late",
        idempotency_key="r-1",
        status="done",
        done_at=at(9),
    )
    Refund.objects.create(
        deal=late,
        amount=100_00,
        reason="Refused",
        idempotency_key="r-2",
        status="failed",
        done_at=at(9),
    )
    d["late_refund"] = late
    # Either side of the month's first moment, Moscow time (21:30 and 21:10 UTC).
    d["november_last"] = make_sale(sonya)
    Deal.objects.filter(pk=d["november_last"].pk).update(
        **captured(d["november_last"], 1_000_00, at(30, 23, 30, month=11), at(20, month=11))
    )
    d["december_first"] = make_sale(sonya)
    Deal.objects.filter(pk=d["december_first"].pk).update(
        **captured(d["december_first"], 1_000_00, at(1, 0, 10), at(1, 0, 5))
    )
    other = make_user("other-seller@example.com")
    d["other_seller"] = make_sale(other)
    Deal.objects.filter(pk=d["other_seller"].pk).update(
        **captured(d["other_seller"], 1_000_00, at(5))
    )
    d["other_held"] = make_sale(other, status="held", held_at=at(10))
    for deal in d.values():
        deal.refresh_from_db()
    return d


def share(deal: Deal) -> int:
    """The seller's share of the capture, by the bank's rule (the fake bank's copy of it)."""
    return split_in_proportion(deal.released_amount, [deal.seller_net, deal.commission_amount])[0]


@pytest.mark.smoke
def test_the_months_figures_are_exact_for_a_mix_of_deals(mix: dict[str, Deal], sonya: User) -> None:
    figures = sales_figures(seller=sonya, month=DECEMBER)
    held = [mix["held"], mix["shipped_from_november"], mix["capture_pending"]]
    assert figures.held == sum(d.amount for d in held) == 3_000_00
    assert figures.held_deals == 3
    paid = [mix["released"], mix["partial"], mix["december_first"]]
    partial = mix["partial"]
    # The partial capture's share is not the deal's net in proportion rounded any other way.
    assert share(partial) == partial.seller_net * partial.released_amount // partial.amount + (
        2 * (partial.seller_net * partial.released_amount % partial.amount) >= partial.amount
    )
    assert figures.paid_out == mix["released"].seller_net * 2 + share(partial)
    assert figures.commission == (
        mix["released"].commission_amount * 2 + partial.released_amount - share(partial)
    )
    assert figures.paid_out + figures.commission == sum(d.released_amount for d in paid)
    # Back to buyers: the full refund, the cancelled paid deal, the dispute's refunded part,
    # staff's done refund (not the refused one).
    assert figures.returned == 1_000_00 + 1_000_00 + 1_000_01 + 500_00


def test_last_months_figures_hold_only_last_months_moves(mix: dict[str, Deal], sonya: User) -> None:
    figures = sales_figures(seller=sonya, month=NOVEMBER)
    assert figures.paid_out == mix["late_refund"].seller_net + mix["november_last"].seller_net
    assert figures.commission == 2 * mix["late_refund"].commission_amount
    assert figures.returned == 0
    assert figures.held == 3_000_00  # held is now, whatever the month


def test_the_months_deals_are_those_whose_money_moved_then(
    mix: dict[str, Deal], sonya: User
) -> None:
    listed = {d.pk: d for d in sales_deals(seller=sonya, month=DECEMBER)}
    names = {name for name, deal in mix.items() if deal.pk in listed}
    assert names == {
        "held",
        "capture_pending",
        "hold_lost",
        "released",
        "partial",
        "refunded",
        "cancelled_paid",
        "late_refund",
        "december_first",
    }
    partial = listed[mix["partial"].pk]
    assert partial.paid_net == share(mix["partial"])  # type: ignore[attr-defined]
    assert partial.paid_commission == partial.released_amount - share(mix["partial"])  # type: ignore[attr-defined]
    november = {d.pk for d in sales_deals(seller=sonya, month=NOVEMBER)}
    assert november == {
        mix["shipped_from_november"].pk,
        mix["late_refund"].pk,
        mix["november_last"].pk,
    }


CASES = [(1, 1, 1), (1, 0, 1), (0, 5, 10), (5, 5, 10), (1, 1, 2), (3, 1, 4), (3, 3, 4)]
CASES += [(MAX_AMOUNT_KOPECKS, MAX_AMOUNT_KOPECKS - 1, MAX_AMOUNT_KOPECKS)]
CASES += [(MAX_AMOUNT_KOPECKS - 1, MAX_AMOUNT_KOPECKS // 2, MAX_AMOUNT_KOPECKS)]
_random = random.Random(2026)
for _ in range(40):
    _total = _random.randint(1, MAX_AMOUNT_KOPECKS)
    CASES.append((_random.randint(0, _total), _random.randint(0, _total), _total))


@pytest.mark.smoke
@pytest.mark.parametrize(("captured_amount", "part", "total"), CASES)
def test_the_sellers_share_in_sql_is_the_banks_to_the_kopeck(
    sonya: User, captured_amount: int, part: int, total: int
) -> None:
    def big(value: int) -> Cast:
        return Cast(Value(value), BigIntegerField())

    got = (
        User.objects.filter(pk=sonya.pk)
        .annotate(share=seller_share(big(captured_amount), big(part), big(total)))
        .values_list("share", flat=True)
        .get()
    )
    assert got == split_in_proportion(captured_amount, [part, total - part])[0]


def test_the_share_matches_what_the_fake_bank_paid_after_a_partial_dispute(
    held: Deal, staff_user: User, bank: FakePaymentBank, settings: Any
) -> None:
    from deals.actions import deal_ship
    from deals.disputes import dispute_open, dispute_resolve

    # Paid now (15 December): the figures of this month show what the bank moved.
    deal_ship(deal=held, seller=held.seller, method="in_person")
    dispute = dispute_open(deal=held, buyer=held.buyer, reason="damaged", message="Dented.")
    committed(
        lambda: dispute_resolve(
            dispute=dispute, staff=staff_user, outcome="partial", reason="x", refund_amount=1_23
        )
    )
    seller_number = Payment.objects.get(deal=held).seller_number
    figures = sales_figures(seller=held.seller, month=DECEMBER)
    assert figures.paid_out == bank.balances[seller_number]
    assert figures.commission == bank.balances[str(settings.PLATFORM_ACCOUNT)]
    assert figures.returned == 1_23
    assert figures.held == 0


# The page and the file.


def test_anonymous_is_sent_to_sign_in() -> None:
    for name in ("deals:sales", "deals:sales_csv"):
        response = client_for(None).get(reverse(name))
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_the_seller_sees_his_figures_and_deals(mix: dict[str, Deal], sonya: User) -> None:
    response = client_for(sonya).get(reverse("deals:sales"))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["figures"] == sales_figures(seller=sonya, month=DECEMBER)
    assert "3,000.00" in page  # held, in the project's money format
    assert f'href="{reverse("deals:detail", args=[mix["partial"].pk])}"' in page
    assert f'href="{reverse("deals:detail", args=[mix["other_seller"].pk])}"' not in page
    assert f'href="{reverse("deals:detail", args=[mix["november_last"].pk])}"' not in page
    assert 'data-label="Paid to you"' in page
    assert 'href="/deals/sales/"' in page  # the navigation's link


def test_a_buyer_or_another_user_sees_only_his_own_figures(
    mix: dict[str, Deal], boris: User, make_user: Callable[..., User]
) -> None:
    for user in (boris, make_user()):
        response = client_for(user).get(reverse("deals:sales"))
        assert response.status_code == 200
        figures = response.context["figures"]
        assert (figures.held, figures.paid_out, figures.commission, figures.returned) == (
            0,
            0,
            0,
            0,
        )
        assert not response.context["page"].object_list
        csv = client_for(user).get(reverse("deals:sales_csv"))
        assert b"".join(csv.streaming_content).decode("utf-8").count("\n") == 1  # the header


def test_an_earlier_month_is_chosen_in_the_query(mix: dict[str, Deal], sonya: User) -> None:
    response = client_for(sonya).get(reverse("deals:sales"), {"month": "2026-11"})
    assert response.status_code == 200
    assert response.context["month"] == NOVEMBER
    assert response.context["figures"] == sales_figures(seller=sonya, month=NOVEMBER)
    page = response.content.decode()
    assert '<option value="2026-11" selected>November 2026</option>' in page
    assert "?month=2026-11" in page  # the CSV link keeps the month


@pytest.mark.parametrize(
    "month", ["2027-01", "2026-13", "2026-00", "1999-12", "26-12", "2026-1", "x", "２０２６-１２"]
)
def test_a_bad_month_is_a_form_error_and_the_current_month_is_shown(
    mix: dict[str, Deal], sonya: User, month: str
) -> None:
    for name in ("deals:sales", "deals:sales_csv"):
        response = client_for(sonya).get(reverse(name), {"month": month})
        assert response.status_code == 400
        assert "Choose a month from the list" in response.content.decode()
        assert response.context["month"] == DECEMBER


def test_a_valid_month_before_the_first_sale_is_listed_and_empty(sonya: User) -> None:
    response = client_for(sonya).get(reverse("deals:sales"), {"month": "2024-02"})
    assert response.status_code == 200
    assert '<option value="2024-02" selected>' in response.content.decode()
    assert not response.context["page"].object_list


def csv_text(user: User, language: str, month: str = "") -> tuple[Any, str]:
    with translation.override(language):
        url = reverse("deals:sales_csv")  # /ru/... in Russian
    response = client_for(user).get(url, {"month": month} if month else {})
    assert response.status_code == 200
    return response, b"".join(response.streaming_content).decode("utf-8")


def test_the_csv_in_english(mix: dict[str, Deal], sonya: User) -> None:
    response, text = csv_text(sonya, "en")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sales-2026-12.csv"'
    assert text.startswith(BOM)
    lines = text.removeprefix(BOM).splitlines()
    assert lines[0] == (
        'Deal,Offer,Quantity,Paid,Status,"Amount, RUB","Commission, RUB","Paid to you, RUB",'
        '"Returned to the buyer, RUB",Paid out'
    )
    assert len(lines) == 1 + 9
    partial = mix["partial"]
    row = next(line for line in lines if line.startswith(f"{partial.pk},"))
    net, commission = share(partial), partial.released_amount - share(partial)
    assert row == (
        f"{partial.pk},Bicycle,1,2026-12-01 12:00,Completed,1234.57,"
        f"{commission // 100}.{commission % 100:02d},{net // 100}.{net % 100:02d},1000.01,"
        "2026-12-07 12:00"
    )
    held = next(line for line in lines if line.startswith(f"{mix['held'].pk},"))
    assert held.endswith(",1000.00,,,0.00,")  # not paid out: no shares, no date


@pytest.mark.smoke
def test_the_csv_in_russian(mix: dict[str, Deal], sonya: User) -> None:
    response, text = csv_text(sonya, "ru", month="2026-11")
    assert response["Content-Disposition"] == 'attachment; filename="sales-2026-11.csv"'
    assert text.startswith(BOM)
    lines = text.removeprefix(BOM).splitlines()
    assert lines[0].startswith("Сделка;")
    assert len(lines) == 1 + 3
    late = mix["late_refund"]
    row = next(line for line in lines if line.startswith(f"{late.pk};"))
    net = late.seller_net
    assert f";{net // 100},{net % 100:02d};500,00;2026-11-25 12:00" in row
    assert ";1000,00;" in row


def test_a_title_that_would_run_as_a_formula_is_defused(
    make_sale: Callable[..., Deal], sonya: User
) -> None:
    deal = make_sale(sonya, status="held", held_at=at(10))
    Deal.objects.filter(pk=deal.pk).update(offer_title="=HYPERLINK(1)")
    _, text = csv_text(sonya, "en")
    assert f"{deal.pk},'=HYPERLINK(1),1," in text


def test_the_page_in_russian(mix: dict[str, Deal], sonya: User) -> None:
    with translation.override("ru"):
        url = reverse("deals:sales")
    response = client_for(sonya).get(url, {"month": "2026-11"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Мои продажи</h1>" in page
    assert "Удерживается в банке сейчас" in page
    assert "3\xa0000,00\xa0₽" in page  # held
    assert "Ноябрь 2026" in page
    assert 'data-label="Выплачено вам"' in page
