from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from newsroom.models import Comment

pytestmark = pytest.mark.django_db


def replay(*args) -> str:
    out = StringIO()
    call_command("moderation_replay", *args, stdout=out)
    return out.getvalue()


def test_replay_reports_the_decisions_a_new_word_list_would_change(
    settings, make_article, make_comment
):
    article = make_article(title="Budget")
    make_comment(article, author_email="a@example.org", status="approved", body="Fine.")
    target = make_comment(article, status="approved", body="Buy casino chips", author_name="Spammy")
    old = make_comment(article, status="approved", body="old casino")
    Comment.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=30))

    settings.NEWSROOM_MODERATION = {"blocked_words": ["casino"], "approve_new_authors": True}
    output = replay("--days", "7")
    assert f"#{target.pk} by Spammy on “Budget”: approved" in output
    assert "→ spam: Blocked word “casino”" in output
    assert f"#{old.pk} " not in output
    assert "Checked 2 comments from the last 7 days: 1 would be decided differently." in output
    target.refresh_from_db()
    assert target.status == "approved"  # a replay changes nothing


def test_replay_leaves_redacted_comments_out(settings, make_article, make_comment):
    from newsroom.discussion import decisions

    article = make_article()
    spam = make_comment(article, status="spam", body="Buy casino chips")
    decisions.redact(spam, reason="Advertising.")
    settings.NEWSROOM_MODERATION = {"blocked_words": ["casino"], "approve_new_authors": True}
    # Its text is gone from the row (the log keeps it): judging the blank would say "approve".
    output = replay("--days", "7")
    assert f"#{spam.pk} " not in output
    assert "Checked 0 comments" in output


def test_replay_prints_readers_words_inert(settings, make_article, make_comment):
    article = make_article(title="Budget")
    target = make_comment(
        article, status="approved", author_name="Eve\x1b[2J", body="casino\x1b]0;owned\x07"
    )
    settings.NEWSROOM_MODERATION = {"blocked_words": ["casino"], "approve_new_authors": True}
    output = replay("--days", "7")
    assert f"#{target.pk} by Eve\\x1b[2J on “Budget”" in output
    assert "\x1b" not in output and "\x07" not in output
    assert "→ spam: Blocked word “casino” (as “casino”)." in output
