"""Quick quotes' own pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from newsroom import seo
from newsroom.pagecache import cache_public_page

from .models import QuickQuote


@cache_public_page()
def quote_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A quick quote. Staff also see drafts and scheduled quotes, with a preview banner."""
    quote = get_object_or_404(QuickQuote.objects.visible_to(request.user).for_page(), slug=slug)
    context = {
        "quote": quote,
        "preview": not quote.is_published,
        "meta": seo.item_meta(request, quote),
        "json_ld": seo.quote_json_ld(request, quote),
    }
    return render(request, "quickquotes/quickquote_detail.html", context)
