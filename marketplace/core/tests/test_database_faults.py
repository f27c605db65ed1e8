"""A database connection that dies under a request: a 503 that says to try again, never a
500, and the next request works on a fresh connection. On real PostgreSQL: the test holds
a lock that the page needs, and ends the page's connection while it waits for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.utils.translation import override

from conftest import seed_reference_data
from paylib.middleware import DatabaseUnavailableMiddleware
from paylib.pg_faults import terminate_lock_waiters

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    seed_reference_data()  # the flush after each transactional test removes it


@pytest.fixture
def one_thread() -> Iterator[ThreadPoolExecutor]:
    """Requests from a thread of their own, with its own (persistent) connection."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool
        pool.submit(lambda: connection.close()).result()


def killed_under(
    pool: ThreadPoolExecutor, table: str, request: Callable[[], HttpResponse]
) -> HttpResponse:
    pool.submit(lambda: connection.ensure_connection()).result()  # opened before the lock
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        pending = pool.submit(request)
        assert terminate_lock_waiters(cursor) == 1
    return pending.result(timeout=30)


def test_a_page_whose_connection_dies_says_try_again_and_the_next_one_works(
    one_thread: ThreadPoolExecutor, make_offer: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    make_offer(make_user(), title="Lamp")
    visitor = Client()
    response = killed_under(one_thread, "offers_offer", lambda: visitor.get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Nothing was lost" in response.content.decode()
    again = one_thread.submit(visitor.get, "/").result()
    assert again.status_code == 200
    assert "Lamp" in again.content.decode()


def test_the_page_speaks_the_visitors_language(
    one_thread: ThreadPoolExecutor, make_offer: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    make_offer(make_user())
    response = killed_under(one_thread, "offers_offer", lambda: Client().get("/ru/"))
    assert response.status_code == 503
    page = response.content.decode()
    assert 'lang="ru"' in page
    assert "Ничего не потеряно" in page


def test_a_client_that_asks_for_json_gets_the_json_error(
    one_thread: ThreadPoolExecutor, make_offer: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    make_offer(make_user())
    response = killed_under(
        one_thread,
        "offers_offer",
        lambda: Client().get("/", headers={"Accept": "application/json"}),
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "temporarily_unavailable"


def test_a_fault_outside_any_view_is_a_503_too() -> None:
    """A middleware's own database work (the session's save) is not a view: Django turns
    its exception into a 500 before this middleware sees the response."""
    from django.core.handlers.exception import convert_exception_to_response

    def session_save_fails(request: HttpRequest) -> HttpResponse:
        raise OperationalError("terminating connection due to administrator command")

    chain = DatabaseUnavailableMiddleware(convert_exception_to_response(session_save_fails))
    request = HttpRequest()
    request.method, request.path = "GET", "/deals/"
    with override("en"):
        response = chain(request)
    assert response.status_code == 503
    assert "try again" in response.content.decode()


def test_other_errors_stay_server_errors() -> None:
    from django.core.handlers.exception import convert_exception_to_response

    def broken(request: HttpRequest) -> HttpResponse:
        raise ValueError("a bug")

    chain = DatabaseUnavailableMiddleware(convert_exception_to_response(broken))
    request = HttpRequest()
    request.method, request.path = "GET", "/deals/"
    assert chain(request).status_code == 500
