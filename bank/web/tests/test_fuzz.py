"""The bank's web pages under a fuzzer: every URL pattern but the signed API (which has a
fuzzer of its own, over its schema), found in the URLconf so that a new page is fuzzed
without editing this test; as anonymous, a customer and staff, by GET and by POST with a
valid CSRF token, with every form field and query parameter the site shows that person
for the page and every name the code reads. First each parameter alone with each value of
a fixed sweep, then hypothesis' examples. No answer is a server error; a refused request
writes nothing. See ``paylib.webfuzz``; FUZZ_EXAMPLES sets the examples per page.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from api.models import ApiClient
from api.tests.hold_helpers import capture, placed_hold, refund, request_hold
from conftest import SignedClient
from customers.models import Customer
from ledger.models import Account
from operations.models import AccountLink
from operations.services import link_request
from paylib import webfuzz

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

BANK = Path(__file__).resolve().parents[2]
PAGES = webfuzz.site_pages(skip=["api:"])
CODE_READS = webfuzz.parameters_read_by_code(BANK)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
REPORT = BANK.parent / "test-artifacts" / "fuzz-bank.json"
PEOPLE = ["anonymous", "customer", "staff"]


@pytest.fixture
def world(
    platform: tuple[ApiClient, str],
    api: SignedClient,
    make_customer: Callable[..., Customer],
    make_account: Callable[..., Account],
) -> dict[str, Any]:
    customer = make_customer(email="anna@example.com", full_name="Anna")
    staff = make_customer(email="staff@example.com", is_staff=True, is_superuser=True)
    account = make_account(balance=5_000_00, customer=customer, link_to=platform[0])
    other = make_account(customer=customer)
    payee = make_account()
    for n in range(3):  # a statement with more than one line, and a pending operation
        response = api.post(
            "/api/v1/payments/",
            {
                "idempotency_key": f"fuzz-world-{n}",
                "payer_account": account.number,
                "payees": [{"account": payee.number, "amount": "10.00"}],
                "amount": "10.00",
                "description": f"Deal #{n}",
            },
        )
        assert response.status_code == 201, response.content
    # Holds on the statement and in the admin: one pending, one captured and refunded in
    # part, and a hold request awaiting its code on the operations page.
    parties = {"payer": account, "seller": payee, "platform": make_account()}
    placed_hold(api, parties, key="fuzz-world-hold-1")
    captured = placed_hold(api, parties, key="fuzz-world-hold-2")
    capture(api, captured, "500.00", key="fuzz-world-capture")
    refund(api, captured, "100.00", key="fuzz-world-refund")
    assert request_hold(api, parties, key="fuzz-world-hold-3").status_code == 201
    # The platforms page: a live link to revoke and a link request to decline.
    link_request(client=platform[0], account_number=other.number, idempotency_key="fuzz-link")
    link = AccountLink.objects.get(account=account, revoked_at__isnull=True)
    known = {
        "number": [account.number, other.number, payee.number],
        "link_id": [str(link.pk), "1"],
        "uidb64": [urlsafe_base64_encode(force_bytes(customer.pk)), "MQ"],
        "token": ["set-password", "abc-123"],
        "object_id": [str(account.pk), str(customer.pk), str(staff.pk), "1"],
        "app_label": ["customers", "ledger", "operations", "api", "outbox", "holds"],
    }
    return {"users": {"customer": customer, "staff": staff}, "known": known}


def test_no_page_answers_500_or_writes_on_refusal(world: dict[str, Any]) -> None:
    users = world["users"]
    clients = {"anonymous": Client(raise_request_exception=False, enforce_csrf_checks=True)}
    for name, user in users.items():
        clients[name] = Client(raise_request_exception=False, enforce_csrf_checks=True)
        clients[name].force_login(user)
    site = webfuzz.SiteMap(PAGES, clients, world["known"])
    outcome = webfuzz.Outcome()
    watch = webfuzz.WriteWatch(webfuzz.REFUSAL_TABLES)

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
        examples = EXAMPLES // 2 if page.name.startswith("admin") else EXAMPLES * 2
        webfuzz.run_examples(strategy, send, examples=examples)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = {"pages": len(PAGES), "cases": outcome.total, **outcome.counts}
    REPORT.write_text(json.dumps(report, indent=2))
    assert outcome.total >= 5 * len(PAGES)


def test_the_fuzzer_sees_the_customer_pages() -> None:
    names = {page.name for page in PAGES}
    assert {"web:accounts", "web:statement", "web:operations", "web:login"} <= names
    assert not any(name.startswith("api:") for name in names)
    assert "page" in CODE_READS
