"""An API call whose database connection dies: a 503 in the API's error shape, which the
marketplace's client treats as "unavailable, retry", and the next call works. On real
PostgreSQL: the test holds a lock the call needs and ends the call's connection."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from conftest import SignedClient
from paylib.pg_faults import terminate_lock_waiters

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

BALANCE = "/api/v1/accounts/40817810000000000001/balance/"


@pytest.fixture
def one_thread() -> Iterator[ThreadPoolExecutor]:
    """Calls from a thread of their own, with its own (persistent) connection."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool
        pool.submit(lambda: connection.close()).result()


def test_a_call_whose_connection_dies_is_a_503_to_retry_and_the_next_call_works(
    api: SignedClient, one_thread: ThreadPoolExecutor
) -> None:
    one_thread.submit(lambda: connection.ensure_connection()).result()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute('LOCK TABLE "api_apiclient" IN ACCESS EXCLUSIVE MODE')
        pending = one_thread.submit(api.get, BALANCE)  # waits in the authentication
        assert terminate_lock_waiters(cursor) == 1
    response = pending.result(timeout=30)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "temporarily_unavailable"
    again = one_thread.submit(api.get, BALANCE).result()
    assert again.status_code == 422  # authenticated, then refused: the account is not linked
