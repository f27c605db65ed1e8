from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commission.split import Split, commission_split
from paylib.money import MAX_AMOUNT_KOPECKS

amounts = st.integers(min_value=0, max_value=MAX_AMOUNT_KOPECKS * 1000)
percents = st.decimals(min_value=0, max_value=100, places=2)
minimums = st.integers(min_value=0, max_value=MAX_AMOUNT_KOPECKS)


@given(amount=amounts, percent=percents, minimum=minimums)
def test_net_and_commission_always_add_up_to_the_amount(
    amount: int, percent: Decimal, minimum: int
) -> None:
    split = commission_split(amount, percent=percent, minimum=minimum)
    assert split.net + split.commission == amount
    assert 0 <= split.commission <= amount
    assert split.net >= 0


@given(amount=amounts, percent=percents, minimum=minimums)
def test_the_commission_follows_the_stated_rounding_rule(
    amount: int, percent: Decimal, minimum: int
) -> None:
    share = (Decimal(amount) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    expected = min(max(int(share), minimum), amount)
    assert commission_split(amount, percent=percent, minimum=minimum).commission == expected


@given(amount=amounts, percent=percents)
def test_a_larger_amount_never_earns_a_smaller_commission(amount: int, percent: Decimal) -> None:
    smaller = commission_split(amount, percent=percent, minimum=0)
    larger = commission_split(amount + 1, percent=percent, minimum=0)
    assert larger.commission >= smaller.commission


@pytest.mark.parametrize(
    ("amount", "percent", "minimum", "expected"),
    [
        (10_000, "5.00", 0, Split(net=9_500, commission=500)),
        (10, "5.00", 0, Split(net=9, commission=1)),  # 0.5 kopeck rounds half up to 1
        (30, "5.00", 0, Split(net=28, commission=2)),  # 1.5 rounds half up to 2
        (1_000, "2.50", 100, Split(net=900, commission=100)),  # the minimum applies
        (50, "5.00", 100, Split(net=0, commission=50)),  # never more than the amount
        (0, "5.00", 100, Split(net=0, commission=0)),
        (12_345, "0.00", 0, Split(net=12_345, commission=0)),
        (12_345, "100.00", 0, Split(net=0, commission=12_345)),
    ],
)
def test_examples(amount: int, percent: str, minimum: int, expected: Split) -> None:
    assert commission_split(amount, percent=Decimal(percent), minimum=minimum) == expected


@pytest.mark.parametrize(
    ("amount", "percent", "minimum"),
    [(-1, "5", 0), (100, "-0.01", 0), (100, "100.01", 0), (100, "5", -1)],
)
def test_nonsense_is_refused(amount: int, percent: str, minimum: int) -> None:
    with pytest.raises(ValueError, match=r"negative|between"):
        commission_split(amount, percent=Decimal(percent), minimum=minimum)
