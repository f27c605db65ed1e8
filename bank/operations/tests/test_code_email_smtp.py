"""The code email travels over real SMTP; the test reads the code out of it."""

from collections.abc import Callable

import pytest
from django.test import override_settings

from api.models import ApiClient
from conftest import SignedClient, keyed
from ledger.models import Account
from paylib.smtp_catcher import SmtpCatcher, text_body

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_code_arrives_by_smtp_and_confirms_the_payment(
    api: SignedClient, platform: tuple[ApiClient, str], make_account: Callable[..., Account]
) -> None:
    payer, payee = make_account(balance=10_00, link_to=platform[0]), make_account()
    email = payer.customer.email  # type: ignore[union-attr]
    with (
        SmtpCatcher() as smtp,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=smtp.host,
            EMAIL_PORT=smtp.port,
        ),
    ):
        created = api.post(
            "/api/v1/payments/",
            {
                "payer_account": payer.number,
                "amount": "7.25",
                "description": "Deal #3",
                "payees": [{"account": payee.number, "amount": "7.25"}],
                "idempotency_key": "smtp-test-0001",
            },
        )
        assert created.status_code == 201
        code = smtp.last_code(email)
        message = smtp.messages[-1]
    assert "7.25" in message["Subject"]
    assert payee.number in text_body(message)
    assert message.get_body(preferencelist=("html",)) is not None
    response = api.post(
        f"/api/v1/operations/{created.json()['id']}/confirm/", keyed({"code": code})
    )
    assert response.status_code == 200
    assert response.json()["key"]
