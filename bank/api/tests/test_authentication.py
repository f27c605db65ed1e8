"""Every way a request can fail to prove who sent it gets 401 and a JSON error."""

import time

import pytest
import time_machine
from django.test import Client

from api.models import ApiClient
from api.services import api_client_revoke, api_client_rotate
from conftest import SignedClient
from paylib import signing

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

BALANCE = "/api/v1/accounts/40817810000000000001/balance/"


def _assert_401(response, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == code


def test_a_signed_request_is_accepted(api: SignedClient) -> None:
    # Authenticated, then refused for a business reason: the account is not linked.
    response = api.get(BALANCE)
    assert response.status_code == 422


def test_unsigned_request_is_refused() -> None:
    _assert_401(Client().get(BALANCE), "not_authenticated")


@pytest.mark.parametrize(
    "missing",
    [
        signing.HEADER_CLIENT,
        signing.HEADER_TIMESTAMP,
        signing.HEADER_NONCE,
        signing.HEADER_SIGNATURE,
    ],
)
def test_each_missing_header_is_refused(api: SignedClient, missing: str) -> None:
    headers = api.headers("GET", BALANCE, b"")
    del headers[missing]
    _assert_401(Client().get(BALANCE, headers=headers), "not_authenticated")


def test_wrong_secret_is_refused(platform: tuple[ApiClient, str]) -> None:
    client, _secret = platform
    _assert_401(SignedClient(client.client_id, "0" * 64).get(BALANCE), "authentication_failed")


def test_unknown_client_is_refused(api: SignedClient) -> None:
    _assert_401(SignedClient("cl_unknown", api.secret).get(BALANCE), "authentication_failed")


def test_revoked_client_is_refused(platform: tuple[ApiClient, str], api: SignedClient) -> None:
    api_client_revoke(client=platform[0])
    _assert_401(api.get(BALANCE), "authentication_failed")


def test_rotated_secret_replaces_the_old_one(
    platform: tuple[ApiClient, str], api: SignedClient
) -> None:
    new_secret = api_client_rotate(client=platform[0])
    _assert_401(api.get(BALANCE), "authentication_failed")
    assert SignedClient(api.client_id, new_secret).get(BALANCE).status_code == 422


def test_replayed_request_is_refused(api: SignedClient) -> None:
    headers = api.headers("GET", BALANCE, b"")
    assert Client().get(BALANCE, headers=headers).status_code == 422
    _assert_401(Client().get(BALANCE, headers=headers), "authentication_failed")


# The clock stands still, so that the edge of the 300 s window is tested exactly: a request
# reaches the server a moment after it is signed, which would shrink a future skew.
@pytest.mark.parametrize("skew", [-301, 301, -3600])
def test_timestamp_far_off_is_refused(api: SignedClient, skew: int) -> None:
    with time_machine.travel(int(time.time()), tick=False):
        headers = signing.signed_headers(
            client_id=api.client_id,
            secret=api.secret,
            method="GET",
            path=BALANCE,
            body=b"",
            now=time.time() + skew,
        )
        _assert_401(Client().get(BALANCE, headers=headers), "authentication_failed")


@pytest.mark.parametrize("skew", [-300, 300])
def test_timestamp_within_the_window_is_accepted(api: SignedClient, skew: int) -> None:
    with time_machine.travel(int(time.time()), tick=False):
        headers = signing.signed_headers(
            client_id=api.client_id,
            secret=api.secret,
            method="GET",
            path=BALANCE,
            body=b"",
            now=time.time() + skew,
        )
        assert Client().get(BALANCE, headers=headers).status_code != 401


def test_tampered_body_breaks_the_signature(api: SignedClient) -> None:
    path = "/api/v1/links/"
    headers = api.headers("POST", path, b'{"account": "40602810700000000025"}')
    response = Client().post(
        path,
        b'{"account": "40817810000000000001"}',
        content_type="application/json",
        headers=headers,
    )
    _assert_401(response, "authentication_failed")


def test_signature_for_another_path_is_refused(api: SignedClient) -> None:
    headers = api.headers("GET", "/api/v1/operations/x/", b"")
    _assert_401(Client().get(BALANCE, headers=headers), "authentication_failed")


def test_garbage_timestamp_is_refused(api: SignedClient) -> None:
    _assert_401(api.get(BALANCE, **{signing.HEADER_TIMESTAMP: "soon"}), "authentication_failed")


def test_schema_and_swagger_are_public() -> None:
    assert Client().get("/api/schema/").status_code == 200
    docs = Client().get("/api/docs/")
    assert docs.status_code == 200
    assert "drf_spectacular_sidecar/swagger-ui-dist" in docs.content.decode()  # served locally


def test_openapi_schema_is_valid_and_complete() -> None:
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
