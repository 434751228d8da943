"""A full-text index on articles, kept by the database (see newsroom.search_index)."""

from django.db import migrations

from newsroom import search_index

TABLE = "newsroom_article"
WEIGHTS = {"title": "A", "description": "B", "body": "C"}


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0007_comment_redaction"),
    ]

    operations = [
        migrations.RunPython(search_index.create(TABLE, WEIGHTS), search_index.drop(TABLE)),
    ]
