"""An imported article's reader comments: those the site does not have yet, each with the
verdict it was prepared with, saved and logged through ``decisions.record_imported()``.
"""

from __future__ import annotations

from ..discussion import decisions
from ..models import Article, Comment
from .prepare import NAME_LIMIT, Prepared, comment_fields
from .report import FileReport


def add_comments(
    prepared: Prepared, article: Article, report: FileReport, *, created: bool
) -> None:
    """Save the file's new comments on ``article``; warn about those held or shortened.

    A comment is known by its position in the file: one imported before is left as it is,
    since moderators may have decided on it since. All of them cost two inserts.
    """
    item = prepared.item
    if not item.comments:
        return
    known: set[int] = set()
    if not created:
        known.update(
            article.comments.filter(position__isnull=False).values_list("position", flat=True)
        )
    submitted_at = article.published_at or article.created_at
    new: list[Comment] = []
    for parsed, verdict in zip(item.comments, prepared.verdicts, strict=True):
        if parsed.position is not None and parsed.position in known:
            continue
        if len(parsed.author_name.strip()) > NAME_LIMIT:
            report.warnings.append(
                f"comment {parsed.position}: the name is longer than {NAME_LIMIT} "
                "characters and was shortened."
            )
        new.append(
            Comment(article=article, submitted_at=submitted_at, **comment_fields(parsed), **verdict)
        )
    if not new:
        return
    decisions.record_imported(new)
    for comment in new:
        if comment.status != Comment.Status.APPROVED:
            report.warnings.append(
                f"comment {comment.position} by {comment.author_name}: {comment.status} "
                f"({comment.decision_reason})"
            )
