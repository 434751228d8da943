"""A full-text index on quick quotes, kept by the database (see newsroom.search_index)."""

from django.db import migrations

from newsroom import search_index

TABLE = "quickquotes_quickquote"
WEIGHTS = {"title": "A", "description": "B", "quote": "B", "summary": "B", "body": "C"}


class Migration(migrations.Migration):
    dependencies = [
        ("quickquotes", "0003_import_provenance"),
        ("newsroom", "0008_search_index"),
    ]

    operations = [
        migrations.RunPython(search_index.create(TABLE, WEIGHTS), search_index.drop(TABLE)),
    ]
