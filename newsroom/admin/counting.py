"""Counting that stays cheap at a million rows: exact up to a threshold, estimated above it.

Admin lists and the queue's per-status counts use it instead of ``COUNT(*)`` over a table.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Func, IntegerField, QuerySet

from .. import conf


def threshold() -> int:
    return int(conf.get("ADMIN_EXACT_COUNT_LIMIT"))


class AtLeast(int):
    """A count known only to be at least this much: shown as "10,001+" (or "~N" when
    PostgreSQL estimated it), used in arithmetic as the number itself."""

    estimated: bool = False

    def __str__(self) -> str:
        return f"~{int(self):,}" if self.estimated else f"{int(self):,}+"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec) if not spec else int.__format__(self, spec)


class BoundedCount(Func):
    """``COUNT(*)`` over a LIMIT-ed subquery: it reads at most ``limit + 1`` rows."""

    template = "(SELECT COUNT(*) FROM %(expressions)s AS bounded)"
    output_field = IntegerField()


def bounded_count(queryset: QuerySet[Any], limit: int | None = None) -> int:
    """The exact count up to ``limit``; past it an ``AtLeast(limit + 1)``.

    The count runs over ``LIMIT limit + 1`` rows, so it never reads more than that many.
    """
    limit = threshold() if limit is None else limit
    # Only the keys: annotations the list shows would otherwise be computed per row.
    count = queryset.order_by().values("pk")[: limit + 1].count()
    return count if count <= limit else AtLeast(limit + 1)


def at_most(count: int, limit: int | None = None) -> int:
    """A count taken over ``limit + 1`` rows, shown as "N+" when it reached the end."""
    limit = threshold() if limit is None else limit
    return AtLeast(count) if count > limit else count


def estimated_count(queryset: QuerySet[Any]) -> int | None:
    """PostgreSQL's own idea of the row count (statistics, not a scan); None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        if not queryset.query.where:
            # The whole table: the planner's statistics, kept by ANALYZE and autovacuum.
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
            return int(row[0]) if row else None
        sql, params = queryset.order_by().query.sql_with_params()
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class BoundedPaginator(Paginator):
    """Exact counts below the threshold; above it PostgreSQL's estimate, or "N+" elsewhere."""

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        if not isinstance(self.object_list, QuerySet):
            return super().count
        limit = threshold()
        count = bounded_count(self.object_list, limit)
        if not isinstance(count, AtLeast):
            return count
        estimate = estimated_count(self.object_list)
        if estimate is None or estimate <= limit:
            return count
        approximate = AtLeast(estimate)
        approximate.estimated = True
        return approximate
