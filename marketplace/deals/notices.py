"""Who is told what about a deal: the one place that calls the notifications service."""

from __future__ import annotations

from typing import Any

from .models import Deal


def deal_moved(*, deal: Deal, previous: str, role: str) -> None:
    """Tell the parties about a move; called in the move's transaction."""


def deal_event(*, deal: Deal, kind: str, **params: Any) -> None:
    """Tell the parties about something that is not a move (a reminder, an answer...)."""
