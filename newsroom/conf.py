"""Newsroom's settings, each overridable in the project's settings as ``NEWSROOM_<NAME>``.

The moderation rules have their own home: the attributes of ``ModerationPolicy``, which
``NEWSROOM_MODERATION`` overrides one by one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

DEFAULTS: dict[str, Any] = {
    # Shown above every article's comments unless the article has its own.
    "DISCUSSION_POLICY": (
        "Comments are welcomed and encouraged. Though you are fully responsible for the "
        "content you post, comments that include profanity, personal attacks or other "
        "inappropriate material will not be permitted. We reserve the right to block users "
        "who violate any of our posting standards and policies."
    ),
    # The reasons a moderator picks from when rejecting a comment or marking it spam (with
    # free text besides), written to the moderation log: the discussion policy's own terms.
    "MODERATION_REASONS": [
        "Profanity",
        "Personal attack",
        "Threat or call for violence",
        "Hate speech or slur",
        "Spam or advertising",
        "Off topic",
        "Other inappropriate material",
    ],
    "COMMENTS_REQUIRE_EMAIL": False,
    # How deep replies nest: 1 allows replies to top-level comments only.
    "COMMENT_REPLY_DEPTH": 1,
    "COMMENT_MAX_LENGTH": 5000,
    # Top-level comments per comment page (each with its replies): bounds an article's page.
    "COMMENTS_PER_PAGE": 50,
    # Replies shown under each comment; the rest are on the comment's own reply pages.
    "REPLIES_SHOWN": 10,
    # The order a comment page shows unless the reader asks (?order=): "oldest" or "newest".
    "COMMENTS_ORDER": "oldest",
    # A form sent sooner than this after the page loaded was not typed by a person.
    "COMMENT_MIN_SECONDS": 3,
    # A form older than this has expired and must be reloaded.
    "COMMENT_MAX_AGE": 4 * 60 * 60,
    # The largest comment POST read at all, in bytes (413 past it, before the body is
    # read). Below it, Django's DATA_UPLOAD_MAX_MEMORY_SIZE still bounds the form's fields
    # (400), and file parts are dropped unread: a comment has none.
    "COMMENT_MAX_REQUEST_BYTES": 512 * 1024,
    # Posts allowed per client per minute, counted in the shared cache.
    "COMMENT_RATE_LIMIT": 5,
    # Readers' reports: the reasons offered (key, label), after the discussion policy's
    # words; how many open reports send an approved comment back to the queue as
    # "reported"; whether it stays on the page meanwhile; reports per client per minute.
    "REPORT_REASONS": [
        ("personal_attack", _("A personal attack")),
        ("profanity", _("Profanity")),
        ("hate", _("Hateful or threatening")),
        ("spam", _("Spam or advertising")),
        ("other", _("Other inappropriate material")),
    ],
    "REPORTS_TO_REVIEW": 3,
    "REPORTED_COMMENTS_SHOWN": False,
    "REPORT_RATE_LIMIT": 5,
    # Commenters' email: how long a confirmation link and an unsubscribe link work, in
    # seconds, and how long a browser is remembered as an address's confirmed owner.
    "CONFIRMATION_MAX_AGE": 3 * 24 * 60 * 60,
    "UNSUBSCRIBE_MAX_AGE": 365 * 24 * 60 * 60,
    "COMMENTER_COOKIE_MAX_AGE": 365 * 24 * 60 * 60,
    # Who is emailed when a comment is held. Empty: the addresses in MANAGERS.
    "MODERATOR_EMAILS": [],
    # Who is emailed when a reporter submits a draft for review. Empty: MANAGERS.
    "EDITOR_EMAILS": [],
    # The dotted path of the policy class, for a project that subclasses it.
    "MODERATION_POLICY": "newsroom.discussion.policy.ModerationPolicy",
    # Attribute overrides for the policy, e.g. {"blocked_words": ["casino"]}.
    "MODERATION": {},
    # How long an anonymous reader's page stays cached (0: no page cache). Changes to the
    # content invalidate pages at once; this bounds how long an unseen change could hide.
    "PAGE_CACHE_SECONDS": 600,
    # How long a rendered comment list is kept (it is replaced as soon as the comments or
    # the content change); it also serves readers who bypass the page cache.
    "FRAGMENT_CACHE_SECONDS": 3600,
    # At most how many of the shown comment page's approved comments an article's JSON-LD
    # lists (its commentCount is the article's total).
    "JSON_LD_COMMENTS": 20,
    # The Content-Security-Policy of every response, {directive: [source, ...]}
    # (newsroom.headers). No inline script anywhere (JSON-LD blocks are data, not script);
    # the one inline style allowed is the error pages' own, by its hash, since those pages
    # must show without static files. Articles name images on any HTTPS host; a site that
    # keeps its images on its own CDN narrows img-src to it.
    "CONTENT_SECURITY_POLICY": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'sha256-u9rFLk3AIaaexym/jzgwdw+lQPD+S9KfTcwq/FWRlFc='"],
        "img-src": ["'self'", "https:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
    # The Permissions-Policy of every response, {feature: [origin, ...]}; [] turns a
    # feature off for the page and anything it embeds. No page of ours uses any of these.
    "PERMISSIONS_POLICY": {
        feature: []
        for feature in (
            "accelerometer",
            "browsing-topics",
            "camera",
            "display-capture",
            "geolocation",
            "gyroscope",
            "hid",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
    # How often each process looks in the database for page-cache invalidations another
    # process could not deliver while the cache was unreachable: a bound on how long a page
    # may stay stale after such an outage (one small query per interval per process, made
    # by a thread of its own, never by a request).
    "CACHE_RECOVERY_SECONDS": 1.0,
    # Whether each process runs that thread. Off, only the process that could not deliver
    # an invalidation sends it again (on its next request to the page cache).
    "CACHE_WATCHER": True,
    # After a call to Redis fails (timeout, refused connection), the Redis backend skips
    # Redis for this long, failing at once, then lets one call through to see if it is back.
    "CACHE_BREAKER_SECONDS": 5.0,
    # The domain of the site in links made outside a request (feeds, sitemaps, email);
    # empty: leave the sites framework's Site as it is.
    "SITE_DOMAIN": "",
    "SITE_NAME": "Newsroom",
    # The admin's header and the end of its page titles, in place of "Django
    # administration"; empty: leave the project's admin site as it is.
    "ADMIN_TITLE": "Newsroom",
    # How many items a listing page shows.
    "PAGE_SIZE": 20,
    # The largest archive file the importer reads, in bytes; a larger one is refused unread.
    # A page dump with a thread of 50,000 comments is about 20 MB; parsing a file takes about
    # eight times its size in memory for a moment.
    "IMPORT_MAX_FILE_BYTES": 32 * 1024 * 1024,
    # The most bytes of files the importer holds in one batch (besides --batch-size files):
    # at most about two batches are in memory at once, one written, one parsed ahead.
    "IMPORT_BATCH_BYTES": 50 * 1024 * 1024,
    # How many proxies in front of the site append to X-Forwarded-For (0: use REMOTE_ADDR).
    "TRUSTED_PROXIES": 0,
    # Bounds on rendering one Markdown body; past any of them the text is refused (a form
    # error in the admin, a failed file in the importer) instead of tying up a worker.
    # The largest body, in bytes of UTF-8: some 80,000 words, longer than any article
    # (the archive's are a few KB); ordinary prose of this size renders in 1 to 2.5 s.
    "MARKDOWN_MAX_BYTES": 500_000,
    # How deep lists and quotes, and separately raw HTML elements, may nest. Articles use
    # 2 or 3 levels. Python-Markdown recurses once per level and runs out of stack near
    # 300; its time, and nh3's for nested HTML blocks, grows with depth times length.
    "MARKDOWN_MAX_DEPTH": 20,
    # Seconds one body may take to render: some 4 times what the largest allowed body of
    # ordinary prose takes on a busy machine, and well inside a web worker's timeout.
    "MARKDOWN_SECONDS": 10.0,
    # Admin lists count exactly up to this many rows; past it they show "N+" or, on
    # PostgreSQL, the planner's estimate, instead of counting a million rows per page.
    "ADMIN_EXACT_COUNT_LIMIT": 10_000,
    # The largest image file accepted, uploaded or fetched, in bytes.
    "IMAGE_MAX_BYTES": 20 * 1024 * 1024,
    # The most pixels an image may have (width times height): a small file can declare a
    # huge picture (a "decompression bomb") that would take gigabytes to decode.
    "IMAGE_MAX_PIXELS": 50_000_000,
    # Seconds a fetch of an image from another server may take, connecting and reading.
    "IMAGE_FETCH_SECONDS": 10.0,
    # Whether the image fetcher may reach private, loopback and link-local addresses (a
    # site whose old pictures are on its own network). Off: only public addresses.
    "IMAGE_FETCH_INTERNAL": False,
}


def get(name: str) -> Any:
    return getattr(settings, f"NEWSROOM_{name}", DEFAULTS[name])


def moderator_emails() -> list[str]:
    return list(get("MODERATOR_EMAILS")) or [email for _name, email in settings.MANAGERS]


def editor_emails() -> list[str]:
    return list(get("EDITOR_EMAILS")) or [email for _name, email in settings.MANAGERS]
