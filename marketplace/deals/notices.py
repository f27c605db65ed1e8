"""Who is told what about a deal: the one place that calls the notifications service."""

from __future__ import annotations

from typing import Any

from .models import Deal, Dispute


def deal_moved(*, deal: Deal, previous: str, role: str) -> None:
    """Tell the parties about a move; called in the move's transaction."""


def deal_event(*, deal: Deal, kind: str, **params: Any) -> None:
    """Tell the parties about something that is not a move (a reminder, an answer...)."""


def dispute_opened(*, deal: Deal, dispute: Dispute) -> None:
    """Tell both parties of a new dispute and the seller's deadline to answer."""


def dispute_resolved(*, deal: Deal, dispute: Dispute) -> None:
    """Tell both parties of staff's ruling and its reason."""
