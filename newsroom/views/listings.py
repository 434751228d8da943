"""Reader listings: the front page, sections, tags, authors, the archive (its index and its
months) and search, with robots.txt and the error page. Which items they show is the
QuerySets' call.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import InterfaceError, OperationalError
from django.db.models import Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from taggit.models import Tag

from .. import archive, conf, frontpage, kinds, search, seo, sites
from ..models import Author, FrontPagePin, Publishable, Section
from ..pagecache import cache_public_page
from ..timeline import Position, Timeline

logger = logging.getLogger(__name__)


def next_visibility_change(now: datetime | None = None) -> datetime | None:
    """The next moment an item appears (a scheduled publication) or disappears (an
    expiry): listing pages, feeds and sitemaps expire then. One query per kind, reading the
    few scheduled or expiring items through their indexes."""
    now = now or timezone.now()
    moments = []
    for kind in kinds.registered():
        upcoming = kind.model.objects.filter(status=Publishable.Status.PUBLISHED).filter(
            Q(published_at__gt=now) | Q(expires_at__gt=now)
        )
        found = upcoming.aggregate(
            publication=Min("published_at", filter=Q(published_at__gt=now)),
            expiry=Min("expires_at", filter=Q(expires_at__gt=now)),
        )
        moments += found.values()
    return min((m for m in moments if m is not None), default=None)


# Listing pages: cached until the next scheduled item goes live or the next item expires;
# they read only the cursor.
cached_listing = cache_public_page(expires=next_visibility_change, query=("before", "after"))


@dataclass
class ListingPage:
    """One page of a listing and the query strings of its neighbours ("" for none)."""

    items: list[Publishable]
    query: str = ""
    newer: str = ""
    older: str = ""


def page_of(request: HttpRequest, timeline: Timeline) -> ListingPage:
    """The page ``?before=`` or ``?after=`` names (the newest without either).

    Pages are found by keyset, not by offset and count: one more row than a page tells
    whether there is another, and a deep page costs what the first does (no COUNT(*), no
    scan over the rows skipped). An unreadable cursor, or one past the end, is a 404.
    """
    size = conf.get("PAGE_SIZE")
    before, after = request.GET.get("before"), request.GET.get("after")
    if after is not None:
        position = Position.parse(after)
        if position is None:
            raise Http404(_("There is no such page."))
        rows = timeline.newer(position, size + 1)
        if len(rows) > size:
            items = rows[1:]
            return _page(items, f"?after={position.token()}", newer=True, older=True)
        # Fewer than a page newer: the reader is back at the top, the first page.
    elif before is not None:
        position = Position.parse(before)
        rows = timeline.older(position, size + 1) if position else []
        if not rows:
            raise Http404(_("There is no such page."))
        query = f"?before={position.token()}"
        return _page(rows[:size], query, newer=True, older=len(rows) > size)
    rows = timeline.older(None, size + 1)
    return _page(rows[:size], "", newer=False, older=len(rows) > size)


def _page(items: list[Publishable], query: str, *, newer: bool, older: bool) -> ListingPage:
    return ListingPage(
        items,
        query,
        newer=f"?after={Position.of(items[0]).token()}" if newer and items else "",
        older=f"?before={Position.of(items[-1]).token()}" if older and items else "",
    )


def paginate(request: HttpRequest, items: search.SearchResults) -> Page:
    """A page of search results (``?page=``); a page past the end is a 404."""
    paginator = Paginator(items, conf.get("PAGE_SIZE"))
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        raise Http404(_("There is no such page.")) from None


def render_listing(
    request: HttpRequest,
    *,
    title: str,
    timeline: Timeline | None = None,
    page: ListingPage | None = None,
    description: str = "",
    feeds: dict | None = None,
    extra: dict | None = None,
    template: str = "newsroom/listing.html",
) -> HttpResponse:
    """A page of ``timeline`` (or the ``page`` of it already read) in ``template``."""
    page = page or page_of(request, timeline)
    canonical = request.path + page.query
    context = {
        "title": title,
        "description": description,
        "page": page,
        "items": page.items,
        "feeds": feeds or {},
        "meta": seo.page_meta(request, title=title, description=description, canonical=canonical),
        **(extra or {}),
    }
    return render(request, template, context)


def next_front_page_change() -> datetime | None:
    """When the front page must be rebuilt: an item appears or expires, or a pin expires."""
    moments = (next_visibility_change(), FrontPagePin.objects.next_expiry())
    return min((moment for moment in moments if moment is not None), default=None)


@cache_public_page(expires=next_front_page_change, query=("before", "after"))
def home(request: HttpRequest) -> HttpResponse:
    """The front page as editors arrange it (``newsroom.frontpage``) above the latest items;
    its older pages list the items alone."""
    page = page_of(request, Timeline.published())
    options = {"title": _("Latest news"), "page": page, "feeds": _feeds("rss", "atom")}
    if page.query:
        return render_listing(request, **options)
    sections = frontpage.menu_sections()
    front = frontpage.build(sections, page.items)
    shown = front.shown()
    latest = [item for item in page.items if (item._meta.model_name, item.pk) not in shown]
    extra = {"front": front, "breaking": front.breaking, "latest": latest, "menu": sections}
    return render_listing(request, **options, extra=extra, template="newsroom/front_page.html")


def _feeds(rss: str, atom: str, **kwargs) -> dict[str, str]:
    return {
        "RSS": reverse(f"newsroom:feed_{rss}", kwargs=kwargs),
        "Atom": reverse(f"newsroom:feed_{atom}", kwargs=kwargs),
    }


@cached_listing
def section_page(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section, slug=slug)
    return render_listing(
        request,
        title=section.name,
        description=section.description,
        timeline=Timeline.published(section=section),
        feeds=_feeds("section_rss", "section_atom", slug=slug),
    )


@cached_listing
def tag_page(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    return render_listing(
        request,
        title=_("Tagged “%(tag)s”") % {"tag": tag.name},
        timeline=Timeline.of(lambda model: model.objects.published().tagged(tag)),
        feeds=_feeds("tag_rss", "tag_atom", slug=slug),
    )


@cached_listing
def author_page(request: HttpRequest, slug: str) -> HttpResponse:
    # With the photo and its renditions (no query without one).
    authors = Author.objects.select_related("photo").prefetch_related("photo__renditions")
    author = get_object_or_404(authors, slug=slug)
    return render_listing(
        request,
        title=author.name,
        description=author.bio,
        timeline=Timeline.published(authors=author),
        feeds=_feeds("author_rss", "author_atom", slug=slug),
        extra={"author": author},
    )


@cached_listing
def archive_index(request: HttpRequest) -> HttpResponse:
    context = {
        "years": archive.years(),
        "feeds": _feeds("rss", "atom"),
        "meta": seo.page_meta(request, title=_("Archive"), canonical=request.path),
    }
    return render(request, "newsroom/archive.html", context)


@cached_listing
def archive_page(request: HttpRequest, year: int, month: int) -> HttpResponse:
    if not 1 <= month <= 12 or not 1900 <= year <= 9998:
        raise Http404(_("There is no such month."))
    shown = archive.Month(year, month)
    earlier, later = archive.neighbours(shown)
    return render_listing(
        request,
        title=formats.date_format(shown.first_day, "YEAR_MONTH_FORMAT"),
        timeline=Timeline.published(
            published_at__gte=shown.start(), published_at__lt=shown.following().start()
        ),
        extra={"month": shown, "earlier": earlier, "later": later},
    )


def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    page = paginate(request, search.search(query)) if query else None
    context = {
        "query": query,
        "page": page,
        "results": page.object_list if page else [],
        "meta": seo.page_meta(request, title=_("Search"), canonical=request.path),
    }
    return render(request, "newsroom/search.html", context)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page; a database that cannot be reached is a 503 with a retry hint instead.

    Use it as the project's ``handler500``; Django calls it while the exception is current.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.error("Database unreachable: answering 503.")
        response = render(request, "newsroom/unavailable.html", status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "500.html", status=500)


def robots_txt(request: HttpRequest) -> HttpResponse:
    index = sites.absolute_url(request, reverse("sitemap"))
    news = sites.absolute_url(request, reverse("sitemap_news"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/"]
    lines += [f"Sitemap: {index}", f"Sitemap: {news}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
