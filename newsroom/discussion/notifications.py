"""Email to moderators when a comment is held for them: the message, and sending it
(done by the task in ``tasks.py``, in the task worker, never inside a request)."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.text import Truncator

from .. import conf, sites

logger = logging.getLogger(__name__)


def _one_line(text: str, length: int = 80) -> str:
    """Header-safe: no line breaks or other control characters, limited length."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return Truncator(" ".join(cleaned.split())).chars(length)


def moderator_email(comment, *, site_url: str | None = None) -> EmailMessage | None:
    """The email that tells the moderators a comment waits for them; None: nobody to tell."""
    recipients = conf.moderator_emails()
    if not recipients:
        return None
    if site_url is None:
        site_url = sites.site_url()
    admin_url = site_url.rstrip("/") + reverse("admin:newsroom_comment_change", args=[comment.pk])
    subject = _one_line(f"Comment held on “{comment.article.title}”")
    reasons = "\n".join(f"- {r.get('message', '')}" for r in comment.moderation_reasons)
    body = (
        f"A comment by {_one_line(comment.author_name, 100)} on “{comment.article.title}” "
        f"is waiting for a moderator.\n\n"
        f"Why it was held:\n{reasons or '- (no reason recorded)'}\n\n"
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
