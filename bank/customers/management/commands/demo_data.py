"""Demo customers, accounts and money for ``make run``; safe to run again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import translation
from django.utils.translation import pgettext

from api.models import ApiClient
from api.services import api_client_create, client_secret
from customers.models import Customer
from ledger.models import Account
from ledger.services import account_open, deposit_create
from operations.models import AccountLink

PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the demo, never used in production


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    language: str
    holder: str
    serial: int  # pins the account number, so the demo looks the same on every run
    deposit: int  # kopecks
    linked: bool  # already linked to the marketplace


PEOPLE = [
    Person("buyer@demo.test", "Boris Buyer", "en", "person", 1001, 150_000_00, True),
    Person("pokupatel@demo.test", "Полина Покупателева", "ru", "person", 1002, 80_000_00, True),
    Person("seller@demo.test", "Sophia Seller", "en", "person", 2001, 0, True),
    Person("prodavec@demo.test", "Пётр Продавцов", "ru", "person", 2002, 0, True),
    Person("platform@demo.test", "Marketplace LLC", "en", "company", 3001, 0, True),
    Person("newcomer@demo.test", "Nina Newcomer", "en", "person", 4001, 25_000_00, False),
]


class Command(BaseCommand):
    help = "Create demo customers with accounts and money, and the marketplace's API client."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="Write what the marketplace needs here.")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        _demo_login("staff@demo.test", full_name="Bank Staff", is_staff=True, is_superuser=True)
        client = ApiClient.objects.filter(name="marketplace").first()
        if client is None:
            client, _secret = api_client_create(name="marketplace")
        accounts = {person.email: self._person(client, person) for person in PEOPLE}
        summary = {
            "BANK_API_CLIENT_ID": client.client_id,
            "BANK_API_SECRET": client_secret(client),
            "PLATFORM_ACCOUNT": accounts["platform@demo.test"],
            "accounts": accounts,
            "password": PASSWORD,
        }
        if options["output"]:
            options["output"].parent.mkdir(parents=True, exist_ok=True)
            options["output"].write_text(json.dumps(summary, indent=2, ensure_ascii=False))
        self.stdout.write(f"Bank demo data ready: staff@demo.test / {PASSWORD}")

    def _person(self, client: ApiClient, person: Person) -> str:
        customer = _demo_login(person.email, full_name=person.name, language=person.language)
        account = Account.objects.filter(customer=customer).first()
        if account is None:
            with translation.override(person.language):  # named as its owner reads
                name = pgettext("account name", "Current")
            account = account_open(
                customer=customer, name=name, holder=person.holder, serial=person.serial
            )
            if person.deposit:
                deposit_create(
                    account=account,
                    amount=person.deposit,
                    created_by=None,
                    description="Opening deposit",
                )
        if person.linked:
            AccountLink.objects.get_or_create(client=client, account=account, revoked_at=None)
        return account.number


def _demo_login(email: str, **fields: Any) -> Customer:
    """The demo customer ``email``, created if missing, who signs in with ``PASSWORD``.

    Created through ``create_user`` so that the password is hashed: a bare ``create`` (or
    ``get_or_create``) leaves an empty hash, which Django counts as usable, so a check of
    ``has_usable_password()`` never set the password. One created so, or whose password
    was changed, gets the demo password back: the README's logins work after every run.
    """
    customer = Customer.objects.filter(email=email).first()
    if customer is None:
        return Customer.objects.create_user(email, PASSWORD, **fields)
    if not customer.check_password(PASSWORD):
        customer.set_password(PASSWORD)
        customer.save(update_fields=["password"])
    return customer
