"""The sitemap: an index of parts of at most ``limit`` URLs each (every published item of
each kind that asks for a sitemap section, the home page and the sections), and a Google
News sitemap of the last two days' items.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import index, x_robots_tag
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from . import kinds, sites
from .models import Publishable, Section

# URLs per sitemap file: a fifth of the protocol's 50,000, so that a part of a big archive
# renders in well under a second and stays a few MiB.
SITEMAP_LIMIT = 10_000
# Changes read from the top of the (updated_at) index to find the sitemap's lastmod.
RECENT_CHANGES = 50
# What Google News reads: items of the last two days, at most 1,000 of them.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1_000


# What Django's slug path converter accepts, and what reverse() writes unchanged.
PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class PublishedRows:
    """A kind's published items as values (slug, modification times), newest first (the pk
    breaks ties, so parts never overlap): a sequence for the sitemap's paginator.

    A window's ids are found on the (status, published_at, id) index alone, then only its
    rows are read: an offset over the rows themselves would read every row it skips, the
    whole archive for the last part.
    """

    def __init__(self, model: type[Publishable]) -> None:
        self.published = model.objects.published()

    def count(self) -> int:
        return self.published.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        if not isinstance(window, slice):
            raise TypeError("Sitemap rows are read a part (a slice) at a time.")
        order = ("-published_at", "-pk")
        ids = self.published.order_by(*order).values("pk")[window]
        rows = self.published.filter(pk__in=ids).order_by(*order)
        return list(rows.values("slug", "updated_at", "last_note_at"))


class KindSitemap(Sitemap):
    """One kind's published items, newest first, as plain values (no model instances);
    the kind sets the priority."""

    changefreq = "weekly"
    limit = SITEMAP_LIMIT

    def __init__(self, kind: kinds.Kind) -> None:
        self.kind = kind
        self.priority = kind.sitemap_priority

    def items(self) -> PublishedRows:
        return PublishedRows(self.kind.model)

    def location(self, item: dict[str, Any]) -> str:
        return reverse(self.kind.detail_view, kwargs={"slug": item["slug"]})

    def locations(self, items: list[dict[str, Any]]) -> list[str]:
        """Every item's ``location()``, at the cost of one ``reverse()`` for the part.

        A slug goes into the detail URL as it is (the slug converter, and nothing in a slug
        needs quoting), so the URL is the same around every slug: it is taken from the
        first item's, and checked against the last item's own ``reverse()``. A slug that
        is not a plain slug, or a URL that is not made that way, is reversed item by item.
        """
        if not items:
            return []
        first = items[0]["slug"]
        path = self.location(items[0])
        cut = path.rfind(first)
        if cut < 0 or not PLAIN_SLUG.fullmatch(first):
            return [self.location(item) for item in items]
        before, after = path[:cut], path[cut + len(first) :]
        paths = [
            before + item["slug"] + after
            if PLAIN_SLUG.fullmatch(item["slug"])
            else self.location(item)
            for item in items
        ]
        if paths[-1] != self.location(items[-1]):
            return [self.location(item) for item in items]
        return paths

    def lastmod(self, item: dict[str, Any]) -> datetime:
        # As an item's modified_at: its last change, or its newest note if that is later.
        return max(item["updated_at"], item["last_note_at"] or item["updated_at"])

    def get_latest_lastmod(self) -> datetime | None:
        # Django's own calls lastmod() on every item: the whole archive for the index. The
        # newest change of a published item is near the top of the (updated_at) index, behind
        # the drafts being edited: the newest changes are read from it, and only if none of
        # them is published is the question left to the database (whose planner, SQLite's
        # in particular, may then read every published row).
        model = self.kind.model
        fields = ("updated_at", "status", "published_at", "expires_at")  # is_published reads them
        for item in model.objects.order_by("-updated_at").only(*fields)[:RECENT_CHANGES]:
            if item.is_published:
                return item.updated_at
        published = model.objects.published()
        return published.order_by("-updated_at").values_list("updated_at", flat=True).first()


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


@x_robots_tag
def sitemap_index(
    request: HttpRequest, sitemaps: dict[str, Sitemap | type[Sitemap]], sitemap_url_name: str
) -> TemplateResponse:
    """``/sitemap.xml``: Django's sitemap index, its parts' addresses on this request's
    host or SITE_DOMAIN (``sites.site_url``) where Django's name the sites framework's."""
    response = index(request, sitemaps, sitemap_url_name=sitemap_url_name)
    base = sites.site_url(request)
    for entry in response.context_data["sitemaps"]:
        entry.location = base + urlsplit(entry.location)._replace(scheme="", netloc="").geturl()
    return response


def sitemap_part(
    request: HttpRequest, sitemaps: dict[str, Sitemap | type[Sitemap]], section: str
) -> HttpResponse:
    """One part of the sitemap (``?p=N``): the document ``django.contrib.sitemaps``' view
    serves, written out directly: its template takes most of a second for a part of 10,000
    URLs. Every text is escaped for XML (``xml.sax.saxutils.escape``)."""
    sitemap = sitemaps.get(section)
    if sitemap is None:
        raise Http404(f"No sitemap section {section!r}.")
    if isinstance(sitemap, type):
        sitemap = sitemap()
    try:
        page = sitemap.paginator.page(request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404("No such sitemap page.") from exc
    base = sites.site_url(request)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    ]
    latest = None
    items = list(page.object_list)
    if hasattr(sitemap, "locations"):
        paths = sitemap.locations(items)
    else:
        paths = [sitemap.location(item) for item in items]
    zone = timezone.get_current_timezone()
    for item, path in zip(items, paths, strict=True):
        lastmod = _value(sitemap, "lastmod", item)
        if isinstance(lastmod, datetime):
            latest = lastmod if latest is None else max(latest, lastmod)
        fields = [("loc", base + path)]
        if lastmod is not None:
            fields.append(("lastmod", _day(lastmod, zone)))
        for name in ("changefreq", "priority"):
            value = _value(sitemap, name, item)
            if value is not None:
                fields.append((name, str(value)))
        lines.append(
            "<url>" + "".join(f"<{tag}>{escape(text)}</{tag}>" for tag, text in fields) + "</url>\n"
        )
    lines.append("</urlset>\n")
    response = HttpResponse("".join(lines), content_type="application/xml")
    if latest is not None:
        response.headers["Last-Modified"] = http_date(latest.timestamp())
    # As Django's sitemap views: the sitemap itself is not a page for search results.
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


def _value(sitemap: Sitemap, name: str, item: Any) -> Any:
    """A sitemap's attribute for an item: a method's answer or a plain value, as Django's."""
    attribute = getattr(sitemap, name, None)
    return attribute(item) if callable(attribute) else attribute


def _day(moment: date, zone: tzinfo) -> str:
    """A lastmod as Django's sitemap template writes it: the day, in the site's time zone."""
    if isinstance(moment, datetime) and timezone.is_aware(moment):
        moment = moment.astimezone(zone)
    return moment.strftime("%Y-%m-%d")


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
    base = sites.site_url(request)
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
