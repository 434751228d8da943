"""Every listed kind of item (articles, quick quotes...) as one newest-first list, paged
in the database.

Listings walk it by keyset (``Timeline.older`` / ``Timeline.newer`` from a ``Position``):
a deep page costs what the first one does, and nothing is counted. Feeds slice it.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

from . import kinds
from .models import Publishable

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Position:
    """Where an item sits in the timeline: newest first by time, then kind name, then pk
    (all descending), so that items published in the same microsecond still have an order."""

    published_at: datetime
    kind: str
    pk: int

    @classmethod
    def of(cls, item: Publishable) -> Position:
        return cls(item.published_at, item._meta.model_name, item.pk)

    def token(self) -> str:
        """The position in a URL: ``<microseconds since 1970>,<kind>,<pk>``, exact (no float
        rounding) and with nothing a query string must escape."""
        micros = (self.published_at - EPOCH) // timedelta(microseconds=1)
        return f"{micros},{self.kind},{self.pk}"

    @classmethod
    def parse(cls, token: str) -> Position | None:
        """The position a token names, or None for anything that is not one."""
        parts = token.split(",")
        if len(parts) != 3 or not all(len(part) <= 20 for part in parts):
            return None  # also keeps int() away from huge digit strings
        micros, kind, pk = parts
        try:
            return cls(EPOCH + timedelta(microseconds=int(micros)), kind, int(pk))
        except (ValueError, OverflowError):
            return None


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
        return self._load(self._rows({}, window))

    def older(self, than: Position | None, size: int) -> list[Publishable]:
        """Up to ``size`` items just older than ``than`` (the newest ones without it)."""
        if than is None:
            return self[0:size]
        filters = {kind: _before(than, kind) for kind in self.sources}
        return self._load(self._rows(filters, slice(0, size)))

    def newer(self, than: Position, size: int) -> list[Publishable]:
        """Up to ``size`` items just newer than ``than``, newest first."""
        filters = {kind: _after(than, kind) for kind in self.sources}
        rows = self._rows(filters, slice(0, size), newest_first=False)
        return self._load(rows[::-1])

    def _rows(self, filters: dict[str, Q], window: slice, newest_first: bool = True) -> list:
        """A window of every kind's (published_at, pk, kind) rows, each kind filtered.

        One query per kind, each walking its own (published_at, id) index for at most
        ``window.stop`` rows, merged here: a single query over the union of the kinds would
        have the database sort every published item to find the first few.
        """
        if window.stop is None:
            raise ValueError("A timeline is read a bounded window at a time.")
        sign = "-" if newest_first else ""
        per_kind = [
            [
                (published_at, kind, pk)
                for published_at, pk in source.filter(filters.get(kind, Q()))
                .order_by(f"{sign}published_at", f"{sign}pk")
                .values_list("published_at", "pk")[: window.stop]
            ]
            for kind, source in self.sources.items()
        ]
        merged = heapq.merge(*per_kind, reverse=newest_first)
        return [(published_at, pk, kind) for published_at, kind, pk in merged][window]

    def newest_rows(self, size: int) -> list[tuple]:
        """The newest ``size`` rows, (published_at, pk, kind), not loaded yet: a page that
        shows several timelines loads their items together (``load_items``)."""
        return self._rows({}, slice(0, size))

    def _load(self, page: list[tuple]) -> list[Publishable]:
        found = load_items(by_kind((kind, pk) for _published_at, pk, kind in page))
        return [found[kind][pk] for _published_at, pk, kind in page]


def by_kind(keys: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    """(kind, pk) pairs as the pks of each kind."""
    wanted: dict[str, list[int]] = {}
    for kind, pk in keys:
        wanted.setdefault(kind, []).append(pk)
    return wanted


def load_items(wanted: dict[str, list[int]], published: bool = False) -> dict[str, dict]:
    """The items of each kind by pk, with what a listing shows (``for_listing``): two
    queries per kind asked for. ``published``: only those readers may see now."""
    found = {}
    for kind, pks in wanted.items():
        items = kinds.get(kind).model.objects.for_listing()
        found[kind] = (items.published() if published else items).in_bulk(pks)
    return found


def _before(position: Position, kind: str) -> Q:
    """Rows of ``kind`` older than ``position``: the kind is one value per source, so the
    tuple comparison becomes a condition on the indexed time (and pk on a tie)."""
    if kind < position.kind:
        return Q(published_at__lte=position.published_at)
    if kind > position.kind:
        return Q(published_at__lt=position.published_at)
    return Q(published_at__lt=position.published_at) | Q(
        published_at=position.published_at, pk__lt=position.pk
    )


def _after(position: Position, kind: str) -> Q:
    """Rows of ``kind`` newer than ``position`` (the mirror of ``_before``)."""
    if kind < position.kind:
        return Q(published_at__gt=position.published_at)
    if kind > position.kind:
        return Q(published_at__gte=position.published_at)
    return Q(published_at__gt=position.published_at) | Q(
        published_at=position.published_at, pk__gt=position.pk
    )


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
