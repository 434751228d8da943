"""Work that may wait on another server, taken out of the request: queued as a task (a row
in the database with the project's ``TASKS`` backend) and done by the task worker.

A mail server that is slow, down or frozen then delays an email, never a reader's POST.
Tasks take primary keys, not objects: they run later, in another process, and read the
comment as it is then.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ..models import Comment
from .notifications import notify_moderators

logger = logging.getLogger(__name__)

#: Seconds before each new attempt at an email the mail server refused or never answered:
#: a mail server's outage of up to about two and a half hours delays the email, no more.
RETRY_DELAYS: tuple[int, ...] = (60, 300, 1800, 7200)


@task()
def email_moderators(comment_pk: int, site_url: str | None = None, attempt: int = 1) -> bool:
    """Tell the moderators about a held comment; True if an email went out.

    A comment a moderator has decided on meanwhile needs no email. A failure is raised, so
    the worker records it, after queueing the next attempt.
    """
    comment = Comment.objects.select_related("article").filter(pk=comment_pk).first()
    if comment is None or comment.status != Comment.Status.PENDING:
        return False
    try:
        return notify_moderators(comment, site_url=site_url, fail_silently=False)
    except Exception:
        _try_again(comment_pk, site_url, attempt)
        raise


def _try_again(comment_pk: int, site_url: str | None, attempt: int) -> None:
    if attempt > len(RETRY_DELAYS):
        logger.error(
            "Giving up emailing the moderators about comment %s after %d attempts.",
            comment_pk,
            attempt,
        )
        return
    # A backend that runs tasks at once (the test suite's) has no later to wait for.
    if not email_moderators.get_backend().supports_defer:
        return
    when = timezone.now() + timedelta(seconds=RETRY_DELAYS[attempt - 1])
    email_moderators.using(run_after=when).enqueue(comment_pk, site_url, attempt + 1)
    logger.warning(
        "Could not email the moderators about comment %s (attempt %d); trying again at %s.",
        comment_pk,
        attempt,
        when.isoformat(timespec="seconds"),
    )


def email_moderators_on_commit(comment: Comment, *, site_url: str | None = None) -> None:
    """Queue the moderators' email once the comment is committed (a worker that picked the
    task up earlier would not find the comment). ``robust``: should queueing fail, the
    comment stays stored and the reader gets their answer; the error is logged."""
    comment_pk = comment.pk
    transaction.on_commit(lambda: email_moderators.enqueue(comment_pk, site_url), robust=True)
