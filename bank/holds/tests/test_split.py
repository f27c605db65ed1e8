"""The one rule that shares a partial capture or a refund among payees, exact to the kopeck."""

from hypothesis import given
from hypothesis import strategies as st

from holds.split import split_proportionally

parts = st.lists(st.integers(min_value=1, max_value=10**11), min_size=1, max_size=10)


@given(parts=parts, data=st.data())
def test_shares_sum_to_the_amount_and_stay_within_each_part(parts: list[int], data) -> None:  # type: ignore[no-untyped-def]
    amount = data.draw(st.integers(min_value=0, max_value=sum(parts)))
    shares = split_proportionally(amount, parts)
    assert sum(shares) == amount
    total = sum(parts)
    for share, part in zip(shares, parts, strict=True):
        assert 0 <= share <= part
        # Each share is its exact quota rounded down or up: never a kopeck further.
        assert abs(share * total - part * amount) < total


@given(parts=parts)
def test_all_of_it_gives_every_payee_his_whole_part(parts: list[int]) -> None:
    assert split_proportionally(sum(parts), parts) == parts
    assert split_proportionally(0, parts) == [0] * len(parts)


def test_the_seller_listed_first_wins_a_tie() -> None:
    # 1.00 held: 0.50 seller, 0.50 platform; capture 0.01: the odd kopeck goes to the seller.
    assert split_proportionally(1, [50, 50]) == [1, 0]
    # A typical safe deal: 1000.00 = 950.00 + 50.00, captured 333.33.
    assert split_proportionally(333_33, [950_00, 50_00]) == [316_66, 16_67]


@given(parts=parts, data=st.data())
def test_refunds_in_pieces_never_take_more_than_each_payee_received(parts: list[int], data) -> None:  # type: ignore[no-untyped-def]
    captured = split_proportionally(data.draw(st.integers(1, sum(parts))), parts)
    remaining = list(captured)
    for _ in range(data.draw(st.integers(1, 5))):
        left = sum(remaining)
        if left == 0:
            break
        refund = data.draw(st.integers(1, left))
        shares = split_proportionally(refund, remaining)
        assert sum(shares) == refund
        remaining = [r - s for r, s in zip(remaining, shares, strict=True)]
        assert all(r >= 0 for r in remaining)
    # What is left can always be refunded in full, to the kopeck.
    if sum(remaining):
        assert split_proportionally(sum(remaining), remaining) == remaining
