"""The quick quote as a publishable kind of Newsroom's: where it is shown, searched and
listed, and how the importer recognises and fills one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsroom.kinds import Kind

if TYPE_CHECKING:
    from newsroom.importing.records import ParsedItem

    from .models import QuickQuote


class QuickQuoteKind(Kind):
    detail_view = "quickquotes:detail"
    # The quote and its context count as much as a standfirst.
    # In the order of the index's columns (quickquotes' migration 0007).
    search_weights = {
        "title": "A",
        "description": "B",
        "quote": "B",
        "summary": "B",
        "speaker": "B",
        "citation": "C",
        "body": "C",
    }
    sitemap_section = "quotes"
    sitemap_priority = 0.6
    # The old site filed quick quotes under a section of their own.
    import_sections = frozenset({"quickquotes"})

    def parse_warnings(self, item: ParsedItem) -> list[tuple[str, str]]:
        if item.quote:
            return []
        return [("this quick quote has no quote; add featured_quote.quote", "featured_quote")]

    def fill_from_import(self, obj: QuickQuote, item: ParsedItem) -> list[str]:
        obj.quote = item.quote
        obj.summary = item.summary
        obj.citation = item.citation[:500]
        if not item.quote:
            return ["the quick quote has no quote text (featured_quote.quote)."]
        return []

    def feed_description(self, item: QuickQuote) -> str:
        return item.description or (f"“{item.quote}”" if item.quote else "")
