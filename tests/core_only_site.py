"""Migrate a new database with Newsroom alone installed, import a file and request the
reader pages; prints what happened as JSON (run by tests/test_core_only.py).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import timedelta
from io import StringIO
from pathlib import Path

PAGES = ["/", "/articles/core-only/", "/feeds/rss/", "/sitemap.xml", "/search/?q=x"]
# Filed under the section quickquotes claims when installed: without it, an article.
SOURCE = "---\ntitle: Filed as a quote\nsection: quickquotes\ndate: 2020-10-12\n---\nText.\n"


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings_core_only"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from newsroom import kinds
    from newsroom.corrections import add_note
    from newsroom.models import Article, Revision

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    article = Article.objects.create(
        title="Core only x",
        slug="core-only",
        body="Some text.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )
    add_note(article, "A correction without quick quotes.")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "quote.md")
        source.write_text(SOURCE, encoding="utf-8")
        call_command("import_sources", str(source), stdout=StringIO())
    imported = Article.objects.filter(title="Filed as a quote").select_related("section").first()
    client = Client()
    result = {
        "statuses": {page: client.get(page).status_code for page in PAGES},
        "note_shown": "A correction without quick quotes." in client.get(PAGES[1]).text,
        "kinds": [kind.name for kind in kinds.registered()],
        "imported_section": imported and imported.section and imported.section.slug,
        "imported_revisions": [
            [r.via, r.source_path] for r in (Revision.objects.of(imported) if imported else [])
        ],
        "quickquotes_loaded": sorted(m for m in sys.modules if m.split(".")[0] == "quickquotes"),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
