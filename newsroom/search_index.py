"""The full-text index each searchable kind's table carries, made by its app's migration:
a stored ``tsvector`` with a GIN index on PostgreSQL, an FTS5 table kept by triggers on SQLite.

The database keeps the index itself (a generated column, triggers), so every write counts:
``save()``, ``bulk_create``, ``QuerySet.update``, the importer and raw SQL alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

# SQL is built here from table and column names (model metadata, migrations' constants);
# every value a reader or editor supplies goes in as a query parameter.
# ruff: noqa: S608

# The stored tsvector's column on PostgreSQL, and the FTS5 table's suffix on SQLite.
COLUMN = "search_document"
FTS_SUFFIX = "_fts"
# One text search configuration for storing and querying. 'english' stems English words
# and, its stemmer knowing only Latin letters, keeps words in other scripts (Armenian,
# Cyrillic) whole and lowercased, as 'simple' would: adding a 'simple' copy would double
# the index for exact-form matching that readers rarely ask for.
CONFIG = "english"


@cache
def fts5_available() -> bool:
    """Whether the SQLite library Python uses (and so Django) has FTS5 compiled in."""
    try:
        with sqlite3.connect(":memory:") as probe:
            probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    return True


def fts_table(table: str) -> str:
    return table + FTS_SUFFIX


def _postgres_create(table: str, weights: Mapping[str, str]) -> list[str]:
    parts = " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, coalesce({name}, '')), '{weight}')"
        for name, weight in weights.items()
    )
    return [
        f"ALTER TABLE {table} ADD COLUMN {COLUMN} tsvector GENERATED ALWAYS AS ({parts}) STORED",
        f"CREATE INDEX {table}_search_idx ON {table} USING GIN ({COLUMN})",
    ]


def _postgres_drop(table: str) -> list[str]:
    return [f"ALTER TABLE {table} DROP COLUMN IF EXISTS {COLUMN}"]


def _sqlite_triggers(table: str, columns: list[str]) -> list[str]:
    """The triggers that keep ``table``'s FTS5 index of ``columns``."""
    fts = fts_table(table)
    names = ", ".join(columns)
    new = ", ".join(f"new.{name}" for name in columns)
    old = ", ".join(f"old.{name}" for name in columns)
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        # Only a change to the indexed text touches the index (not publishing, say).
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {names} ON {table} "
        f"BEGIN {delete} {insert} END",
    ]


def _sqlite_create(table: str, weights: Mapping[str, str]) -> list[str]:
    fts = fts_table(table)
    names = ", ".join(weights)
    # An external-content table: the text stays in the item's table, the FTS5 table holds
    # only the index. unicode61 splits and folds words in every script.
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', "
        f"content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        *_sqlite_triggers(table, list(weights)),
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def heal_sqlite(cursor: Any) -> list[str]:
    """Make again the triggers of each FTS5 index that lacks them, and rebuild that index
    from its table; return those tables.

    SQLite drops a table's triggers with it, and Django's migrations rebuild a table to add
    a column that is not nullable: the index would then silently stop following the table.
    Run after every migration (``post_migrate``); it costs one query when nothing is missing.
    """
    cursor.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'trigger')")
    rows = cursor.fetchall()
    triggers = {name for name, kind in rows if kind == "trigger"}
    healed = []
    for fts in sorted(name for name, kind in rows if kind == "table" and name.endswith(FTS_SUFFIX)):
        if {f"{fts}_{event}" for event in ("ai", "ad", "au")} <= triggers:
            continue
        table = fts.removesuffix(FTS_SUFFIX)
        cursor.execute(f"SELECT name FROM pragma_table_info('{fts}')")
        columns = [name for (name,) in cursor.fetchall()]
        for statement in _sqlite_triggers(table, columns):
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        healed.append(table)
    return healed


def _sqlite_drop(table: str) -> list[str]:
    fts = fts_table(table)
    return [
        *(f"DROP TRIGGER IF EXISTS {fts}_{event}" for event in ("ai", "ad", "au")),
        f"DROP TABLE IF EXISTS {fts}",
    ]


def _run(schema_editor: Any, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement)


def create(table: str, weights: Mapping[str, str]) -> Callable[..., None]:
    """A ``RunPython`` function that indexes ``table``'s fields with these weights (A to D).

    The weights are the migration's own copy, not the kind's: a migration must build the
    same index whenever it runs.
    """

    def forwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            _run(schema_editor, _postgres_create(table, weights))
        elif vendor == "sqlite" and fts5_available():
            _run(schema_editor, _sqlite_create(table, weights))
        # Elsewhere (or SQLite without FTS5) search falls back to a word match.

    return forwards


def drop(table: str) -> Callable[..., None]:
    """The reverse of ``create(table, ...)``."""

    def backwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            _run(schema_editor, _postgres_drop(table))
        elif vendor == "sqlite":
            _run(schema_editor, _sqlite_drop(table))

    return backwards
