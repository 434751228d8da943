"""Email about comments: to moderators when one is held for them, to a commenter to
confirm their address, and to a confirmed commenter when someone replies. The messages,
and sending them (done by the tasks in ``tasks.py``, in the task worker, never inside a
request). Every message is plain text: what readers wrote stays text."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.text import Truncator

from .. import conf, sites

logger = logging.getLogger(__name__)


def _site_url(site_url: str | None) -> str:
    """The scheme and host the queuing request handed over, else the site's own."""
    return (sites.site_url() if site_url is None else site_url).rstrip("/")


def _one_line(text: str, length: int = 80) -> str:
    """Header-safe: no line breaks or other control characters, limited length."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return Truncator(" ".join(cleaned.split())).chars(length)


def moderator_email(comment, *, site_url: str | None = None) -> EmailMessage | None:
    """The email that tells the moderators a comment waits for them (held by the policy,
    or reported by readers); None: nobody to tell."""
    recipients = conf.moderator_emails()
    if not recipients:
        return None
    admin_url = _site_url(site_url) + reverse("admin:newsroom_comment_change", args=[comment.pk])
    reported = comment.status == comment.Status.REPORTED
    what = "reported" if reported else "held"
    subject = _one_line(f"Comment {what} on “{comment.article.title}”")
    if reported:
        reasons = f"- {comment.decision_reason}"
    else:
        reasons = "\n".join(f"- {r.get('message', '')}" for r in comment.moderation_reasons)
    body = (
        f"A comment by {_one_line(comment.author_name, 100)} on “{comment.article.title}” "
        f"is waiting for a moderator.\n\n"
        f"Why it was {what}:\n{reasons or '- (no reason recorded)'}\n\n"
        f"{comment.text_for_readers}\n\n"
        f"Decide on it here: {admin_url}\n"
    )
    return EmailMessage(subject, body, None, recipients)


def notify_moderators(comment, *, site_url: str | None = None, fail_silently: bool = True) -> bool:
    """Tell the moderators a comment waits for them; True if an email went out.

    This talks to the mail server and may wait for it (up to ``EMAIL_TIMEOUT``): requests
    queue it through ``newsroom.discussion.tasks`` instead of calling it. With ``fail_silently`` it
    never raises; the task lets the error through so that the attempt is recorded and
    tried again.
    """
    message = moderator_email(comment, site_url=site_url)
    if message is None:
        return False
    try:
        message.send()
    except Exception:
        if not fail_silently:
            raise
        logger.exception("Could not email the moderators about comment %s.", comment.pk)
        return False
    return True


def confirmation_email(comment, *, site_url: str | None = None) -> EmailMessage:
    """The link that confirms the comment's address (and turns on its reply emails)."""
    from .confirmation import confirmation_token

    token = confirmation_token(comment)
    url = _site_url(site_url) + reverse("newsroom:confirm_address", args=[token])
    days = max(1, conf.get("CONFIRMATION_MAX_AGE") // 86400)
    title = _one_line(comment.article.title, 200)
    body = (
        f"A comment on “{title}” was posted with this email address, asking to be told "
        f"about replies.\n\n"
        f"To confirm the address is yours, open this link within {days} days:\n{url}\n\n"
        f"If it was not you, ignore this email: nothing more will be sent.\n"
    )
    subject = _one_line(f"Confirm your email address for comments on “{title}”")
    return EmailMessage(subject, body, None, [comment.author_email])


def reply_email(reply, parent, *, site_url: str | None = None) -> EmailMessage:
    """Tell a confirmed commenter about a reply, with a one-click unsubscribe link (also in
    the ``List-Unsubscribe`` header, for mail programs that offer it)."""
    from .confirmation import unsubscribe_token

    base = _site_url(site_url)
    unsubscribe_url = base + reverse("newsroom:unsubscribe", args=[unsubscribe_token(parent)])
    reply_url = base + reverse("newsroom:comment_permalink", args=[reply.article.slug, reply.pk])
    title = _one_line(reply.article.title, 200)
    body = (
        f"{_one_line(reply.author_name, 100)} replied to your comment on “{title}”:\n\n"
        f"{reply.text_for_readers}\n\n"
        f"Read it on the site: {reply_url}\n\n"
        f"No more emails about replies to this comment: {unsubscribe_url}\n"
    )
    subject = _one_line(f"A reply to your comment on “{title}”")
    return EmailMessage(
        subject,
        body,
        None,
        [parent.author_email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>"},
    )
