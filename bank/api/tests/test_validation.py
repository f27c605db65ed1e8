"""Malformed requests get 400 naming the field, and nothing is written or emailed."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from api.models import ApiClient
from conftest import SignedClient, keyed
from ledger.models import Account, Posting
from operations.models import Operation
from paylib.money import AmountError, parse_amount

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

GOOD_NUMBER = "40817810000000000001"


@pytest.fixture
def payment(
    platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> dict[str, Any]:
    payer = make_account(balance=1000_00, link_to=platform[0])
    seller, fee = make_account(), make_account()
    return {
        "idempotency_key": "deal-1-attempt-1",
        "payer_account": payer.number,
        "payees": [
            {"account": seller.number, "amount": "95.00"},
            {"account": fee.number, "amount": "5.00"},
        ],
        "amount": "100.00",
        "description": "Deal #1",
    }


def _assert_nothing_written() -> None:
    assert Operation.objects.count() == 0
    assert Posting.objects.filter(kind="payment").count() == 0
    assert mail.outbox == []


def test_a_well_formed_payment_is_accepted(api: SignedClient, payment: dict[str, Any]) -> None:
    assert api.post("/api/v1/payments/", payment).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"payer_account": "4081781000000000000"}, "payer_account"),  # 19 digits
        ({"payer_account": "4081781000000000000x"}, "payer_account"),
        ({"payer_account": "40817810100000000001"}, "payer_account"),  # control key
        ({"amount": "99.00"}, "amount"),  # not the sum of the payees
        ({"description": "two\nlines"}, "description"),
        ({"payees": []}, "payees"),
        ({"description": ""}, "description"),
        ({"idempotency_key": "short"}, "idempotency_key"),
        ({"idempotency_key": "has spaces in it"}, "idempotency_key"),
    ],
)
def test_bad_fields_are_named(
    api: SignedClient, payment: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    response = api.post("/api/v1/payments/", {**payment, **change})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    _assert_nothing_written()


@pytest.mark.parametrize(
    "field", ["payer_account", "payees", "amount", "description", "idempotency_key"]
)
def test_each_required_field_is_required(
    api: SignedClient, payment: dict[str, Any], field: str
) -> None:
    del payment[field]
    response = api.post("/api/v1/payments/", payment)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    _assert_nothing_written()


def test_bad_payee_is_named_by_position(api: SignedClient, payment: dict[str, Any]) -> None:
    payment["payees"][1]["amount"] = "abc"
    response = api.post("/api/v1/payments/", payment)
    assert response.status_code == 400
    assert "amount" in response.json()["error"]["fields"]["payees"]["1"]
    _assert_nothing_written()


def test_unknown_payee_account_is_refused(api: SignedClient, payment: dict[str, Any]) -> None:
    payment["payees"][0]["account"] = GOOD_NUMBER
    response = api.post("/api/v1/payments/", payment)
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "account_not_available",
        "message": "No such account at this bank.",
        "field": "payees[0].account",
    }
    _assert_nothing_written()


def test_unlinked_payer_is_refused(
    api: SignedClient, payment: dict[str, Any], make_account: Callable[..., Account]
) -> None:
    payment["payer_account"] = make_account(balance=1000_00).number
    response = api.post("/api/v1/payments/", payment)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "payer_account"
    _assert_nothing_written()


def test_payment_beyond_the_balance_is_refused(api: SignedClient, payment: dict[str, Any]) -> None:
    payment["amount"] = "1000.01"
    payment["payees"][0]["amount"] = "995.01"
    response = api.post("/api/v1/payments/", payment)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "insufficient_funds"
    _assert_nothing_written()


def test_non_json_body_is_refused(api: SignedClient) -> None:
    response = api.http.post(
        "/api/v1/payments/",
        b"amount=1",
        content_type="application/x-www-form-urlencoded",
        headers=api.headers("POST", "/api/v1/payments/", b"amount=1"),
    )
    assert response.status_code == 415
    _assert_nothing_written()


def test_malformed_json_is_refused(api: SignedClient) -> None:
    body = b'{"amount": '
    response = api.http.post(
        "/api/v1/payments/",
        body,
        content_type="application/json",
        headers=api.headers("POST", "/api/v1/payments/", body),
    )
    assert response.status_code == 400
    _assert_nothing_written()


@pytest.mark.parametrize("number", ["123", "4081781000000000000x", "40817810100000000001"])
def test_balance_checks_the_account_number_format(api: SignedClient, number: str) -> None:
    response = api.get(f"/api/v1/accounts/{number}/balance/")
    assert response.status_code == 400


def test_confirm_needs_six_digits(api: SignedClient, payment: dict[str, Any]) -> None:
    operation = api.post("/api/v1/payments/", payment).json()
    for code in ["12345", "1234567", "12345a", ""]:
        response = api.post(f"/api/v1/operations/{operation['id']}/confirm/", keyed({"code": code}))
        assert response.status_code == 400
        assert "code" in response.json()["error"]["fields"]
    assert Operation.objects.get().code_attempts_left == 5


@pytest.mark.parametrize("path", ["/api/v1/operations/not-a-uuid/", "/api/v1/operations/1/"])
def test_malformed_operation_id_is_not_found(api: SignedClient, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_malformed_number_in_the_path_names_the_field(api: SignedClient) -> None:
    response = api.get("/api/v1/accounts/123/balance/")
    assert response.json()["error"]["fields"] == {
        "account": "An account number has exactly 20 digits."
    }
    assert api.post("/api/v1/links/123/revoke/", keyed()).status_code == 400


def test_unknown_api_path_answers_json() -> None:
    from django.test import Client

    response = Client().get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-100.00", "greater than zero"),
        ("0", "greater than zero"),
        ("0.00", "greater than zero"),
        ("100.001", "two decimal places"),
        (100.0, "as a string"),  # a JSON float
        ("1e3", "Enter a number"),
        ("1E+3", "Enter a number"),
        ("+5", "Enter a number"),
        (" 5", "Enter a number"),
        ("1_0.0", "Enter a number"),
        ("\u0661\u0660", "Enter a number"),  # Arabic-Indic digits
        ("NaN", "Enter a number"),
        ("Infinity", "Enter a number"),
        ("1e26", "Enter a number"),
        (10**40, "Enter a number"),
        ("1000000000.01", "too large"),
        ("9" * 5000, "Enter a number"),
        # Wrongly typed: a 500 once, and a tuple-shaped list was even taken for 1.00.
        ({}, "Enter a number"),
        ([], "Enter a number"),
        ([1, 2], "Enter a number"),
        ([0, [1, 0, 0], -2], "Enter a number"),
        ({"amount": "1.00"}, "Enter a number"),
        (None, "may not be null"),
    ],
)
def test_bad_amounts_are_refused_with_the_reason(
    api: SignedClient, payment: dict[str, Any], amount: Any, message: str
) -> None:
    payment["amount"] = amount
    payment["payees"] = [{"account": payment["payees"][0]["account"], "amount": amount}]
    response = api.post("/api/v1/payments/", payment)
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    assert message in fields["amount"]
    assert message in fields["payees"]["0"]["amount"]
    _assert_nothing_written()


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Timestamp", "\u00b2"),  # a superscript two: isdigit() says yes, int() says no
        ("X-Timestamp", "1" * 5000),
        ("X-Signature", "\u00e9" * 64),
        ("X-Signature", "0" * 65),
        ("X-Nonce", "short"),
        ("X-Nonce", "n" * 65),
    ],
)
def test_malformed_headers_get_401_not_500(api: SignedClient, header: str, value: str) -> None:
    response = api.get("/api/v1/accounts/40817810000000000001/balance/", **{header: value})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b"[" * 100_000,
        b'{"amount": ' + b"[" * 40 + b"]" * 40 + b"}",
    ],
    ids=["arrays", "objects", "unclosed", "forty-deep"],
)
def test_deeply_nested_json_is_a_parse_error(api: SignedClient, body: bytes) -> None:
    response = api.http.post(
        "/api/v1/payments/",
        body,
        content_type="application/json",
        headers=api.headers("POST", "/api/v1/payments/", body),
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "parse_error"
    _assert_nothing_written()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ((0, (1, 0, 0), -2), "not_a_number"),  # Decimal() would build 1.00 from this tuple
        ({}, "not_a_number"),
        (None, "not_a_number"),
        (1.5, "float"),
        ("1.001", "too_precise"),
        ("-1", "not_positive"),
        ("1000000000.01", "too_large"),
    ],
)
def test_parse_amount_names_the_reason(value: Any, code: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(value)
    assert caught.value.code == code
