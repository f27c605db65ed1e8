"""The marketplace's pages under a fuzzer: every URL pattern (found in the URLconf, so a
new page is fuzzed without editing this test), as anonymous, a buyer, a seller and staff,
by GET and by POST with a valid CSRF token, with every form field and query parameter the
site shows that person for the page, and every name the code reads. First each parameter
alone with each value of a fixed sweep, then hypothesis' examples. No answer is a server
error; a refused request writes nothing. On PostgreSQL, with the bank unreachable (every
bank call takes its "unavailable" path). See ``paylib.webfuzz``; FUZZ_EXAMPLES sets the
number of hypothesis examples per page.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import SettlementAccount
from conversations.services import deal_message_create
from core.images import image_clean
from deals.models import Deal
from deals.services import deal_create
from notifications.models import Notification
from notifications.services import notify
from offers.models import Offer
from offers.services import offer_update
from paylib import webfuzz
from reviews.services import review_create
from users.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

MARKET = Path(__file__).resolve().parents[2]
PAGES = webfuzz.site_pages()
CODE_READS = webfuzz.parameters_read_by_code(MARKET)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
REPORT = MARKET.parent / "test-artifacts" / "fuzz-marketplace.json"
PEOPLE = ["anonymous", "buyer", "seller", "staff"]
PNG = webfuzz.FILES["png"][1]


@pytest.fixture
def world(
    settings: Any,
    make_user: Callable[..., User],
    make_offer: Callable[..., Offer],
    make_linked_account: Callable[..., SettlementAccount],
) -> dict[str, Any]:
    settings.CATALOGUE_PAGE_SIZE = 2  # so that the catalogue links a next page (a cursor)
    seller = make_user("seller@example.com", name="Sonya Seller")
    buyer = make_user("buyer@example.com", name="Boris Buyer")
    staff = make_user("staff@example.com", name="Staff", is_staff=True, is_superuser=True)
    offers = [make_offer(seller, title=f"Lamp {n}", price=1000 * (n + 1)) for n in range(3)]
    offers.append(make_offer(seller, title="Paused", status="paused"))
    make_linked_account(buyer)
    deals = [deal_create(buyer=buyer, offer=offers[0], quantity=1) for _ in range(2)]
    Deal.objects.filter(pk=deals[1].pk).update(status="payment_failed")
    # A completed deal with a review (edited and answered on their pages), one without.
    done = [deal_create(buyer=buyer, offer=offers[1], quantity=1) for _ in range(2)]
    Deal.objects.filter(pk__in=[d.pk for d in done]).update(status="completed")
    review = review_create(buyer=buyer, deal=done[0], rating=4, text="Fine lamp")
    # A photo on the first offer, so that its edit form shows the photo order fields.
    offer_update(
        offer=offers[0],
        actor=seller,
        title=offers[0].title,
        description="",
        price=offers[0].price,
        quantity=offers[0].quantity_available,
        category=offers[0].category,
        new_photos=[image_clean(SimpleUploadedFile("p.png", PNG))],
    )
    account = SettlementAccount.objects.filter(user=buyer).first()
    assert account is not None
    pending = SettlementAccount.objects.create(
        user=buyer, number="40817810300000000777", bank_operation_id="op-pending"
    )
    notify(users=[seller, buyer], kind="paid_held", deal=deals[0])
    notify(users=[buyer], kind="refunded", deal=None, amount=100)
    deal_message_create(
        deal=deals[0], author=buyer, role="buyer", text="Hello", idempotency_key=uuid.uuid4()
    )
    notices = [str(n.pk) for n in Notification.objects.all()]
    ids = [str(o.pk) for o in offers] + [str(d.pk) for d in deals] + notices
    known = {
        "pk": [*ids, str(account.pk), str(pending.pk), str(review.pk), str(seller.pk)],
        "offer_pk": [str(o.pk) for o in offers],
        "deal_pk": [str(d.pk) for d in deals],
        "deal_id": [str(done[1].pk), str(done[0].pk), str(deals[0].pk)],
        "object_id": ids + [str(u.pk) for u in (seller, buyer, staff)] + ["1"],
        "app_label": [
            "users",
            "offers",
            "deals",
            "payments",
            "accounts",
            "commission",
            "notifications",
        ],
    }
    return {"users": {"buyer": buyer, "seller": seller, "staff": staff}, "known": known}


def test_no_page_answers_500_or_writes_on_refusal(world: dict[str, Any]) -> None:
    users = world["users"]
    clients = {"anonymous": Client(raise_request_exception=False, enforce_csrf_checks=True)}
    for name, user in users.items():
        clients[name] = Client(raise_request_exception=False, enforce_csrf_checks=True)
        clients[name].force_login(user)
    site = webfuzz.SiteMap(PAGES, clients, world["known"])
    outcome = webfuzz.Outcome()
    # The bank-call log records that the bank was asked (a refused Pay still reads the
    # balances it shows again): an audit trail, not a change made by the refused request.
    watch = webfuzz.WriteWatch((*webfuzz.REFUSAL_TABLES, "banking_bankcall"))

    def send(request: webfuzz.Request) -> None:
        if request.who != "anonymous":
            webfuzz.sign_in(clients[request.who], users[request.who])  # after a sign-out
        webfuzz.fuzz_once(
            request, clients, csrf_cookie=webfuzz.csrf_cookie_name(), outcome=outcome, watch=watch
        )

    for page in PAGES:
        # The admin's pages only let staff past their sign-in: sweep them as staff only.
        who = ["staff"] if page.name.startswith("admin") else PEOPLE
        for request in webfuzz.sweep_requests(page, who=who, site=site):
            send(request)
        strategy = webfuzz.request_strategy(page, who=PEOPLE, site=site, code_reads=CODE_READS)
        examples = EXAMPLES // 2 if page.name.startswith("admin") else EXAMPLES
        webfuzz.run_examples(strategy, send, examples=examples)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps({"pages": len(PAGES), "cases": outcome.total, **outcome.counts}, indent=2)
    )
    assert outcome.total >= 5 * len(PAGES)
    # The photo forms are swept with files: each kind alone and all at once.
    create = next(page for page in PAGES if page.name == "offers:create")
    with_files = [r for r in webfuzz.sweep_requests(create, who=["seller"], site=site) if r.files]
    assert len(with_files) == len(webfuzz.FILES) + 1


def test_the_fuzzer_sees_every_kind_of_page_and_parameter() -> None:
    names = {page.name for page in PAGES}
    for expected in [
        "offers:catalogue",
        "deals:create",
        "users:signup",
        "payments:code",
        "sellers:detail",
        "reviews:create",
        "reviews:reply",
    ]:
        assert expected in names
    assert {"after", "before", "page"} <= set(CODE_READS)


def test_the_fuzzer_sends_files_to_file_inputs() -> None:
    forms, _links = webfuzz.page_parameters(
        '<form method="post"><input type="file" name="photos" multiple><input name="title"></form>'
    )
    assert forms[0].files == {"photos"}
    assert "photos" not in forms[0].fields
