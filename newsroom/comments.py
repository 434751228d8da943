"""Posting a reader's comment: client fingerprint, rate limit, duplicates, the verdict.

The view only handles HTTP; everything a comment goes through between a valid form and a
stored, judged and logged comment happens here.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import IntegrityError
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import conf, moderation
from .models import Comment
from .tasks import email_moderators_on_commit

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the one the trusted proxies say they saw."""
    proxies = conf.get("TRUSTED_PROXIES")
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def hash_ip(ip: str) -> str:
    """A keyed hash of an IP address: enough for rate limits and bans, and not reversible
    without the site's secret key. The address itself is never stored."""
    return salted_hmac("newsroom.client", ip.strip(), algorithm="sha256").hexdigest()


def client_fingerprint(request) -> str:
    ip = client_ip(request)
    return hash_ip(ip) if ip else ""


# Used only while the shared cache is unreachable: each process then counts for itself.
_local_counts = LocMemCache("newsroom-rate-fallback", {"MAX_ENTRIES": 10_000})


def _count(store, key: str) -> int:
    store.add(key, 0, timeout=120)
    return store.incr(key)


def over_rate_limit(fingerprint: str) -> bool:
    """Count a post from this client in the shared cache; True past the per-minute limit.

    If the shared cache is down, posts are counted per process: a client then gets at most
    the limit on each app server, which still stops a flood, and the log says so.
    """
    limit = conf.get("COMMENT_RATE_LIMIT")
    if not limit or not fingerprint:
        return False
    minute = int(timezone.now().timestamp()) // 60
    key = f"newsroom:rate:{fingerprint}:{minute}"
    try:
        count = _count(cache, key)
    except Exception:
        logger.warning(
            "Shared cache unreachable: rate limiting falls back to counting in this process.",
            exc_info=True,
        )
        count = _count(_local_counts, key)
    return count > limit


def comment_fingerprint(comment: Comment) -> str:
    """The same text from the same author on the same article hashes the same."""
    author = (comment.author_email or comment.author_name).strip().casefold()
    text = " ".join(comment.body.split()).casefold()
    return hashlib.sha256(f"{comment.article_id}\n{author}\n{text}".encode()).hexdigest()


@dataclass
class Submission:
    comment: Comment
    duplicate: bool = False

    @property
    def published(self) -> bool:
        return self.comment.status == Comment.Status.APPROVED


def submit(
    comment: Comment,
    *,
    policy: moderation.ModerationPolicy | None = None,
    site_url: str | None = None,
) -> Submission:
    """Judge, store and log a new comment; return the stored one (or its earlier twin).

    ``site_url`` (scheme and host) makes the link in the moderators' email.
    """
    policy = policy or moderation.get_policy()
    comment.author_email = comment.author_email.strip().lower()
    comment.fingerprint = comment_fingerprint(comment)
    earlier = Comment.objects.filter(
        article_id=comment.article_id, fingerprint=comment.fingerprint
    ).first()
    if earlier is not None:
        return Submission(earlier, duplicate=True)

    policy.note_submission(comment.article)
    verdict = policy.check(comment)
    moderation.apply_verdict(comment, verdict)
    try:
        moderation.record_new(comment, rule=verdict.rule, reason=verdict.summary)
    except IntegrityError:
        # Another server stored the same comment a moment ago.
        earlier = Comment.objects.get(
            article_id=comment.article_id, fingerprint=comment.fingerprint
        )
        return Submission(earlier, duplicate=True)
    if comment.status == Comment.Status.PENDING:
        # The email waits in the task queue: a slow mail server must not hold the reader.
        email_moderators_on_commit(comment, site_url=site_url)
    return Submission(comment)
