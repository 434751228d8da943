"""The decision functions every change of a comment's status goes through, shared by the
public views, the admin and the importer: each stamps the comment and writes the log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Ban, Comment, CommentReport, CommentStatusChange
from ..pagecache.signals import comments_changed
from .policy import Reason, Verdict
from .tasks import email_reply_notices_on_commit

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

Status = Comment.Status


def apply_verdict(comment: Comment, verdict: Verdict) -> None:
    """Put a verdict on an unsaved comment: its status, reasons and the rules that fired."""
    comment.status = verdict.status
    comment.moderation_reasons = verdict.reasons_as_json()
    comment.rules = rules_field(reason.rule for reason in verdict.reasons)


def rules_field(rules: Iterable[str]) -> str:
    """The rules as stored for filtering: " links moderation_words " (spaces at both ends)."""
    names = sorted(set(rules))
    return f" {' '.join(names)} " if names else ""


def _actor_name(actor: AbstractBaseUser | None) -> str:
    return actor.get_username() if actor is not None else ""


def record_new(
    comment: Comment, *, actor: AbstractBaseUser | None = None, rule: str = "", reason: str = ""
) -> None:
    """Save a new comment with its first status, and log that status (from nothing)."""
    comment.decided_by = actor
    comment.decided_rule = rule
    comment.decided_at = timezone.now()
    comment.decision_reason = reason
    with transaction.atomic():
        comment.save()
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


def record_imported(comments: Iterable[Comment]) -> list[Comment]:
    """Save new imported comments, each with the status its verdict gave it, and log those
    statuses (from nothing): one insert for the comments and one for the log, however many.

    Each comment carries its verdict (``status``, ``decided_rule``, ``decision_reason``);
    no one decided it, so the log names no actor. An import writes thousands of comments,
    which is why this is not ``record_new()`` once per comment.
    """
    comments = list(comments)
    if not comments:
        return comments
    now = timezone.now()
    for comment in comments:
        comment.decided_at = now
    # Inside the importer's savepoint this opens nothing: the file's savepoint already
    # makes the comments and their log one change.
    with transaction.atomic(savepoint=False):
        Comment.objects.bulk_create(comments)
        CommentStatusChange.objects.bulk_create(
            CommentStatusChange(
                comment=comment,
                from_status="",
                to_status=comment.status,
                rule=comment.decided_rule,
                reason=comment.decision_reason,
                created_at=now,
            )
            for comment in comments
        )
    return comments


def decide(
    comments: Iterable[Comment],
    status: str,
    *,
    actor: AbstractBaseUser | None = None,
    rule: str = "",
    reason: str = "",
    only_from: str | None = None,
) -> list[Comment]:
    """Move comments to ``status``, stamping who (or which rule) decided, when and why.

    Comments already in that status are left alone, and with ``only_from`` those in any
    status but that one. A decision other than "reported" settles the comment's open
    reports (they are kept, marked with the outcome). Returns the comments that changed.
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
            if only_from is not None and from_status != only_from:
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
            if status != Status.REPORTED:
                CommentReport.objects.open().filter(comment__in=changed).update(
                    settled_at=now, settled_by=actor, outcome=status
                )
            if status == Status.APPROVED:
                email_reply_notices_on_commit(changed)
            comments_changed({comment.article_id for comment in changed})
    return changed


def approve(comments: Iterable[Comment], **kwargs: Any) -> list[Comment]:
    return decide(comments, Status.APPROVED, **kwargs)


def reject(comments: Iterable[Comment], **kwargs: Any) -> list[Comment]:
    return decide(comments, Status.REJECTED, **kwargs)


def mark_spam(comments: Iterable[Comment], **kwargs: Any) -> list[Comment]:
    return decide(comments, Status.SPAM, **kwargs)


def hold(comments: Iterable[Comment], **kwargs: Any) -> list[Comment]:
    return decide(comments, Status.PENDING, **kwargs)


def send_back_reported(comment: Comment, reason: str) -> bool:
    """Return an approved comment to the moderation queue as "reported" (rule
    ``reader_reports``), logged like any decision; False if it was no longer approved."""
    changed = decide(
        [comment], Status.REPORTED, rule="reader_reports", reason=reason, only_from=Status.APPROVED
    )
    return bool(changed)


def redact(comment: Comment, *, reason: str, actor: AbstractBaseUser | None = None) -> bool:
    """Remove a comment's text for readers, keeping the original in the moderation log.

    Readers see "This comment was removed by a moderator: <reason>" in its place (see
    ``Comment.text_for_readers``); the name, the status and the replies stay. The reason is
    required, since readers are shown it. Returns False if the comment was already redacted.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Give the reason for removing the comment: readers see it in the comment's place."),
            code="reason_required",
        )
    with transaction.atomic():
        # Locked so that two moderators redacting at once log the original text once.
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.redacted_at is not None:
            return False
        now = timezone.now()
        CommentStatusChange.objects.create(
            comment=current,
            action=CommentStatusChange.Action.REDACTION,
            from_status=current.status,
            to_status=current.status,
            actor=actor,
            actor_name=_actor_name(actor),
            reason=reason,
            original_body=current.body,
            created_at=now,
        )
        # The text leaves the comment row itself, so no page that shows ``body`` can leak it.
        Comment.objects.filter(pk=current.pk).update(
            body="", redacted_at=now, redacted_reason=reason
        )
        comment.body, comment.redacted_at, comment.redacted_reason = "", now, reason
        comments_changed([current.article_id])
    return True


def ban(
    kind: str, value: str, *, actor: AbstractBaseUser | None = None, reason: str = ""
) -> tuple[Ban, int]:
    """Ban a commenter by email or client fingerprint; flag their pending comments.

    Their pending comments stay held, now with the ban among their reasons, so the queue
    shows them together (filter by the rule "banned"). Returns the ban and that count.
    """
    value = value.strip()
    with transaction.atomic():
        existing = Ban.objects.active().filter(kind=kind, value__iexact=value).first()
        the_ban = existing or Ban.objects.create(
            kind=kind, value=value, created_by=actor, reason=reason
        )
        lookup = {"author_email__iexact" if kind == Ban.Kind.EMAIL else "ip_hash": value}
        held = list(Comment.objects.awaiting_moderation().filter(**lookup))
        flag = Reason("banned", _("Banned author (%(ban)s).") % {"ban": the_ban}, the_ban.value)
        for comment in held:
            if "banned" not in comment.rules.split():
                comment.moderation_reasons = [*comment.moderation_reasons, asdict(flag)]
                comment.rules = rules_field([*comment.rules.split(), "banned"])
        Comment.objects.bulk_update(held, ["moderation_reasons", "rules"])
    return the_ban, len(held)


def lift_ban(the_ban: Ban) -> None:
    if the_ban.lifted_at is None:
        the_ban.lifted_at = timezone.now()
        the_ban.save(update_fields=["lifted_at"])
