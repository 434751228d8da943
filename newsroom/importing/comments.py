"""An imported article's reader comments: those the site does not have yet, each with the
verdict it was prepared with, saved and logged through ``decisions.record_imported()``.
"""

from __future__ import annotations

from itertools import islice

from ..discussion import decisions
from ..models import Article, Comment
from .prepare import NAME_LIMIT, Prepared, comment_fields
from .report import FileReport

# Comments made and saved together: a thread of 50,000 holds the model objects of one
# chunk at a time, never of the whole thread.
CHUNK_SIZE = 1000


def add_comments(
    prepared: Prepared, article: Article, report: FileReport, *, created: bool
) -> None:
    """Save the file's new comments on ``article``; warn about those held or shortened.

    A comment is known by its position in the file: one imported before is left as it is,
    since moderators may have decided on it since. Each thousand of them costs two inserts.
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
    shortened: list[str] = []
    held: list[str] = []
    pairs = zip(item.comments, prepared.verdicts, strict=True)
    while chunk := list(islice(pairs, CHUNK_SIZE)):
        new: list[Comment] = []
        for parsed, verdict in chunk:
            if parsed.position is not None and parsed.position in known:
                continue
            if len(parsed.author_name.strip()) > NAME_LIMIT:
                shortened.append(
                    f"comment {parsed.position}: the name is longer than {NAME_LIMIT} "
                    "characters and was shortened."
                )
            new.append(
                Comment(
                    article=article,
                    # The old site's comments carry no time: ordered by their article's
                    # time and their position, shown without one.
                    submitted_at=submitted_at,
                    time_known=False,
                    **comment_fields(parsed),
                    **verdict,
                )
            )
        if not new:
            continue
        decisions.record_imported(new)
        for comment in new:
            if comment.status != Comment.Status.APPROVED:
                held.append(
                    f"comment {comment.position} by {comment.author_name}: {comment.status} "
                    f"({comment.decision_reason})"
                )
    report.warnings.extend(shortened + held)
