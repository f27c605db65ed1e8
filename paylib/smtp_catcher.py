"""A real SMTP server in-process, for tests that read what the services email."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

CODE_PATTERN = re.compile(r"(?:code|код)[^:\n]*:\s*(\d{6})", re.IGNORECASE)


class _Collector:
    """What arrived, with each message's ``To`` parsed once: many test threads wait on the
    condition at once, and none of them polls or re-parses the headers."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[str] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        recipients = str(message["To"] or "")
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.recipients.append(recipients)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages to ``address``; call it holding ``arrived``."""
        return [m for m, r in zip(self.messages, self.recipients, strict=True) if address in r]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpCatcher:
    """Start with ``with SmtpCatcher() as smtp:``; point EMAIL_HOST/PORT at it."""

    def __init__(self, port: int | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname=self.host, port=self.port)

    def __enter__(self) -> SmtpCatcher:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._collector.arrived:
            return list(self._collector.messages)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages that have arrived for ``address``, oldest first."""
        with self._collector.arrived:
            return self._collector.to(address)

    def wait_for(self, to: str, *, count: int = 1, timeout: float = 20.0) -> list[EmailMessage]:
        """Block until ``count`` messages to ``to`` have arrived; return them all."""
        collector = self._collector
        with collector.arrived:
            if collector.arrived.wait_for(lambda: len(collector.to(to)) >= count, timeout):
                return collector.to(to)
        raise TimeoutError(f"no {count} message(s) to {to} within {timeout}s")

    def last_code(self, to: str, *, count: int = 1, timeout: float = 20.0) -> str:
        """The six-digit code in the ``count``-th message to ``to``."""
        message = self.wait_for(to, count=count, timeout=timeout)[count - 1]
        return extract_code(text_body(message))


def text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no text part"
    return str(part.get_content())


def extract_code(text: str) -> str:
    match = CODE_PATTERN.search(text)
    if match is None:
        raise ValueError(f"no code in: {text!r}")
    return match.group(1)
