"""Comment moderation: the decision functions every status change goes through.

The public views, the admin actions and the importer call these, so every change of a
comment's status is stamped on the comment and written to the append-only log.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Comment, CommentStatusChange

Status = Comment.Status


def _actor_name(actor) -> str:
    return actor.get_username() if actor is not None else ""


def record_new(comment: Comment, *, actor=None, rule: str = "", reason: str = "") -> None:
    """Log the status a comment was created with (from nothing to its first status)."""
    comment.decided_by = actor
    comment.decided_rule = rule
    comment.decided_at = timezone.now()
    comment.decision_reason = reason
    comment.save(update_fields=["decided_by", "decided_rule", "decided_at", "decision_reason"])
    CommentStatusChange.objects.create(
        comment=comment,
        from_status="",
        to_status=comment.status,
        actor=actor,
        actor_name=_actor_name(actor),
        rule=rule,
        reason=reason,
        created_at=comment.decided_at,
    )


def decide(
    comments: Iterable[Comment],
    status: str,
    *,
    actor=None,
    rule: str = "",
    reason: str = "",
) -> list[Comment]:
    """Move comments to ``status``, stamping who (or which rule) decided, when and why.

    Comments already in that status are left alone. Returns the comments that changed.
    """
    if status not in Status.values:
        raise ValueError(f"Unknown comment status {status!r}; use one of {Status.values}.")
    comments = list(comments)
    now = timezone.now()
    changed: list[Comment] = []
    entries: list[CommentStatusChange] = []
    with transaction.atomic():
        pks = [comment.pk for comment in comments]
        # Lock the rows so two moderators deciding at once each log the real "from" status.
        current = dict(
            Comment.objects.select_for_update().filter(pk__in=pks).values_list("pk", "status")
        )
        for comment in comments:
            from_status = current.get(comment.pk)
            if from_status is None or from_status == status:
                continue
            comment.status = status
            comment.decided_by = actor
            comment.decided_rule = rule
            comment.decided_at = now
            comment.decision_reason = reason
            changed.append(comment)
            entries.append(
                CommentStatusChange(
                    comment=comment,
                    from_status=from_status,
                    to_status=status,
                    actor=actor,
                    actor_name=_actor_name(actor),
                    rule=rule,
                    reason=reason,
                    created_at=now,
                )
            )
        if changed:
            Comment.objects.bulk_update(
                changed,
                ["status", "decided_by", "decided_rule", "decided_at", "decision_reason"],
            )
            CommentStatusChange.objects.bulk_create(entries)
    return changed


def approve(comments: Iterable[Comment], **kwargs) -> list[Comment]:
    return decide(comments, Status.APPROVED, **kwargs)


def reject(comments: Iterable[Comment], **kwargs) -> list[Comment]:
    return decide(comments, Status.REJECTED, **kwargs)


def mark_spam(comments: Iterable[Comment], **kwargs) -> list[Comment]:
    return decide(comments, Status.SPAM, **kwargs)


def hold(comments: Iterable[Comment], **kwargs) -> list[Comment]:
    return decide(comments, Status.PENDING, **kwargs)
