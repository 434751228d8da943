"""Every listed kind of item (articles, quick quotes...) as one newest-first list, paginated
in the database.

``Timeline`` behaves like a sequence for Django's ``Paginator``: its count and each page
take a fixed number of queries however many items there are.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import CharField, QuerySet, Value

from . import kinds
from .models import Publishable


class Timeline:
    def __init__(self, sources: dict[str, QuerySet]) -> None:
        """``sources``: a QuerySet of each kind's items, by kind name."""
        self.sources = sources

    @classmethod
    def of(cls, make: Callable[[type[Publishable]], QuerySet]) -> Timeline:
        """The items ``make(model)`` selects, for each listed kind."""
        return cls({kind.name: make(kind.model) for kind in kinds.registered(listed=True)})

    @classmethod
    def published(cls, **filters) -> Timeline:
        return cls.of(lambda model: model.objects.published().filter(**filters))

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
        if not rows:
            return []
        merged = rows[0].union(*rows[1:], all=True) if len(rows) > 1 else rows[0]
        page = list(merged.order_by("-published_at", "-pk")[window])
        wanted: dict[str, list[int]] = {}
        for _published_at, pk, kind in page:
            wanted.setdefault(kind, []).append(pk)
        found = {
            kind: self.sources[kind].model.objects.for_listing().in_bulk(pks)
            for kind, pks in wanted.items()
        }
        return [found[kind][pk] for _published_at, pk, kind in page]


def attach_tag_names(items: list[Publishable]) -> list[Publishable]:
    """Give each item ``tag_names`` (sorted), for all of them in one query."""
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import TaggedItem

    by_model: dict[type, list[int]] = {}
    for item in items:
        by_model.setdefault(type(item), []).append(item.pk)
    names: dict[tuple[int, int], list[str]] = {}
    for model, pks in by_model.items():
        content_type = ContentType.objects.get_for_model(model)
        tagged = TaggedItem.objects.filter(content_type=content_type, object_id__in=pks)
        for object_id, name in tagged.values_list("object_id", "tag__name"):
            names.setdefault((content_type.pk, object_id), []).append(name)
    for item in items:
        content_type = ContentType.objects.get_for_model(type(item))
        item.tag_names = sorted(names.get((content_type.pk, item.pk), []))
    return items
