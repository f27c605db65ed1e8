"""A Redis server of a test's own, on its own port, that the test may stop and restart.

The shared Redis (127.0.0.1:6379) serves every checkout on the machine: a test that
restarts its broker must not restart that one. This one keeps its data in an RDB file in
its own folder across restarts, as a production Redis with persistence does.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis

from paylib.smtp_catcher import free_port


class RedisServer:
    def __init__(self, folder: Path, *, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [
            executable,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.folder),
            "--dbfilename",
            "dump.rdb",
            "--save",
            "1 1",  # a snapshot every second with a change: restarts keep the queues
            "--appendonly",
            "no",
            "--logfile",
            str(self.folder / "redis.log"),
        ]
        self.process = subprocess.Popen(command, start_new_session=True)
        self._wait_until_up()

    def stop(self, *, sig: int = signal.SIGTERM) -> None:
        """Stop the server: SIGTERM saves the data first, SIGKILL loses the last second."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self, *, down_for: float = 0.0, sig: int = signal.SIGTERM) -> None:
        self.stop(sig=sig)
        time.sleep(down_for)
        self.start()
        self.restarts += 1

    def _wait_until_up(self, timeout: float = 10.0) -> None:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                with contextlib.suppress(redis.ConnectionError):
                    client.ping()
                    return
                time.sleep(0.05)
        finally:
            client.close()
        raise RuntimeError(f"redis on port {self.port} did not come up in {timeout}s")
