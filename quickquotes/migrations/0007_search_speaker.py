"""Quick quotes' search index also holds who said it and where (speaker B, citation C): readers
and editors look a quote up by its speaker. The index is rebuilt from the rows."""

from django.db import migrations

from newsroom import search_index

TABLE = "quickquotes_quickquote"
BEFORE = {"title": "A", "description": "B", "quote": "B", "summary": "B", "body": "C"}
AFTER = {
    "title": "A",
    "description": "B",
    "quote": "B",
    "summary": "B",
    "speaker": "B",
    "citation": "C",
    "body": "C",
}


def rebuild(weights):
    def run(apps, schema_editor):
        search_index.drop(TABLE)(apps, schema_editor)
        search_index.create(TABLE, weights)(apps, schema_editor)

    return run


class Migration(migrations.Migration):
    dependencies = [("quickquotes", "0006_sitemap_indexes")]

    operations = [migrations.RunPython(rebuild(AFTER), rebuild(BEFORE))]
