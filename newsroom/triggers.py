"""The database triggers Newsroom's derived data depends on (the full-text indexes on
SQLite, the comment counts), kept in place after every migration.

SQLite drops a table's triggers with the table, and Django's migrations rebuild a SQLite table
to add a column that is not nullable (or to alter one): the index or the counts would then
silently stop following their table. After each ``migrate`` (``post_migrate``), the missing
triggers are made again and what they keep is rebuilt from the tables. PostgreSQL alters
tables in place and keeps its triggers.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connections

from . import search_index
from .discussion import counts

logger = logging.getLogger(__name__)


def heal(sender: Any = None, using: str = "default", **kwargs: Any) -> list[str]:
    """Make again the triggers a rebuilt table lost; return the tables whose were."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        healed = search_index.heal_sqlite(cursor)
        if counts.heal_sqlite(cursor):
            healed.append("newsroom_comment")
    if healed:
        logger.info("Triggers made again (a migration rebuilt the table): %s", healed)
    return healed
