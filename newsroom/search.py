"""Search across every searchable kind (articles, quick quotes...): PostgreSQL full-text
search with ranking, and a plain word match on other databases.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, FloatField, Q, QuerySet, Value, When

from . import kinds
from .models import Publishable

RESULT_LIMIT = 50


def _weights(model) -> dict[str, str]:
    """The kind's field weights (a match in the title counts most), for fields it has."""
    names = {field.name for field in model._meta.get_fields()}
    weights = kinds.for_model(model).search_weights
    return {name: weight for name, weight in weights.items() if name in names}


def _fields(model) -> list[str]:
    return list(_weights(model))


def _postgres(queryset: QuerySet, query: str) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = None
    for name, weight in _weights(queryset.model).items():
        part = SearchVector(name, weight=weight, config="english")
        vector = part if vector is None else vector + part
    search_query = SearchQuery(query, search_type="websearch", config="english")
    return (
        queryset.annotate(document=vector, rank=SearchRank(vector, search_query))
        .filter(document=search_query)
        .order_by("-rank", "-published_at")
    )


def _plain(queryset: QuerySet, query: str) -> QuerySet:
    """Every word somewhere in the text; items with the words in the title first."""
    words = query.split()[:10]
    fields = _fields(queryset.model)
    for word in words:
        queryset = queryset.filter(Q.create([(f"{f}__icontains", word) for f in fields], "OR"))
    in_title = Q.create([("title__icontains", word) for word in words], "AND")
    rank = Case(When(in_title, then=Value(1.0)), default=Value(0.5), output_field=FloatField())
    return queryset.annotate(rank=rank).order_by("-rank", "-published_at")


def search(query: str, limit: int = RESULT_LIMIT) -> list[Publishable]:
    """Published items of every searchable kind matching the query, best first."""
    if not query.split():
        return []
    ranked = _postgres if connection.vendor == "postgresql" else _plain
    results: list[Publishable] = []
    for kind in kinds.registered(searchable=True):
        results += ranked(kind.model.objects.published().for_listing(), query)[:limit]
    results.sort(key=lambda item: (item.rank, item.published_at), reverse=True)
    return results[:limit]
