"""The sitemap: every published item of each kind that asks for a sitemap section (articles,
quick quotes...), plus the home page and the sections.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import kinds
from .models import Section


class KindSitemap(Sitemap):
    """One kind's published items, newest first; the kind sets the priority."""

    changefreq = "weekly"

    def __init__(self, kind: kinds.Kind) -> None:
        self.kind = kind
        self.priority = kind.sitemap_priority

    def items(self):
        published = self.kind.model.objects.published()
        return published.only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, item):
        return item.updated_at


class SectionSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return Section.objects.all()

    def location(self, item) -> str:
        return reverse("newsroom:section", kwargs={"slug": item.slug})


class HomeSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["newsroom:home"]

    def location(self, item) -> str:
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
