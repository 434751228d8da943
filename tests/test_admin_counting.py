"""Admin lists at scale: no count over a whole table, the same queries for 1 and 1,000 rows,
bounded rows, and counts that stop at NEWSROOM_ADMIN_EXACT_COUNT_LIMIT."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsroom.admin.counting import AtLeast, BoundedPaginator, bounded_count
from newsroom.discussion import decisions
from newsroom.models import Comment

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:newsroom_comment_changelist")
ARTICLES = reverse("admin:newsroom_article_changelist")
LOG = reverse("admin:newsroom_commentstatuschange_changelist")
QUOTES = reverse("admin:quickquotes_quickquote_changelist")


def add_comments(article, count: int, body: str = "A reader's words.", **fields) -> None:
    Comment.objects.bulk_create(
        Comment(article=article, author_name=f"Reader {n}", body=body, **fields)
        for n in range(count)
    )


def unbounded_counts(queries: list[dict]) -> list[str]:
    """Counts that could read a whole table: every COUNT must be over a LIMIT-ed subquery."""
    return [
        q["sql"]
        for q in queries
        for count in re.findall(r"COUNT\(.{0,12}", q["sql"], re.IGNORECASE)
        if not count.upper().startswith("COUNT(*) FROM (") or "LIMIT" not in q["sql"].upper()
    ]


@pytest.mark.parametrize("rows", [1, 1000])
def test_queue_runs_the_same_queries_for_1_and_1000_comments(
    admin_client, make_article, rows, django_assert_num_queries
):
    article = make_article()
    # Each commenter's record (by email, or by client without one) comes with the rows.
    add_comments(article, rows, author_email="ann@example.org", ip_hash="a" * 64)
    add_comments(article, rows, ip_hash="b" * 64)
    # Session, user, five per-status counts, the list's count and its rows.
    with django_assert_num_queries(9):
        response = admin_client.get(QUEUE)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url", [QUEUE, f"{QUEUE}?status=all", f"{QUEUE}?q=Reader", ARTICLES, QUOTES, LOG]
)
def test_no_list_counts_a_whole_table(admin_client, make_article, make_quote, url):
    article = make_article()
    make_quote()
    add_comments(article, 30)
    decisions.decide(Comment.objects.all()[:5], Comment.Status.APPROVED)
    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(url).status_code == 200
    assert unbounded_counts(captured.captured_queries) == []


def test_queue_page_stays_small_with_long_comments(admin_client, make_article):
    body = "word " * 1000
    add_comments(make_article(), 100, body=body)
    response = admin_client.get(QUEUE)
    assert len(response.context["cl"].result_list) == 50
    # Each card holds its comment once (the folded rest is not a second copy), with its
    # decision controls: bounded by the page's size, whatever the queue holds.
    assert len(response.content) < 50 * (len(body) + 3 * 1024) + 64 * 1024


def test_queue_counts_stop_at_the_threshold(admin_client, make_article, settings):
    settings.NEWSROOM_ADMIN_EXACT_COUNT_LIMIT = 5
    article = make_article()
    add_comments(article, 8)
    add_comments(article, 2, status=Comment.Status.SPAM)
    response = admin_client.get(QUEUE)
    html = response.content.decode()
    assert "Pending: <strong>6+</strong>" in html
    assert "Spam: <strong>2</strong>" in html
    assert response.context["cl"].result_count > 5


def test_paginator_is_exact_below_the_threshold_and_bounded_above(make_article, settings):
    settings.NEWSROOM_ADMIN_EXACT_COUNT_LIMIT = 5
    article = make_article()
    add_comments(article, 3)
    assert BoundedPaginator(Comment.objects.all(), 100).count == 3
    add_comments(article, 5)
    count = BoundedPaginator(Comment.objects.all(), 100).count
    assert isinstance(count, AtLeast)
    assert count > 5
    if connection.vendor == "postgresql":
        assert str(count) in {"6+"} or str(count).startswith("~")
    else:
        assert str(count) == "6+"
    assert bounded_count(Comment.objects.all(), 100) == 8


def test_queue_search_takes_an_exact_email_or_a_name_prefix(admin_client, make_article):
    article = make_article()
    Comment.objects.create(
        article=article, author_name="Anna Lee", author_email="a@x.org", body="1"
    )
    Comment.objects.create(article=article, author_name="Bo Anna", author_email="b@x.org", body="2")

    def names(q: str) -> set[str]:
        rows = admin_client.get(QUEUE, {"q": q}).context["cl"].result_list
        return {c.author_name for c in rows}

    assert names("Anna") == {"Anna Lee"}
    assert names("b@x.org") == {"Bo Anna"}
    assert names("x.org") == set()


def test_article_list_counts_comments_up_to_the_threshold(admin_client, make_article, settings):
    settings.NEWSROOM_ADMIN_EXACT_COUNT_LIMIT = 5
    add_comments(make_article(), 8)
    add_comments(make_article(), 2)
    html = admin_client.get(ARTICLES).content.decode()
    assert '<td class="field-comment_count">6+</td>' in html
    assert '<td class="field-comment_count">2</td>' in html


def test_article_form_shows_bounded_comment_counts(admin_client, make_article, settings):
    settings.NEWSROOM_ADMIN_EXACT_COUNT_LIMIT = 5
    article = make_article()
    add_comments(article, 7)
    add_comments(article, 2, status=Comment.Status.APPROVED)
    url = reverse("admin:newsroom_article_change", args=[article.pk])
    with CaptureQueriesContext(connection) as captured:
        html = admin_client.get(url).content.decode()
    assert "6+ comments, 6+ pending" in html
    assert f"?article__id__exact={article.pk}&amp;status=all" in html
    assert unbounded_counts(captured.captured_queries) == []
    queue = admin_client.get(QUEUE, {"article__id__exact": article.pk, "status": "all"})
    assert len(queue.context["cl"].result_list) == 9
