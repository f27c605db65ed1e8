"""``make run``'s process supervisor: each child's output under its name, Ctrl-C or SIGTERM
stops them all, one that exits stops the rest, and none outlives the runner.

Honcho, which ran them before, started each command through ``/bin/sh -c`` from a helper
process of its own that ignores SIGTERM and SIGINT by design, and nothing told those
helpers or the programs under them that the runner had died: after a SIGKILL of the runner
every worker, web server and helper stayed behind. Here each program is the runner's own
child (no shell, no helper), in a session of its own (Ctrl-C in the terminal reaches only
the runner, which stops the children in order), and, on Linux, asks the kernel for
SIGTERM when its parent dies (``PR_SET_PDEATHSIG``): a SIGKILLed runner still takes every
program with it, and each stops as on SIGTERM (a Celery worker stops its pool).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STOP_GRACE = 15.0  # seconds from SIGTERM to SIGKILL: a worker finishes its running tasks


def _die_with(parent: int) -> Callable[[], None] | None:
    """Code for the child between fork and exec: SIGTERM when ``parent`` dies."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def arrange() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the call above
            os._exit(1)

    return arrange


@dataclass
class Child:
    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None


class Supervisor:
    def __init__(self, out: IO[str] = sys.stdout) -> None:
        self.children: list[Child] = []
        self.out = out
        self._lock = threading.Lock()
        self._stop_requested: int | None = None
        self._readers: list[threading.Thread] = []

    def add(self, name: str, argv: list[str], *, cwd: Path, env: dict[str, str]) -> None:
        self.children.append(Child(name, argv, cwd, env))

    def run(self) -> int:
        """Start every child, wait until one exits or a signal comes, stop them all."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._request_stop)
        self._start_all()
        exited = self._wait_for_an_exit()
        self._stop_all()
        if self._stop_requested is not None:
            return 128 + self._stop_requested
        return exited.process.returncode if exited and exited.process else 0

    def _start_all(self) -> None:
        # Every fork happens here, in the main thread, before any reader thread runs: the
        # parent-death signal is bound to the thread that forked, and fork with threads
        # is what preexec_fn must not meet.
        arrange = _die_with(os.getpid())
        for child in self.children:
            child.process = subprocess.Popen(
                child.argv,
                cwd=child.cwd,
                env=child.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=arrange,  # no thread runs yet: see above
            )
            self._say("system", f"{child.name} started (pid={child.process.pid})")
        for child in self.children:
            reader = threading.Thread(target=self._copy_output, args=(child,), daemon=True)
            reader.start()
            self._readers.append(reader)

    def _wait_for_an_exit(self) -> Child | None:
        while self._stop_requested is None:
            for child in self.children:
                if child.process is not None and child.process.poll() is not None:
                    self._say("system", f"{child.name} stopped (rc={child.process.returncode})")
                    return child
            time.sleep(0.2)
        return None

    def _stop_all(self) -> None:
        running = [c for c in self.children if c.process and c.process.poll() is None]
        for child in running:
            self._say("system", f"sending SIGTERM to {child.name}")
            _signal(child, signal.SIGTERM, group=False)
        deadline = time.monotonic() + STOP_GRACE
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._say("system", f"sending SIGKILL to {child.name}")
            # Whatever is left of its session (a worker's pool) goes with it.
            _signal(child, signal.SIGKILL, group=True)
            child.process.wait()
        for reader in self._readers:
            reader.join(timeout=2)  # the last lines of each child

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        if self._stop_requested is None:
            self._say("system", f"{signal.Signals(signum).name} received")
        self._stop_requested = signum

    def _copy_output(self, child: Child) -> None:
        assert child.process is not None
        assert child.process.stdout is not None
        for line in iter(child.process.stdout.readline, b""):
            self._say(child.name, line.decode(errors="replace").rstrip("\n"))

    def _say(self, name: str, text: str) -> None:
        width = max(len(c.name) for c in self.children)
        with self._lock:
            print(
                f"{time.strftime('%H:%M:%S')} {name:<{width}} | {text}", file=self.out, flush=True
            )


def _signal(child: Child, sig: int, *, group: bool) -> None:
    assert child.process is not None
    try:
        if group:
            os.killpg(child.process.pid, sig)  # its session's group: pid == pgid
        else:
            child.process.send_signal(sig)
    except ProcessLookupError:
        pass
