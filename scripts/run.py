"""``make run``: prepare both databases and demo data, then start every process.

Processes (stopped together with Ctrl-C, and with the runner however it ends; see
``processes.py``): the bank on :8001, the marketplace on :8000, a Celery worker and a
Celery beat for each, and the mail catcher (SMTP :1025, web :8025). Environment
variables switch the embedded defaults (SQLite, a broker in a SQLite file) to PostgreSQL,
Redis and a real mail server; see README.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from processes import Supervisor

REPO = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("VAR_DIR", REPO / "var"))
PYTHON = str(REPO / ".venv" / "bin" / "python")
CELERY = str(REPO / ".venv" / "bin" / "celery")
RUNSERVER = [PYTHON, "manage.py", "runserver", "--noreload"]
BANK, MARKET = REPO / "bank", REPO / "marketplace"
BANK_PORT = int(os.environ.get("RUN_BANK_PORT", "8001"))
MARKET_PORT = int(os.environ.get("RUN_MARKET_PORT", "8000"))
SMTP_PORT = int(os.environ.get("RUN_SMTP_PORT", "1025"))
MAIL_WEB_PORT = int(os.environ.get("RUN_MAIL_PORT", "8025"))


def service_env(prefix: str) -> dict[str, str]:
    """The environment of one service: ``BANK_DATABASE_URL`` becomes its ``DATABASE_URL``."""
    env = dict(os.environ)
    env.setdefault("EMAIL_HOST", "127.0.0.1")
    env.setdefault("EMAIL_PORT", str(SMTP_PORT))
    env["PYTHONPATH"] = str(REPO)
    env["PYTHONUNBUFFERED"] = "1"
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
        value = os.environ.get(f"{prefix}_{name}")
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    return env


def manage(cwd: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=cwd, env=env, check=True)


def main() -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    bank_env = service_env("BANK")
    market_env = service_env("MARKET")
    print("Preparing the bank ...", flush=True)
    manage(BANK, bank_env, "migrate", "--no-input", "-v0")
    demo_file = VAR / "demo-bank.json"
    manage(BANK, bank_env, "demo_data", "--output", str(demo_file))
    demo = json.loads(demo_file.read_text())
    market_env.update(
        BANK_API_URL=f"http://127.0.0.1:{BANK_PORT}",
        BANK_API_CLIENT_ID=demo["BANK_API_CLIENT_ID"],
        BANK_API_SECRET=demo["BANK_API_SECRET"],
        PLATFORM_ACCOUNT=demo["PLATFORM_ACCOUNT"],
        SITE_URL=f"http://127.0.0.1:{MARKET_PORT}",
    )
    print("Preparing the marketplace ...", flush=True)
    manage(MARKET, market_env, "migrate", "--no-input", "-v0")
    manage(MARKET, market_env, "demo_data", "--bank-file", str(demo_file))

    supervisor = Supervisor()
    for name, argv, folder, env in processes(bank_env, market_env):
        supervisor.add(name, argv, cwd=folder, env=env)
    print_banner(demo)
    sys.exit(supervisor.run())


def processes(
    bank_env: dict[str, str], market_env: dict[str, str]
) -> list[tuple[str, list[str], Path, dict[str, str]]]:
    """Name, command, folder and environment of each process."""
    worker = [CELERY, "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "2"]
    beat = [CELERY, "-A", "config", "beat", "--loglevel", "INFO", "--schedule"]
    mail = [f"--smtp-port={SMTP_PORT}", f"--http-port={MAIL_WEB_PORT}"]
    return [
        ("mail", [PYTHON, "scripts/mailcatcher.py", *mail], REPO, bank_env),
        ("bank", [*RUNSERVER, f"127.0.0.1:{BANK_PORT}"], BANK, bank_env),
        ("bank-worker", [*worker, "--hostname", "bank@%h"], BANK, bank_env),
        ("bank-beat", [*beat, str(VAR / "bank-beat-schedule")], BANK, bank_env),
        ("market", [*RUNSERVER, f"127.0.0.1:{MARKET_PORT}"], MARKET, market_env),
        ("market-worker", [*worker, "--hostname", "market@%h"], MARKET, market_env),
        ("market-beat", [*beat, str(VAR / "market-beat-schedule")], MARKET, market_env),
    ]


def print_banner(demo: dict[str, object]) -> None:
    password = demo["password"]
    lines = [
        "",
        "=" * 72,
        f"  Marketplace   http://127.0.0.1:{MARKET_PORT}/",
        f"  Bank          http://127.0.0.1:{BANK_PORT}/   (API docs: /api/docs/)",
        f"  Mail catcher  http://127.0.0.1:{MAIL_WEB_PORT}/  (the confirmation codes arrive here)",
        "",
        f"  Demo logins (password {password} everywhere):",
        "    buyer@demo.test, pokupatel@demo.test   buyers with money at the bank",
        "    seller@demo.test, prodavec@demo.test   sellers with linked accounts",
        "    newcomer@demo.test                     a bank customer, not yet on the marketplace",
        "    staff@demo.test                        staff: /admin/ on both sites",
        "  Stop everything with Ctrl-C.",
        "=" * 72,
        "",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
