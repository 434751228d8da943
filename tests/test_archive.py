"""The archive (newsroom.archive): years and months with their counts, and each month's
links to the nearest months that have items, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom import archive
from newsroom.models import Article

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int = 10) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 12))


@pytest.fixture
def spread(make_article, make_quote):
    """Items in Nov 2023, Jan 2024 (an article and a quote), Mar 2024; and, not counted, a
    draft in Dec 2023, an expired item in Feb 2024 and a scheduled one."""
    make_article(published_at=at(2023, 11))
    make_article(published_at=at(2024, 1, 3))
    make_quote(published_at=at(2024, 1, 28))
    make_article(published_at=at(2024, 3))
    make_article(status=Article.Status.DRAFT, published_at=at(2023, 12))
    make_article(published_at=at(2024, 2), expires_at=at(2024, 2, 20))
    make_article(published_at=timezone.now() + timedelta(days=2))


def test_the_archive_lists_years_and_months_with_their_counts(client, spread):
    years = archive.years()
    assert [(y.year, y.total) for y in years] == [(2024, 3), (2023, 1)]
    assert [(m.month, n) for m, n in years[0].months] == [(3, 1), (1, 2)]
    html = client.get("/archive/").content.decode()
    assert '<a href="/archive/2024/1/">January</a> <span class="archive-count">2</span>' in html
    assert '<a href="/archive/2023/12/">' not in html  # a draft's month
    assert '<a href="/archive/2024/2/">' not in html  # an expired item's month


def test_a_month_links_to_the_nearest_months_with_items(client, spread):
    html = client.get("/archive/2024/1/").content.decode()
    assert '<a rel="prev" href="/archive/2023/11/">← November 2023</a>' in html
    assert '<a rel="next" href="/archive/2024/3/">March 2024 →</a>' in html
    first = client.get("/archive/2023/11/").content.decode()
    assert 'rel="prev" href="/archive/' not in first
    assert '<a rel="next" href="/archive/2024/1/">' in first
    last = client.get("/archive/2024/3/").content.decode()
    assert 'rel="next" href="/archive/' not in last
    # an empty month still finds its neighbours
    empty = client.get("/archive/2024/2/")
    assert empty.context["earlier"] == archive.Month(2024, 1)
    assert empty.context["later"] == archive.Month(2024, 3)


def test_the_archive_is_in_the_footer_and_a_month_links_back(client, spread):
    assert '<a href="/archive/">Archive</a>' in client.get("/").content.decode()
    assert '<a href="/archive/">All months</a>' in client.get("/archive/2024/1/").content.decode()


def test_months_follow_the_site_time_zone(client, make_article, settings):
    settings.TIME_ZONE = "Asia/Yerevan"  # UTC+4: 22:00 UTC on Jan 31 is Feb 1 there
    make_article(published_at=datetime(2024, 1, 31, 22, tzinfo=UTC))
    assert [(m.year, m.month) for m, _n in archive.years()[0].months] == [(2024, 2)]
    assert len(client.get("/archive/2024/2/").context["items"]) == 1


@pytest.mark.parametrize("months", [1, 24])
def test_the_archive_costs_the_same_however_many_months(
    client, make_article, make_quote, months, django_assert_num_queries
):
    for n in range(months):
        make_article(published_at=at(2020 + n // 12, n % 12 + 1))
        make_quote(published_at=at(2020 + n // 12, n % 12 + 1))
    # one grouped count per kind (2), the section menu (1), next publication or expiry (2)
    with django_assert_num_queries(5) as captured:
        assert client.get("/archive/").status_code == 200
    # a month: its neighbours (2 per kind), its page's ids of each kind (2) and items with
    # bylines (4), the menu (1), the expiries (2)
    with django_assert_num_queries(13):
        assert client.get("/archive/2020/1/").status_code == 200
    assert "LIMIT" not in captured.captured_queries[0]["sql"]


def test_the_neighbours_are_index_lookups(make_article, make_quote):
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    for n in range(3):
        make_article(published_at=at(2020, n + 1))
        make_quote(published_at=at(2021, n + 1))
    with CaptureQueriesContext(connection) as captured:
        archive.neighbours(archive.Month(2020, 6))
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        for query in captured.captured_queries:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert not re.search(r"(^|->)\s*Sort  \(", plan, re.M), plan
            assert re.search(r"Index (Only )?Scan", plan), plan


def test_an_impossible_month_is_a_404(client, db):
    for url in ["/archive/2024/13/", "/archive/2024/0/", "/archive/1800/1/"]:
        assert client.get(url).status_code == 404, url
