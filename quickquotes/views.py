"""Quick quotes' own pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from newsroom import corrections, seo
from newsroom.pagecache import cache_public_page, expires_by
from newsroom.views.items import answers_gone, item_for

from .models import QuickQuote


@cache_public_page()
@answers_gone
def quote_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A quick quote; 410 once it has expired. Staff also see drafts, scheduled and expired
    quotes, with a preview banner."""
    quote = item_for(request, QuickQuote.objects.for_page(), slug)
    expires_by(request, quote.expires_at)
    return render_quote(request, quote)


def render_quote(
    request: HttpRequest, quote: QuickQuote, preview: bool | None = None
) -> HttpResponse:
    """The quote's page; ``preview`` as for ``render_article``."""
    notes = corrections.notes_for(quote)
    context = {
        "quote": quote,
        "notes": notes,
        "preview": not quote.is_published if preview is None else preview,
        "meta": seo.item_meta(request, quote),
        "json_ld": seo.quote_json_ld(request, quote, notes),
    }
    return render(request, "quickquotes/quickquote_detail.html", context)
