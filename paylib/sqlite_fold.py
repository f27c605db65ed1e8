"""Case-insensitive text search on SQLite, Cyrillic included.

SQLite's own ``LIKE`` and ``icontains`` fold only ASCII letters; each SQLite connection is
given ``text_fold`` when it opens (connect ``register_sqlite_fold`` to
``connection_created``), and a query compares ``Fold(field)`` with ``fold(text)``: any
case, and ё as its plain letter, as people type it.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Func, TextField

FUNCTION = "text_fold"


def fold(text: str | None) -> str | None:
    """Text as the search compares it: case folded (Cyrillic too), ё as its plain letter."""
    if text is None:
        return None
    return text.casefold().replace("ё", "е")


def register_sqlite_fold(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Give a new SQLite connection the folding function (``connection_created``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 1, fold, deterministic=True)


class Fold(Func):
    function = FUNCTION
    output_field = TextField()
