"""Every way the bank can refuse or fail to answer becomes one of three local exceptions."""

from __future__ import annotations

import pickle
import socket

import httpx
import pytest

from bank_client import BankClient, BankError, BankRefused, BankUnavailable
from paylib import signing

from .fake_bank import OPERATION_ID, PAYER, FakeBank, error, operation_json, signature_is_valid


def _get(bank: FakeBank) -> BankError:
    with pytest.raises(BankError) as caught:
        bank.client().operation_get(operation_id=OPERATION_ID)
    return caught.value


def _confirm(bank: FakeBank) -> BankError:
    with pytest.raises(BankError) as caught:
        bank.client().operation_confirm(operation_id=OPERATION_ID, code="000000")
    return caught.value


def test_a_validation_error_keeps_the_message_of_every_field() -> None:
    fields = {"amount": "The amount must equal the sum.", "payees": [{}, {"amount": "Bad."}]}
    refusal = _confirm(
        FakeBank(error(400, "validation_error", "Some fields are not valid.", fields=fields))
    )
    assert isinstance(refusal, BankRefused)
    assert (refusal.code, refusal.status, refusal.fields) == ("validation_error", 400, fields)
    assert refusal.message == "Some fields are not valid."
    assert refusal.extra == {}


def test_a_validation_error_of_a_url_part_has_its_bare_message_as_a_non_field_error() -> None:
    refusal = _get(FakeBank(error(400, "validation_error", fields="Digits only.")))
    assert refusal.fields == {"non_field_errors": "Digits only."}


@pytest.mark.parametrize("bank_code", ["not_authenticated", "authentication_failed"])
def test_a_401_is_a_configuration_problem_not_a_refusal(bank_code: str) -> None:
    failure = _get(FakeBank(error(401, bank_code, "The signature is not valid.")))
    assert type(failure) is BankError
    assert failure.code == "bank_auth_failed"
    assert failure.status == 401
    assert failure.extra == {"bank_code": bank_code}
    assert "The signature is not valid." in failure.message


def test_a_401_without_the_banks_json_is_still_an_auth_failure() -> None:
    failure = _get(FakeBank(httpx.Response(401, text="Unauthorized")))
    assert type(failure) is BankError
    assert failure.code == "bank_auth_failed"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (403, "invalid_key"),
        (404, "not_found"),
        (409, "idempotency_conflict"),
        (409, "operation_blocked"),
        (409, "wrong_state"),
        (409, "data_mismatch"),
        (422, "account_not_available"),
        (422, "code_expired"),
    ],
)
def test_a_json_refusal_keeps_the_banks_code_and_status(status: int, code: str) -> None:
    refusal = _get(FakeBank(error(status, code, "Refused.", field="account")))
    assert isinstance(refusal, BankRefused)
    assert not isinstance(refusal, BankUnavailable)
    assert (refusal.code, refusal.status, refusal.field) == (code, status, "account")
    assert str(refusal) == f"{code}: Refused."


def test_a_wrong_code_tells_how_many_attempts_are_left() -> None:
    refusal = _confirm(
        FakeBank(
            error(422, "invalid_code", "The code is not right.", field="code", attempts_left=3)
        )
    )
    assert isinstance(refusal, BankRefused)
    assert (refusal.code, refusal.field, refusal.attempts_left) == ("invalid_code", "code", 3)
    assert refusal.extra == {"attempts_left": 3}
    assert refusal.retry_after is None


def test_a_resend_too_soon_tells_how_long_to_wait() -> None:
    bank = FakeBank(error(429, "resend_too_soon", "Wait.", retry_after=17))
    with pytest.raises(BankRefused) as caught:
        bank.client().operation_resend(operation_id=OPERATION_ID)
    assert (caught.value.status, caught.value.retry_after) == (429, 17)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500, json={"error": {"code": "server_error", "message": "Boom."}}),
        httpx.Response(502, text="<html>Bad Gateway</html>", headers={"content-type": "text/html"}),
        httpx.Response(503),
        httpx.Response(404, text="<h1>Not Found</h1>", headers={"content-type": "text/html"}),
        httpx.Response(400, json={"detail": "not the bank's error format"}),
        httpx.Response(301, headers={"location": "https://bank.test/api/v1/"}),
        httpx.Response(200, text="<html>a login page</html>"),
    ],
    ids=["500-json", "502-html", "503-empty", "404-html", "400-foreign-json", "301", "200-html"],
)
def test_an_answer_that_is_not_the_banks_is_unavailability(answer: httpx.Response) -> None:
    failure = _get(FakeBank(answer))
    assert isinstance(failure, BankUnavailable)
    assert failure.code == "bank_unavailable"
    assert failure.status == answer.status_code


@pytest.mark.parametrize(
    "transport_error",
    [
        httpx.ConnectError("Connection refused"),
        httpx.ConnectTimeout("timed out"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected"),
    ],
)
def test_a_write_is_never_retried_after_a_transport_error(
    transport_error: httpx.TransportError,
) -> None:
    bank = FakeBank(transport_error)
    with pytest.raises(BankUnavailable) as caught:
        bank.client().operation_execute(
            operation_id=OPERATION_ID, key="k", payer_account=PAYER, payees=[], amount=100
        )
    assert len(bank.requests) == 1
    assert caught.value.status == 0
    assert caught.value.__cause__ is transport_error


def test_a_get_is_retried_once_with_a_new_signature_after_a_timeout() -> None:
    bank = FakeBank(httpx.ReadTimeout("timed out"), httpx.Response(200, json=operation_json()))
    operation = bank.client().operation_get(operation_id=OPERATION_ID)
    assert operation.id == OPERATION_ID
    first, second = bank.requests
    assert first.headers[signing.HEADER_NONCE] != second.headers[signing.HEADER_NONCE]
    assert signature_is_valid(second)


def test_a_get_gives_up_after_the_second_transport_error() -> None:
    bank = FakeBank(httpx.ConnectError("Connection refused"))
    with pytest.raises(BankUnavailable, match="ConnectError"):
        bank.client().balance(account_number=PAYER)
    assert len(bank.requests) == 2


def test_a_get_is_not_retried_after_a_server_error() -> None:
    bank = FakeBank(httpx.Response(500), httpx.Response(200, json=operation_json()))
    assert isinstance(_get(bank), BankUnavailable)
    assert len(bank.requests) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_bank_that_is_not_listening_is_unavailable() -> None:
    client = BankClient(f"http://127.0.0.1:{_closed_port()}", "cl", "secret", timeout=2)
    with client, pytest.raises(BankUnavailable) as caught:
        client.balance(account_number=PAYER)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_a_real_timeout_is_unavailability() -> None:
    with socket.socket() as server:  # accepts the connection, never answers
        server.bind(("127.0.0.1", 0))
        server.listen()
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        client = BankClient(url, "cl", "secret", timeout=0.2)
        with client, pytest.raises(BankUnavailable) as caught:
            client.link_request(account_number=PAYER, idempotency_key="link-1:abcdef")
    assert isinstance(caught.value.__cause__, httpx.TimeoutException)


@pytest.mark.parametrize(
    "original",
    [
        BankRefused("invalid_code", "Wrong.", field="code", extra={"attempts_left": 2}, status=422),
        BankUnavailable("The bank did not answer.", status=502),
        BankError("bank_auth_failed", "Refused.", extra={"bank_code": "x"}, status=401),
    ],
)
def test_errors_survive_pickling_with_their_details(original: BankError) -> None:
    copy = pickle.loads(pickle.dumps(original))  # noqa: S301 - our own object
    assert type(copy) is type(original)
    assert copy.__dict__ == original.__dict__
    assert str(copy) == str(original)
