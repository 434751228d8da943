"""Load Newsroom's demo content (``newsroom/demo/content.yaml``) so that every kind of page
shows something on a fresh clone: sections, authors with bios, tags, articles (one breaking,
one scheduled), a quick quote and comments in each moderation state. DEBUG only.

Every item is tagged "Demo content" and says so at its foot. An item already there (by its
slug) is left as it is, so a second run changes nothing and an editor's changes stay.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from newsroom import revisions
from newsroom.discussion import decisions, reports
from newsroom.models import (
    Article,
    Author,
    Comment,
    FrontPagePin,
    Publishable,
    Revision,
    Section,
)
from quickquotes.models import QuickQuote

CONTENT = Path(__file__).resolve().parents[2] / "demo" / "content.yaml"
DEMO_TAG = "Demo content"
FOOTER = "\n\n*Demo content: written for Newsroom's demo site; the people and places are invented.*"


class Command(BaseCommand):
    help = "Load the demo site's sections, authors, articles, quote and comments (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(CONTENT), help="The demo content (YAML).")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # Invented news has no place on a real site.
            self.stdout.write("Demo content is only loaded when DEBUG is on; skipped.")
            return
        path = Path(options["file"])
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise CommandError(f"{path}: cannot read the demo content: {error}") from None
        now = timezone.now()
        with transaction.atomic():
            sections = {
                row["slug"]: Section.objects.get_or_create(
                    slug=row["slug"],
                    defaults={
                        "name": row["name"],
                        "description": row.get("description", ""),
                        "in_menu": True,
                        "menu_order": order,
                    },
                )[0]
                for order, row in enumerate(content["sections"], start=1)
            }
            authors = {
                row["slug"]: Author.objects.get_or_create(
                    slug=row["slug"], defaults={"name": row["name"], "bio": row.get("bio", "")}
                )[0]
                for row in content["authors"]
            }
            made = []
            for row in content["articles"]:
                made += self._item(Article, row, sections, authors, now, {"dateline": "dateline"})
            for row in content["quotes"]:
                fields = {name: name for name in ("quote", "speaker", "citation", "summary")}
                made += self._item(QuickQuote, row, sections, authors, now, fields)
            comments = self._comments(content.get("comments"), now)
            if made:  # pinned once, with the items: an editor's pins are theirs after that
                self._pin(content.get("pins", []))
        self.stdout.write(
            f"Demo content: {len(made)} items and {comments} comments added "
            f"({len(content['articles']) + len(content['quotes']) - len(made)} already there)."
        )

    def _item(
        self,
        model: type[Publishable],
        row: dict[str, Any],
        sections: dict[str, Section],
        authors: dict[str, Author],
        now,
        own_fields: dict[str, str],
    ) -> list[Publishable]:
        if model.objects.filter(slug=row["slug"]).exists():
            return []
        obj = model(
            slug=row["slug"],
            title=row["title"],
            section=sections.get(row.get("section")),
            description=row.get("description", "").strip(),
            body=row.get("body", "").strip() + FOOTER,
            is_breaking=row.get("breaking", False),
            status=Publishable.Status.PUBLISHED,
            published_at=now - timedelta(hours=row["hours_ago"]),
            **{field: row.get(key, "").strip() for field, key in own_fields.items()},
        )
        obj.save()
        bylines = [authors[slug] for slug in row.get("authors", [])]
        obj.authors.set(bylines)
        obj.tags.set([*row.get("tags", []), DEMO_TAG])
        revisions.record(obj, via=Revision.Via.IMPORT, source_path=str(CONTENT.name))
        return [obj]

    def _pin(self, slugs: list[str]) -> None:
        for position, slug in enumerate(slugs, start=1):
            item = Article.objects.filter(slug=slug).first()
            item = item or QuickQuote.objects.filter(slug=slug).first()
            if item is not None:
                FrontPagePin.objects.get_or_create(
                    content_type=ContentType.objects.get_for_model(item),
                    object_id=item.pk,
                    defaults={"position": position},
                )

    def _comments(self, block: dict[str, Any] | None, now) -> int:
        """The comments of the demo's commented article, once: added with the article."""
        if not block:
            return 0
        article = Article.objects.get(slug=block["article"])
        if article.comments.exists():
            return 0
        saved: list[Comment] = []
        for row in block["items"]:
            parent = saved[row["reply_to"]] if "reply_to" in row else None
            comment = Comment(
                article=article,
                parent=parent,
                author_name=row["name"],
                author_email=row.get("email", ""),
                body=row["body"],
                status=row["status"],
                submitted_at=now - timedelta(hours=row["hours_ago"]),
            )
            decisions.record_new(comment, reason=row.get("reason", "Demo content."))
            for number, reason in enumerate(row.get("reports", []), start=1):
                reports.report_comment(comment, client=f"demo-reader-{number}", reason=reason)
            saved.append(comment)
        return len(saved)
