"""Production settings pass Django's deployment checklist without a single warning."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BANK = Path(__file__).resolve().parents[2]


@pytest.mark.smoke
def test_check_deploy_is_clean() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x7#kq2!v9m$wz0p@4r8t^y6u&i1o3e5a-n_b+c=d~f.g/h?j:l;s<",
        "ALLOWED_HOSTS": "bank.example.com",
        "API_CLIENT_KEY": "a-different-key-for-api-client-secrets-0123456789",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bank",
        "PYTHONPATH": str(BANK.parent),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BANK,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
