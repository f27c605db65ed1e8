"""A whole link-and-pay journey through the live API, each answer held to the schema: the
success answers the fuzz test rarely reaches (a created payment, a confirm with its key, a
done execution, a replay) are documented exactly as they come."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from api.models import ApiClient
from ledger.models import Account
from operations.models import Operation
from operations.tests.helpers import last_code

from .schema_client import CHECKS, Signed, load_schema

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

schema = load_schema()


class Caller:
    def __init__(self, base_url: str, client_id: str, secret: str) -> None:
        self.base_url = base_url
        self.auth = Signed(client_id, secret)

    def __call__(self, method: str, path: str, status: int, **case: Any) -> Any:
        """Call the operation at ``path`` (a template) with the case's data; check the answer
        against the schema, and its status."""
        made = schema[path][method].Case(**case)
        response = made.call(base_url=self.base_url, auth=self.auth)
        made.validate_response(response, checks=CHECKS)
        assert response.status_code == status, response.text
        return response


def test_every_answer_of_a_journey_is_documented(
    live_server: Any, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> None:
    call = Caller(live_server.url, platform[0].client_id, platform[1])
    payer, seller = make_account(balance=500_00), make_account()
    number = {"number": payer.number}

    link = call(
        "POST", "/api/v1/links/", 201, body={"account": payer.number, "idempotency_key": "link-1:a"}
    )
    link_id = {"operation_id": link.json()["id"]}
    confirm = "/api/v1/operations/{operation_id}/confirm/"
    call(
        "POST",
        confirm,
        200,
        path_parameters=link_id,
        body={"code": last_code(), "idempotency_key": "link-1:c"},
    )
    call("GET", "/api/v1/accounts/{number}/balance/", 200, path_parameters=number)

    data = {
        "payer_account": payer.number,
        "payees": [{"account": seller.number, "amount": "120.00"}],
        "amount": "120.00",
    }
    payment = {**data, "description": "Deal 9", "idempotency_key": "pay-9:create"}
    created = call("POST", "/api/v1/payments/", 201, body=payment)
    assert call("POST", "/api/v1/payments/", 201, body=payment).content == created.content
    op = {"operation_id": created.json()["id"]}
    resend = "/api/v1/operations/{operation_id}/resend/"
    call("POST", resend, 429, path_parameters=op, body={"idempotency_key": "pay-9:r1"})
    Operation.objects.filter(public_id=op["operation_id"]).update(
        code_sent_at=timezone.now() - timedelta(minutes=1)
    )
    call("POST", resend, 200, path_parameters=op, body={"idempotency_key": "pay-9:r2"})
    code = last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    call(
        "POST",
        confirm,
        422,
        path_parameters=op,
        body={"code": wrong, "idempotency_key": "pay-9:c1"},
    )
    key = call(
        "POST", confirm, 200, path_parameters=op, body={"code": code, "idempotency_key": "pay-9:c2"}
    ).json()["key"]
    execute = "/api/v1/operations/{operation_id}/execute/"
    call(
        "POST",
        execute,
        403,
        path_parameters=op,
        body={**data, "key": "x" * 43, "idempotency_key": "pay-9:x1"},
    )
    done = call(
        "POST",
        execute,
        200,
        path_parameters=op,
        body={**data, "key": key, "idempotency_key": "pay-9:x2"},
    )
    assert done.json()["status"] == "done"
    call("GET", "/api/v1/operations/{operation_id}/", 200, path_parameters=op)
    call(
        "POST",
        "/api/v1/links/{number}/revoke/",
        204,
        path_parameters=number,
        body={"idempotency_key": "unlink-1:a"},
    )
    call("GET", "/api/v1/accounts/{number}/balance/", 422, path_parameters=number)
