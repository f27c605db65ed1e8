"""Every refusal the bank's services can raise is documented in the API's error table."""

import importlib

from api.schema import ERROR_CODES
from paylib.errors import ApplicationError

MODULES = ["operations.errors", "ledger.errors", "holds.errors"]


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_service_error_code_is_in_the_schema_with_its_status() -> None:
    for module in MODULES:
        importlib.import_module(module)
    bank_errors = [c for c in _subclasses(ApplicationError) if c.__module__ in MODULES]
    assert bank_errors
    for error in bank_errors:
        # Base classes, and a posting the API's validation makes impossible to ask for.
        if error.code in ("ledger_error", "hold_error", "unbalanced_posting"):
            continue
        assert error.code in ERROR_CODES, f"{error.__name__} ({error.code}) is undocumented"
        assert ERROR_CODES[error.code][0] == error.status, error.__name__
