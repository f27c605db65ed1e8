"""Russian bank account numbers (Bank of Russia rule of 8 September 1997, No. 515).

An account number has 20 digits; its ninth digit is a control key computed over the
last three digits of the bank's BIK followed by the account number itself, with the
weights 7, 1, 3 repeated. The weighted sum of a valid pair is divisible by 10.
"""

from __future__ import annotations

ACCOUNT_NUMBER_LENGTH = 20
BIK_LENGTH = 9
CONTROL_KEY_INDEX = 8
_WEIGHTS = (7, 1, 3)


class AccountNumberError(ValueError):
    """The account number is malformed; ``code`` names the reason for API answers."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _weighted_sum(digits: str) -> int:
    return sum(int(d) * _WEIGHTS[i % 3] for i, d in enumerate(digits))


def _check_bik(bik: str) -> None:
    if len(bik) != BIK_LENGTH or not bik.isascii() or not bik.isdigit():
        raise ValueError(f"BIK must be {BIK_LENGTH} digits, got {bik!r}")


def validate_account_number(number: str, *, bik: str) -> None:
    """Raise :class:`AccountNumberError` unless ``number`` is a valid account of bank ``bik``."""
    _check_bik(bik)
    if not number.isascii() or not number.isdigit():
        raise AccountNumberError("not_digits", "An account number consists of digits only.")
    if len(number) != ACCOUNT_NUMBER_LENGTH:
        raise AccountNumberError(
            "wrong_length", f"An account number has exactly {ACCOUNT_NUMBER_LENGTH} digits."
        )
    if _weighted_sum(bik[-3:] + number) % 10 != 0:
        raise AccountNumberError(
            "bad_control_key", "The control key does not match this bank's BIK."
        )


def is_valid_account_number(number: str, *, bik: str) -> bool:
    try:
        validate_account_number(number, bik=bik)
    except AccountNumberError:
        return False
    return True


def make_account_number(*, bik: str, balance_account: str, currency: str, serial: int) -> str:
    """Build a valid account number: 5-digit balance account, 3-digit currency code,
    control key, 4-digit branch (``0000``) and a 7-digit serial number."""
    _check_bik(bik)
    if len(balance_account) != 5 or not balance_account.isdigit():
        raise ValueError("balance_account must be 5 digits")
    if len(currency) != 3 or not currency.isdigit():
        raise ValueError("currency must be a 3-digit code")
    if not 0 <= serial < 10**7:
        raise ValueError("serial must fit in 7 digits")
    draft = f"{balance_account}{currency}0" + "0000" + f"{serial:07d}"
    # The control digit sits at overall position 3 + 8 = 11, whose weight is 3.
    # 3 * 7 = 21 = 1 (mod 10), so multiplying by 7 inverts the weight.
    remainder = _weighted_sum(bik[-3:] + draft) % 10
    key = (-remainder * 7) % 10
    number = draft[:CONTROL_KEY_INDEX] + str(key) + draft[CONTROL_KEY_INDEX + 1 :]
    validate_account_number(number, bik=bik)
    return number


#: 5-3-1-4-7: balance account, currency, control key, branch, serial number.
ACCOUNT_NUMBER_GROUPS = (5, 3, 1, 4, 7)


def group_account_number(number: str | None) -> str:
    """``40817810100000000001`` → ``40817 810 1 0000 0000001``, for reading aloud; anything
    that is not a 20-digit number is given back as it is."""
    if not number or len(number) != sum(ACCOUNT_NUMBER_GROUPS):
        return number or ""
    parts, start = [], 0
    for size in ACCOUNT_NUMBER_GROUPS:
        parts.append(number[start : start + size])
        start += size
    return " ".join(parts)
