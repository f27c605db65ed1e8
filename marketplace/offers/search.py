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

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet
from django.db.models.functions import Cast

from paylib.sqlite_fold import Fold, fold

from .models import Offer

CONFIGS = ("english", "russian")


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
