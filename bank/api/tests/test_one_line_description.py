"""The bank refuses exactly the descriptions that paylib.text refuses: the marketplace runs
the same validator on offer titles, so a title it accepts can always be paid."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api.serializers import PaymentRequestIn
from paylib.text import is_one_line

NUMBER = "40817810000000000001"


def _payment(description: str) -> dict[str, object]:
    return {
        "idempotency_key": "deal-1-attempt-1",
        "payer_account": NUMBER,
        "payees": [{"account": NUMBER, "amount": "1.00"}],
        "amount": "1.00",
        "description": description,
    }


@given(st.text(min_size=1, max_size=40))
def test_the_description_is_refused_exactly_when_it_is_not_one_line(title: str) -> None:
    description = f"Deal #1: {title}"
    serializer = PaymentRequestIn(data=_payment(description))
    serializer.is_valid()
    refused = "description" in serializer.errors
    # Trailing whitespace is trimmed first, as the marketplace's form trims a title.
    assert refused == (not is_one_line(description.strip())), serializer.errors


def test_a_line_break_is_refused_with_a_clear_message() -> None:
    serializer = PaymentRequestIn(data=_payment("Deal #1: two\nlines"))
    assert not serializer.is_valid()
    assert serializer.errors["description"][0].code == "not_one_line"
