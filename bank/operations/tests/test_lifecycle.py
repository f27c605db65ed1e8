"""The transition table, row by row, and the code that writes the status agreeing with it."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import translation

from api.models import ApiClient
from ledger.models import Account
from ledger.services import Leg, cash_account, posting_create
from operations.diagram import embed
from operations.lifecycle import operation_transition
from operations.models import Operation
from operations.state import (
    FINAL,
    TRANSITIONS,
    IllegalTransition,
    Kind,
    Role,
    Status,
    is_allowed,
    targets_for,
)

BANK = Path(__file__).resolve().parents[2]
DOC = BANK.parent / "docs" / "architecture.md"

ALLOWED = sorted(
    (kind, source, target, role)
    for (source, target), move in TRANSITIONS.items()
    for role in move.roles
    for kind in move.kinds
)
ILLEGAL = sorted(
    (kind, source, target, role)
    for kind in Kind
    for source in Status
    for target in Status
    for role in Role
    if (kind, source, target, role) not in ALLOWED
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
        return Operation.objects.create(
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
    assert not is_allowed(kind, start, to, role)
    operation = make_operation(kind, start)
    with transaction.atomic():
        locked = Operation.objects.select_for_update().get(pk=operation.pk)
        with pytest.raises(IllegalTransition):
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
    with pytest.raises(IllegalTransition), transaction.atomic():
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
            for role in Role:
                assert targets_for(kind, status, role) == []


def test_unknown_statuses_are_never_allowed() -> None:
    assert not is_allowed("payment", "awaiting_code", "teleported", "client")
    assert not is_allowed("payment", "nowhere", "done", "client")


def _sources() -> list[Path]:
    return [
        path
        for path in BANK.rglob("*.py")
        if not {"tests", "migrations", ".venv"} & set(path.relative_to(BANK).parts)
        and path.parts[-2:] != ("ledger", "admin.py")  # an account's status, not an operation's
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


def test_the_code_makes_exactly_the_moves_in_the_table() -> None:
    table = {(t.value, r.value) for (_s, t), move in TRANSITIONS.items() for r in move.roles}
    assert _moves_in_code() == table


def test_the_documented_diagram_is_the_table() -> None:
    document = DOC.read_text()
    with translation.override("en"):
        assert embed(document) == document, (
            "docs/architecture.md is stale: run `cd bank && ../.venv/bin/python manage.py "
            "operation_state_diagram --write ../docs/architecture.md`"
        )
    for source, target in TRANSITIONS:
        assert f"    {source.value} --> {target.value}: " in document
