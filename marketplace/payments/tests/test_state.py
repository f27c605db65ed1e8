"""payments.state: the one table of payment moves, and the one function that makes them."""

from __future__ import annotations

import ast
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import translation
from django.utils.module_loading import autodiscover_modules

from accounts.models import SettlementAccount
from deals.models import Deal
from deals.services import deal_transition
from deals.state import Role, is_allowed
from paylib.lifecycle import IllegalMove, embed_all, registry
from payments import services
from payments.models import Payment
from payments.state import BANK, BUYER, MOVES, PAYMENT, payment_move
from users.models import User

from .conftest import FakePaymentBank

pytestmark = pytest.mark.django_db

S = Payment.Status
MARKETPLACE = Path(__file__).resolve().parents[2]
DOC = MARKETPLACE.parent / "docs" / "architecture.md"


@pytest.fixture
def payment(
    deal: Deal, buyer: User, buyer_account: SettlementAccount, bank: FakePaymentBank
) -> Payment:
    return services.payment_start(deal=deal, buyer=buyer, account=buyer_account)


def row(payment: Payment) -> tuple[str, str, str]:
    fresh = Payment.objects.select_related("deal").get(pk=payment.pk)
    return fresh.status, fresh.failure_reason, fresh.deal.status


def test_every_deal_move_in_the_table_is_one_the_deal_table_allows() -> None:
    for (source, target), move in MOVES.items():
        for deal_from, deal_targets in move.deal.items():
            for deal_to in deal_targets:
                assert is_allowed(deal_from, deal_to, Role.SYSTEM), (source, target, deal_to)


def test_a_move_not_in_the_table_is_refused_and_changes_nothing(payment: Payment) -> None:
    before = row(payment)
    with pytest.raises(IllegalMove):
        payment_move(payment=payment, to=S.SUCCEEDED, by="bank", when=(S.AWAITING_CODE,))
    assert row(payment) == before


def test_a_payment_that_moved_on_meanwhile_is_left_as_it_is(payment: Payment) -> None:
    assert not payment_move(
        payment=payment, to=S.FAILED, by="bank", when=(S.PROCESSING,), reason="x"
    )
    assert row(payment) == ("awaiting_code", "", "awaiting_code")
    assert not payment_move(
        payment=payment,
        to=S.CONFIRMING,
        by=BUYER,
        when=(S.AWAITING_CODE,),
        match={"confirm_key": "old"},
    )
    assert row(payment)[0] == "awaiting_code"


def test_the_deal_moves_with_the_payment(payment: Payment) -> None:
    assert payment_move(
        payment=payment, to=S.FAILED, by="bank", when=(S.AWAITING_CODE,), reason="x"
    )
    assert row(payment) == ("failed", "x", "created")
    assert payment.status == "failed"
    assert payment.deal.status == "created"  # the caller's objects are refreshed too
    assert payment.finished_at is not None


def test_the_deal_may_expire_with_the_payment_where_the_table_allows_it(payment: Payment) -> None:
    payment_move(
        payment=payment,
        to=S.FAILED,
        by="system",
        when=(S.AWAITING_CODE,),
        reason="x",
        deal_to="expired",
    )
    assert row(payment) == ("failed", "x", "expired")
    with pytest.raises(IllegalMove):
        payment_move(payment=payment, to=S.FAILED, by="bank", when=(S.FAILED,), deal_to="held")


def test_a_move_that_needs_the_deal_ends_the_payment_if_the_deal_was_cancelled(
    payment: Payment, seller: User
) -> None:
    deal_transition(deal=payment.deal, to="cancelled", actor=seller, role=Role.SELLER)
    assert payment_move(payment=payment, to=S.CONFIRMING, by="buyer", when=(S.AWAITING_CODE,))
    assert row(payment) == ("failed", "deal_cancelled", "cancelled")


def test_payment_and_deal_change_in_one_transaction(payment: Payment) -> None:
    with (
        mock.patch("payments.state.deal_transition", side_effect=DatabaseError("gone")),
        pytest.raises(DatabaseError),
    ):
        payment_move(payment=payment, to=S.FAILED, by="bank", when=(S.AWAITING_CODE,), reason="x")
    assert row(payment) == ("awaiting_code", "", "awaiting_code")


def test_the_status_is_not_a_field(payment: Payment) -> None:
    with pytest.raises(TypeError):
        payment_move(
            payment=payment, to=S.FAILED, by="bank", when=(S.AWAITING_CODE,), status="succeeded"
        )


#: Calls that read, or answer, with a ``status=`` keyword that is not the payment's.
_READS = {"Q", "filter", "exclude", "get", "render", "JsonResponse", "HttpResponse"}


def _other_model(func: ast.expr) -> bool:
    """A call on another model's manager (``Refund.objects...update(status=...)``)."""
    root = func
    while isinstance(root, ast.Attribute | ast.Call):
        root = root.value if isinstance(root, ast.Attribute) else root.func
    return isinstance(root, ast.Name) and root.id[:1].isupper() and root.id != "Payment"


def _status_writes(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and part.attr == "status":
                        lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _READS or name.endswith("Error") or _other_model(func):
                continue
            if any(k.arg == "status" for k in node.keywords):
                lines.append(node.lineno)
            if name in ("save", "bulk_update") and "'status'" in ast.unparse(node).replace(
                '"', "'"
            ):
                lines.append(node.lineno)
    return lines


def _imports_payments(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.ImportFrom) and (node.module or "").startswith("payments")
        for node in ast.walk(tree)
    )


def test_no_code_but_payment_move_writes_the_payment_status() -> None:
    offenders = []
    for path in MARKETPLACE.rglob("*.py"):
        relative = path.relative_to(MARKETPLACE)
        parts = relative.parts
        if "tests" in parts or "migrations" in parts or parts[0] in ("conftest.py", "bank_client"):
            continue
        if relative == Path("payments/state.py"):
            continue
        tree = ast.parse(path.read_text())
        if parts[0] != "payments" and not _imports_payments(tree):
            continue
        offenders += [f"{relative}:{line}" for line in _status_writes(tree)]
    assert offenders == [], f"Payment.status is written outside payments.state: {offenders}"


def test_the_scan_would_see_a_direct_write() -> None:
    sample = (
        "payment.status = 'failed'\n"
        "Payment.objects.update(status='x')\n"
        "p.save(update_fields=['status'])\n"
        "Refund.objects.filter(pk=1).update(status='done')"
    )
    assert _status_writes(ast.parse(sample)) == [1, 2, 3]


def test_the_documented_diagram_is_the_table() -> None:
    autodiscover_modules("state")
    document = DOC.read_text()
    assert PAYMENT.markers[0] in document
    assert registry["payment"] is PAYMENT
    with translation.override("en"):
        assert embed_all(document) == document, (
            "docs/architecture.md is stale: run `cd marketplace && ../.venv/bin/python "
            "manage.py state_diagrams --write ../docs/architecture.md`"
        )


def test_the_documented_deal_moves_are_the_tables() -> None:
    document = DOC.read_text()
    for move in MOVES.values():
        for source, targets in move.deal.items():
            for target in targets:
                assert f"`{source.value}` → `{target.value}`" in document or (
                    f"`{source.value}` → `created` (payable again), or → `{target.value}`"
                    in document
                ), (source, target)


def test_only_the_bank_or_the_buyer_moves_a_payment_the_way_the_table_says(
    payment: Payment,
) -> None:
    with pytest.raises(IllegalMove):  # the bank's answer, not the buyer, confirms a code
        payment_move(payment=payment, to=S.CONFIRMING, by=BANK, when=(S.AWAITING_CODE,))
    assert payment_move(payment=payment, to=S.CONFIRMING, by=BUYER, when=(S.AWAITING_CODE,))
