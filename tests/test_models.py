from datetime import timedelta

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from newsroom.models import Article, Comment, CommentStatusChange, DeletionRefused
from quickquotes.models import QuickQuote

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_and_scheduled(make_article):
    live = make_article()
    make_article(status=Article.Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    assert list(Article.objects.published()) == [live]
    assert list(Article.objects.scheduled()) == [scheduled]
    assert scheduled.is_scheduled and not scheduled.is_published
    assert live.is_published


def test_scheduled_item_becomes_visible_when_its_time_comes(make_article):
    item = make_article(published_at=timezone.now() + timedelta(minutes=5))
    assert not Article.objects.published().exists()
    later = timezone.now() + timedelta(minutes=6)
    assert list(Article.objects.published(now=later)) == [item]


def test_publishing_without_a_time_sets_now(make_article):
    before = timezone.now()
    item = make_article(published_at=None)
    assert item.published_at >= before


def test_body_is_rendered_and_sanitized_on_save(make_article):
    item = make_article(body="Hello *there* <script>alert(1)</script>")
    assert item.body_html == "<p>Hello <em>there</em> </p>"
    item.body = "**Changed**"
    item.save(update_fields=["body"])
    item.refresh_from_db()
    assert item.body_html == "<p><strong>Changed</strong></p>"


def test_save_stamps_updated_at_unless_told_not_to(make_article):
    item = make_article()
    old = timezone.now() - timedelta(days=300)
    item.updated_at = old
    item.save(touch=False)
    item.refresh_from_db()
    assert item.updated_at == old
    item.save()
    item.refresh_from_db()
    assert item.updated_at > old


def test_quick_quote_shares_the_publishing_base(make_quote):
    quote = make_quote(citation="https://example.org/source")
    assert list(QuickQuote.objects.published()) == [quote]
    assert quote.get_absolute_url() == f"/quotes/{quote.slug}/"
    assert quote.citation_is_url


def test_tags_are_case_insensitive(make_article):
    first, second = make_article(), make_article()
    first.tags.add("News")
    second.tags.add("news")
    assert set(first.tags.all()) == set(second.tags.all())


def test_comments_are_never_deleted(make_article, make_comment):
    comment = make_comment(make_article())
    with pytest.raises(DeletionRefused):
        comment.delete()
    with pytest.raises(DeletionRefused):
        Comment.objects.all().delete()
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_an_article_with_comments_cannot_be_deleted(make_article, make_comment):
    article = make_article()
    make_comment(article)
    with pytest.raises(ProtectedError):
        article.delete()


def test_the_log_is_append_only(make_article, make_comment):
    comment = make_comment(make_article())
    entry = CommentStatusChange.objects.create(comment=comment, to_status="approved")
    entry.reason = "rewritten"
    with pytest.raises(DeletionRefused):
        entry.save()
    with pytest.raises(DeletionRefused):
        entry.delete()
    with pytest.raises(DeletionRefused):
        CommentStatusChange.objects.update(reason="x")
    with pytest.raises(DeletionRefused):
        CommentStatusChange.objects.all().delete()


def test_comment_querysets(make_article, make_comment):
    article = make_article()
    approved = make_comment(article, status=Comment.Status.APPROVED)
    pending = make_comment(article)
    ping = make_comment(article, kind=Comment.Kind.PINGBACK, status=Comment.Status.APPROVED)
    assert set(Comment.objects.approved()) == {approved, ping}
    assert list(Comment.objects.awaiting_moderation()) == [pending]
    assert list(Comment.objects.approved().comments()) == [approved]
    assert list(Comment.objects.pings()) == [ping]
