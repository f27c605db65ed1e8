"""Schemathesis sweeps the whole API from its OpenAPI schema, every request signed.

For each call it sends the schema's boundary cases and ``FUZZ_EXAMPLES`` generated
requests, valid and invalid (wrong types, missing and extra fields, odd characters, NULs),
to a live server on PostgreSQL, and holds every answer to ``CHECKS``: never a server
error, only documented status codes, JSON of the documented shape. To get past validation,
generated account numbers, operation ids and operation keys are now and then swapped for
real ones (linked payers with money, payees, operations awaiting a code or confirmed), and
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
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from api.models import ApiClient
from ledger.models import Account
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


@pytest.fixture
def fuzz_data(
    platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> tuple[ApiClient, str]:
    """Linked payers with money, payees, and payments awaiting a code or confirmed."""
    client = platform[0]
    payers = [make_account(balance=10_000_00, link_to=client) for _ in range(3)]
    payees = [make_account() for _ in range(3)]
    Pool.accounts = [a.number for a in payers + payees]
    Pool.operations, Pool.keys = [], []
    for n, (payer, payee) in enumerate(itertools.product(payers, payees)):
        operation, _ = payment_request(
            client=client,
            payer_number=payer.number,
            payees=[Payee(payee.number, 100_00)],
            amount=100_00,
            description=f"fuzz {n}",
            idempotency_key=f"fuzz-seed-{n}",
        )
        Pool.operations.append(str(operation.public_id))
        if n % 2:
            key = code_confirm(client=client, operation_id=Pool.operations[-1], code=last_code())
            Pool.keys.append(str(key.key))
    return platform


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
    """Now and then a real account number or operation id instead of a generated one."""
    if not parameters:
        return st.just(parameters)
    real = {"number": Pool.accounts, "operation_id": Pool.operations}
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
