"""Email to editors when a reporter submits a draft for review, sent by a task in the task
worker (as the moderators' email is: ``newsroom.discussion.tasks``), never in the request."""

from __future__ import annotations

import logging

from django.apps import apps
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django_tasks import task

from .. import conf, sites
from ..discussion.notifications import _one_line

logger = logging.getLogger(__name__)


def editor_email(item, *, site_url: str | None = None) -> EmailMessage | None:
    """The email that tells the editors a draft waits for review; None: nobody to tell.

    Plain text: the title is the reporter's text, kept to one line in the subject."""
    recipients = conf.editor_emails()
    if not recipients:
        return None
    if site_url is None:
        site_url = sites.site_url()
    meta = item._meta
    review_url = site_url.rstrip("/") + reverse(f"admin:{meta.app_label}_{meta.model_name}_review")
    change_url = site_url.rstrip("/") + reverse(
        f"admin:{meta.app_label}_{meta.model_name}_change", args=[item.pk]
    )
    title = _one_line(item.title, 100)
    subject = _one_line(f"For review: “{item.title}”")
    who = item.created_by.get_username() if item.created_by else "A reporter"
    body = (
        f"{_one_line(who, 100)} submitted the {meta.verbose_name} “{title}” for review.\n\n"
        f"Read it here: {change_url}\n"
        f"Approve or send it back here: {review_url}\n"
    )
    return EmailMessage(subject, body, None, recipients)


@task()
def email_editors(app_label: str, model_name: str, pk: int, site_url: str | None = None) -> bool:
    """Tell the editors about a submitted draft; True if an email went out. A draft decided
    on meanwhile needs no email; a mail server's error is raised for the worker to record."""
    model = apps.get_model(app_label, model_name)
    item = model.objects.select_related("created_by").filter(pk=pk).first()
    if item is None or item.submitted_at is None:
        return False
    message = editor_email(item, site_url=site_url)
    if message is None:
        return False
    message.send()
    return True


def email_editors_on_commit(item, *, site_url: str | None = None) -> None:
    """Queue the editors' email once the submission is committed; should queueing fail,
    the submission stands and the error is logged (``robust``)."""
    args = (item._meta.app_label, item._meta.model_name, item.pk, site_url)
    transaction.on_commit(lambda: email_editors.enqueue(*args), robust=True)
