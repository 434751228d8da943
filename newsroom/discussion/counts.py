"""Each article's comment counts (``CommentCount``), kept by the database's triggers so that
they stay right whatever writes the comments: the ORM, bulk inserts, queryset updates, raw
SQL. A comment counts when it is approved and of kind "comment"; "top" when it is not a reply.

Migration 0022 makes the triggers; on SQLite, ``heal_sqlite`` makes them again after a
migration that rebuilt the comment table (which drops a table's triggers), and recounts.
"""

from __future__ import annotations

from typing import Any

# SQL is built here from constants alone: no value from a request goes into it.
# ruff: noqa: S608

COUNTED = "{row}.status = 'approved' AND {row}.kind = 'comment'"

POSTGRESQL = [
    """
    CREATE FUNCTION newsroom_comment_count() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND {old} THEN
            UPDATE newsroom_commentcount
            SET approved = approved - 1,
                approved_top = approved_top - (CASE WHEN OLD.parent_id IS NULL THEN 1 ELSE 0 END)
            WHERE article_id = OLD.article_id;
        END IF;
        IF TG_OP <> 'DELETE' AND {new} THEN
            INSERT INTO newsroom_commentcount (article_id, approved, approved_top)
            VALUES (NEW.article_id, 1, CASE WHEN NEW.parent_id IS NULL THEN 1 ELSE 0 END)
            ON CONFLICT (article_id) DO UPDATE
            SET approved = newsroom_commentcount.approved + 1,
                approved_top = newsroom_commentcount.approved_top + EXCLUDED.approved_top;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """.format(old=COUNTED.format(row="OLD"), new=COUNTED.format(row="NEW")),
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

_SQLITE_ADD = """
    INSERT OR IGNORE INTO newsroom_commentcount (article_id, approved, approved_top)
    SELECT NEW.article_id, 0, 0 WHERE {counted};
    UPDATE newsroom_commentcount
    SET approved = approved + 1, approved_top = approved_top + (NEW.parent_id IS NULL)
    WHERE article_id = NEW.article_id AND {counted};
""".format(counted=COUNTED.format(row="NEW"))
_SQLITE_REMOVE = """
    UPDATE newsroom_commentcount
    SET approved = approved - 1, approved_top = approved_top - (OLD.parent_id IS NULL)
    WHERE article_id = OLD.article_id AND {counted};
""".format(counted=COUNTED.format(row="OLD"))
SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS newsroom_comment_count_insert AFTER INSERT ON newsroom_comment "
    f"BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER IF NOT EXISTS newsroom_comment_count_delete AFTER DELETE ON newsroom_comment "
    f"BEGIN {_SQLITE_REMOVE} END",
    "CREATE TRIGGER IF NOT EXISTS newsroom_comment_count_update "
    "AFTER UPDATE OF status, kind, parent_id, article_id ON newsroom_comment "
    f"BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS newsroom_comment_count_{event}"
    for event in ("insert", "delete", "update")
]

BACKFILL = """
    INSERT INTO newsroom_commentcount (article_id, approved, approved_top)
    SELECT article_id, COUNT(*), SUM(CASE WHEN parent_id IS NULL THEN 1 ELSE 0 END)
    FROM newsroom_comment
    WHERE status = 'approved' AND kind = 'comment'
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
