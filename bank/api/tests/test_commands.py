"""`manage.py create_api_client NAME` prints working credentials once and stores no secret."""

import re

import pytest
from django.core.management import CommandError, call_command

from api.models import ApiClient
from conftest import SignedClient

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_create_api_client_prints_credentials_that_sign_requests(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("create_api_client", "marketplace")
    out = capsys.readouterr().out
    client_id = re.search(r"client id: (cl_[0-9a-f]+)", out)[1]  # type: ignore[index]
    secret = re.search(r"secret:\s+([0-9a-f]{64})", out)[1]  # type: ignore[index]
    stored = ApiClient.objects.get(client_id=client_id)
    assert secret not in {stored.secret_hash, stored.name, stored.client_id}
    response = SignedClient(client_id, secret).get("/api/v1/accounts/40817810000000000001/balance/")
    assert response.status_code == 422  # authenticated; the account is just not linked


def test_create_api_client_env_format(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("create_api_client", "platform", "--env")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("BANK_API_CLIENT_ID=cl_")
    assert re.fullmatch(r"BANK_API_SECRET=[0-9a-f]{64}", lines[1])


def test_create_api_client_refuses_a_taken_name() -> None:
    call_command("create_api_client", "marketplace")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_api_client", "marketplace")
