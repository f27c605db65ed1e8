"""Who may open every URL: anonymous, a stranger, the owner, staff.

Expected answers: 200 a page, 302 a redirect (to sign in for the anonymous, or after an
action), 404 for objects that are not one's own (as if they did not exist), 405 for a GET
on an action that only takes POST.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from conftest import client_for
from core.tests.conftest import World
from deals.models import Deal
from offers.models import Offer

pytestmark = pytest.mark.django_db


KEY = "6f1c2b1e-1d2a-4c3b-9e8f-0a1b2c3d4e5f"  # a Buy form's idempotency key
LOGIN = "login"  # a redirect to the sign-in page
# name, args, method, data, (anonymous, stranger, owner, staff)
TABLE: list[tuple[str, Callable[[World], list[Any]], str, dict[str, str], tuple[Any, ...]]] = [
    ("offers:catalogue", lambda w: [], "get", {}, (200, 200, 200, 200)),
    ("offers:detail", lambda w: [w.offer.pk], "get", {}, (200, 200, 200, 200)),
    ("offers:create", lambda w: [], "get", {}, (LOGIN, 200, 200, 200)),
    ("offers:mine", lambda w: [], "get", {}, (LOGIN, 200, 200, 200)),
    ("offers:edit", lambda w: [w.offer.pk], "get", {}, (LOGIN, 404, 200, 404)),
    ("offers:pause", lambda w: [w.offer.pk], "post", {}, (LOGIN, 404, 302, 404)),
    ("offers:pause", lambda w: [w.offer.pk], "get", {}, (LOGIN, 405, 405, 405)),
    ("offers:resume", lambda w: [w.offer.pk], "post", {}, (LOGIN, 404, 302, 404)),
    ("offers:close", lambda w: [w.offer.pk], "post", {}, (LOGIN, 404, 302, 404)),
    ("offers:close", lambda w: [w.offer.pk], "get", {}, (LOGIN, 404, 200, 404)),
    ("sellers:detail", lambda w: [w.owner.pk], "get", {}, (200, 200, 200, 200)),
    ("sellers:detail", lambda w: [w.stranger.pk], "get", {}, (404, 404, 404, 404)),
    ("deals:list", lambda w: [], "get", {}, (LOGIN, 200, 200, 200)),
    ("deals:detail", lambda w: [w.deal.pk], "get", {}, (LOGIN, 404, 200, 200)),
    # Always "my sales": everyone signed in sees his own page and file.
    ("deals:sales", lambda w: [], "get", {}, (LOGIN, 200, 200, 200)),
    ("deals:sales", lambda w: [], "get", {"month": "2026-13"}, (LOGIN, 400, 400, 400)),
    ("deals:sales_csv", lambda w: [], "get", {}, (LOGIN, 200, 200, 200)),
    ("deals:cancel", lambda w: [w.deal.pk], "post", {}, (LOGIN, 404, 302, 302)),
    ("deals:complete", lambda w: [w.deal.pk], "post", {}, (LOGIN, 404, 302, 302)),
    (
        "deals:create",
        lambda w: [w.deal.offer_id],
        "post",
        {"quantity": "1", "idempotency_key": KEY},
        (LOGIN, 302, 302, 302),
    ),
    (
        "deals:create",
        lambda w: [w.offer.pk],
        "post",
        {"quantity": "1", "idempotency_key": KEY},
        (LOGIN, 302, 400, 302),
    ),
    ("accounts:list", lambda w: [], "get", {}, (LOGIN, 200, 200, 200)),
    ("accounts:add", lambda w: [], "get", {}, (LOGIN, 200, 200, 200)),
    ("accounts:confirm", lambda w: [w.pending.pk], "get", {}, (LOGIN, 404, 200, 404)),
    ("accounts:resend", lambda w: [w.pending.pk], "post", {}, (LOGIN, 404, 302, 404)),
    ("accounts:default", lambda w: [w.account.pk], "post", {}, (LOGIN, 404, 302, 404)),
    ("accounts:remove", lambda w: [w.account.pk], "get", {}, (LOGIN, 404, 200, 404)),
    ("accounts:remove", lambda w: [w.account.pk], "post", {}, (LOGIN, 404, 302, 404)),
    ("users:profile", lambda w: [], "get", {}, (LOGIN, 200, 200, 200)),
    ("users:signup", lambda w: [], "get", {}, (200, 200, 200, 200)),
    ("users:login", lambda w: [], "get", {}, (200, 302, 302, 302)),
    ("users:logout", lambda w: [], "post", {}, (302, 302, 302, 302)),
    ("users:password_reset", lambda w: [], "get", {}, (200, 200, 200, 200)),
    ("users:password_reset_done", lambda w: [], "get", {}, (200, 200, 200, 200)),
    ("users:password_reset_complete", lambda w: [], "get", {}, (200, 200, 200, 200)),
    ("admin:index", lambda w: [], "get", {}, (LOGIN, LOGIN, LOGIN, 200)),
    ("admin:offers_offer_changelist", lambda w: [], "get", {}, (LOGIN, LOGIN, LOGIN, 200)),
    ("admin:deals_deal_changelist", lambda w: [], "get", {}, (LOGIN, LOGIN, LOGIN, 200)),
    ("admin:deals_deal_change", lambda w: [w.deal.pk], "get", {}, (LOGIN, LOGIN, LOGIN, 200)),
    (
        "admin:accounts_settlementaccount_changelist",
        lambda w: [],
        "get",
        {},
        (LOGIN, LOGIN, LOGIN, 200),
    ),
    ("admin:users_user_changelist", lambda w: [], "get", {}, (LOGIN, LOGIN, LOGIN, 200)),
    (
        "admin:commission_commissionsetting_change",
        lambda w: [1],
        "get",
        {},
        (LOGIN, LOGIN, LOGIN, 200),
    ),
    (
        "admin:commission_commissionchange_changelist",
        lambda w: [],
        "get",
        {},
        (LOGIN, LOGIN, LOGIN, 200),
    ),
]
WHO = ["anonymous", "stranger", "owner", "staff"]
CASES = [
    pytest.param(name, args, method, data, who, expected[i], id=f"{name}-{method}-{who}")
    for name, args, method, data, expected in TABLE
    for i, who in enumerate(WHO)
]


@pytest.mark.parametrize(("name", "args", "method", "data", "who", "expected"), CASES)
def test_access(
    world: World,
    name: str,
    args: Callable[[World], list[Any]],
    method: str,
    data: dict[str, str],
    who: str,
    expected: Any,
) -> None:
    user = {
        "anonymous": None,
        "stranger": world.stranger,
        "owner": world.owner,
        "staff": world.staff,
    }[who]
    if name == "offers:resume":
        Offer.objects.filter(pk=world.offer.pk).update(status="paused")
    if name == "deals:complete":
        Deal.objects.filter(pk=world.deal.pk).update(status="held")
    client = client_for(user)
    url = reverse(name, args=args(world))
    response = getattr(client, method)(url, data)
    if expected == LOGIN:
        assert response.status_code == 302
        assert "login" in response["Location"]
    else:
        assert response.status_code == expected, response.content[:300]
