"""Listing pages walk the timeline by keyset: newer and older links, no counting, the same
queries on every page, and cursors from readers that cannot break them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from newsroom import kinds
from newsroom.feeds import FEED_SIZE
from newsroom.timeline import Position, Timeline

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return [item.title for item in response.context["items"]]


def test_older_and_newer_links_walk_every_item_exactly_once(
    client, make_article, make_quote, settings
):
    settings.NEWSROOM_PAGE_SIZE = 4
    now = timezone.now() - timedelta(minutes=1)
    same_moment = now - timedelta(hours=3)  # ties between kinds and pks keep an order
    made = [make_article(published_at=same_moment) for _ in range(3)]
    made += [make_quote(published_at=same_moment) for _ in range(3)]
    made += [make_article(published_at=now - timedelta(hours=n)) for n in range(5)]
    made += [make_quote(published_at=now - timedelta(hours=n, minutes=30)) for n in range(4)]
    pages, url = [], "/"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(_titles(response))
        older = response.context["page"].older
        url = "/" + older if older else ""
    seen = [title for page in pages for title in page]
    assert sorted(seen) == sorted(item.title for item in made)
    assert len(seen) == len(set(seen)) == 15
    assert [len(page) for page in pages] == [4, 4, 4, 3]
    # and back up: each "Newer" link shows the page before it
    walked_back, url = [pages[-1]], "/" + response.context["page"].newer
    while True:
        response = client.get(url)
        walked_back.append(_titles(response))
        if not response.context["page"].newer:
            break
        url = "/" + response.context["page"].newer
    assert walked_back == pages[::-1]
    assert response.context["meta"]["canonical"].endswith("/")


@pytest.mark.parametrize("count", [1, 30])
def test_a_listing_never_counts_and_costs_the_same_for_2_and_60_items(
    client, make_article, make_quote, settings, count, django_assert_num_queries
):
    settings.NEWSROOM_PAGE_SIZE = 20
    for _ in range(count):
        make_article(is_breaking=True)
        make_quote()
    # page ids of each kind (2), articles and quotes with their bylines (4), the menu's
    # sections (1: none); the front page's pins (1), breaking ids of each kind (2) and their
    # items with bylines (2); next publication or expiry (2), next pin expiry (1)
    with django_assert_num_queries(15) as captured:
        first = client.get("/")
    assert first.status_code == 200
    older = first.context["page"].older
    assert bool(older) == (count == 30)
    sql = " ".join(query["sql"] for query in captured.captured_queries).upper()
    assert "COUNT(" not in sql
    if older:
        # a deep page: the listing's alone, with the header's menu and the expiries (10)
        with django_assert_num_queries(10) as captured:
            assert client.get("/" + older).status_code == 200
        assert "COUNT(" not in " ".join(q["sql"] for q in captured.captured_queries).upper()


@pytest.mark.parametrize(
    "query",
    [
        "before=x",
        "before=1,article",
        "before=" + "9" * 5000 + ",article,1",
        "before=99999999999999999999,article,1",
        "before=-99999999999999999,article,1",
        "after=,,",
        "after=1,article,x",
        "before=1,article,1",  # a valid cursor before anything was published
    ],
)
def test_a_bad_cursor_is_a_404(client, make_article, query):
    make_article()
    assert client.get(f"/?{query}").status_code == 404
    assert client.get(f"/sections/nope/?{query}").status_code == 404


def test_a_cursor_from_the_future_shows_the_first_page(client, make_article):
    item = make_article()
    future = Position(timezone.now() + timedelta(days=1), "article", 1).token()
    response = client.get(f"/?after={future}")
    assert response.status_code == 200
    assert _titles(response) == [item.title]
    assert response.context["page"].newer == ""


def test_a_position_survives_its_token(make_article):
    item = make_article()
    assert Position.parse(Position.of(item).token()) == Position.of(item)


def test_feeds_keep_their_size(client, make_article, settings):
    settings.NEWSROOM_PAGE_SIZE = 3
    for _ in range(FEED_SIZE + 2):
        make_article()
    assert len(Timeline.published()[0:FEED_SIZE]) == FEED_SIZE
    assert client.get("/feeds/rss/").content.count(b"<item>") == FEED_SIZE


def test_a_timeline_without_listed_kinds_is_empty(monkeypatch):
    monkeypatch.setattr(kinds, "registered", lambda **_: [])
    assert Timeline.published().older(None, 5) == []


@pytest.mark.parametrize("url", ["/", "/tags/everywhere/", "/feeds/rss/"])
def test_each_kind_is_read_newest_first_from_its_index_without_sorting(
    client, make_article, make_quote, url
):
    """A listing's ids come from a walk of each kind's (published_at, id) index that stops
    after a page, whatever the archive's size: no sort of every published item (as a union
    of the kinds needed), and a common tag is a semi-join checked item by item on that walk
    (not a join through the tag's slug, which hides how common the tag is)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    for _ in range(3):
        make_article().tags.add("everywhere")
        make_quote().tags.add("everywhere")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    listing = [
        query["sql"]
        for query in captured.captured_queries
        if '"published_at"' in query["sql"].split(" FROM ")[0] and "LIMIT" in query["sql"]
    ]
    assert listing
    with connection.cursor() as cursor:
        # Tables this small are read whole and sorted: forbidding both shows what the
        # indexes can serve.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        for sql in listing:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            # An incremental sort of items published in the same microsecond is no sort
            # of the archive.
            assert not re.search(r"(^|->)\s*Sort  \(", plan, re.M), plan
            assert re.search(r"Index (Only )?Scan Backward using", plan), plan
