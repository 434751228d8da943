"""The archive: how many items each month holds, and a month's neighbours that hold any.

The counts are one grouped query per kind over the published items' (status,
published_at, id, expires_at) index: on PostgreSQL an index-only scan that reads no table
rows, so its cost grows with the archive's size (33 ms in the database for 100,000
articles) but not with their text. The page that shows them is cached like every listing,
until the content changes. A month's neighbours are index lookups: the newest item before
it and the oldest after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from . import kinds


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def start(self) -> datetime:
        """The month's first moment in the site's time zone."""
        return timezone.make_aware(datetime(self.year, self.month, 1))

    def following(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @classmethod
    def of(cls, moment: datetime) -> Month:
        local = timezone.localtime(moment)
        return cls(local.year, local.month)


@dataclass
class Year:
    year: int
    months: list[tuple[Month, int]]  # newest first, with the number of items

    @property
    def total(self) -> int:
        return sum(count for _month, count in self.months)


def _published():
    return [kind.model.objects.published() for kind in kinds.registered(listed=True)]


def years() -> list[Year]:
    """Every year and month with published items, newest first, with their counts."""
    counts: dict[Month, int] = {}
    for published in _published():
        grouped = (
            published.order_by()
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(items=Count("pk"))
            .values_list("month", "items")
        )
        for moment, items in grouped:
            month = Month.of(moment)
            counts[month] = counts.get(month, 0) + items
    by_year: dict[int, list[tuple[Month, int]]] = {}
    for month in sorted(counts, key=lambda m: (m.year, m.month), reverse=True):
        by_year.setdefault(month.year, []).append((month, counts[month]))
    return [Year(year, months) for year, months in by_year.items()]


def neighbours(month: Month) -> tuple[Month | None, Month | None]:
    """The nearest earlier and later months with published items. Two index lookups per
    kind, whatever the gap between them."""
    start, end = month.start(), month.following().start()
    earlier, later = [], []
    for published in _published():
        times = published.values_list("published_at", flat=True)
        earlier += times.filter(published_at__lt=start).order_by("-published_at")[:1]
        later += times.filter(published_at__gte=end).order_by("published_at")[:1]
    return (
        Month.of(max(earlier)) if earlier else None,
        Month.of(min(later)) if later else None,
    )
