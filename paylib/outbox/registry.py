"""Which function delivers which kind of outbox message."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Message

Handler = Callable[["Message"], None]

_handlers: dict[str, Handler] = {}
_scrubbed: set[str] = set()


def handler(kind: str, *, scrub: bool = False) -> Callable[[Handler], Handler]:
    """Register the decorated function as the delivery of messages of ``kind``.

    The function raises to have the delivery retried later; returning means done. With
    ``scrub``, the payload is emptied once delivered (for payloads that carry a secret,
    such as a sealed confirmation code).
    """

    def register(function: Handler) -> Handler:
        existing = _handlers.get(kind)
        if existing is not None and existing.__qualname__ != function.__qualname__:
            raise ValueError(f"Outbox kind {kind!r} already has a handler: {existing!r}")
        _handlers[kind] = function
        if scrub:
            _scrubbed.add(kind)
        return function

    return register


def scrubs(kind: str) -> bool:
    return kind in _scrubbed


def handler_for(kind: str) -> Handler:
    try:
        return _handlers[kind]
    except KeyError:
        raise LookupError(f"No outbox handler for {kind!r}") from None


def kinds() -> list[str]:
    return sorted(_handlers)
