"""The unit tests need neither Django nor a database; the integration tests start a bank
(the session fixtures below, started only when an integration test asks for them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bank_client import BankClient, OperationInfo, Payee, new_idempotency_key

from . import live_bank
from .live_bank import BankServer, Customer, Inbox


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "integration: starts the real bank (PostgreSQL, SMTP) as a subprocess"
    )


PEOPLE = {
    "payer": 10_000_00,
    "holder": 2_000_00,
    "seller": 0,
    "platform": 0,
    "linker": 500_00,
    "revoker": 1_00,
    "stranger": 700_00,
}


@dataclass(frozen=True)
class LiveBank:
    url: str
    client_id: str
    secret: str
    env: dict[str, str]
    customers: dict[str, Customer]
    server: BankServer


@pytest.fixture(scope="session")
def inbox() -> Iterator[Inbox]:
    smtp = Inbox()
    smtp.start()
    try:
        yield smtp
    finally:
        smtp.stop()


@pytest.fixture(scope="session")
def bank(inbox: Inbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBank]:
    var_dir = tmp_path_factory.mktemp("bank")
    live_bank.recreate_database()
    env = live_bank.bank_env(smtp_port=inbox.port, var_dir=var_dir)
    server = BankServer(env=env, log_path=var_dir / "bank.log")
    try:
        live_bank.manage(env, "migrate", "--no-input", "-v0")
        client_id, secret = live_bank.create_api_client(env)
        customers = live_bank.seed_customers(env, PEOPLE)
        server.start()
        yield LiveBank(server.url, client_id, secret, env, customers, server)
    finally:
        server.stop()
        live_bank.drop_database()


@pytest.fixture(scope="session")
def client(bank: LiveBank) -> Iterator[BankClient]:
    with BankClient(bank.url, bank.client_id, bank.secret, timeout=15) as bank_client:
        yield bank_client


def link(client: BankClient, inbox: Inbox, customer: Customer) -> OperationInfo:
    """The whole link flow: request, the code from the owner's mailbox, confirmation."""
    sent = inbox.count(customer.email)
    operation = client.link_request(
        account_number=customer.account, idempotency_key=new_idempotency_key("link")
    )
    return client.link_confirm(
        operation_id=operation.id, code=inbox.code(customer.email, after=sent)
    )


@pytest.fixture(scope="session")
def payer(client: BankClient, inbox: Inbox, bank: LiveBank) -> Customer:
    """The payer's account, linked to the platform."""
    customer = bank.customers["payer"]
    link(client, inbox, customer)
    return customer


@pytest.fixture(scope="session")
def payees(bank: LiveBank) -> list[Payee]:
    return [
        Payee(bank.customers["seller"].account, 1250_00),
        Payee(bank.customers["platform"].account, 250_50),
    ]
