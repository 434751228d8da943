"""Search across every searchable kind (articles, quick quotes...), through the index the
database keeps (see ``search_index``): ranked, paginated, with highlighted snippets.

PostgreSQL matches the stored ``tsvector`` (GIN index) with ``websearch_to_tsquery`` and ranks
with ``ts_rank``; SQLite matches its FTS5 table and ranks with ``bm25``; without FTS5 (or on
another database) a plain word match stands in. Snippets are made only for the page shown.
``matches()`` and ``matching()`` filter any queryset of a kind (drafts too: the admin uses them).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
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
# ruff: noqa: S608, S611

# FTS5 weighs each column by a number where PostgreSQL has the letters A to D.
BM25_WEIGHTS = {"A": 10.0, "B": 4.0, "C": 1.0, "D": 0.5}
# A reader's query is cut to this many words on SQLite (each one is a term to match).
MAX_WORDS = 10


def _weights(model) -> dict[str, str]:
    """The kind's field weights (a match in the title counts most), for fields it has."""
    names = {field.name for field in model._meta.get_fields()}
    weights = kinds.for_model(model).search_weights
    return {name: weight for name, weight in weights.items() if name in names}


def indexed_fields(model) -> list[str]:
    """The model's fields the search index holds, in the order their text is joined."""
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


TSQUERY = "websearch_to_tsquery(%s::regconfig, %s)"


def _postgres_document(model) -> str:
    return f'"{model._meta.db_table}"."{search_index.COLUMN}"'


def _postgres_match(model, query: str) -> RawSQL:
    return RawSQL(
        f"{_postgres_document(model)} @@ {TSQUERY}",
        (search_index.CONFIG, query),
        output_field=BooleanField(),
    )


def _postgres_rank(model, query: str) -> RawSQL:
    return RawSQL(
        f"ts_rank({_postgres_document(model)}, {TSQUERY})",
        (search_index.CONFIG, query),
        output_field=FloatField(),
    )


def _postgres_snippet(model, query: str, marks: Marks) -> RawSQL:
    # The title is shown anyway: the snippet comes from the other fields.
    names = [name for name in indexed_fields(model) if name != "title"] or ["title"]
    table = model._meta.db_table
    text = " || ' … ' || ".join(f'coalesce("{table}"."{name}", \'\')' for name in names)
    options = f"StartSel={marks.start}, StopSel={marks.stop}, MaxFragments=2, MaxWords=30"
    return RawSQL(
        f"ts_headline(%s::regconfig, {text}, websearch_to_tsquery(%s::regconfig, %s), %s)",
        (search_index.CONFIG, search_index.CONFIG, query, options),
        output_field=TextField(),
    )


def _fts5_match(model, query: str) -> RawSQL:
    table = model._meta.db_table
    fts = search_index.fts_table(table)
    # The unary + keeps SQLite from looking each match up by id and sorting them all: the
    # items are walked in their list's order (the newest first, on an index) and checked
    # against the matches, so a common word's newest matches cost what a rare word's do.
    return RawSQL(
        f'+"{table}"."id" IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)',
        (fts5_query(query),),
        output_field=BooleanField(),
    )


def _fts5_scores(model, query: str, ids: list[int]) -> dict[int, float]:
    """Each of ``ids``'s bm25 rank, from the FTS5 table alone, in one pass over the index.

    bm25 counts each word's matches anew in every query it runs: a rank looked up item by
    item (a correlated subquery, or the FTS5 table read by rowid for each id) reads every
    match once per item, minutes for a common word at 100,000 articles. So the matches are
    scanned once, and the unary + keeps SQLite from handing the ids to FTS5 as lookups.
    """
    fts = search_index.fts_table(model._meta.db_table)
    weights = ", ".join(str(BM25_WEIGHTS[w]) for w in _weights(model).values())
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        # bm25 is lower for a better match; the rank is higher for one, as on PostgreSQL.
        cursor.execute(
            f"SELECT rowid, -bm25({fts}, {weights}) FROM {fts} "
            f"WHERE {fts} MATCH %s AND +rowid IN ({marks})",
            [fts5_query(query), *ids],
        )
        return dict(cursor.fetchall())


def _fts5_snippet(model, query: str, marks: Marks) -> RawSQL:
    table = model._meta.db_table
    fts = search_index.fts_table(table)
    return RawSQL(
        f"(SELECT snippet({fts}, -1, %s, %s, '…', 24) FROM {fts} "
        f'WHERE {fts} MATCH %s AND rowid = "{table}"."id")',
        (marks.start, marks.stop, fts5_query(query)),
        output_field=TextField(),
    )


def _words(query: str) -> list[str]:
    return query.split()[:MAX_WORDS]


def _plain_match(model, query: str) -> Q:
    """Every word somewhere in the text."""
    fields = indexed_fields(model)
    return Q.create(
        [Q.create([(f"{f}__icontains", word) for f in fields], "OR") for word in _words(query)],
        "AND",
    )


def _plain_rank(model, query: str) -> Case:
    """Items with the words in the title first."""
    in_title = Q.create([("title__icontains", word) for word in _words(query)], "AND")
    return Case(When(in_title, then=Value(1.0)), default=Value(0.5), output_field=FloatField())


MATCHES = {"postgresql": _postgres_match, "fts5": _fts5_match, "plain": _plain_match}
RANKS = {"postgresql": _postgres_rank, "plain": _plain_rank}
SNIPPETS = {"postgresql": _postgres_snippet, "fts5": _fts5_snippet}


def has_words(query: str, current: str | None = None) -> bool:
    """Whether the query holds a word to look for (FTS5 refuses a query without one)."""
    if (current or engine()) == "fts5":
        return bool(fts5_query(query))
    return bool(query.split())


def matches(model, query: str) -> Q:
    """A condition for ``filter()``: the model's items whose indexed text holds the query's
    words, through the index of the database in use. It names no state, so drafts match too;
    a query without a word matches nothing."""
    current = engine()
    if not has_words(query, current):
        return Q(pk__in=[])
    return Q(MATCHES[current](model, query))


def matching(queryset: QuerySet, query: str) -> QuerySet:
    """The items of ``queryset`` that match the query, in the queryset's own order."""
    return queryset.filter(matches(queryset.model, query))


def scores(model, query: str, ids: list[int]) -> dict[int, float]:
    """The rank of each of ``ids`` (items known to match) for the query, higher for a
    better match, in one query."""
    if not ids:
        return {}
    current = engine()
    if current == "fts5":
        return _fts5_scores(model, query, ids)
    rank = RANKS[current](model, query)
    found = model.objects.filter(pk__in=ids).order_by().annotate(rank=rank)
    return dict(found.values_list("pk", "rank"))


class SearchResults:
    """The published items of every searchable kind that match a query, best first.

    Like ``Timeline``, a sequence for Django's ``Paginator``: counting and each page take a
    fixed number of queries however many items match, and snippets are made for the page's
    items only.

    A common word matches most of the archive, and ranking every match costs a read of most
    of it. So the ranking runs over the newest ``COUNT_LIMIT`` matches of each kind: the
    most relevant of the recent ones come first. A rare word has fewer matches than that, and
    all of them are ranked.
    """

    # Matches counted (a LIMIT-ed count, not a scan of every match) and ranked, per kind;
    # pages reach that far.
    COUNT_LIMIT = 1000

    def __init__(self, query: str) -> None:
        self.query = query
        self.capped = False  # more matches than COUNT_LIMIT (known once counted)
        self.engine = engine()
        self.marks = Marks()
        searchable = kinds.registered(searchable=True) if has_words(query, self.engine) else []
        self.models = {kind.name: kind.model for kind in searchable}
        self._newest: dict[str, list[tuple[int, datetime]]] | None = None
        self._ranked: list[tuple[float, datetime, int, str]] | None = None

    def newest(self) -> dict[str, list[tuple[int, datetime]]]:
        """The ids and publication times of each kind's newest matches, up to one more than
        ``COUNT_LIMIT`` (so a capped count shows): one query per kind, which the database
        serves from the (status, published_at, id) index when most items match and from the
        search index when few do."""
        if self._newest is None:
            self._newest = {
                kind: list(
                    matching(model.objects.published(), self.query)
                    .order_by("-published_at", "-pk")
                    .values_list("pk", "published_at")[: self.COUNT_LIMIT + 1]
                )
                for kind, model in self.models.items()
            }
        return self._newest

    def ranked(self) -> list[tuple[float, datetime, int, str]]:
        """Every candidate as (rank, published_at, pk, kind), best first: one query per kind
        for the ranks of its newest matches."""
        if self._ranked is None:
            rows = []
            for kind, found in self.newest().items():
                candidates = dict(found[: self.COUNT_LIMIT])
                ranks = scores(self.models[kind], self.query, list(candidates))
                # An item changed between the two queries may no longer match: it is left out.
                rows += [
                    (ranks[pk], published_at, pk, kind)
                    for pk, published_at in candidates.items()
                    if pk in ranks
                ]
            self._ranked = sorted(rows, reverse=True)
        return self._ranked

    def count(self) -> int:
        found = sum(len(rows) for rows in self.newest().values())
        self.capped = found > self.COUNT_LIMIT
        return min(found, self.COUNT_LIMIT)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Publishable]:
        if not isinstance(window, slice):
            raise TypeError("Search results are read a page (a slice) at a time.")
        page = self.ranked()[: self.COUNT_LIMIT][window]
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
        model = self.models[kind]
        items = model.objects.for_listing()
        snippet = SNIPPETS.get(self.engine)
        if snippet is not None:
            items = items.annotate(raw_snippet=snippet(model, self.query, self.marks))
        return items.in_bulk(pks)


def search(query: str) -> SearchResults:
    """Published items of every searchable kind matching the query, to paginate."""
    return SearchResults(query)
