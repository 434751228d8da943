"""The database triggers derived data depends on are in place after the migrations, and a
table rebuilt by a SQLite migration (which drops its triggers) gets them back."""

from __future__ import annotations

import pytest
from django.db import connection

from newsroom import search, triggers
from newsroom.models import Article, Comment, CommentCount

pytestmark = pytest.mark.django_db

SQLITE_TRIGGERS = {
    *(f"newsroom_article_fts_{event}" for event in ("ai", "ad", "au")),
    *(f"quickquotes_quickquote_fts_{event}" for event in ("ai", "ad", "au")),
    *(f"newsroom_comment_count_{event}" for event in ("insert", "delete", "update")),
}


def trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {name for (name,) in cursor.fetchall()}


def test_every_trigger_is_there_after_the_migrations():
    if connection.vendor == "sqlite":
        assert trigger_names() >= SQLITE_TRIGGERS
    else:
        assert "newsroom_comment_count" in trigger_names()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps triggers on ALTER")
def test_triggers_a_rebuilt_table_lost_are_made_again_with_what_they_keep(make_article):
    with connection.cursor() as cursor:
        for name in ("newsroom_article_fts_ai", "newsroom_comment_count_insert"):
            cursor.execute(f"DROP TRIGGER {name}")
    # Written while the triggers were gone: neither indexed nor counted.
    article = make_article(title="Ceasefire holds")
    Comment.objects.create(article=article, author_name="R", body="Hi", status="approved")

    assert sorted(triggers.heal()) == ["newsroom_article", "newsroom_comment"]

    assert trigger_names() >= SQLITE_TRIGGERS
    assert list(Article.objects.filter(search.matches(Article, "ceasefire"))) == [article]
    assert CommentCount.objects.get(article=article).approved == 1
    assert triggers.heal() == []  # nothing missing: nothing done
