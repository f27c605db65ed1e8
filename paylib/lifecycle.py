"""One table per lifecycle: the allowed moves of a status, who may make them, and its diagram.

Deals, payments, bank operations and holds each declare one :class:`Lifecycle`; the one
function of theirs that writes the status calls :meth:`Lifecycle.check` under the row lock,
so nothing else decides whether a move is allowed. The diagram in docs/architecture.md is
drawn from the same table (:meth:`Lifecycle.mermaid`, :func:`embed_all`), and a test
compares the two, so the picture cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.db import models

from .errors import ApplicationError

S = TypeVar("S", bound=models.TextChoices)

#: Every lifecycle declared in this process, by name, in declaration order.
registry: dict[str, Lifecycle[models.TextChoices]] = {}


class IllegalMove(ApplicationError):
    """The move is not in the table (or not for this role). Nothing was changed."""

    status = 409
    code = "illegal_transition"


@dataclass
class Lifecycle(Generic[S]):
    """``moves`` maps (from, to) to the roles that may make the move (empty: no roles)."""

    name: str
    statuses: type[S]
    initial: S
    moves: Mapping[tuple[S, S], frozenset[str]]
    final: frozenset[S] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        unknown = {s for move in self.moves for s in move} - set(self.statuses)
        if unknown:
            raise ValueError(f"{self.name}: moves name unknown statuses {unknown}")
        if any(source in self.final for source, _target in self.moves):
            raise ValueError(f"{self.name}: a final status has a way out")
        registry[self.name] = self  # type: ignore[assignment]

    def is_allowed(self, current: str, to: str, role: str | None = None) -> bool:
        values = self.statuses.values
        if current not in values or to not in values:
            return False
        roles = self.moves.get((self.statuses(current), self.statuses(to)))
        return roles is not None and (role is None or role in roles)

    def check(self, current: str, to: str, role: str | None = None) -> None:
        if not self.is_allowed(current, to, role):
            raise IllegalMove(
                f"{self.name}: no move from {current!r} to {to!r}"
                + (f" for {role!r}" if role else ""),
                extra={"from": current, "to": to},
            )

    def targets(self, current: str, role: str | None = None) -> list[S]:
        """Where a status may go next (for ``role``), in table order."""
        return [
            target
            for (source, target), roles in self.moves.items()
            if source == current and (role is None or role in roles)
        ]

    # The diagram

    @property
    def markers(self) -> tuple[str, str]:
        return (
            f"<!-- {self.name}-state-diagram:begin (generated from the transition table) -->",
            f"<!-- {self.name}-state-diagram:end -->",
        )

    def mermaid(self) -> str:
        lines = ["```mermaid", "stateDiagram-v2"]
        lines += [f"    {status.value}: {status.label}" for status in self.statuses]
        lines.append(f"    [*] --> {self.initial.value}")
        for (source, target), roles in self.moves.items():
            who = ", ".join(sorted(roles))
            lines.append(f"    {source.value} --> {target.value}" + (f": {who}" if who else ""))
        lines += [f"    {status.value} --> [*]" for status in self.statuses if status in self.final]
        lines.append("```")
        return "\n".join(lines)

    def embed(self, document: str) -> str:
        """``document`` with the block between this lifecycle's markers redrawn."""
        begin, end = self.markers
        if begin not in document:
            return document
        head, rest = document.split(begin, 1)
        _old, tail = rest.split(end, 1)
        return f"{head}{begin}\n{self.mermaid()}\n{end}{tail}"


def embed_all(document: str, lifecycles: Iterable[Lifecycle[models.TextChoices]] = ()) -> str:
    """Redraw every registered (or the given) lifecycle's diagram found in ``document``."""
    for lifecycle in lifecycles or registry.values():
        document = lifecycle.embed(document)
    return document
