import pytest

from newsroom.discussion import decisions
from newsroom.models import Comment, CommentStatusChange

pytestmark = pytest.mark.django_db


def test_approve_stamps_the_comment_and_writes_the_log(make_article, make_comment, moderator):
    comment = make_comment(make_article())
    changed = decisions.approve([comment], actor=moderator, reason="Fine.")
    assert changed == [comment]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.decided_by == moderator
    assert comment.decided_at is not None
    assert comment.decision_reason == "Fine."
    entry = comment.status_changes.get()
    assert (entry.from_status, entry.to_status) == ("pending", "approved")
    assert entry.actor == moderator and entry.actor_name == "moderator"
    assert entry.reason == "Fine."


def test_every_change_is_logged_in_order(make_article, make_comment, moderator):
    comment = make_comment(make_article())
    decisions.approve([comment], actor=moderator)
    decisions.mark_spam([comment], rule="blocked_words", reason="matched “x”")
    decisions.reject([comment], actor=moderator)
    decisions.hold([comment], actor=moderator)
    history = [(e.from_status, e.to_status) for e in comment.status_changes.all()]
    assert history == [
        ("pending", "approved"),
        ("approved", "spam"),
        ("spam", "rejected"),
        ("rejected", "pending"),
    ]
    assert comment.status_changes.filter(rule="blocked_words", actor=None).count() == 1


def test_deciding_the_same_status_again_changes_and_logs_nothing(make_article, make_comment):
    comment = make_comment(make_article(), status=Comment.Status.APPROVED)
    assert decisions.approve([comment]) == []
    assert not CommentStatusChange.objects.exists()


def test_the_log_records_the_status_in_the_database_not_a_stale_copy(make_article, make_comment):
    comment = make_comment(make_article())
    stale = Comment.objects.get(pk=comment.pk)
    decisions.approve([comment])
    decisions.mark_spam([stale])
    assert list(stale.status_changes.values_list("from_status", "to_status")) == [
        ("pending", "approved"),
        ("approved", "spam"),
    ]


def test_bulk_decisions_run_a_fixed_number_of_queries(
    make_article, make_comment, django_assert_num_queries
):
    article = make_article()
    for _ in range(50):
        make_comment(article)
    queryset = Comment.objects.filter(article=article)
    # select the rows, lock them, one bulk update, one bulk insert, one update settling
    # their open reports, inside a transaction
    with django_assert_num_queries(7):
        changed = decisions.reject(queryset)
    assert len(changed) == 50
    assert CommentStatusChange.objects.filter(to_status="rejected").count() == 50


def test_unknown_status_is_refused(make_article, make_comment):
    comment = make_comment(make_article())
    with pytest.raises(ValueError, match="Unknown comment status"):
        decisions.decide([comment], "deleted")


def test_record_new_logs_the_first_status(make_article, make_comment, moderator):
    comment = make_comment(make_article(), status=Comment.Status.APPROVED)
    decisions.record_new(comment, actor=moderator, reason="Staff reply.")
    entry = comment.status_changes.get()
    assert (entry.from_status, entry.to_status) == ("", "approved")
    comment.refresh_from_db()
    assert comment.decided_by == moderator


def test_record_imported_saves_and_logs_each_verdict_in_two_inserts(
    make_article, django_assert_num_queries
):
    article = make_article()
    comments = [
        Comment(
            article=article,
            author_name=f"Reader {n}",
            body="Hello.",
            status=status,
            decided_rule=rule,
            decision_reason=reason,
        )
        for n, (status, rule, reason) in enumerate(
            [
                (Comment.Status.APPROVED, "imported", "Public on the old site."),
                (Comment.Status.PENDING, "links", "2 links (held at 2)."),
                (Comment.Status.SPAM, "blocked_words", "Blocked word “x”."),
            ]
        )
    ]
    # Inside a transaction (as the importer's savepoint is) it adds no savepoint of its own.
    with django_assert_num_queries(2):
        saved = decisions.record_imported(comments)
    assert saved == comments and all(comment.pk for comment in comments)
    entries = CommentStatusChange.objects.order_by("comment_id")
    assert [(e.comment_id, e.from_status, e.to_status, e.rule, e.reason) for e in entries] == [
        (c.pk, "", c.status, c.decided_rule, c.decision_reason) for c in comments
    ]
    decided_at = {comment.decided_at for comment in Comment.objects.all()}
    assert len(decided_at) == 1 and {e.created_at for e in entries} == decided_at
    assert not entries.exclude(actor=None).exists()
    assert set(entries.values_list("actor_name", flat=True)) == {""}
    assert decisions.record_imported([]) == []
