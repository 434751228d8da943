"""Articles and quick quotes as one newest-first list, paginated in the database.

``Timeline`` behaves like a sequence for Django's ``Paginator``: its count and each page
take a fixed number of queries however many items there are.
"""

from __future__ import annotations

from django.db.models import CharField, QuerySet, Value

from quickquotes.models import QuickQuote

from .models import Article, Publishable


class Timeline:
    def __init__(self, articles: QuerySet, quotes: QuerySet) -> None:
        self.sources: dict[str, QuerySet] = {"article": articles, "quickquote": quotes}

    @classmethod
    def published(cls, **filters) -> Timeline:
        return cls(
            Article.objects.published().filter(**filters),
            QuickQuote.objects.published().filter(**filters),
        )

    def count(self) -> int:
        return sum(source.count() for source in self.sources.values())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Publishable]:
        if not isinstance(window, slice):
            raise TypeError("A timeline is read a page (a slice) at a time.")
        rows = [
            source.order_by().values_list("published_at", "pk", Value(kind, CharField()))
            for kind, source in self.sources.items()
        ]
        page = list(rows[0].union(rows[1], all=True).order_by("-published_at", "-pk")[window])
        wanted: dict[str, list[int]] = {}
        for _published_at, pk, kind in page:
            wanted.setdefault(kind, []).append(pk)
        found = {
            kind: self.sources[kind].model.objects.for_listing().in_bulk(pks)
            for kind, pks in wanted.items()
        }
        return [found[kind][pk] for _published_at, pk, kind in page]
