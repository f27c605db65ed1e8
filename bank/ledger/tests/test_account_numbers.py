"""The Bank of Russia control-key rule, on published and generated samples."""

import pytest

from paylib.accounts import (
    AccountNumberError,
    is_valid_account_number,
    make_account_number,
    validate_account_number,
)

pytestmark = pytest.mark.smoke

VALID = [
    ("049805746", "40602810700000000025"),  # the example given with the rule
    ("044525225", "40702810938000000001"),  # checked by hand: weighted sum 170
    ("044525974", "40817810000000000001"),
]


@pytest.mark.parametrize(("bik", "number"), VALID)
def test_valid_numbers_pass(bik: str, number: str) -> None:
    validate_account_number(number, bik=bik)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("40602810800000000025", "bad_control_key"),  # control digit changed
        ("40602810700000000026", "bad_control_key"),  # last digit changed
        ("4060281070000000002", "wrong_length"),
        ("406028107000000000250", "wrong_length"),
        ("4060281070000000002a", "not_digits"),
        ("4060281070000000002\u0663", "not_digits"),  # an Arabic-Indic digit
        ("", "not_digits"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(number: str, code: str) -> None:
    with pytest.raises(AccountNumberError) as error:
        validate_account_number(number, bik="049805746")
    assert error.value.code == code


def test_a_number_valid_for_one_bank_is_invalid_for_another() -> None:
    assert is_valid_account_number("40602810700000000025", bik="049805746")
    assert not is_valid_account_number("40602810700000000025", bik="044525974")


@pytest.mark.parametrize("serial", [0, 1, 42, 999_999, 9_999_999])
@pytest.mark.parametrize("bik", ["049805746", "044525974", "000000000"])
def test_generated_numbers_carry_a_valid_key(serial: int, bik: str) -> None:
    number = make_account_number(bik=bik, balance_account="40817", currency="810", serial=serial)
    assert len(number) == 20
    assert number.startswith("40817810")
    assert is_valid_account_number(number, bik=bik)
