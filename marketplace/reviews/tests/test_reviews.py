"""Reviews: the buyer of a completed deal rates the seller once, may change it for 14 days,
the seller answers once; shown on the seller's page and the offer's page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from conftest import client_for, db_snapshot
from deals.models import Deal
from deals.services import deal_create
from offers.models import Offer
from paylib.errors import ApplicationError
from reviews.models import Review
from reviews.services import review_create, review_reply, review_update
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(user: User, make_offer: Callable[..., Offer]) -> Offer:
    return make_offer(user, title="Kettle", price=20_000)


@pytest.fixture
def make_deal(offer: Offer, other_user: User) -> Callable[..., Deal]:
    def make(status: str = "completed", buyer: User | None = None) -> Deal:
        deal = deal_create(buyer=buyer or other_user, offer=offer, quantity=1)
        Deal.objects.filter(pk=deal.pk).update(status=status)
        deal.refresh_from_db()
        return deal

    return make


def test_the_buyer_reviews_a_completed_deal(
    make_deal: Callable[..., Deal], other_user: User, user: User
) -> None:
    deal = make_deal()
    client = client_for(other_user)
    response = client.post(
        reverse("reviews:create", args=[deal.pk]), {"rating": "4", "text": " Works well "}
    )
    assert response["Location"] == reverse("sellers:detail", args=[user.pk])
    review = Review.objects.get()
    assert (review.rating, review.text, review.seller, review.buyer) == (
        4,
        "Works well",
        user,
        other_user,
    )
    page = client.get(reverse("sellers:detail", args=[user.pk])).content.decode()
    assert "Works well" in page
    assert "4.0 of 5 from 1 review" in page
    offer_page = client.get(reverse("offers:detail", args=[deal.offer_id])).content.decode()
    assert "Works well" in offer_page


@pytest.mark.parametrize("status", ["created", "paid", "cancelled", "expired", "payment_failed"])
def test_a_deal_not_completed_cannot_be_reviewed(
    make_deal: Callable[..., Deal], other_user: User, status: str
) -> None:
    deal = make_deal(status)
    client = client_for(other_user)
    before = db_snapshot()
    url = reverse("reviews:create", args=[deal.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"rating": "5", "text": "Great"}).status_code == 404
    with pytest.raises(ApplicationError):
        review_create(buyer=other_user, deal=deal, rating=5, text="Great")
    assert db_snapshot() == before


def test_one_review_per_deal(make_deal: Callable[..., Deal], other_user: User) -> None:
    deal = make_deal()
    review_create(buyer=other_user, deal=deal, rating=5, text="Great")
    with pytest.raises(ApplicationError) as refused:
        review_create(buyer=other_user, deal=deal, rating=1, text="Again")
    assert refused.value.code == "review_not_allowed"
    response = client_for(other_user).post(
        reverse("reviews:create", args=[deal.pk]), {"rating": "1", "text": "Again"}
    )
    assert response.status_code == 404
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            deal=deal,
            seller_id=deal.seller_id,
            buyer=other_user,
            offer_id=deal.offer_id,
            rating=2,
            text="x",
        )
    assert Review.objects.get().rating == 5


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rating": "0", "text": "ok"}, "rating"),
        ({"rating": "6", "text": "ok"}, "rating"),
        ({"rating": "five", "text": "ok"}, "rating"),
        ({"text": "ok"}, "rating"),
        ({"rating": "3", "text": "   "}, "text"),
        ({"rating": "3", "text": "x" * 2001}, "text"),
    ],
)
def test_bad_input_is_explained_and_saves_nothing(
    make_deal: Callable[..., Deal], other_user: User, data: dict[str, str], field: str
) -> None:
    deal = make_deal()
    client = client_for(other_user)
    before = db_snapshot()
    response = client.post(reverse("reviews:create", args=[deal.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert db_snapshot() == before


def test_the_review_can_be_changed_for_14_days(
    make_deal: Callable[..., Deal], other_user: User
) -> None:
    review = review_create(buyer=other_user, deal=make_deal(), rating=2, text="Slow")
    client = client_for(other_user)
    url = reverse("reviews:edit", args=[review.pk])
    with time_machine.travel(timezone.now() + timedelta(days=13, hours=23)):
        response = client.post(url, {"rating": "4", "text": "Arrived after all"})
        assert response.status_code == 302
    review.refresh_from_db()
    assert (review.rating, review.text) == (4, "Arrived after all")
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        before = db_snapshot()
        response = client.post(url, {"rating": "1", "text": "Too late"})
        assert response.status_code == 302
        assert db_snapshot() == before
        with pytest.raises(ApplicationError):
            review_update(review=review, actor=other_user, rating=1, text="Too late")
    review.refresh_from_db()
    assert review.rating == 4


def test_the_seller_answers_once(
    make_deal: Callable[..., Deal], other_user: User, user: User
) -> None:
    review = review_create(buyer=other_user, deal=make_deal(), rating=3, text="Fine")
    client = client_for(user)
    url = reverse("reviews:reply", args=[review.pk])
    assert client.post(url, {"reply": "Thank you"}).status_code == 302
    review.refresh_from_db()
    assert review.reply == "Thank you"
    assert review.replied_at is not None
    before = db_snapshot()
    assert client.post(url, {"reply": "Changed my mind"}).status_code == 302
    with pytest.raises(ApplicationError):
        review_reply(review=review, actor=user, text="Changed my mind")
    assert db_snapshot() == before
    page = client.get(reverse("sellers:detail", args=[user.pk])).content.decode()
    assert "Thank you" in page


def test_only_the_seller_answers_and_only_the_buyer_changes(
    make_deal: Callable[..., Deal], other_user: User, user: User, staff_user: User
) -> None:
    review = review_create(buyer=other_user, deal=make_deal(), rating=3, text="Fine")
    with pytest.raises(ApplicationError):
        review_reply(review=review, actor=other_user, text="Me")
    with pytest.raises(ApplicationError):
        review_update(review=review, actor=user, rating=5, text="Me")
    with pytest.raises(ApplicationError):
        review_update(review=review, actor=staff_user, rating=5, text="Me")


def test_the_offer_page_asks_the_buyer_to_review(
    make_deal: Callable[..., Deal], other_user: User
) -> None:
    deal = make_deal()
    make_deal("paid")
    page = client_for(other_user).get(reverse("offers:detail", args=[deal.offer_id]))
    links = page.content.decode().count("/reviews/deals/")
    assert links == 1
    assert reverse("reviews:create", args=[deal.pk]) in page.content.decode()


# (anonymous, a stranger, the buyer, the seller, staff)
WHO = ["anonymous", "stranger", "buyer", "seller", "staff"]
ACCESS = [
    ("reviews:create", "deal", "get", (302, 404, 200, 404, 404)),
    ("reviews:create", "deal", "post", (302, 404, 302, 404, 404)),
    ("reviews:edit", "review", "get", (302, 404, 200, 404, 404)),
    ("reviews:edit", "review", "post", (302, 404, 302, 404, 404)),
    ("reviews:reply", "review", "get", (302, 404, 404, 200, 404)),
    ("reviews:reply", "review", "post", (302, 404, 404, 302, 404)),
    ("sellers:detail", "seller", "get", (200, 200, 200, 200, 200)),
]


@pytest.mark.parametrize(("name", "target", "method", "expected"), ACCESS)
@pytest.mark.parametrize("index", range(len(WHO)), ids=WHO)
def test_access(
    make_deal: Callable[..., Deal],
    make_user: Callable[..., User],
    other_user: User,
    user: User,
    staff_user: User,
    name: str,
    target: str,
    method: str,
    expected: tuple[int, ...],
    index: int,
) -> None:
    deal = make_deal()
    reviewed = make_deal()
    review = review_create(buyer=other_user, deal=reviewed, rating=4, text="Good")
    people = {
        "anonymous": None,
        "stranger": make_user(name="Stranger"),
        "buyer": other_user,
        "seller": user,
        "staff": staff_user,
    }
    arg = {"deal": deal.pk, "review": review.pk, "seller": user.pk}[target]
    data = {"rating": "5", "text": "Nice", "reply": "Thanks"} if method == "post" else {}
    response = getattr(client_for(people[WHO[index]]), method)(reverse(name, args=[arg]), data)
    assert response.status_code == expected[index]
    if expected[index] == 302 and WHO[index] == "anonymous":
        assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("created", "You pay"),
        ("payment_failed", "You pay"),
        ("paid", "You paid"),
        ("completed", "You paid"),
        ("cancelled", "Total"),
    ],
)
def test_the_deal_page_says_you_pay_only_while_the_deal_is_unpaid(
    make_deal: Callable[..., Deal], other_user: User, status: str, label: str
) -> None:
    deal = make_deal(status)
    html = client_for(other_user).get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert f"<dt>{label}</dt>" in html
    if label != "You pay":
        assert "You pay" not in html
