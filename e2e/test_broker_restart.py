"""Redis, the Celery broker, restarts under running workers and beat; payments still finish.

A stack of its own on a Redis of its own (another port), so that restarting that Redis
disturbs nobody: not the session's stack, not other checkouts on the machine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue
from kombu.common import ignore_errors

from bank_client import BankClient
from client import balances
from conftest import make_buyers, make_offer
from paylib.smtp_catcher import SmtpCatcher
from redis_server import RedisServer
from stack import NAME, Stack, start_stack
from test_payments import request_code, run_payment, signed_in

MENDED = "paylib.celery_redis:Transport"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def own_stack(broker: RedisServer) -> Iterator[Stack]:
    with SmtpCatcher() as smtp:
        stack = start_stack(smtp, name=f"{NAME}_broker", redis_url=broker.url, redis_dbs=(0, 1))
        try:
            yield stack
        finally:
            stack.stop()


@pytest.fixture(scope="module")
def own_bank_api(own_stack: Stack) -> Iterator[BankClient]:
    demo = own_stack.bank_demo
    with BankClient(
        own_stack.bank.url, str(demo["BANK_API_CLIENT_ID"]), str(demo["BANK_API_SECRET"])
    ) as client:
        yield client


def _consumer_with_a_message_in_hand(url: str, transport: str | None) -> Connection:
    """A connection as a Celery worker holds it: the task channel with one unacknowledged
    message and a BRPOP pending, and the remote-control channel on a fanout exchange."""
    connection = Connection(url, transport=transport, transport_options={"visibility_timeout": 1})
    tasks = Queue("tasks", Exchange("tasks"), "tasks")
    with connection.Producer() as producer:
        producer.publish({"n": 1}, exchange=tasks.exchange, routing_key="tasks", declare=[tasks])
    held: list[object] = []
    connection.Consumer([tasks], callbacks=[lambda body, message: held.append(message)]).consume()
    control = Queue("control", Exchange("control", type="fanout"), auto_delete=True)
    connection.Consumer([control], channel=connection.channel(), no_ack=True).consume()
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        try:
            connection.drain_events(timeout=0.5)
        except TimeoutError:
            continue
    assert held, "the message did not arrive"
    connection.default_channel._brpop_start()
    return connection


def _lose_the_broker(server: RedisServer, connection: Connection) -> None:
    """What Celery 5.7.0's consumer does when the broker goes away."""
    server.stop()
    ignore_errors(connection, lambda: connection.collect(socket_timeout=1))
    ignore_errors(connection, connection.close)


def test_stock_kombu_still_kills_the_consumer_so_keep_the_mend(tmp_path: Path) -> None:
    """When this fails, kombu closes every channel itself: remove paylib.celery_redis."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        connection = _consumer_with_a_message_in_hand(f"{server.url}/0", None)
        with pytest.raises(AttributeError, match="hostname"):
            _lose_the_broker(server, connection)
    finally:
        server.stop()


def test_the_mended_transport_survives_the_lost_broker_and_keeps_the_message(
    tmp_path: Path,
) -> None:
    server = RedisServer(tmp_path)
    server.start()
    try:
        connection = _consumer_with_a_message_in_hand(f"{server.url}/0", MENDED)
        _lose_the_broker(server, connection)  # raises nothing
        server.start()
        time.sleep(1.1)  # the visibility timeout: the unacknowledged message is due again
        again = Connection(
            f"{server.url}/0", transport=MENDED, transport_options={"visibility_timeout": 1}
        )
        channel = again.default_channel
        channel.qos.restore_visible(num=10)
        assert channel.basic_get("tasks") is not None
        again.close()
    finally:
        server.stop()


def _alive(stack: Stack) -> dict[str, bool]:
    return {
        f"{service.name}-{role}": service.processes[role].poll() is None
        for service in (stack.bank, stack.market)
        for role in ("worker", "beat")
    }


def test_redis_restarts_under_paying_buyers_and_then_a_deal_is_paid(
    own_stack: Stack, broker: RedisServer, own_bank_api: BankClient
) -> None:
    buyers = make_buyers(own_stack, 9, deposit=1_000_00, tag="restart")
    offer = make_offer(own_stack, price=100_00)
    deals = []
    for buyer in buyers:
        visitor = signed_in(own_stack, buyer)
        deals.append(visitor.open_deal(offer))
        visitor.close()
    restarts_before = broker.restarts
    with ThreadPoolExecutor(max_workers=8) as pool:
        paying = [
            pool.submit(run_payment, own_stack, buyer, deal)
            for buyer, deal in zip(buyers[:8], deals[:8], strict=True)
        ]
        for _ in range(3):
            time.sleep(1.5)
            broker.restart(down_for=1.0)
        outcomes = [future.result()["status"] for future in paying]
    assert broker.restarts == restarts_before + 3
    assert outcomes == ["succeeded"] * 8
    assert all(_alive(own_stack).values()), _alive(own_stack)
    # ... and after it all, one more deal from Pay to paid.
    last = run_payment(own_stack, buyers[8], deals[8])
    assert last["status"] == "succeeded"
    assert set(balances(own_bank_api, *[b.account_number for b in buyers]).values()) == {900_00}
    log = (own_stack.market.logs / "market-worker.log").read_text(errors="replace")
    assert "Connection to broker lost" in log  # the worker did see Redis go
    assert "Unrecoverable error" not in log


def test_redis_down_when_the_buyer_confirms_and_back_later(
    own_stack: Stack, broker: RedisServer, own_bank_api: BankClient
) -> None:
    buyer = make_buyers(own_stack, 1, deposit=1_000_00, tag="down")[0]
    visitor = signed_in(own_stack, buyer)
    deal = visitor.open_deal(make_offer(own_stack, price=250_00))
    payment, code = request_code(own_stack, visitor, buyer, deal)
    broker.stop()
    try:
        confirmed = visitor.confirm(payment, code)
        status_while_down = visitor.get(f"/payments/{payment}/status.json").status_code
    finally:
        time.sleep(3)  # the worker and beat keep trying meanwhile
        broker.start()
    assert visitor.wait_final(payment, timeout=90)["status"] == "succeeded"
    assert all(_alive(own_stack).values()), _alive(own_stack)
    assert balances(own_bank_api, buyer.account_number)[buyer.account_number] == 750_00
    assert status_while_down == 200
    # The payment is committed before its execution is queued (``on_commit(...,
    # robust=True)``): the buyer is told it is being processed, not shown a server error.
    assert confirmed.status_code == 302, confirmed.text[:500]
