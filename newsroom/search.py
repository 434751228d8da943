"""Search across every searchable kind (articles, quick quotes...), through the index the
database keeps (see ``search_index``): ranked, paginated, with highlighted snippets.

PostgreSQL matches the stored ``tsvector`` (GIN index) with ``websearch_to_tsquery`` and ranks
with ``ts_rank``; SQLite matches its FTS5 table and ranks with ``bm25``; without FTS5 (or on
another database) a plain word match stands in. Snippets are made only for the page shown.
"""

from __future__ import annotations

import re
import secrets

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    FloatField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from . import kinds, search_index
from .models import Publishable

# SQL is built here from table and column names (model metadata, migrations' constants);
# every value a reader or editor supplies goes in as a query parameter.
# ruff: noqa: S608, S610, S611

# FTS5 weighs each column by a number where PostgreSQL has the letters A to D.
BM25_WEIGHTS = {"A": 10.0, "B": 4.0, "C": 1.0, "D": 0.5}
# A reader's query is cut to this many words on SQLite (each one is a term to match).
MAX_WORDS = 10


def _weights(model) -> dict[str, str]:
    """The kind's field weights (a match in the title counts most), for fields it has."""
    names = {field.name for field in model._meta.get_fields()}
    weights = kinds.for_model(model).search_weights
    return {name: weight for name, weight in weights.items() if name in names}


def _fields(model) -> list[str]:
    return list(_weights(model))


def engine() -> str:
    """Which search runs here: "postgresql", "fts5" or "plain"."""
    if connection.vendor == "postgresql":
        return "postgresql"
    if connection.vendor == "sqlite" and search_index.fts5_available():
        return "fts5"
    return "plain"


def fts5_query(query: str) -> str:
    """A reader's words as an FTS5 query that matches items holding all of them.

    Each word is quoted, so FTS5's own syntax (``NEAR``, ``*``, ``:``) is just text:

    >>> fts5_query('peace "talks" OR-')
    '"peace" "talks" "OR"'
    """
    return " ".join(f'"{word}"' for word in re.findall(r"\w+", query)[:MAX_WORDS])


class Marks:
    """The start and end of a highlighted word in a snippet, drawn afresh for each search,
    so no text an editor or reader wrote can pass for one."""

    def __init__(self) -> None:
        nonce = secrets.token_hex(8)
        self.start, self.stop = f"hl{nonce}s", f"hl{nonce}e"

    def to_html(self, raw: str | None) -> SafeString | None:
        """The snippet with its text escaped and its marks as ``<mark>`` elements."""
        if raw is None:
            return None
        first, *marked = raw.split(self.start)
        html = [escape(first)]
        for part in marked:
            word, _, rest = part.partition(self.stop)
            html += [format_html("<mark>{}</mark>", word), escape(rest)]
        return mark_safe("".join(html))  # noqa: S308 (every piece escaped above)


def _postgres(queryset: QuerySet, query: str) -> QuerySet:
    table = queryset.model._meta.db_table
    document = f'"{table}"."{search_index.COLUMN}"'
    tsquery = "websearch_to_tsquery(%s::regconfig, %s)"
    params = (search_index.CONFIG, query)
    return queryset.filter(
        RawSQL(f"{document} @@ {tsquery}", params, output_field=BooleanField())
    ).annotate(rank=RawSQL(f"ts_rank({document}, {tsquery})", params, output_field=FloatField()))


def _postgres_snippet(model, query: str, marks: Marks) -> RawSQL:
    # The title is shown anyway: the snippet comes from the other fields.
    names = [name for name in _fields(model) if name != "title"] or ["title"]
    table = model._meta.db_table
    text = " || ' … ' || ".join(f'coalesce("{table}"."{name}", \'\')' for name in names)
    options = f"StartSel={marks.start}, StopSel={marks.stop}, MaxFragments=2, MaxWords=30"
    return RawSQL(
        f"ts_headline(%s::regconfig, {text}, websearch_to_tsquery(%s::regconfig, %s), %s)",
        (search_index.CONFIG, search_index.CONFIG, query, options),
        output_field=TextField(),
    )


def _fts5(queryset: QuerySet, query: str) -> QuerySet:
    table = queryset.model._meta.db_table
    fts = search_index.fts_table(table)
    weights = ", ".join(str(BM25_WEIGHTS[w]) for w in _weights(queryset.model).values())
    # The items joined to the FTS5 table's matches: one pass over the index. bm25 counts
    # the matches of each word anew in every query it runs, so a rank looked up item by
    # item (a correlated subquery) read every match once per match: minutes for a common
    # word at 100,000 articles. Django joins a table it has no relation to only by extra().
    # The unary + keeps the FTS5 table from being read by rowid, item by item: without
    # ANALYZE's statistics (sites do not run it) SQLite would otherwise walk every published
    # item and query the index for each (3 s to count a rare word's one match at 100,000
    # articles), with bm25's counting anew for each.
    return queryset.extra(
        tables=[fts],
        where=[f"{fts} MATCH %s", f'+{fts}.rowid = "{table}"."id"'],
        params=[fts5_query(query)],
        # bm25 is lower for a better match; the rank is higher for one, as on PostgreSQL.
        select={"rank": f"-bm25({fts}, {weights})"},
    )


def _fts5_snippet(model, query: str, marks: Marks) -> RawSQL:
    table = model._meta.db_table
    fts = search_index.fts_table(table)
    return RawSQL(
        f"(SELECT snippet({fts}, -1, %s, %s, '…', 24) FROM {fts} "
        f'WHERE {fts} MATCH %s AND rowid = "{table}"."id")',
        (marks.start, marks.stop, fts5_query(query)),
        output_field=TextField(),
    )


def _plain(queryset: QuerySet, query: str) -> QuerySet:
    """Every word somewhere in the text; items with the words in the title first."""
    words = query.split()[:MAX_WORDS]
    fields = _fields(queryset.model)
    for word in words:
        queryset = queryset.filter(Q.create([(f"{f}__icontains", word) for f in fields], "OR"))
    in_title = Q.create([("title__icontains", word) for word in words], "AND")
    rank = Case(When(in_title, then=Value(1.0)), default=Value(0.5), output_field=FloatField())
    return queryset.annotate(rank=rank)


MATCHERS = {"postgresql": _postgres, "fts5": _fts5, "plain": _plain}
SNIPPETS = {"postgresql": _postgres_snippet, "fts5": _fts5_snippet}


class SearchResults:
    """The published items of every searchable kind that match a query, best first.

    Like ``Timeline``, a sequence for Django's ``Paginator``: counting and each page take a
    fixed number of queries however many items match, and snippets are made for the page's
    items only.
    """

    def __init__(self, query: str) -> None:
        self.query = query
        self.capped = False  # more matches than COUNT_LIMIT (known once counted)
        self.engine = engine()
        self.marks = Marks()
        match = MATCHERS[self.engine]
        searchable = kinds.registered(searchable=True)
        if self.engine == "fts5":
            if not fts5_query(query):  # no word at all: FTS5 would refuse the query
                searchable = []
        elif not query.split():
            searchable = []
        self.sources = {
            kind.name: match(kind.model.objects.published(), query) for kind in searchable
        }

    # A common word matches most of the archive: results are counted up to this many (a
    # LIMIT-ed count, not a scan of every match), and pages reach that far.
    COUNT_LIMIT = 1000

    def count(self) -> int:
        limit = self.COUNT_LIMIT
        found = sum(
            source.order_by().values("pk")[: limit + 1].count() for source in self.sources.values()
        )
        self.capped = found > limit
        return min(found, limit)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Publishable]:
        if not isinstance(window, slice):
            raise TypeError("Search results are read a page (a slice) at a time.")
        rows = [
            source.order_by().values_list("rank", "published_at", "pk", Value(kind, CharField()))
            for kind, source in self.sources.items()
        ]
        if not rows:
            return []
        merged = rows[0].union(*rows[1:], all=True) if len(rows) > 1 else rows[0]
        page = list(merged.order_by("-rank", "-published_at", "-pk")[window])
        wanted: dict[str, list[int]] = {}
        for _rank, _published_at, pk, kind in page:
            wanted.setdefault(kind, []).append(pk)
        found = {kind: self._items(kind, pks) for kind, pks in wanted.items()}
        items = []
        for rank, _published_at, pk, kind in page:
            item = found[kind][pk]
            item.rank = rank
            item.snippet = self.marks.to_html(getattr(item, "raw_snippet", None))
            items.append(item)
        return items

    def _items(self, kind: str, pks: list[int]) -> dict[int, Publishable]:
        model = self.sources[kind].model
        items = model.objects.for_listing()
        snippet = SNIPPETS.get(self.engine)
        if snippet is not None:
            items = items.annotate(raw_snippet=snippet(model, self.query, self.marks))
        return items.in_bulk(pks)


def search(query: str) -> SearchResults:
    """Published items of every searchable kind matching the query, to paginate."""
    return SearchResults(query)
