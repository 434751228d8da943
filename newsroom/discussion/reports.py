"""Readers' reports on approved comments: one per client and comment, and past
``NEWSROOM_REPORTS_TO_REVIEW`` open reports the comment goes back to the moderation queue
as "reported" (through ``decisions``, so it is logged). A moderator's decision settles them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import ngettext

from .. import conf
from ..models import Comment, CommentReport
from . import decisions
from .tasks import email_moderators_on_commit


@dataclass
class ReportOutcome:
    report: CommentReport | None
    duplicate: bool = False  # this client had reported the comment already: nothing stored
    sent_back: bool = False  # this report sent the comment back to the queue


def reports_summary(comment: Comment) -> str:
    """The open reports as the decision's reason says them, e.g. "3 reader reports: A
    personal attack (2), Spam or advertising (1)."."""
    reasons = comment.reports.open().reasons()
    total = sum(row["count"] for row in reasons)
    listed = ", ".join(f"{row['label']} ({row['count']})" for row in reasons)
    message = ngettext(
        "%(count)d reader report: %(reasons)s.", "%(count)d reader reports: %(reasons)s.", total
    )
    return message % {"count": total, "reasons": listed}


def report_comment(
    comment: Comment, *, client: str, reason: str, text: str = "", site_url: str | None = None
) -> ReportOutcome:
    """Store a reader's report on an approved comment; send the comment back to the queue
    when its open reports reach the threshold, and tell the moderators (``site_url``, the
    scheme and host, makes the email's link)."""
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(
                comment=comment, client=client, reason=reason, text=text
            )
    except IntegrityError:
        return ReportOutcome(None, duplicate=True)
    threshold = conf.get("REPORTS_TO_REVIEW")
    if not threshold:
        return ReportOutcome(report)
    # Bounded: counts at most ``threshold`` rows, on the (comment, settled_at) index.
    count = comment.reports.open()[:threshold].count()
    sent_back = count >= threshold and decisions.send_back_reported(
        comment, reports_summary(comment)
    )
    if sent_back:
        email_moderators_on_commit(comment, site_url=site_url)
    return ReportOutcome(report, sent_back=sent_back)
