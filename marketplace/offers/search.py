"""Full-text search over offers: PostgreSQL's English and Russian stemmers together.

The trigger in migration 0002 fills ``search_vector`` with the title (weight A) and the
description (weight B) under both configurations, so a query matches in either language.
SQLite (the ``make run`` default) has no full-text search; there each word is looked for
in the title and description folded as PostgreSQL's configurations fold them: any case,
Cyrillic too (SQLite's own LIKE folds only ASCII), and ё as its plain letter. The folding
is a function that each SQLite connection is given when it opens. The ranking is by the
chosen sort only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, FloatField, Func, Q, QuerySet, TextField
from django.db.models.functions import Cast

from .models import Offer

CONFIGS = ("english", "russian")
_SQLITE_FOLD = "market_fold"


def fold(text: str | None) -> str | None:
    """Text as the search compares it: case folded (Cyrillic too), ё as its plain letter."""
    if text is None:
        return None
    return text.casefold().replace("ё", "е")


def register_sqlite_fold(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Give a new SQLite connection the folding function (``connection_created``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(_SQLITE_FOLD, 1, fold, deterministic=True)


class Fold(Func):
    function = _SQLITE_FOLD
    output_field = TextField()


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def search_query(text: str) -> SearchQuery:
    english, russian = (SearchQuery(text, config=c, search_type="websearch") for c in CONFIGS)
    return english | russian


def offers_matching(queryset: QuerySet[Offer], text: str) -> QuerySet[Offer]:
    """Offers matching ``text``, annotated with ``rank`` (higher is better)."""
    if uses_full_text():
        query = search_query(text)
        # ts_rank is a float4, which reaches Python rounded for display; as float8 it
        # survives the trip through a page cursor exactly, so pages neither skip nor repeat.
        rank = Cast(SearchRank(F("search_vector"), query), FloatField())
        return queryset.filter(search_vector=query).annotate(rank=rank)
    condition = Q()
    for word in text.split():
        folded = fold(word)
        condition &= Q(title_folded__contains=folded) | Q(description_folded__contains=folded)
    folded_fields = {"title_folded": Fold("title"), "description_folded": Fold("description")}
    return queryset.alias(**folded_fields).filter(condition)
