"""The unit tests need neither Django nor a database; the integration tests start a bank."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "integration: starts the real bank (PostgreSQL, SMTP) as a subprocess"
    )
