"""Fixtures shared by the marketplace's tests: users, linked accounts, offers, a fake bank."""

from __future__ import annotations

import importlib
import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from accounts.models import SettlementAccount
from bank_client import BankError, BankRefused, OperationInfo
from offers.models import Category, Offer
from paylib.accounts import make_account_number
from users.models import User

BIK = "044525974"
_serials = itertools.count(1)


def account_number() -> str:
    return make_account_number(
        bik=BIK, balance_account="40817", currency="810", serial=next(_serials)
    )


def number_with_a_typo() -> str:
    """A 20-digit number whose control key does not match the bank's BIK."""
    valid = account_number()
    return valid[:8] + str((int(valid[8]) + 1) % 10) + valid[9:]


@pytest.fixture(autouse=True)
def english_by_default() -> Iterator[None]:
    """A request to /ru/ leaves Russian active in the thread; reverse() would follow it."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_shared_pages() -> None:
    """Each test's anonymous pages rendered from its own data, not an earlier test's."""
    from django.core.cache import caches

    caches["pages"].clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """A reused database may have been flushed by an earlier run's transactional tests."""
    with django_db_blocker.unblock():
        seed_reference_data()


def seed_reference_data() -> None:
    """Put back the rows the data migrations create: categories, the commission setting."""
    from django.apps import apps

    from commission.selectors import commission_current

    seeding = importlib.import_module("offers.migrations.0004_seed_categories")
    seeding.seed(apps, None)
    commission_current()


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = itertools.count(1)

    def make(email: str | None = None, **extra: Any) -> User:
        n = next(counter)
        return User.objects.create_user(
            email or f"user{n}@example.com",
            "correct-horse-battery",
            name=extra.pop("name", f"User {n}"),
            **extra,
        )

    return make


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user("owner@example.com", name="Olga Owner")


@pytest.fixture
def other_user(make_user: Callable[..., User]) -> User:
    return make_user("other@example.com", name="Oleg Other")


@pytest.fixture
def staff_user(make_user: Callable[..., User]) -> User:
    return make_user("staff@example.com", name="Stas Staff", is_staff=True, is_superuser=True)


def form_key() -> str:
    """A fresh idempotency key, as a form that creates something renders one."""
    return str(uuid.uuid4())


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def make_linked_account(db: Any) -> Callable[..., SettlementAccount]:
    def make(user: User, *, default: bool = True) -> SettlementAccount:
        return SettlementAccount.objects.create(
            user=user,
            number=account_number(),
            status=SettlementAccount.Status.LINKED,
            bank_operation_id=f"op-linked-{next(_serials)}",
            is_default_payout=default,
            linked_at=timezone.now(),
        )

    return make


@pytest.fixture
def category(db: Any) -> Category:
    return Category.objects.get(slug="electronics")


@pytest.fixture
def make_offer(
    category: Category, make_linked_account: Callable[..., SettlementAccount]
) -> Callable[..., Offer]:
    def make(seller: User, **fields: Any) -> Offer:
        if not SettlementAccount.objects.filter(user=seller).exists():
            make_linked_account(seller)
        fields.setdefault("title", "Bicycle")
        fields.setdefault("price", 150_000)
        fields.setdefault("quantity_available", 5)
        fields.setdefault("category", category)
        return Offer.objects.create(seller=seller, **fields)

    return make


class FakeBank:
    """Answers like the bank's API through the bank client's interface, in memory."""

    CODE = "123456"

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.operations: dict[str, OperationInfo] = {}
        self.by_key: dict[str, str] = {}
        self.linked: set[str] = set()
        #: Available balances by account number, for the balance call.
        self.balances: dict[str, int] = {}
        self.fail_next: BankError | None = None
        #: The next call of that name fails so.
        self.fail_on: dict[str, BankError] = {}
        #: The bank takes the next confirms but their answers never arrive (a timeout).
        self.confirm_answer_lost = False
        #: Codes sent per operation before the bank says ``resend_limit``.
        self.max_sends = 5
        self._ids = itertools.count(1)

    def __enter__(self) -> FakeBank:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def close(self) -> None:
        return None

    def balance(self, *, account_number: str) -> Any:
        from bank_client import Balance

        self._record("balance", account_number=account_number)
        return Balance(account_number, self.balances.get(account_number, 0), "RUB")

    def _record(self, name: str, **kwargs: Any) -> None:
        self.calls.append((name, kwargs))
        if name in self.fail_on:
            raise self.fail_on.pop(name)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error

    def call_names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def _operation(self, operation_id: str) -> OperationInfo:
        if operation_id not in self.operations:
            raise BankRefused("not_found", "No such operation.", status=404)
        return self.operations[operation_id]

    def link_request(self, *, account_number: str, idempotency_key: str) -> OperationInfo:
        self._record("link_request", account_number=account_number, key=idempotency_key)
        if idempotency_key in self.by_key:
            return self.operations[self.by_key[idempotency_key]]
        info = OperationInfo(
            id=f"op-{next(self._ids)}",
            kind="link",
            status="awaiting_code",
            account=account_number,
            amount=0,
            payees=(),
            description="Account link",
            code_expires_at=timezone.now() + timedelta(minutes=5),
            attempts_left=3,
            code_sends=1,
            failure_reason="",
            finished_at=None,
        )
        self.operations[info.id] = info
        self.by_key[idempotency_key] = info.id
        return info

    def link_confirm(self, *, operation_id: str, code: str) -> OperationInfo:
        self._record("link_confirm", operation_id=operation_id, code=code)
        info = self._check_code(operation_id, code)
        done = replace(info, status="done", code_expires_at=None)
        self.operations[operation_id] = done
        self.linked.add(info.account)
        if self.confirm_answer_lost:
            from bank_client import BankUnavailable

            raise BankUnavailable("Timed out.")
        return done

    def _check_code(self, operation_id: str, code: str) -> OperationInfo:
        """The operation if ``code`` confirms it; the bank's refusal otherwise."""
        info = self._operation(operation_id)
        if info.status == "blocked":
            raise BankRefused("operation_blocked", "Blocked.", status=409)
        if info.status != "awaiting_code":
            raise BankRefused("wrong_state", "Not waiting for a code.", status=409)
        if info.code_expires_at is not None and info.code_expires_at <= timezone.now():
            raise BankRefused("code_expired", "The code has expired.", status=422)
        if code != self.CODE:
            left = info.attempts_left - 1
            status = "blocked" if left == 0 else info.status
            self.operations[operation_id] = replace(info, attempts_left=left, status=status)
            if left == 0:
                raise BankRefused("operation_blocked", "Blocked.", status=409)
            raise BankRefused(
                "invalid_code",
                "Wrong code.",
                field="code",
                extra={"attempts_left": left},
                status=422,
            )
        return info

    def operation_get(self, *, operation_id: str) -> OperationInfo:
        self._record("operation_get", operation_id=operation_id)
        return self._operation(operation_id)

    def operation_resend(self, *, operation_id: str) -> OperationInfo:
        self._record("operation_resend", operation_id=operation_id)
        info = self._operation(operation_id)
        if info.status != "awaiting_code":
            raise BankRefused("wrong_state", "No longer takes codes.", status=409)
        if info.code_sends >= self.max_sends:
            raise BankRefused("resend_limit", "No more codes.", status=409)
        renewed = replace(
            info,
            code_expires_at=timezone.now() + timedelta(minutes=5),
            attempts_left=3,
            code_sends=info.code_sends + 1,
        )
        self.operations[operation_id] = renewed
        return renewed

    def link_revoke(self, *, account_number: str) -> None:
        self._record("link_revoke", account_number=account_number)
        if account_number not in self.linked:
            raise BankRefused("account_not_available", "Not linked.", status=422)
        self.linked.discard(account_number)


@pytest.fixture
def fake_bank(monkeypatch: pytest.MonkeyPatch) -> FakeBank:
    bank = FakeBank()
    monkeypatch.setattr("banking.services.get_bank_client", lambda: bank)
    return bank


@dataclass(frozen=True)
class Media:
    """Where a test's uploads land: the public media storage and the private one."""

    public: Path
    private: Path

    @staticmethod
    def files(root: Path) -> list[Path]:
        return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def media_dirs(settings: Any, tmp_path: Path) -> Media:
    """Both storages in directories of the test's own."""
    media = Media(public=tmp_path / "public", private=tmp_path / "private")
    settings.MEDIA_ROOT = media.public
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media.private)},
        },
    }
    return media


def db_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the marketplace's own tables, to assert that a refusal changed nothing."""
    from django.apps import apps

    labels = ("users", "commission", "accounts", "offers", "deals", "reviews")
    models = [m for label in labels for m in apps.get_app_config(label).get_models()]
    return {
        m._meta.label: list(m.objects.order_by("pk").values_list())  # type: ignore[attr-defined]
        for m in models
    }
