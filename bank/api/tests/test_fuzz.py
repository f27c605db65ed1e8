"""Schemathesis sweeps the whole API from its OpenAPI schema, every request signed.

For each call it sends the schema's boundary cases and ``FUZZ_EXAMPLES`` generated
requests, valid and invalid (wrong types, missing and extra fields, odd characters, NULs),
to a live server on PostgreSQL, and holds every answer to ``CHECKS``: never a server
error, only documented status codes, JSON of the documented shape. To get past validation,
generated account numbers, operation ids and operation keys are now and then swapped for
real ones (linked payers with money, payees, payments and hold requests awaiting a code or
confirmed, holds pending, captured and released), a hold's time now and then made valid, and
a payment's total now and then made to add up. Each valid idempotency key is made unique,
or every request after the first with a generated key would be an ``idempotency_conflict``.
The number of requests sent is printed at the end of the run.
"""

from __future__ import annotations

import itertools
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from api.models import ApiClient
from holds.services import hold_capture, hold_void
from ledger.models import Account
from operations.hold_requests import hold_place_confirmed, hold_request
from operations.services import Payee, code_confirm, payment_request
from operations.tests.helpers import last_code
from paylib.money import AmountError, format_amount, parse_amount

from .schema_client import CHECKS, Signed, load_schema

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,64}")
_unique = itertools.count()
_sent: Counter[tuple[str, int]] = Counter()


class Pool:
    """Real account numbers, operation ids and keys for the generated requests to hit."""

    accounts: list[str] = ["40817810500001234567"]
    operations: list[str] = ["00000000-0000-0000-0000-000000000000"]
    keys: list[str] = ["not-a-key"]
    holds: list[str] = ["00000000-0000-0000-0000-000000000000"]
    #: The key and data of each confirmed payment and hold request: an execute or a place.
    confirmed: list[dict[str, Any]] = [{}]


@pytest.fixture
def fuzz_data(
    platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> tuple[ApiClient, str]:
    """Linked payers with money, payees, payments and hold requests awaiting a code or
    confirmed, and holds pending, captured and released."""
    client = platform[0]
    payers = [make_account(balance=10_000_00, link_to=client) for _ in range(3)]
    payees = [make_account() for _ in range(3)]
    Pool.accounts = [a.number for a in payers + payees]
    Pool.operations, Pool.keys, Pool.holds, Pool.confirmed = [], [], [], []
    for n, (payer, payee) in enumerate(itertools.product(payers, payees)):
        for request in (payment_request, _hold_request):
            operation, _ = request(
                client=client,
                payer_number=payer.number,
                payees=[Payee(payee.number, 100_00)],
                amount=100_00,
                description=f"fuzz {n}",
                idempotency_key=f"fuzz-seed-{request.__name__}-{n}",
            )
            Pool.operations.append(str(operation.public_id))
            if n % 2:
                key = code_confirm(
                    client=client, operation_id=Pool.operations[-1], code=last_code()
                )
                Pool.keys.append(str(key.key))
                data = {
                    "key": key.key,
                    "payer_account": payer.number,
                    "payees": [{"account": payee.number, "amount": "100.00"}],
                    "amount": "100.00",
                }
                Pool.confirmed.append({"operation": Pool.operations[-1], "data": data})
        _hold_of(client, payer, payee, n)
    return platform


def _hold_request(**fields: Any) -> Any:
    return hold_request(**fields, hold_until=timezone.now() + timedelta(days=7))


def _hold_of(client: ApiClient, payer: Account, payee: Account, n: int) -> None:
    """A hold of 50.00 placed from a confirmed request: left pending, captured for 30.00 or
    released."""
    data = {"payer_number": payer.number, "payees": [Payee(payee.number, 50_00)], "amount": 50_00}
    operation, _ = _hold_request(
        client=client, description=f"hold {n}", idempotency_key=f"fuzz-hold-{n}", **data
    )
    confirmed = code_confirm(client=client, operation_id=operation.public_id, code=last_code())
    hold, _ = hold_place_confirmed(
        client=client, operation_id=str(operation.public_id), key=str(confirmed.key), **data
    )
    Pool.holds.append(str(hold.public_id))
    if n % 3 == 1:
        hold_capture(hold_id=hold.pk, amount=30_00)
    elif n % 3 == 2:
        hold_void(hold_id=hold.pk)


@pytest.fixture(scope="module")
def count_report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if _sent:
        statuses = Counter[int]()
        for (_call, status), count in _sent.items():
            statuses[status] += count
        summary = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
        errors = sum(count for status, count in statuses.items() if status >= 500)
        plugins = request.config.pluginmanager
        reporter, capture = (
            plugins.get_plugin("terminalreporter"),
            plugins.get_plugin("capturemanager"),
        )
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(
                    f"\nschemathesis: {statuses.total()} signed requests, {errors} server errors;"
                    f" by status: {summary}"
                )


schema = load_schema()


@schema.hook
def flatmap_path_parameters(context: Any, parameters: dict[str, Any] | None) -> Any:
    """Now and then a real account number, operation id or hold id instead of a generated
    one."""
    if not parameters:
        return st.just(parameters)
    real = {"number": Pool.accounts, "operation_id": Pool.operations, "hold_id": Pool.holds}
    swaps = {name: st.sampled_from(real[name]) for name in parameters if name in real}
    return st.fixed_dictionaries({}, optional=swaps).map(lambda s: {**parameters, **s})


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    """Now and then real accounts in the body (a linked payer, payees that exist), a real
    operation key, a total that adds up: so that requests get past validation."""
    if not isinstance(body, dict):
        return st.just(body)
    accounts = st.sampled_from(Pool.accounts)
    swaps: dict[str, Any] = {
        name: accounts for name in ("account", "payer_account") if name in body
    }
    if isinstance(body.get("key"), str):
        swaps["key"] = st.sampled_from(Pool.keys)
    if "amount" in body and "payees" not in body:  # a capture or a refund
        swaps["amount"] = st.sampled_from(["0.01", "20.00", "30.00", "50.00"])
    if "hold_until" in body:
        swaps["hold_until"] = st.integers(1, 60 * 24 * 3600 - 60).map(_seconds_ahead)
    payees = body.get("payees")
    if isinstance(payees, list) and all(isinstance(p, dict) for p in payees):
        swaps["payees"] = st.tuples(
            *(
                st.one_of(st.just(p), accounts.map(lambda a, p=p: {**p, "account": a}))
                for p in payees
            )
        ).map(list)
    return (
        st.fixed_dictionaries({}, optional=swaps)
        .map(lambda s: {**body, **s})
        .flatmap(lambda b: st.sampled_from([b, _adding_up(b)]))
    )


@schema.hook
def flatmap_case(context: Any, case: Any) -> Any:
    """Now and then an execute or a place of a confirmed operation, with its key and data
    (a payment's or a hold request's, on either call): so that some get past the checks."""
    body, path = case.body, case.path_parameters or {}
    if not (isinstance(body, dict) and "key" in body and "operation_id" in path):
        return st.just(case)

    def confirmed(real: dict[str, Any]) -> Any:
        matched = case.derive()
        matched.path_parameters = {**path, "operation_id": real["operation"]}
        matched.body = {**body, **real["data"]}
        return matched

    return st.one_of(st.just(case), st.sampled_from(Pool.confirmed).map(confirmed))


def _seconds_ahead(seconds: int) -> str:
    return (timezone.now() + timedelta(seconds=seconds)).isoformat()


def _adding_up(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with its amount set to the sum of its payees', where they are amounts."""
    try:
        total = sum(parse_amount(p["amount"]) for p in body["payees"])
    except (AmountError, KeyError, TypeError):
        return body
    return {**body, "amount": format_amount(total)}


def _fresh_key(body: Any) -> None:
    key = body.get("idempotency_key") if isinstance(body, dict) else None
    if isinstance(key, str) and _KEY.fullmatch(key):
        body["idempotency_key"] = f"fuzz-{next(_unique):08d}"


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure here reproduces
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_answers_500_and_answers_as_documented(
    case: Any, live_server: Any, fuzz_data: tuple[ApiClient, str], count_report: None
) -> None:
    client, secret = fuzz_data
    _fresh_key(case.body)
    response = case.call(base_url=live_server.url, auth=Signed(client.client_id, secret))
    _sent[(case.operation.label, response.status_code)] += 1
    case.validate_response(response, checks=CHECKS)
