"""An article's comment counts (CommentCount) are kept by the database's triggers: they stay
equal to a count of the comments whatever writes them, and the pages read them."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.db.models import Count, Q

from newsroom.discussion import counts, decisions
from newsroom.models import Comment, CommentCount

pytestmark = pytest.mark.django_db

APPROVED, PENDING = Comment.Status.APPROVED, Comment.Status.PENDING


def counted(article) -> tuple[int, int]:
    row = CommentCount.objects.filter(article=article).first()
    return (row.approved, row.approved_top) if row else (0, 0)


def recounted(article) -> tuple[int, int]:
    counts = Comment.objects.filter(article=article, status=APPROVED, kind="comment").aggregate(
        all=Count("pk"), top=Count("pk", filter=Q(parent=None))
    )
    return counts["all"], counts["top"]


def test_every_way_of_writing_a_comment_keeps_the_count(make_article, make_comment):
    article, other = make_article(), make_article()
    top = make_comment(article, status=APPROVED)
    reply = make_comment(article, status=APPROVED, parent=top)
    held = make_comment(article)
    make_comment(article, status=APPROVED, kind=Comment.Kind.PINGBACK)  # not a comment
    assert counted(article) == recounted(article) == (2, 1)

    decisions.approve([held])  # the ORM, one row
    decisions.reject([reply])
    assert counted(article) == recounted(article) == (2, 2)

    Comment.objects.filter(pk=top.pk).update(status=PENDING)  # a queryset update
    assert counted(article) == recounted(article) == (1, 1)

    decisions.record_imported(  # a bulk insert
        [
            Comment(article=article, author_name=f"R{n}", body="Hi", status=APPROVED)
            for n in range(3)
        ]
    )
    assert counted(article) == recounted(article) == (4, 4)

    Comment.objects.filter(pk=held.pk).update(article=other)  # moved to another article
    Comment.objects.filter(pk=reply.pk).update(status=APPROVED, parent=None)
    assert (counted(article), counted(other)) == (recounted(article), recounted(other))

    (loose,) = Comment.objects.bulk_create(
        [Comment(article=article, author_name="R", body="Hi", status=APPROVED)]
    )
    assert counted(article) == recounted(article)
    with connection.cursor() as cursor:  # raw SQL, no Django at all
        cursor.execute("DELETE FROM newsroom_comment WHERE id = %s", [loose.pk])
        assert counted(article) == recounted(article)
        cursor.execute(
            "UPDATE newsroom_comment SET status = 'spam' WHERE article_id = %s", [article.pk]
        )
    assert counted(article) == recounted(article) == (0, 0)


def test_the_count_stays_right_through_many_random_writes(make_article):
    articles = [make_article(), make_article()]
    chance = random.Random(13)
    comments: list[Comment] = []
    for _step in range(150):
        choice = chance.random()
        if choice < 0.4 or not comments:
            parent = chance.choice(comments) if comments and chance.random() < 0.3 else None
            article = parent.article if parent else chance.choice(articles)
            comment = Comment(
                article=article,
                parent=parent,
                author_name="R",
                body="Hi",
                status=chance.choice(list(Comment.Status.values)),
            )
            decisions.record_new(comment)
            comments.append(comment)
        elif choice < 0.8:
            picked = chance.sample(comments, k=min(len(comments), 3))
            decisions.decide(picked, chance.choice(list(Comment.Status.values)))
        else:
            pk = chance.choice(comments).pk
            Comment.objects.filter(pk=pk).update(status=chance.choice(list(Comment.Status.values)))
    for article in articles:
        assert counted(article) == recounted(article)
        assert counted(article) != (0, 0)


def test_the_migration_counts_the_comments_already_there(make_article, make_comment):
    article = make_article()
    top = make_comment(article, status=APPROVED)
    make_comment(article, status=APPROVED, parent=top)
    make_comment(article)
    CommentCount.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(counts.BACKFILL)  # what migration 0022 runs
    assert counted(article) == recounted(article) == (2, 1)


def test_a_page_reads_the_count_not_the_thread(client, make_article, make_comment):
    article = make_article()
    for _ in range(3):
        make_comment(article, status=APPROVED)
    # A count the page could only have from the row: the row is the page's source.
    CommentCount.objects.filter(article=article).update(approved=7, approved_top=3)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "7 comments" in html


def test_recount_comments_finds_and_puts_right_a_count_that_drifted(make_article, make_comment):
    from io import StringIO

    from django.core.management import call_command

    article = make_article()
    make_comment(article, status=APPROVED)
    CommentCount.objects.filter(article=article).update(approved=5)
    out = StringIO()
    call_command("recount_comments", "--check", stdout=out)
    assert f"article {article.pk}: kept (5, 1), counted (1, 1)" in out.getvalue()
    assert counted(article) == (5, 1)
    call_command("recount_comments", stdout=out)
    assert counted(article) == recounted(article) == (1, 1)
    assert "1 of 1 articles' counts put right." in out.getvalue()


def test_reported_comments_are_counted_apart_and_shown_where_the_setting_says(
    client, make_article, make_comment, settings
):
    article = make_article()
    for _ in range(2):
        make_comment(article, status=APPROVED)
    reported = make_comment(article, status=APPROVED)
    Comment.objects.filter(pk=reported.pk).update(status=Comment.Status.REPORTED)
    row = CommentCount.objects.get(article=article)
    assert (row.approved, row.reported, row.reported_top) == (2, 1, 1)
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    assert "2 comments" in client.get(article.get_absolute_url()).content.decode()
    settings.NEWSROOM_REPORTED_COMMENTS_SHOWN = True
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 0
    from django.core.cache import cache

    cache.clear()
    assert "3 comments" in client.get(article.get_absolute_url()).content.decode()
