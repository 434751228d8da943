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

from ..models import Comment, ConfirmedAddress
from . import confirmation
from .notifications import confirmation_email, notify_moderators, reply_email

logger = logging.getLogger(__name__)

#: Seconds before each new attempt at an email the mail server refused or never answered:
#: a mail server's outage of up to about two and a half hours delays the email, no more.
RETRY_DELAYS: tuple[int, ...] = (60, 300, 1800, 7200)


@task()
def email_moderators(comment_pk: int, site_url: str | None = None, attempt: int = 1) -> bool:
    """Tell the moderators about a held or reported comment; True if an email went out.

    A comment a moderator has decided on meanwhile needs no email. A failure is raised, so
    the worker records it, after queueing the next attempt.
    """
    comment = Comment.objects.select_related("article").filter(pk=comment_pk).first()
    if comment is None or comment.status not in (Comment.Status.PENDING, Comment.Status.REPORTED):
        return False
    try:
        return notify_moderators(comment, site_url=site_url, fail_silently=False)
    except Exception:
        _try_again(email_moderators, comment_pk, site_url, attempt)
        raise


@task()
def email_confirmation_link(comment_pk: int, site_url: str | None = None, attempt: int = 1) -> bool:
    """Send the link that confirms a comment's address; True if it went out."""
    comment = Comment.objects.select_related("article").filter(pk=comment_pk).first()
    if comment is None or not comment.author_email or comment.email_confirmed:
        return False
    try:
        confirmation_email(comment, site_url=site_url).send()
    except Exception:
        _try_again(email_confirmation_link, comment_pk, site_url, attempt)
        raise
    return True


def reply_notice_wanted(reply: Comment) -> bool:
    """A reply just published, the first time (approved again after a report, it is not
    news), to a comment whose poster confirmed their address, asked for replies and has
    not unsubscribed; a reply of their own is not news either."""
    parent = reply.parent
    if (
        parent is None
        or reply.status != Comment.Status.APPROVED
        or not (parent.notify_replies and parent.email_confirmed and parent.author_email)
        or parent.author_email == reply.author_email
    ):
        return False
    confirmed = ConfirmedAddress.objects.active().filter(
        address_hash=confirmation.address_hash(parent.author_email)
    )
    published_before = reply.status_changes.filter(to_status=Comment.Status.APPROVED)[1:2]
    return confirmed.exists() and not published_before.exists()


@task()
def email_reply_notice(reply_pk: int, site_url: str | None = None, attempt: int = 1) -> bool:
    """Tell a confirmed commenter who asked for it about a reply; True if it went out."""
    reply = Comment.objects.select_related("article", "parent").filter(pk=reply_pk).first()
    if reply is None or not reply_notice_wanted(reply):
        return False
    try:
        reply_email(reply, reply.parent, site_url=site_url).send()
    except Exception:
        _try_again(email_reply_notice, reply_pk, site_url, attempt)
        raise
    return True


def _try_again(the_task, comment_pk: int, site_url: str | None, attempt: int) -> None:
    name = the_task.name
    if attempt > len(RETRY_DELAYS):
        logger.error("Giving up %s for comment %s after %d attempts.", name, comment_pk, attempt)
        return
    # A backend that runs tasks at once (the test suite's) has no later to wait for.
    if not the_task.get_backend().supports_defer:
        return
    when = timezone.now() + timedelta(seconds=RETRY_DELAYS[attempt - 1])
    the_task.using(run_after=when).enqueue(comment_pk, site_url, attempt + 1)
    logger.warning(
        "%s failed for comment %s (attempt %d); trying again at %s.",
        name,
        comment_pk,
        attempt,
        when.isoformat(timespec="seconds"),
    )


def email_moderators_on_commit(comment: Comment, *, site_url: str | None = None) -> None:
    """Queue the moderators' email once the comment is committed (a worker that picked the
    task up earlier would not find the comment). ``robust``: should queueing fail, the
    comment stays stored and the reader gets their answer; the error is logged."""
    _enqueue_on_commit(email_moderators, comment.pk, site_url)


def email_confirmation_on_commit(comment: Comment, *, site_url: str | None = None) -> None:
    _enqueue_on_commit(email_confirmation_link, comment.pk, site_url)


def email_reply_notices_on_commit(replies, *, site_url: str | None = None) -> None:
    """Queue a reply email for each of these published replies (the task decides whether
    the comment replied to asked for one)."""
    for reply in replies:
        if reply.parent_id is not None:
            _enqueue_on_commit(email_reply_notice, reply.pk, site_url)


def _enqueue_on_commit(the_task, comment_pk: int, site_url: str | None) -> None:
    transaction.on_commit(lambda: the_task.enqueue(comment_pk, site_url), robust=True)
