"""The transition table, row by row: each allowed move works, the rest raise and change nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from deals.models import Deal, DealTransition
from deals.services import deal_transition
from deals.state import TRANSITIONS, IllegalTransition, Role, Status, is_allowed, targets_for
from offers.models import Offer
from users.models import User

pytestmark = pytest.mark.django_db

ALLOWED = sorted((s, t, r) for (s, t), roles in TRANSITIONS.items() for r in roles)
ILLEGAL = [
    (Status.CREATED, Status.HELD, Role.BUYER),
    (Status.CREATED, Status.PROCESSING, Role.SYSTEM),
    (Status.CREATED, Status.COMPLETED, Role.BUYER),
    (Status.CREATED, Status.AWAITING_CODE, Role.SELLER),
    (Status.CREATED, Status.EXPIRED, Role.BUYER),
    (Status.AWAITING_CODE, Status.HELD, Role.SYSTEM),
    (Status.PROCESSING, Status.CANCELLED, Role.BUYER),
    (Status.PROCESSING, Status.CANCELLED, Role.STAFF),
    (Status.HELD, Status.COMPLETED, Role.SELLER),
    (Status.HELD, Status.COMPLETED, Role.BUYER),
    (Status.HELD, Status.SHIPPED, Role.BUYER),
    (Status.SHIPPED, Status.CANCELLED, Role.BUYER),
    (Status.SHIPPED, Status.CANCELLED, Role.SELLER),
    (Status.SHIPPED, Status.COMPLETED, Role.SELLER),
    (Status.SHIPPED, Status.DISPUTED, Role.SELLER),
    (Status.DISPUTED, Status.COMPLETED, Role.SELLER),
    (Status.DISPUTED, Status.COMPLETED, Role.SYSTEM),
    (Status.DISPUTED, Status.REFUNDED, Role.SELLER),
    (Status.COMPLETED, Status.REFUNDED, Role.STAFF),
    (Status.COMPLETED, Status.CANCELLED, Role.STAFF),
    (Status.CANCELLED, Status.CREATED, Role.SYSTEM),
    (Status.EXPIRED, Status.CREATED, Role.BUYER),
    (Status.EXPIRED, Status.AWAITING_CODE, Role.BUYER),
]


def actor_for(role: str, deal: Deal, staff: User) -> User | None:
    return {Role.BUYER: deal.buyer, Role.SELLER: deal.seller, Role.STAFF: staff, Role.SYSTEM: None}[
        Role(role)
    ]


@pytest.mark.parametrize(("start", "to", "role"), ALLOWED)
def test_every_allowed_transition_works_and_is_recorded(
    make_deal: Callable[..., Deal], staff_user: User, start: str, to: str, role: str
) -> None:
    deal = make_deal(2, status=start)
    actor = actor_for(role, deal, staff_user)
    deal_transition(deal=deal, to=to, actor=actor, role=role, reason="test")
    deal.refresh_from_db()
    assert deal.status == to
    step = deal.transitions.order_by("-id").first()
    assert step is not None
    assert (step.from_status, step.to_status, step.actor, step.role) == (start, to, actor, role)


@pytest.mark.parametrize(("start", "to", "role"), ILLEGAL)
def test_illegal_transitions_raise_and_change_nothing(
    make_deal: Callable[..., Deal], staff_user: User, start: str, to: str, role: str
) -> None:
    assert not is_allowed(start, to, role)
    deal = make_deal(2, status=start)
    offer_quantity = Offer.objects.get().quantity_available
    history = DealTransition.objects.count()
    with pytest.raises(IllegalTransition):
        deal_transition(deal=deal, to=to, actor=actor_for(role, deal, staff_user), role=role)
    deal.refresh_from_db()
    assert deal.status == start
    assert Offer.objects.get().quantity_available == offer_quantity
    assert DealTransition.objects.count() == history


def test_nobody_may_act_in_a_role_that_is_not_his(
    make_deal: Callable[..., Deal], make_user: Callable[..., User]
) -> None:
    deal = make_deal()
    stranger = make_user()
    for role in (Role.BUYER, Role.SELLER, Role.STAFF):
        with pytest.raises(IllegalTransition):
            deal_transition(deal=deal, to=Status.CANCELLED, actor=stranger, role=role)
    with pytest.raises(IllegalTransition):  # the system acts without a user
        deal_transition(deal=deal, to=Status.EXPIRED, actor=deal.buyer, role=Role.SYSTEM)
    deal.refresh_from_db()
    assert deal.status == Status.CREATED


def test_final_statuses_lead_nowhere() -> None:
    for status in (Status.REFUNDED, Status.CANCELLED, Status.EXPIRED):
        for role in Role:
            assert targets_for(status, role) == []


def test_a_completed_deal_only_becomes_refunded_when_the_bank_has_refunded_it() -> None:
    assert {r: targets_for(Status.COMPLETED, r) for r in Role} == {
        Role.BUYER: [],
        Role.SELLER: [],
        Role.STAFF: [],
        Role.SYSTEM: [Status.REFUNDED],
    }


def test_unknown_statuses_are_never_allowed() -> None:
    assert not is_allowed("created", "teleported", "buyer")
    assert not is_allowed("nowhere", "created", "system")
