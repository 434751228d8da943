"""What a cached page is kept under, and who may keep it: tracking parameters do not make
new cache entries, and pages carrying a visitor's own tokens or comments are private."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from newsroom.pagecache import CACHE_HIT_HEADER

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_keys(monkeypatch):
    """Every key the page cache stores, in order."""
    keys: list[str] = []
    set_many = cache.set_many

    def recording(data, *args, **kwargs):
        keys.extend(key for key in data if key.startswith("newsroom:page:"))
        return set_many(data, *args, **kwargs)

    monkeypatch.setattr(cache, "set_many", recording)
    return keys


def test_tracking_parameters_share_one_cache_entry(make_article, stored_keys):
    article = make_article()
    for n in range(30):
        response = Client().get(f"/?utm_source=news{n}&gclid={n}&fbclid=x&whatever={n}")
        assert response.status_code == 200
    assert len(stored_keys) == 2  # the page once, as text and compressed
    response = Client().get(f"{article.get_absolute_url()}?utm_medium=email")
    assert response[CACHE_HIT_HEADER] == "miss"
    assert Client().get(article.get_absolute_url())[CACHE_HIT_HEADER] == "hit"
    assert len(stored_keys) == 4


def test_the_parameters_a_page_reads_still_make_their_own_entries(make_article, settings):
    settings.NEWSROOM_PAGE_SIZE = 1
    first, second = make_article(title="First story"), make_article(title="Second story")
    front = Client().get("/")
    assert front[CACHE_HIT_HEADER] == "miss"
    older = re.search(r'rel="next" href="\?([^"]+)"', front.content.decode())[1]
    page_two = Client().get(f"/?{older}&utm_source=x")
    assert page_two[CACHE_HIT_HEADER] == "miss"
    assert Client().get(f"/?utm_campaign=y&{older}")[CACHE_HIT_HEADER] == "hit"
    assert Client().get(f"/?{older}").content != Client().get("/").content
    assert Client().get(second.get_absolute_url())[CACHE_HIT_HEADER] == "miss"
    reply = Client().get(f"{second.get_absolute_url()}?reply={first.pk}")
    assert reply[CACHE_HIT_HEADER] == "miss"


@pytest.mark.parametrize("cache_seconds", [600, 0])
def test_pages_with_a_visitors_tokens_are_private(make_article, settings, cache_seconds):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = cache_seconds
    article = make_article()
    for _ in range(2):  # with the page cache on: a miss, then a hit
        response = Client().get(article.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
        assert response["Cache-Control"] == "private"


def test_a_page_showing_a_readers_pending_comment_is_private(make_article, settings):
    from newsroom.views.articles import OWN_COMMENTS_KEY

    article = make_article()
    reader = Client()
    session = reader.session
    session[OWN_COMMENTS_KEY] = [1]
    session.save()
    response = reader.get(article.get_absolute_url())
    assert CACHE_HIT_HEADER not in response
    assert "private" in response["Cache-Control"]


def test_listings_and_feeds_without_tokens_stay_shareable(make_article):
    make_article()
    for url in ("/", "/feeds/rss/"):
        assert "private" not in Client().get(url).get("Cache-Control", "")


def test_listing_pages_for_a_reader_with_a_session_are_private(make_article, admin_client):
    make_article()
    for url in ("/", "/feeds/rss/"):
        response = admin_client.get(url)
        assert CACHE_HIT_HEADER not in response
        assert "private" in response["Cache-Control"]
