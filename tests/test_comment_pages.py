"""Comment pages: a bounded number of top-level comments per page with their replies,
the links between pages, permalinks, the poster's pending comment, the count and the cache."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from newsroom.discussion import decisions
from newsroom.models import Comment
from newsroom.pagecache import CACHE_HIT_HEADER

from .form_tokens import sent_form_token

START = timezone.now() - timedelta(days=30)
TOP_LEVEL = re.compile(r'<ol class="comment-list">(.*)</ol>', re.S)
APPROVED = Comment.Status.APPROVED


def thread(article, top_level: int, reply_every: int = 10) -> list[Comment]:
    """``top_level`` approved comments a minute apart, every ``reply_every``-th answered."""
    comments = Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Reader {n}",
            body=f"Top comment {n}.",
            status=APPROVED,
            submitted_at=START + timedelta(minutes=n),
        )
        for n in range(top_level)
    )
    Comment.objects.bulk_create(
        Comment(
            article=article,
            parent=parent,
            author_name="Replier",
            body=f"Reply to {n}.",
            status=APPROVED,
            submitted_at=START + timedelta(minutes=n, seconds=30),
        )
        for n, parent in enumerate(comments)
        if n % reply_every == 0
    )
    return comments


def top_level_bodies(html: str) -> list[str]:
    """The top-level comments in the list (the JSON-LD in the <head> lists them too)."""
    return re.findall(r"Top comment (\d+)\.", html.split('id="comments"', 1)[1])


@pytest.fixture
def article(make_article):
    return make_article(title="A long thread")


@pytest.fixture
def hundred_twenty(article):
    return thread(article, 120)


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_pages_show_a_bounded_number_of_top_level_comments_with_replies(
    client, article, hundred_twenty
):
    url = article.get_absolute_url()
    first = get(client, url)
    assert top_level_bodies(first) == [str(n) for n in range(50)]
    assert all(f"Reply to {n}." in first for n in range(0, 50, 10))
    assert "Reply to 50." not in first
    assert 'href="?comments=2#comments"' in first and 'href="?comments=3#comments"' in first
    assert "132 comments" in first  # every approved comment, replies too
    third = get(client, f"{url}?comments=3")
    assert top_level_bodies(third) == [str(n) for n in range(100, 120)]
    assert "Reply to 110." in third
    assert 'href="?#comments"' in third  # back to the first page
    for past_the_end in ("4", "0", "x", "9" * 30):
        assert client.get(f"{url}?comments={past_the_end}").status_code == 404


def test_readers_may_read_newest_first(client, article, hundred_twenty):
    html = get(client, f"{article.get_absolute_url()}?order=newest")
    assert top_level_bodies(html) == [str(n) for n in range(119, 69, -1)]
    assert 'href="?comments=2&amp;order=newest#comments"' in html


def test_the_default_order_is_a_setting(client, article, hundred_twenty, settings):
    settings.NEWSROOM_COMMENTS_ORDER = "newest"
    html = get(client, article.get_absolute_url())
    assert top_level_bodies(html)[0] == "119"


def test_a_permalink_lands_on_the_page_and_anchor_of_its_thread(client, article, hundred_twenty):
    on_page_two = hundred_twenty[60]
    response = client.get(f"/articles/{article.slug}/comments/{on_page_two.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.slug}/?comments=2#comment-{on_page_two.pk}"
    reply = Comment.objects.get(parent=hundred_twenty[10])
    response = client.get(f"/articles/{article.slug}/comments/{reply.pk}/")
    assert response["Location"] == f"/articles/{article.slug}/#comment-{reply.pk}"
    assert f'id="comment-{reply.pk}"' in get(client, response["Location"])


def test_a_held_comment_has_no_permalink_for_others(client, article, make_comment):
    held = make_comment(article)
    assert client.get(f"/articles/{article.slug}/comments/{held.pk}/").status_code == 404


def test_the_poster_sees_their_pending_comment_on_the_page_where_it_appears(
    client, article, hundred_twenty, settings
):
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    data = {
        "author_name": "Ann Reader",
        "author_email": "ann@example.org",
        "author_url": "",
        "body": "My pending remark.",
        "honeypot": "",
        "token": sent_form_token(article, 10),
    }
    response = client.post(f"/articles/{article.slug}/comments/", data)
    mine = Comment.objects.get(body="My pending remark.")
    assert mine.status == Comment.Status.PENDING
    assert response["Location"] == f"/articles/{article.slug}/?comments=3#comment-{mine.pk}"
    assert "My pending remark." in get(client, response["Location"])
    assert "My pending remark." not in get(client, article.get_absolute_url())
    assert "My pending remark." not in get(Client(), response["Location"])


@pytest.mark.parametrize("count", [5, 200])
def test_the_query_count_does_not_grow_with_the_thread(
    client, article, count, django_assert_num_queries, settings
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # every request renders its page
    thread(article, count, reply_every=2)
    # the article with its section, tags, bylines; the comment page: its counts, its top
    # level, their replies, the replies' replies (none), the pings; the section menu
    with django_assert_num_queries(9):
        get(client, f"{article.get_absolute_url()}?comments=1&order=newest")


def test_the_page_stays_small_however_long_the_thread(client, article):
    thread(article, 2000, reply_every=4)
    response = client.get(article.get_absolute_url())
    assert len(response.content) < 300 * 1024
    assert "2500 comments" in response.content.decode()


def test_the_count_follows_each_decision(
    client, article, make_comment, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    held = [make_comment(article) for _ in range(3)]
    thread(article, 2, reply_every=1)

    def heading() -> str:
        return re.search(
            r'id="comments-heading">([^<]*)<', get(client, article.get_absolute_url())
        )[1]

    assert heading() == "4 comments"
    with django_capture_on_commit_callbacks(execute=True):
        decisions.approve(held)
    assert heading() == "7 comments"
    with django_capture_on_commit_callbacks(execute=True):
        decisions.reject(held[:1])
    assert heading() == "6 comments"
    with django_capture_on_commit_callbacks(execute=True):
        decisions.mark_spam(held[1:2])
    assert heading() == "5 comments"


def test_each_comment_page_is_cached_and_refreshed_on_approval(
    client, article, hundred_twenty, make_comment, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    for address in (url, f"{url}?comments=2"):
        assert client.get(address)[CACHE_HIT_HEADER] == "miss"
    one, two = client.get(url), client.get(f"{url}?comments=2")
    assert one[CACHE_HIT_HEADER] == two[CACHE_HIT_HEADER] == "hit"
    assert top_level_bodies(two.content.decode()) == [str(n) for n in range(50, 100)]
    assert top_level_bodies(one.content.decode())[0] == "0"
    held = make_comment(article, body="Top comment 999.", submitted_at=START - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        decisions.approve([held])
    one, two = client.get(url), client.get(f"{url}?comments=2")
    assert one[CACHE_HIT_HEADER] == two[CACHE_HIT_HEADER] == "miss"
    assert top_level_bodies(one.content.decode())[0] == "999"
    assert top_level_bodies(two.content.decode())[0] == "49"


def _plans(queries: dict) -> dict[str, str]:
    from django.db import connection

    plans = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table this small is read whole, and sorted: forbidding both shows what the
            # index can serve.
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                cursor.execute(f"SET LOCAL {setting} = off")
        explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
        for name, query in queries.items():
            sql, params = query.query.sql_with_params()
            cursor.execute(f"{explain} {sql}", params)
            plans[name] = "\n".join(str(row[-1]) for row in cursor.fetchall())
    return plans


def test_a_deep_page_is_found_in_the_index_alone_in_reading_order(article, hundred_twenty):
    """The page's ids and the counts come from the index alone (``comment_thread_idx``),
    already in reading order: no sort of the thread, and the rows the offset skips are never
    read."""
    from django.db import connection

    from newsroom.views import comment_pages

    top = comment_pages._top_level(article, [])
    queries = {
        f"ids, {order}": comment_pages._ordered(top, order).values("pk")[100:150]
        for order in (comment_pages.OLDEST, comment_pages.NEWEST)
    }
    for name, plan in _plans(queries).items():
        if connection.vendor == "postgresql":
            assert "Index Only Scan" in plan and "comment_thread_idx" in plan, (name, plan)
            assert "Sort" not in plan, (name, plan)
        else:
            assert "COVERING INDEX comment_thread_idx" in plan, (name, plan)
            assert "TEMP B-TREE" not in plan, (name, plan)


def replies(parent: Comment, count: int, start: int = 0) -> list[Comment]:
    """``count`` approved replies to ``parent``, a second apart."""
    return Comment.objects.bulk_create(
        Comment(
            article=parent.article,
            parent=parent,
            author_name="Replier",
            body=f"Answer {n}.",
            status=APPROVED,
            submitted_at=parent.submitted_at + timedelta(seconds=n + 1),
        )
        for n in range(start, start + count)
    )


def answers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Answer (\d+)\.", html.split('id="comments"', 1)[1])]


def test_a_comment_shows_its_first_replies_and_links_to_the_rest(client, article, settings):
    settings.NEWSROOM_REPLIES_SHOWN = 10
    settings.NEWSROOM_COMMENTS_PER_PAGE = 50
    top = thread(article, 3, reply_every=100)[1]  # no replies of their own
    replies(top, 120)
    html = get(client, article.get_absolute_url())
    assert answers(html) == list(range(10))
    assert f'href="?thread={top.pk}#comment-{top.pk}"' in html
    assert "110 more replies" in html
    # Its reply pages: the comment, then its replies, 50 a page, linked to each other.
    first = get(client, f"{article.get_absolute_url()}?thread={top.pk}")
    assert f'id="comment-{top.pk}"' in first and "Top comment 1." in first
    assert answers(first) == list(range(50))
    assert f'href="?thread={top.pk}&amp;comments=3#comments"' in first
    assert "Back to all comments" in first
    third = get(client, f"{article.get_absolute_url()}?thread={top.pk}&comments=3")
    assert answers(third) == list(range(100, 120))
    assert client.get(f"{article.get_absolute_url()}?thread={top.pk}&comments=4").status_code == 404


def test_a_reply_page_caps_the_replies_below_its_own(client, article, settings):
    settings.NEWSROOM_REPLIES_SHOWN = 2
    top = thread(article, 1, reply_every=100)[0]
    first, *_ = replies(top, 5)
    Comment.objects.bulk_create(
        Comment(
            article=article,
            parent=first,
            author_name="Deep",
            body=f"Deeper {n}.",
            status=APPROVED,
            submitted_at=first.submitted_at + timedelta(milliseconds=n + 1),
        )
        for n in range(4)
    )
    page = get(client, f"{article.get_absolute_url()}?thread={top.pk}")
    assert answers(page) == list(range(5))
    listed = page.split('id="comments"', 1)[1]
    assert re.findall(r"Deeper (\d)\.", listed) == ["0", "1"]
    assert f'href="?thread={first.pk}#comment-{first.pk}"' in page and "2 more replies" in page


def test_permalinks_of_replies_past_the_first_land_on_their_reply_page(client, article, settings):
    settings.NEWSROOM_REPLIES_SHOWN = 10
    settings.NEWSROOM_COMMENTS_PER_PAGE = 50
    top = thread(article, 60, reply_every=100)[55]  # on comment page 2
    answered = replies(top, 70)
    base = article.get_absolute_url()
    for reply, expected in [
        (answered[3], f"{base}?comments=2#comment-{answered[3].pk}"),
        (answered[30], f"{base}?thread={top.pk}#comment-{answered[30].pk}"),
        (answered[60], f"{base}?thread={top.pk}&comments=2#comment-{answered[60].pk}"),
    ]:
        response = client.get(f"/articles/{article.slug}/comments/{reply.pk}/")
        assert response["Location"] == expected
        assert f'id="comment-{reply.pk}"' in get(client, response["Location"])
    # The reply page links back to where the comment sits among the others.
    page = get(client, f"{base}?thread={top.pk}")
    assert f'href="{base}?comments=2#comment-{top.pk}"' in page


@pytest.mark.parametrize("thread_param", ["0", "12x", "9" * 30, "-1", "other", "held"])
def test_a_reply_page_of_no_visible_comment_of_the_article_is_not_found(
    client, article, make_article, make_comment, thread_param
):
    other = thread(make_article(title="Elsewhere"), 1)[0]
    held = make_comment(article)
    value = {"other": str(other.pk), "held": str(held.pk)}.get(thread_param, thread_param)
    response = client.get(f"{article.get_absolute_url()}?thread={value}")
    assert response.status_code == 404


@pytest.mark.parametrize("count", [12, 300])
def test_one_comment_with_many_replies_keeps_the_page_bounded(
    client, article, count, django_assert_num_queries, settings
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_REPLIES_SHOWN = 10
    top = thread(article, 2, reply_every=100)[0]
    replies(top, count)
    # the article with its section, tags, bylines; the comment page: its counts, its top
    # level, the first replies, their replies (none), the pings; the section menu
    with django_assert_num_queries(9):
        html = get(client, article.get_absolute_url())
    assert len(answers(html)) == 10


def test_a_late_reply_lands_on_its_parents_earlier_page(client, article, hundred_twenty):
    """A reply written after the comments of page 3 is still shown under its parent on
    page 1, and its permalink and the poster's redirect say so."""
    parent = hundred_twenty[5]
    late = Comment.objects.create(
        article=article,
        parent=parent,
        author_name="Late",
        body="A late answer.",
        status=APPROVED,
        submitted_at=START + timedelta(minutes=119, seconds=30),
    )
    response = client.get(f"/articles/{article.slug}/comments/{late.pk}/")
    assert response["Location"] == f"/articles/{article.slug}/#comment-{late.pk}"
    assert "A late answer." in get(client, response["Location"])
    assert "A late answer." not in get(client, f"{article.get_absolute_url()}?comments=3")
