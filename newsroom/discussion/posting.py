"""Posting a reader's comment: client fingerprint, rate limit, duplicates, the verdict.

The view only handles HTTP; everything a comment goes through between a valid form and a
stored, judged and logged comment happens here.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import IntegrityError
from django.utils.crypto import salted_hmac

from .. import conf
from ..models import Comment
from . import decisions
from .confirmation import address_hash
from .policy import ModerationPolicy, get_policy
from .tasks import (
    email_confirmation_on_commit,
    email_moderators_on_commit,
    email_reply_notices_on_commit,
)

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or, behind ``NEWSROOM_TRUSTED_PROXIES`` proxies
    that each append the address they saw to X-Forwarded-For, the one the outermost of
    them saw. Entries before it are whatever the client sent, and are never read."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = conf.get("TRUSTED_PROXIES")
    if not proxies:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        logger.warning(
            "X-Forwarded-For has %d entries behind %d trusted proxies: using REMOTE_ADDR.",
            len(forwarded),
            proxies,
        )
        return remote
    address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        logger.warning("A trusted proxy forwarded an address that is not one: using REMOTE_ADDR.")
        return remote


def hash_ip(ip: str) -> str:
    """A keyed hash of an IP address: enough for rate limits and bans, and not reversible
    without the site's secret key. The address itself is never stored."""
    return salted_hmac("newsroom.client", ip.strip(), algorithm="sha256").hexdigest()


def client_address(ip: str) -> str:
    """What a client is known by: its IPv4 address, or its IPv6 address's /64 network (one
    household or phone holds a whole /64, and could otherwise count as thousands)."""
    address = ipaddress.ip_address(ip.strip())
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)


def client_fingerprint(request) -> str:
    ip = client_ip(request)
    return hash_ip(client_address(ip)) if ip else ""


# Used only while the shared cache is unreachable: each process then counts for itself.
_local_counts = LocMemCache("newsroom-rate-fallback", {"MAX_ENTRIES": 10_000})


RATE_WINDOW = 60  # seconds


def _count(store, key: str) -> int:
    store.add(key, 0, timeout=3 * RATE_WINDOW)
    return store.incr(key)


def _sliding_count(store, prefix: str, now: float) -> float:
    """This post and the posts of the last ``RATE_WINDOW`` seconds, estimated from two
    fixed windows: all of the current one, and of the previous one the share that still
    lies within the sliding window. Two counters per client, and no burst of twice the
    limit across a window's boundary, as one fixed window allows."""
    window, into = divmod(now, RATE_WINDOW)
    current = _count(store, f"{prefix}:{int(window)}")
    previous = store.get(f"{prefix}:{int(window) - 1}") or 0
    return current + previous * (1 - into / RATE_WINDOW)


def over_rate_limit(
    fingerprint: str, now: float | None = None, *, limit_setting: str = "COMMENT_RATE_LIMIT"
) -> bool:
    """Count a post from this client in the shared cache; True past the limit of posts per
    minute (a sliding minute) that ``limit_setting`` names. Each setting counts apart
    (comments, reports).

    If the shared cache is down, posts are counted per process: a client then gets at most
    the limit on each app server, which still stops a flood, and the log says so.
    """
    limit = conf.get(limit_setting)
    if not limit or not fingerprint:
        return False
    now = time.time() if now is None else now
    # Comments keep the keys they always had; any other limit counts under its own name.
    scope = "" if limit_setting == "COMMENT_RATE_LIMIT" else f"{limit_setting.lower()}:"
    prefix = f"newsroom:rate:{scope}{fingerprint}"
    try:
        count = _sliding_count(cache, prefix, now)
    except Exception:
        logger.warning(
            "Shared cache unreachable: rate limiting falls back to counting in this process.",
            exc_info=True,
        )
        count = _sliding_count(_local_counts, prefix, now)
    return count > limit


def claim_form_token(token: str) -> bool:
    """Record that this form token was sent; False if it had been sent before.

    Each form handed out has a token of its own, so a replayed form is refused. Kept as
    long as a token is valid; per process while the shared cache is unreachable.
    """
    key = f"newsroom:form-token:{hashlib.sha256(token.encode()).hexdigest()}"
    timeout = conf.get("COMMENT_MAX_AGE") + RATE_WINDOW
    try:
        return cache.add(key, 1, timeout=timeout)
    except Exception:
        logger.warning("Shared cache unreachable: form tokens recorded in this process.")
        return _local_counts.add(key, 1, timeout=timeout)


def comment_fingerprint(comment: Comment) -> str:
    """The same text from the same person, in reply to the same comment on the same
    article, hashes the same. A person is their name, their email and the client they post
    from: another reader who sends the same words under the same name is someone else, and
    is never shown this one's comment as their own."""
    name = " ".join(comment.author_name.split()).casefold()
    email = comment.author_email.strip().casefold()
    person = f"{name}\n{email}\n{comment.ip_hash}"
    text = " ".join(comment.body.split()).casefold()
    key = f"{comment.article_id}\n{comment.parent_id or ''}\n{person}\n{text}"
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class Submission:
    comment: Comment
    duplicate: bool = False
    replayed: bool = False  # the form was sent before: nothing stored
    confirmation_sent: bool = False  # a link to confirm the address was queued

    @property
    def published(self) -> bool:
        return self.comment.status == Comment.Status.APPROVED


def submit(
    comment: Comment,
    *,
    policy: ModerationPolicy | None = None,
    site_url: str | None = None,
    form_token: str = "",
    wants_replies: bool = False,
) -> Submission:
    """Judge, store and log a new comment; return the stored one (or its earlier twin).

    ``site_url`` (scheme and host) makes the links in emails; ``form_token``, the token of
    the form it came with, may be sent once. ``wants_replies``: the poster asked to be
    emailed about replies, which takes a confirmed address (``comment.email_confirmed``,
    set by the caller); without one, a link to confirm it is emailed to the address.
    """
    policy = policy or get_policy()
    comment.author_email = comment.author_email.strip().lower()
    comment.notify_replies = wants_replies and comment.email_confirmed
    comment.fingerprint = comment_fingerprint(comment)
    earlier = Comment.objects.filter(
        article_id=comment.article_id, fingerprint=comment.fingerprint
    ).first()
    if earlier is not None:
        return Submission(earlier, duplicate=True)
    if form_token and not claim_form_token(form_token):
        return Submission(comment, replayed=True)

    policy.note_submission(comment.article)
    verdict = policy.check(comment)
    decisions.apply_verdict(comment, verdict)
    try:
        decisions.record_new(comment, rule=verdict.rule, reason=verdict.summary)
    except IntegrityError:
        # Another server stored the same comment a moment ago.
        earlier = Comment.objects.get(
            article_id=comment.article_id, fingerprint=comment.fingerprint
        )
        return Submission(earlier, duplicate=True)
    if comment.status == Comment.Status.PENDING:
        # The email waits in the task queue: a slow mail server must not hold the reader.
        email_moderators_on_commit(comment, site_url=site_url)
    elif comment.status == Comment.Status.APPROVED:
        email_reply_notices_on_commit([comment], site_url=site_url)
    confirmation_sent = False
    if wants_replies and comment.author_email and not comment.email_confirmed:
        confirmation_sent = claim_confirmation(comment.author_email)
        if confirmation_sent:
            email_confirmation_on_commit(comment, site_url=site_url)
    return Submission(comment, confirmation_sent=confirmation_sent)


#: Seconds before another confirmation link goes to the same address: typing someone's
#: address into the form sends them one link, not one per comment.
CONFIRMATION_INTERVAL = 15 * 60


def claim_confirmation(email: str) -> bool:
    """True if no confirmation link went to this address in the last quarter hour."""
    key = f"newsroom:confirmation-sent:{address_hash(email)}"
    try:
        return cache.add(key, 1, timeout=CONFIRMATION_INTERVAL)
    except Exception:
        logger.warning("Shared cache unreachable: confirmation links counted in this process.")
        return _local_counts.add(key, 1, timeout=CONFIRMATION_INTERVAL)
