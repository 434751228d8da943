"""The sitemap: every published article and quick quote, plus the sections."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from quickquotes.models import QuickQuote

from .models import Article, Section


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, item):
        return item.updated_at


class QuickQuoteSitemap(ArticleSitemap):
    priority = 0.6

    def items(self):
        return QuickQuote.objects.published().only("slug", "updated_at").order_by("-published_at")


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


SITEMAPS = {
    "home": HomeSitemap,
    "articles": ArticleSitemap,
    "quotes": QuickQuoteSitemap,
    "sections": SectionSitemap,
}
