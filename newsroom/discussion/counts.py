"""Each article's comment counts (``CommentCount``), kept by the database's triggers so that
they stay right whatever writes the comments: the ORM, bulk inserts, queryset updates, raw
SQL. A comment counts when it is of kind "comment" and approved (or reported, kept apart);
"top" when it is not a reply.

Migration 0022 makes the triggers; on SQLite, ``heal_sqlite`` makes them again after a
migration that rebuilt the comment table (which drops a table's triggers), and recounts.
"""

from __future__ import annotations

from typing import Any

# SQL is built here from constants alone: no value from a request goes into it.
# ruff: noqa: S608

# The statuses counted, each in its columns: readers see approved comments, and reported
# ones too where NEWSROOM_REPORTED_COMMENTS_SHOWN says so (``Comment.shown_statuses``).
STATUSES = ("approved", "reported")
COLUMNS = ("approved", "approved_top", "reported", "reported_top")


def _counted(row: str) -> str:
    statuses = ", ".join(f"'{status}'" for status in STATUSES)
    return f"{row}.kind = 'comment' AND {row}.status IN ({statuses})"


def _change(row: str, sign: str) -> str:
    """The SET clause adding (``+``) or taking away (``-``) the comment ``row``."""
    parts = []
    for status in STATUSES:
        for column, condition in (
            (status, f"{row}.status = '{status}'"),
            (f"{status}_top", f"{row}.status = '{status}' AND {row}.parent_id IS NULL"),
        ):
            parts.append(f"{column} = {column} {sign} (CASE WHEN {condition} THEN 1 ELSE 0 END)")
    return ", ".join(parts)


def _statements(row: str, sign: str) -> str:
    """What adding or taking away ``row`` does, as statements both databases run."""
    counted = _counted(row)
    update = (
        f"UPDATE newsroom_commentcount SET {_change(row, sign)} "
        f"WHERE article_id = {row}.article_id AND {counted};"
    )
    if sign == "-":
        return update
    zeros = ", ".join("0" for _column in COLUMNS)
    insert = (
        f"INSERT INTO newsroom_commentcount (article_id, {', '.join(COLUMNS)}) "
        f"SELECT {row}.article_id, {zeros} WHERE {counted} ON CONFLICT (article_id) DO NOTHING;"
    )
    return f"{insert} {update}"


POSTGRESQL = [
    f"""
    CREATE FUNCTION newsroom_comment_count() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN {_statements("OLD", "-")} END IF;
        IF TG_OP <> 'DELETE' THEN {_statements("NEW", "+")} END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER newsroom_comment_count
    AFTER INSERT OR DELETE OR UPDATE OF status, kind, parent_id, article_id
    ON newsroom_comment FOR EACH ROW EXECUTE FUNCTION newsroom_comment_count()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS newsroom_comment_count ON newsroom_comment",
    "DROP FUNCTION IF EXISTS newsroom_comment_count()",
]

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS newsroom_comment_count_insert "
    f"AFTER INSERT ON newsroom_comment BEGIN {_statements('NEW', '+')} END",
    "CREATE TRIGGER IF NOT EXISTS newsroom_comment_count_delete "
    f"AFTER DELETE ON newsroom_comment BEGIN {_statements('OLD', '-')} END",
    "CREATE TRIGGER IF NOT EXISTS newsroom_comment_count_update "
    "AFTER UPDATE OF status, kind, parent_id, article_id ON newsroom_comment "
    f"BEGIN {_statements('OLD', '-')} {_statements('NEW', '+')} END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS newsroom_comment_count_{event}"
    for event in ("insert", "delete", "update")
]


def _sums() -> str:
    sums = []
    for status in STATUSES:
        sums.append(f"SUM(CASE WHEN status = '{status}' THEN 1 ELSE 0 END)")
        sums.append(f"SUM(CASE WHEN status = '{status}' AND parent_id IS NULL THEN 1 ELSE 0 END)")
    return ", ".join(sums)


BACKFILL = f"""
    INSERT INTO newsroom_commentcount (article_id, {", ".join(COLUMNS)})
    SELECT article_id, {_sums()}
    FROM newsroom_comment
    WHERE {_counted("newsroom_comment")}
    GROUP BY article_id
"""


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise RuntimeError(
            f"Newsroom keeps its comment counts with triggers; {vendor} has none here."
        )
    statements = POSTGRESQL if vendor == "postgresql" else SQLITE
    if vendor == "postgresql":
        # No comment may be written between the count and the triggers' start (SQLite
        # writes one at a time anyway); the migration's transaction holds the lock.
        schema_editor.execute("LOCK TABLE newsroom_comment IN SHARE ROW EXCLUSIVE MODE")
    for statement in [BACKFILL, *statements]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL_DROP if vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement)


def heal_sqlite(cursor: Any) -> bool:
    """Make the count triggers again where they are missing and recount; whether it did."""
    cursor.execute(
        "SELECT name FROM sqlite_master "
        "WHERE type = 'trigger' AND name LIKE 'newsroom_comment_count_%'"
    )
    if len(cursor.fetchall()) == len(SQLITE):
        return False
    cursor.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'newsroom_commentcount'"
    )
    if cursor.fetchone() is None:
        return False  # before migration 0022
    for statement in SQLITE:
        cursor.execute(statement)
    cursor.execute("DELETE FROM newsroom_commentcount")
    cursor.execute(BACKFILL)
    return True
