"""What the cluster scenarios start from: an article per scenario with a known author's
approved comment, and a moderator; run by ``manage.py shell`` against the run's database.
"""

from __future__ import annotations

import os
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from newsroom.discussion import confirmation, decisions
from newsroom.models import Article, Comment, ConfirmedAddress
from newsroom.roles import MODERATORS

from .site import ARTICLES, MODERATOR, known_author


def seed() -> None:
    now = timezone.now()
    for key, slug in ARTICLES.items():
        article = Article.objects.create(
            title=slug.replace("-", " ").capitalize(),
            slug=slug,
            body="An article for the cluster tests.",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(hours=1),
        )
        # An author with an approved comment under a confirmed address: the policy approves
        # their next ones at once, from the browser that confirmed it (``Site.confirmed``).
        ConfirmedAddress.objects.create(address_hash=confirmation.address_hash(known_author(key)))
        earlier = Comment(
            article=article,
            author_name="Regular Reader",
            author_email=known_author(key),
            body=f"An earlier comment on {slug}.",
            status=Comment.Status.APPROVED,
        )
        decisions.record_new(earlier, reason="Seeded by the cluster tests.")
    # The password comes from the environment: the test process made it up for this run.
    user = get_user_model().objects.create_user(
        MODERATOR, password=os.environ["CLUSTER_MODERATOR_PASSWORD"], is_staff=True
    )
    user.groups.add(Group.objects.get(name=MODERATORS))
