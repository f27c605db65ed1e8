"""Database faults on demand, for tests: PostgreSQL ends other sessions' connections.

``pg_terminate_backend`` is what a server restart or a failover does to each connection:
the session ends, and its client gets "terminating connection due to administrator
command" on its next read. Each function takes a DB-API cursor on the same database.
"""

from __future__ import annotations

import time
from typing import Any

_OTHERS = (
    "datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
)


def terminate_backends(cursor: Any) -> int:
    """End every other connection to this database; returns how many there were."""
    cursor.execute(f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE {_OTHERS}")  # noqa: S608
    return int(cursor.fetchone()[0])


def terminate_lock_waiters(cursor: Any, *, timeout: float = 10.0) -> int:
    """Wait until another connection waits for a lock, then end the ones that wait.

    Hold a lock (``LOCK TABLE ...``) in the cursor's transaction first: a request that
    needs the table then waits in the middle of its work, where it is ended.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "  # noqa: S608
            f"WHERE {_OTHERS} AND wait_event_type = 'Lock'"
        )
        ended = int(cursor.fetchone()[0])
        if ended:
            return ended
        time.sleep(0.05)
    raise TimeoutError(f"no connection waited for a lock within {timeout}s")
