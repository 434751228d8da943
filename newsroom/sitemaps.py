"""The sitemap: an index of parts of at most ``limit`` URLs each (every published item of
each kind that asks for a sitemap section, the home page and the sections), and a Google
News sitemap of the last two days' items.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.shortcuts import get_current_site
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from . import kinds
from .models import Section

# URLs per sitemap file: a fifth of the protocol's 50,000, so that a part of a big archive
# renders in well under a second and stays a few MiB.
SITEMAP_LIMIT = 10_000
# What Google News reads: items of the last two days, at most 1,000 of them.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1_000


class KindSitemap(Sitemap):
    """One kind's published items, newest first, as plain values (no model instances);
    the kind sets the priority."""

    changefreq = "weekly"
    limit = SITEMAP_LIMIT

    def __init__(self, kind: kinds.Kind) -> None:
        self.kind = kind
        self.priority = kind.sitemap_priority

    def items(self) -> QuerySet:
        # Ordered by the indexed publication time (pk breaks ties, so parts never overlap).
        published = self.kind.model.objects.published()
        return published.order_by("-published_at", "-pk").values("slug", "updated_at")

    def location(self, item: dict[str, Any]) -> str:
        return reverse(self.kind.detail_view, kwargs={"slug": item["slug"]})

    def lastmod(self, item: dict[str, Any]) -> datetime:
        return item["updated_at"]

    def get_latest_lastmod(self) -> datetime | None:
        # Django's own calls lastmod() on every item: the whole archive for the index.
        latest = self.kind.model.objects.published().aggregate(latest=Max("updated_at"))
        return latest["latest"]


class SectionSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5
    limit = SITEMAP_LIMIT

    def items(self) -> QuerySet:
        return Section.objects.order_by("pk").values_list("slug", flat=True)

    def location(self, item: str) -> str:
        return reverse("newsroom:section", kwargs={"slug": item})


class HomeSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self) -> list[str]:
        return ["newsroom:home"]

    def location(self, item: str) -> str:
        return reverse(item)


def site_sitemaps() -> dict[str, Sitemap | type[Sitemap]]:
    """The sitemap's sections, in order: the home page, each kind's, then the sections.

    Read once the apps are ready (by the URLconf), when every kind is registered.
    """
    return {
        "home": HomeSitemap,
        **{
            kind.sitemap_section: KindSitemap(kind)
            for kind in kinds.registered()
            if kind.sitemap_section
        },
        "sections": SectionSitemap,
    }


def news_sitemap(request: HttpRequest) -> HttpResponse:
    """The Google News sitemap: items of the sitemap's kinds published in the last 48 hours,
    newest first, at most 1,000; one values-only query per kind."""
    since = timezone.now() - NEWS_WINDOW
    rows = []
    for kind in kinds.registered():
        if not kind.sitemap_section:
            continue
        recent = kind.model.objects.published().filter(published_at__gte=since)
        for row in recent.order_by("-published_at", "-pk").values("slug", "title", "published_at")[
            :NEWS_LIMIT
        ]:
            rows.append((kind, row))
    rows.sort(key=lambda pair: pair[1]["published_at"], reverse=True)
    site = get_current_site(request)
    base = f"{request.scheme}://{site.domain}"
    items = [
        {
            "location": base + reverse(kind.detail_view, kwargs={"slug": row["slug"]}),
            "title": row["title"],
            "published_at": row["published_at"],
        }
        for kind, row in rows[:NEWS_LIMIT]
    ]
    context = {"items": items, "name": site.name, "language": news_language()}
    return render(request, "newsroom/sitemap_news.xml", context, content_type="application/xml")


def news_language(code: str | None = None) -> str:
    """Google News wants an ISO 639 code: ``en`` for ``en-us``, but ``zh-cn`` and ``zh-tw``
    as they are."""
    code = (code or settings.LANGUAGE_CODE).lower()
    return code if code in ("zh-cn", "zh-tw") else code.split("-")[0]
