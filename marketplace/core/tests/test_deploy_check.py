"""Production settings pass Django's deployment checklist without a single warning."""

import os
import subprocess
import sys
from pathlib import Path

MARKET = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x7#kq2!v9m$wz0p@4r8t^y6u&i1o3e5a-n_b+c=d~f.g/h?j:l;s<",
        "ALLOWED_HOSTS": "market.example.com",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/marketplace",
        "PYTHONPATH": str(MARKET.parent),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=MARKET,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
