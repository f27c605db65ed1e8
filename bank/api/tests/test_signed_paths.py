"""A request signed over the path it sends authenticates, however that path is escaped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from api.models import ApiClient
from conftest import SignedClient
from ledger.models import Account
from paylib import signing

UNKNOWN_OPERATION_PATHS = [
    "/api/v1/operations/%7Bx%7D/",
    "/api/v1/operations/%7bx%7d/",
    "/api/v1/operations/{x}/",
    "/api/v1/operations/%E2%82%AC/",  # a euro sign
    "/api/v1/operations/%FF/",  # not UTF-8
    "/api/v1/operations/%25/",  # a percent sign
    "/api/v1/operations/a%20b/",
    "/api/v1/operations/%7E%27%21/",  # characters that need no escape, escaped
    "/api/v1/operations/%30%31%32/",  # digits, escaped
    "/api/v1/operations/1/?x=%7b&y=%7B&z={}",
]


@pytest.mark.django_db
@pytest.mark.smoke
@pytest.mark.parametrize("path", UNKNOWN_OPERATION_PATHS)
def test_an_escaped_path_signed_as_sent_authenticates_and_is_not_found(
    api: SignedClient, path: str
) -> None:
    response = api.get(path)
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.smoke
def test_an_account_number_with_escaped_digits_reads_its_balance(
    api: SignedClient, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=12_34, link_to=platform[0])
    escaped = "".join(f"%{ord(digit):02X}" for digit in account.number[:4]) + account.number[4:]
    response = api.get(f"/api/v1/accounts/{escaped}/balance/")
    assert response.status_code == 200, response.content
    assert response.json()["available"] == "12.34"


@pytest.mark.django_db
@pytest.mark.smoke
def test_an_escaped_path_still_breaks_a_signature_made_for_another_path(
    api: SignedClient,
) -> None:
    headers = api.headers("GET", "/api/v1/operations/%7Bx%7D/", b"")
    response = api.http.get("/api/v1/operations/%7By%7D/", headers=headers)
    assert response.status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.parametrize("path", [*UNKNOWN_OPERATION_PATHS, "/api/v1/operations/..%2Flinks%2F/"])
def test_over_real_http_the_path_on_the_wire_is_what_is_verified(
    live_server: Any, platform: tuple[ApiClient, str], path: str
) -> None:
    client, secret = platform
    request = httpx.Request("GET", live_server.url + path)
    request.headers.update(
        signing.signed_headers(
            client_id=client.client_id,
            secret=secret,
            method="GET",
            path=request.url.raw_path.decode("ascii"),
            body=b"",
        )
    )
    with httpx.Client() as http:
        response = http.send(request)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("sent", "canonical"),
    [
        ("/api/v1/links/", "/api/v1/links/"),
        ("/a/%7bx%7d/", "/a/%7Bx%7D/"),
        ("/a/{x}/", "/a/%7Bx%7D/"),
        ("/a/%34%30/", "/a/40/"),
        ("/a/%7E-._/", "/a/~-._/"),
        ("/a/%2F/", "/a///"),  # the server decodes %2F to a slash and routes on that
        ("/a/%25/", "/a/%25/"),
        ("/a/%FF/", "/a/%25FF/"),  # not UTF-8: Django writes the byte as the text "%FF"
        ("/a/%25FF/", "/a/%25FF/"),
        ("/a/é/", "/a/%C3%A9/"),
        ("/a/?q=%7b&r=1", "/a/?q=%7b&r=1"),  # the query string as sent
        ("/a/?q= é", "/a/?q=%20%C3%A9"),
        ("/a/?", "/a/"),
    ],
)
def test_the_canonical_target(sent: str, canonical: str) -> None:
    assert signing.canonical_target(sent) == canonical


_SEGMENT_BYTES = st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b)


@st.composite
def _targets(draw: st.DrawFn) -> str:
    """A path of arbitrary bytes, each escaped or not at random, and a query string."""
    segments = []
    for raw in draw(st.lists(_SEGMENT_BYTES, min_size=1, max_size=4)):
        escaped = quote(raw, safe="") if draw(st.booleans()) else quote(raw, safe="~!$&'()*+,;=:@")
        if draw(st.booleans()):
            escaped = escaped.lower()
        segments.append(escaped)
    query = draw(st.sampled_from(["", "a=1", "a=%7b&b=%7B", "x=y+z"]))
    return "/" + "/".join(segments) + "/" + (f"?{query}" if query else "")


def _routed(target: str, **environ: str) -> str:
    """The target as the verifier sees it, after Django has decoded the path."""
    request = RequestFactory().get(target, **environ)
    return signing.routed_target(path=request.path, query_string=request.META["QUERY_STRING"])


@given(_targets())
def test_signer_and_verifier_agree_on_any_path(target: str) -> None:
    canonical = signing.canonical_target(target)
    assert _routed(target) == canonical
    assert signing.canonical_target(canonical) == canonical


def test_a_script_name_prefix_is_part_of_the_signed_path() -> None:
    assert _routed("/api/v1/x/", SCRIPT_NAME="/gateway") == "/gateway/api/v1/x/"
    assert signing.canonical_target("/gateway/api/v1/x/") == "/gateway/api/v1/x/"
