"""The sitemap index and its parts, paged by ``limit``, and the Google News sitemap: parsed as
XML, with bounded queries."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.contrib.sites.models import Site
from django.utils import timezone

from newsroom import kinds
from newsroom.sitemaps import KindSitemap, news_language

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def _xml(response) -> ElementTree.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)  # noqa: S314 (the site's own output)


def _locs(root: ElementTree.Element) -> list[str]:
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_the_index_lists_each_part_and_parts_hold_at_most_limit_urls(
    client, make_article, make_quote, monkeypatch
):
    monkeypatch.setattr(KindSitemap, "limit", 2)
    articles = [make_article(published_at=timezone.now() - timedelta(hours=n)) for n in range(5)]
    make_quote()
    make_article(title="draft", slug="a-draft", status="draft")
    index = _xml(client.get("/sitemap.xml"))
    assert index.tag == f"{SITEMAP}sitemapindex"
    domain = "testserver"  # the request's host: SITE_DOMAIN is not set
    base = f"http://{domain}/sitemap-"
    assert _locs(index) == [
        f"{base}home.xml",
        f"{base}articles.xml",
        f"{base}articles.xml?p=2",
        f"{base}articles.xml?p=3",
        f"{base}quotes.xml",
        f"{base}sections.xml",
    ]
    seen = []
    for page in (1, 2, 3):
        part = _xml(client.get("/sitemap-articles.xml", {"p": page}))
        assert part.tag == f"{SITEMAP}urlset"
        assert len(_locs(part)) <= 2
        assert part.find(f"{SITEMAP}url/{SITEMAP}lastmod") is not None
        seen += _locs(part)
    assert seen == [f"http://{domain}{item.get_absolute_url()}" for item in articles]
    assert client.get("/sitemap-articles.xml", {"p": 4}).status_code == 404
    assert client.get("/sitemap-nope.xml").status_code == 404


def test_a_part_is_cached_per_page(client, make_article, monkeypatch):
    monkeypatch.setattr(KindSitemap, "limit", 1)
    make_article(title="First")
    make_article(title="Second")
    first = client.get("/sitemap-articles.xml", {"p": 1, "utm_source": "x"}).content
    second = client.get("/sitemap-articles.xml", {"p": 2}).content
    assert first != second
    assert client.get("/sitemap-articles.xml", {"p": 1}).content == first


@pytest.mark.parametrize("count", [1, 30])
def test_sitemap_queries_do_not_grow(
    client, make_article, make_quote, section, count, django_assert_num_queries
):
    for _ in range(count):
        make_article(section=section)
        make_quote()
    # the current site; per kind: the latest change and the count; the sections' count;
    # the next scheduled publication or expiry, which the cached page expires at (2)
    with django_assert_num_queries(8):
        _xml(client.get("/sitemap.xml"))
    # the count and the page; the next publication or expiry (2)
    with django_assert_num_queries(4):
        _xml(client.get("/sitemap-articles.xml"))
    # one per kind; the next publication or expiry (2)
    with django_assert_num_queries(4):
        _xml(client.get("/sitemap-news.xml"))


def test_the_news_sitemap_lists_the_last_two_days(client, make_article, make_quote, settings):
    settings.LANGUAGE_CODE = "en-us"
    now = timezone.now()
    fresh = make_article(title="Talks <resume> & end", published_at=now - timedelta(hours=2))
    quote = make_quote(title="A quote", published_at=now - timedelta(hours=47))
    make_article(title="Old", published_at=now - timedelta(hours=49))
    make_article(title="Draft", status="draft", published_at=now - timedelta(hours=1))
    make_article(title="Scheduled", published_at=now + timedelta(hours=1))
    response = client.get("/sitemap-news.xml")
    assert b"Talks &lt;resume&gt; &amp; end" in response.content
    root = _xml(response)
    assert root.tag == f"{SITEMAP}urlset"
    domain = "testserver"  # the request's host: SITE_DOMAIN is not set
    assert _locs(root) == [
        f"http://{domain}{fresh.get_absolute_url()}",
        f"http://{domain}{quote.get_absolute_url()}",
    ]
    news = root.find(f"{SITEMAP}url/{NEWS}news")
    publication = news.find(f"{NEWS}publication")
    assert publication.find(f"{NEWS}name").text == Site.objects.get_current().name
    assert publication.find(f"{NEWS}language").text == "en"
    assert news.find(f"{NEWS}title").text == "Talks <resume> & end"
    published = news.find(f"{NEWS}publication_date").text
    assert abs(timezone.datetime.fromisoformat(published) - fresh.published_at) < timedelta(
        seconds=1
    )


def test_news_languages():
    assert news_language("en-us") == "en"
    assert news_language("fr") == "fr"
    assert news_language("zh-TW") == "zh-tw"


def test_robots_txt_names_the_index_and_the_news_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml\n" in text
    assert "Sitemap: http://testserver/sitemap-news.xml\n" in text


def _entries(content: bytes) -> list[dict[str, str]]:
    root = ElementTree.fromstring(content)  # noqa: S314 (the site's own output)
    return [{child.tag: child.text for child in url} for url in root.iter(f"{SITEMAP}url")]


@pytest.mark.parametrize("part", ["articles", "quotes", "sections", "home"])
def test_a_part_says_what_djangos_own_sitemap_view_says(
    rf, make_article, make_quote, section, settings, part
):
    """The part is written directly, not through Django's template: the same URLs, days,
    change frequencies and priorities as ``django.contrib.sitemaps.views.sitemap`` gives."""
    from django.contrib.sitemaps.views import sitemap

    from newsroom.sitemaps import site_sitemaps, sitemap_part

    settings.TIME_ZONE = "Asia/Yerevan"  # a lastmod's day is the site's day
    # Django's names the Site's domain, ours the request's host: here they are the same.
    Site.objects.filter(pk=settings.SITE_ID).update(domain="testserver")
    Site.objects.clear_cache()
    for n in range(3):
        make_article(title=f"Story {n}", section=section)
        make_quote(title=f"Quote {n}")
    sitemaps = site_sitemaps()
    assert part in sitemaps
    request = rf.get(f"/sitemap-{part}.xml", {"p": 1})
    ours = sitemap_part(request, sitemaps, part)
    theirs = sitemap(request, sitemaps, part)
    theirs.render()
    assert _entries(ours.content) == _entries(theirs.content)
    assert _entries(ours.content)
    assert ours["X-Robots-Tag"] == theirs["X-Robots-Tag"]
    if part == "articles":
        assert ours["Last-Modified"] == theirs["Last-Modified"]


def test_a_parts_locations_are_each_items_own_reverse():
    """``locations()`` reverses one URL for the part; every location is what ``location()``
    gives for that item, also where the derivation cannot hold."""
    sitemap = KindSitemap(kinds.get("article"))
    items = [{"slug": slug} for slug in ["articles", "b-2", "C_3", "article-4"]]
    assert sitemap.locations(items) == [sitemap.location(item) for item in items]
    assert sitemap.locations([]) == []

    class Shouting(KindSitemap):
        def location(self, item):
            return f"/loud/{item['slug'].upper()}/"

    shouting = Shouting(kinds.get("article"))
    assert shouting.locations(items) == [shouting.location(item) for item in items]


@pytest.mark.parametrize("drafts", [0, 3, 60])
def test_the_index_lastmod_is_the_newest_change_of_a_published_item(make_article, drafts):
    """Drafts edited since are skipped, however many (past the index's top, the database
    answers)."""
    from newsroom.models import Article

    published = make_article(title="Live")
    older = make_article(title="Older")
    Article.objects.filter(pk=older.pk).update(updated_at=timezone.now() - timedelta(days=3))
    for n in range(drafts):
        make_article(title=f"Draft {n}", status=Article.Status.DRAFT)
    make_article(title="Scheduled", published_at=timezone.now() + timedelta(days=1))
    published.refresh_from_db()
    assert KindSitemap(kinds.get("article")).get_latest_lastmod() == published.updated_at
