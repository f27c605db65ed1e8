"""Keyset ("seek") pagination: pages follow the last row seen, never an OFFSET or a COUNT.

The ordering must end with a unique field (the primary key) so that every row has exactly
one place. The cursor is the last row's sort values, opaque to the user; a cursor that does
not parse, or holds a value its field could not store (a float for an id, an integer beyond
64 bits, Infinity or NaN, a naive time), simply means the first page: a forged cursor must
never reach the database.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import DateTimeField, Field, FloatField, Model, Q, QuerySet

M = TypeVar("M", bound=Model)

#: Longer than any cursor this module makes (a few sort values); longer ones are forged.
MAX_CURSOR_LENGTH = 512
_INTEGER_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "BigIntegerField",
    "IntegerField",
    "SmallIntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
}


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: str | None
    is_first: bool
    #: The cursor of the page before this one (``before=``), None on the first page.
    prev_cursor: str | None = None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.prev_cursor is not None


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    raise TypeError(f"Cannot put {type(value).__name__} in a cursor")


def _hook(obj: dict[str, Any]) -> Any:
    if set(obj) == {"dt"}:
        return datetime.fromisoformat(obj["dt"])
    return obj


def encode_cursor(tag: str, values: Sequence[Any]) -> str:
    raw = json.dumps([tag, *values], default=_default, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, tag: str, length: int) -> list[Any] | None:
    """The values in ``cursor`` if it was made for this ordering (``tag``), else None."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw, object_hook=_hook)
    except (binascii.Error, ValueError, TypeError, RecursionError):
        return None
    if not isinstance(decoded, list) or len(decoded) != length + 1 or decoded[0] != tag:
        return None
    values = decoded[1:]
    if not all(isinstance(v, int | float | str | datetime) for v in values):
        return None
    return values


def _fits(field: Field[Any, Any] | None, value: Any) -> bool:
    """Whether the column (or, for ``None``, a float annotation such as a search rank) can
    hold ``value`` exactly as the database compares it."""
    if isinstance(value, bool):
        return False
    if field is None or isinstance(field, FloatField):
        return isinstance(value, int | float) and math.isfinite(value)
    if field.get_internal_type() in _INTEGER_TYPES:
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (
            isinstance(value, int)
            and (low is None or low <= value)
            and (high is None or value <= high)
        )
    if isinstance(field, DateTimeField):
        return isinstance(value, datetime) and value.tzinfo is not None
    return False  # no ordering of ours sorts by anything else


def _values_fit(model: type[Model], ordering: Sequence[str], values: Sequence[Any]) -> bool:
    for name, value in zip(ordering, values, strict=True):
        try:
            field: Field[Any, Any] | None = model._meta.get_field(name.lstrip("-"))  # type: ignore[assignment]
        except FieldDoesNotExist:
            field = None  # an annotation
        if not _fits(field, value):
            return False
    return True


def _after(ordering: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after ``values`` in ``ordering``, led by a range condition on the first
    field so that the database can start an index scan there instead of filtering."""
    names = [field.lstrip("-") for field in ordering]
    ops = ["lt" if field.startswith("-") else "gt" for field in ordering]
    lexicographic = Q()
    for i, (name, op) in enumerate(zip(names, ops, strict=True)):
        equal_before = Q(**dict(zip(names[:i], values[:i], strict=True)))
        lexicographic |= equal_before & Q(**{f"{name}__{op}": values[i]})
    first_range = Q(**{f"{names[0]}__{ops[0]}e": values[0]})
    return first_range & lexicographic


def _reversed(ordering: Sequence[str]) -> list[str]:
    return [f[1:] if f.startswith("-") else f"-{f}" for f in ordering]


def _cursor_values(
    queryset: QuerySet[M], ordering: Sequence[str], tag: str, cursor: str | None
) -> list[Any] | None:
    values = decode_cursor(cursor, tag=tag, length=len(ordering)) if cursor else None
    if values is not None and not _values_fit(queryset.model, ordering, values):
        return None
    return values


def _cursor_of(row: Model, ordering: Sequence[str], tag: str) -> str:
    return encode_cursor(tag, [getattr(row, f.lstrip("-")) for f in ordering])


def keyset_page(
    queryset: QuerySet[M],
    *,
    ordering: Sequence[str],
    cursor: str | None,
    size: int,
    before: str | None = None,
) -> KeysetPage[M]:
    """Rows after ``cursor``, or the ``size`` rows just before ``before`` (a previous-page
    link); the first page if the cursor is missing, stale or tampered with."""
    tag = ",".join(ordering)
    before_values = _cursor_values(queryset, ordering, tag, before)
    if before_values is not None:
        page = _page_before(queryset, ordering, tag, before_values, size)
        if page is not None:
            return page
    values = _cursor_values(queryset, ordering, tag, cursor)
    queryset = queryset.order_by(*ordering)
    if values is not None:
        queryset = queryset.filter(_after(ordering, values))
    rows = list(queryset[: size + 1])
    items, extra = rows[:size], rows[size:]
    next_cursor = _cursor_of(items[-1], ordering, tag) if extra and items else None
    prev_cursor = _cursor_of(items[0], ordering, tag) if values is not None and items else None
    return KeysetPage(
        items=items, next_cursor=next_cursor, is_first=values is None, prev_cursor=prev_cursor
    )


def _page_before(
    queryset: QuerySet[M], ordering: Sequence[str], tag: str, values: list[Any], size: int
) -> KeysetPage[M] | None:
    """The page that ends just before ``values``; None if there is no row before them."""
    backwards = _reversed(ordering)
    rows = list(queryset.order_by(*backwards).filter(_after(backwards, values))[: size + 1])
    if not rows:
        return None
    more_before = len(rows) > size
    items = list(reversed(rows[:size]))
    return KeysetPage(
        items=items,
        # The row the link came from follows this page.
        next_cursor=_cursor_of(items[-1], ordering, tag),
        is_first=not more_before,
        prev_cursor=_cursor_of(items[0], ordering, tag) if more_before else None,
    )
