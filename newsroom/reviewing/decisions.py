"""The review's decisions, each a plain function that changes the item and writes its
ReviewStep; the admin's views call them. Who may take them is the admin's to check."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from .. import revisions
from ..models import Publishable, ReviewStep, Revision

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class ReviewRefused(Exception):
    """The item is not in a state this step applies to (published, or not in review)."""


def _log(item: Publishable, action: str, user: AbstractBaseUser | None, comment: str = "") -> None:
    from django.contrib.contenttypes.models import ContentType

    ReviewStep.objects.create(
        content_type=ContentType.objects.get_for_model(type(item)),
        object_id=item.pk,
        action=action,
        user=user,
        comment=comment,
    )


def submit(
    item: Publishable, user: AbstractBaseUser | None, site_url: str | None = None
) -> ReviewStep:
    """Put a draft in the editors' review list and queue their email (once committed).

    ``site_url`` (scheme and host, ``sites.site_url(request)``) makes the email's links:
    the worker that sends it knows no request."""
    from .notifications import email_editors_on_commit

    if item.status != Publishable.Status.DRAFT:
        raise ReviewRefused("Only a draft is submitted for review.")
    with transaction.atomic():
        item.submitted_at = timezone.now()
        item.save(update_fields=["submitted_at"])
        _log(item, ReviewStep.Action.SUBMITTED, user)
    email_editors_on_commit(item, site_url=site_url)
    return ReviewStep.objects.for_item(item).first()


def approve(
    item: Publishable, user: AbstractBaseUser | None, publish_at: datetime | None = None
) -> None:
    """Publish the item now, or at ``publish_at`` (scheduled), and take it off the list."""
    if item.status != Publishable.Status.DRAFT:
        raise ReviewRefused("The item is published already.")
    now = timezone.now()
    scheduled = publish_at is not None and publish_at > now
    with transaction.atomic():
        item.status = Publishable.Status.PUBLISHED
        item.published_at = publish_at if scheduled else now
        item.submitted_at = None
        item.save()
        revisions.record(item, via=Revision.Via.ACTION, user=user)
        action = ReviewStep.Action.SCHEDULED if scheduled else ReviewStep.Action.APPROVED
        _log(item, action, user)


def send_back(item: Publishable, user: AbstractBaseUser | None, comment: str) -> None:
    """Return the draft to its reporter with the editor's comment (shown on its form)."""
    if item.status != Publishable.Status.DRAFT or item.submitted_at is None:
        raise ReviewRefused("Only a draft in review is sent back.")
    with transaction.atomic():
        item.submitted_at = None
        item.save(update_fields=["submitted_at"])
        _log(item, ReviewStep.Action.SENT_BACK, user, comment)


def withdraw(item: Publishable, user: AbstractBaseUser | None) -> None:
    """Take a draft off the review list before an editor decides (its author changed
    their mind, or wants to change it first)."""
    if item.status != Publishable.Status.DRAFT or item.submitted_at is None:
        raise ReviewRefused("Only a draft in review is withdrawn.")
    with transaction.atomic():
        item.submitted_at = None
        item.save(update_fields=["submitted_at"])
        _log(item, ReviewStep.Action.WITHDRAWN, user)
