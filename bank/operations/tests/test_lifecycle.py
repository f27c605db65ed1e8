"""The transition tables, row by row, and the code that writes the status agreeing with them.

(docs/architecture.md draws them as they are: ``ledger/tests/test_state_diagrams.py``.)"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from api.models import ApiClient
from holds.models import Hold
from holds.services import Payee as HoldPayee
from holds.services import hold_place
from ledger.models import Account
from ledger.services import Leg, account_open, cash_account, posting_create
from operations.lifecycle import operation_transition
from operations.models import Operation
from operations.state import FINAL, LIFECYCLES, Kind, Role, Status, lifecycle_for
from paylib.lifecycle import IllegalMove

BANK = Path(__file__).resolve().parents[2]

ALLOWED = sorted(
    (kind, Status(source), Status(target), Role(role))
    for kind, lifecycle in LIFECYCLES.items()
    for (source, target), roles in lifecycle.moves.items()
    for role in roles
)
ILLEGAL = sorted(
    (kind, source, target, role)
    for kind in Kind
    for source in Status
    for target in Status
    for role in Role
    if (kind, source, target, role) not in ALLOWED
)


def a_hold(account: Account, client: ApiClient) -> Hold:
    """What a done hold request has placed."""
    payee = account_open(customer=account.customer)
    return hold_place(
        client=client,
        account_id=account.pk,
        payees=[HoldPayee(payee.pk, 1_00)],
        description="test",
        expires_at=timezone.now() + timedelta(days=1),
    )


@pytest.fixture
def make_operation(
    platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> Callable[..., Operation]:
    def make(kind: str, status: str) -> Operation:
        account = make_account(balance=10_00)
        posting = None
        if (kind, status) == (Kind.PAYMENT, Status.DONE):  # a done payment has its posting
            legs = [Leg(account.pk, -1_00), Leg(cash_account().pk, 1_00)]
            posting = posting_create(kind="payment", description="test", legs=legs)
        hold = a_hold(account, platform[0]) if (kind, status) == (Kind.HOLD, Status.DONE) else None
        return Operation.objects.create(
            hold=hold,
            hold_until=timezone.now() + timedelta(days=1) if kind == Kind.HOLD else None,
            posting=posting,
            client=platform[0],
            idempotency_key=f"table-{Operation.objects.count():04d}",
            request_hash="0" * 64,
            kind=kind,
            account=account,
            customer=account.customer,
            amount=0 if kind == Kind.LINK else 1_00,
            status=status,
            code_hash="c" * 64,
        )

    return make


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "start", "to", "role"), ALLOWED)
def test_every_allowed_move_works(
    make_operation: Callable[..., Operation], kind: str, start: str, to: str, role: str
) -> None:
    operation = make_operation(kind, start)
    with transaction.atomic():
        locked = Operation.objects.select_for_update().get(pk=operation.pk)
        fields = []
        if to == Status.DONE and kind == Kind.PAYMENT:
            legs = [Leg(operation.account_id, -1_00), Leg(cash_account().pk, 1_00)]
            locked.posting = posting_create(kind="payment", description="test", legs=legs)
            fields = ["posting"]
        if to == Status.DONE and kind == Kind.HOLD:
            locked.hold = a_hold(operation.account, operation.client)
            fields = ["hold"]
        operation_transition(
            locked, to=Status(to), role=Role(role), reason="declined", fields=fields
        )
    operation.refresh_from_db()
    assert operation.status == to
    if to in FINAL:
        assert operation.code_hash is None
        assert operation.finished_at is not None
    else:
        assert operation.code_hash == "c" * 64
        assert operation.finished_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "start", "to", "role"), ILLEGAL)
def test_every_other_move_raises_and_changes_nothing(
    make_operation: Callable[..., Operation], kind: str, start: str, to: str, role: str
) -> None:
    assert not lifecycle_for(kind).is_allowed(start, to, role)
    operation = make_operation(kind, start)
    with transaction.atomic():
        locked = Operation.objects.select_for_update().get(pk=operation.pk)
        with pytest.raises(IllegalMove):
            operation_transition(locked, to=Status(to), role=Role(role), reason="x")
    operation.refresh_from_db()
    assert (operation.status, operation.failure_reason) == (start, "")
    assert operation.code_hash == "c" * 64


@pytest.mark.django_db
def test_the_move_is_checked_against_the_locked_row_not_a_stale_copy(
    make_operation: Callable[..., Operation],
) -> None:
    operation = make_operation(Kind.PAYMENT, Status.AWAITING_CODE)
    Operation.objects.filter(pk=operation.pk).update(status=Status.BLOCKED)
    with pytest.raises(IllegalMove), transaction.atomic():
        operation_transition(operation, to=Status.CONFIRMED, role=Role.CLIENT)
    assert Operation.objects.get(pk=operation.pk).status == Status.BLOCKED


@pytest.mark.django_db(transaction=True)
def test_a_move_outside_a_transaction_is_refused(
    make_operation: Callable[..., Operation],
) -> None:
    operation = make_operation(Kind.LINK, Status.AWAITING_CODE)
    with pytest.raises(RuntimeError):
        operation_transition(operation, to=Status.FAILED, role=Role.SYSTEM)
    assert Operation.objects.get(pk=operation.pk).status == Status.AWAITING_CODE


def test_final_statuses_lead_nowhere() -> None:
    for status in FINAL:
        for kind in Kind:
            assert lifecycle_for(kind).targets(status) == []


def test_a_link_is_never_confirmed_and_unknown_statuses_are_never_allowed() -> None:
    assert lifecycle_for(Kind.LINK).targets(Status.AWAITING_CODE, Role.CLIENT) == [
        Status.DONE,
        Status.BLOCKED,
    ]
    assert not lifecycle_for("payment").is_allowed("awaiting_code", "teleported", "client")
    assert not lifecycle_for("payment").is_allowed("nowhere", "done", "client")


#: Modules that write the status of other models: ledger accounts, holds.
OTHER_STATUSES = {Path("ledger", "admin.py"), Path("holds", "services.py")}


def _sources() -> list[Path]:
    return [
        path
        for path in BANK.rglob("*.py")
        if not {"tests", "migrations", ".venv"} & set(path.relative_to(BANK).parts)
        and path.relative_to(BANK) not in OTHER_STATUSES
    ]


def _status_writes(tree: ast.AST) -> list[ast.AST]:
    """Assignments to ``<x>.status`` and ``status=`` in ``update()``/``create()`` calls."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        found += [t for t in targets if isinstance(t, ast.Attribute) and t.attr == "status"]
        writes = {"update", "create", "update_or_create", "get_or_create"}
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in writes:
            found += [k for k in node.keywords if k.arg == "status"]
    return found


def test_operation_transition_is_the_only_writer_of_the_status() -> None:
    writers = []
    for path in _sources():
        tree = ast.parse(path.read_text())
        inside = {
            id(n)
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef) and f.name == "operation_transition"
            for n in ast.walk(f)
        }
        writers += [
            f"{path.relative_to(BANK)}:{node.lineno}"  # type: ignore[attr-defined]
            for node in _status_writes(tree)
            if id(node) not in inside
        ]
    assert writers == []
    lifecycle = ast.parse((BANK / "operations" / "lifecycle.py").read_text())
    assert len(_status_writes(lifecycle)) == 1


def _moves_in_code() -> set[tuple[str, str]]:
    """(to, role) of every ``operation_transition(..., to=Status.X, role=Role.Y)`` call."""
    moves = set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None)):
                continue
            if node.func.id != "operation_transition":  # type: ignore[attr-defined]
                continue
            args = {k.arg: k.value for k in node.keywords}
            to, role = args["to"], args["role"]
            where = f"{path}:{node.lineno}: name the move's target and role literally"
            assert isinstance(to, ast.Attribute), where
            assert isinstance(role, ast.Attribute), where
            moves.add((Status[to.attr].value, Role[role.attr].value))
    return moves


def test_the_code_makes_exactly_the_moves_in_the_tables() -> None:
    tables = {(target, role) for _kind, _source, target, role in ALLOWED}
    assert _moves_in_code() == tables
