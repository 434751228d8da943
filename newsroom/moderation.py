"""Comment moderation: the policy that judges new comments, and the decision functions.

``ModerationPolicy`` decides approve, hold or spam for every new comment, always with
reasons. Every status goes through a decision function: ``record_new()`` (a posted
comment), ``record_imported()`` (the importer's) and ``decide()`` (and ``approve()``,
``reject()``, ``mark_spam()``) for every later change, which the public views and the admin
share, so each is stamped on the comment and written to the append-only log. What a
reader wrote is never edited: ``redact()`` replaces it for readers and logs the original.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import conf
from .matching import Tokens, compile_entries, find_matches
from .models import Article, Ban, Comment, CommentStatusChange
from .signals import comments_changed

Status = Comment.Status
logger = logging.getLogger(__name__)

LINK = re.compile(r"https?://|\bwww\.", re.IGNORECASE)


@dataclass(frozen=True)
class Reason:
    """Why a rule fired, with its evidence, as shown to moderators."""

    rule: str
    message: str
    evidence: str = ""


@dataclass
class Verdict:
    status: str
    reasons: list[Reason] = field(default_factory=list)

    @property
    def rule(self) -> str:
        """The rule that settled the status: the first one pointing that way."""
        for reason in self.reasons:
            if RULE_STATUS.get(reason.rule) == self.status:
                return reason.rule
        return self.reasons[0].rule if self.reasons else ""

    @property
    def summary(self) -> str:
        return "; ".join(reason.message for reason in self.reasons)

    def reasons_as_json(self) -> list[dict[str, str]]:
        return [asdict(reason) for reason in self.reasons]


# What each rule asks for; the strictest request wins (spam, then pending, then approved).
RULE_STATUS = {
    "blocked_words": Status.SPAM,
    "banned": Status.PENDING,
    "moderation_words": Status.PENDING,
    "links": Status.PENDING,
    "premoderated": Status.PENDING,
    "surge": Status.PENDING,
    "first_comment": Status.PENDING,
    "known_author": Status.APPROVED,
    "clean": Status.APPROVED,
    "imported": Status.APPROVED,
}


class ModerationPolicy:
    """Decides what happens to a new comment. Each attribute is a setting.

    Override them in ``settings.NEWSROOM_MODERATION`` (a dict of attribute names), or
    subclass the policy and name it in ``settings.NEWSROOM_MODERATION_POLICY``.
    """

    #: Close an article's comments this many days after publication (None: never).
    close_after_days: int | None = None
    #: Hold a comment with this many links or more (None: never).
    hold_links: int | None = 2
    #: Entries that hold a comment for a moderator. ``word``: whole word; ``*word*``:
    #: anywhere, ``word*`` a prefix, ``*word`` a suffix. Several words match a phrase.
    moderation_words: tuple[str, ...] = ()
    #: Entries that mark a comment as spam; same syntax.
    blocked_words: tuple[str, ...] = ()
    #: The fields the word lists look at.
    word_fields: tuple[str, ...] = ("author_name", "author_email", "author_url", "body")
    #: Approve at once an author with an approved comment under the same name and email,
    #: pingbacks excepted.
    approve_known_authors: bool = True
    #: Approve a clean comment from a new author (False: hold first comments).
    approve_new_authors: bool = False
    #: When an article receives this many comments within ``surge_window`` seconds, its new
    #: comments are held for ``surge_hold`` seconds (None: no surge switch).
    surge_threshold: int | None = 20
    surge_window: int = 300
    surge_hold: int = 3600

    def __init__(self, **overrides) -> None:
        for name, value in overrides.items():
            if name.startswith("_") or not hasattr(type(self), name):
                raise TypeError(f"ModerationPolicy has no setting {name!r}.")
            setattr(self, name, value)

    @classmethod
    def from_settings(cls) -> ModerationPolicy:
        policy_class = import_string(conf.get("MODERATION_POLICY"))
        return policy_class(**conf.get("MODERATION"))

    @cached_property
    def _blocked(self):
        return compile_entries(self.blocked_words)

    @cached_property
    def _moderated(self):
        return compile_entries(self.moderation_words)

    # --- whether an article takes comments -------------------------------------------

    def closes_at(self, article: Article) -> datetime | None:
        if self.close_after_days is None or article.published_at is None:
            return None
        return article.published_at + timedelta(days=self.close_after_days)

    def comments_open(self, article: Article, now: datetime | None = None) -> bool:
        if article.comment_mode == Article.CommentMode.CLOSED:
            return False
        closes_at = self.closes_at(article)
        return closes_at is None or (now or timezone.now()) < closes_at

    # --- the surge switch, shared by every app server through the cache ---------------

    def _surge_keys(self, article_id: int, now: datetime) -> tuple[str, str]:
        bucket = int(now.timestamp()) // self.surge_window
        return (
            f"newsroom:surge:count:{article_id}:{bucket}",
            f"newsroom:surge:on:{article_id}",
        )

    def note_submission(self, article: Article, now: datetime | None = None) -> None:
        """Count a new comment on the article; switch the surge hold on when it crosses."""
        if self.surge_threshold is None:
            return
        now = now or timezone.now()
        count_key, on_key = self._surge_keys(article.pk, now)
        try:
            cache.add(count_key, 0, timeout=self.surge_window * 2)
            count = cache.incr(count_key)
            if count >= self.surge_threshold:
                until = now + timedelta(seconds=self.surge_hold)
                cache.add(on_key, until.isoformat(), timeout=self.surge_hold)
        except Exception:
            logger.warning("Shared cache unreachable: the surge switch is not counting.")

    def surge_until(self, article: Article) -> str | None:
        if self.surge_threshold is None:
            return None
        try:
            return cache.get(f"newsroom:surge:on:{article.pk}")
        except Exception:
            logger.warning("Shared cache unreachable: the surge switch reads as off.")
            return None

    # --- the verdict -------------------------------------------------------------------

    def check(self, comment: Comment, *, imported: bool = False) -> Verdict:
        """Judge a comment that is not saved yet (or re-judge one, for a replay).

        Imported comments were public on the old site: the article's mode, the surge
        switch and the first-comment hold do not apply to them; the word and link rules do.
        The importer judges them before any ORM object exists (perhaps in its worker
        process), so an imported ``comment`` is a plain record of the comment's fields.
        """
        reasons = self.content_reasons(comment)
        if not imported:
            reasons += self.context_reasons(comment)
        wanted = {RULE_STATUS[reason.rule] for reason in reasons}
        if Status.SPAM in wanted or Status.PENDING in wanted:
            status = Status.SPAM if Status.SPAM in wanted else Status.PENDING
            return Verdict(status, reasons)
        if imported:
            return Verdict(Status.APPROVED, [Reason("imported", _("Public on the old site."))])
        if self.is_known_author(comment):
            known = Reason(
                "known_author",
                _("%(name)s <%(email)s> has an approved comment.")
                % {"name": comment.author_name, "email": comment.author_email},
                comment.author_email,
            )
            return Verdict(Status.APPROVED, [known])
        if self.approve_new_authors:
            return Verdict(Status.APPROVED, [Reason("clean", _("No rule held it."))])
        return Verdict(
            Status.PENDING,
            [Reason("first_comment", _("First comment from this author: a moderator decides."))],
        )

    def content_reasons(self, comment: Comment) -> list[Reason]:
        """What the comment itself shows: listed words and links."""
        reasons = []
        text = Tokens("\n".join(str(getattr(comment, name, "") or "") for name in self.word_fields))
        for match in find_matches(text, self._blocked):
            reasons.append(
                Reason(
                    "blocked_words",
                    _("Blocked word “%(entry)s” (as “%(text)s”).")
                    % {"entry": match.entry, "text": match.text},
                    match.text,
                )
            )
        for match in find_matches(text, self._moderated):
            reasons.append(
                Reason(
                    "moderation_words",
                    _("Moderation word “%(entry)s” (as “%(text)s”).")
                    % {"entry": match.entry, "text": match.text},
                    match.text,
                )
            )
        links = len(LINK.findall(comment.body))
        if self.hold_links is not None and links >= self.hold_links:
            reasons.append(
                Reason(
                    "links",
                    _("%(count)d links (held at %(limit)d).")
                    % {"count": links, "limit": self.hold_links},
                    str(links),
                )
            )
        return reasons

    def context_reasons(self, comment: Comment) -> list[Reason]:
        """What the circumstances show: bans, the article's mode, a surge."""
        reasons = []
        bans = Ban.objects.matching(email=comment.author_email, ip_hash=comment.ip_hash)
        for ban in bans:
            reasons.append(
                Reason("banned", _("Banned author (%(ban)s).") % {"ban": ban}, ban.value)
            )
        if comment.article.comment_mode == Article.CommentMode.PREMODERATED:
            reasons.append(
                Reason("premoderated", _("The article is pre-moderated."), comment.article.slug)
            )
        until = self.surge_until(comment.article)
        if until:
            reasons.append(
                Reason(
                    "surge",
                    _("Comment surge on this article: new comments held until %(until)s.")
                    % {"until": until},
                    until,
                )
            )
        return reasons

    def is_known_author(self, comment: Comment) -> bool:
        """An approved comment under the same name and email. Neither is verified, so one
        alone proves nothing: anyone can type a regular's address, and names are public
        (as WordPress asks for both)."""
        if (
            not self.approve_known_authors
            or comment.kind != Comment.Kind.COMMENT
            or not comment.author_email
            or not comment.author_name.strip()
        ):
            return False
        previous = (
            Comment.objects.approved()
            .comments()
            .filter(
                author_email=comment.author_email.strip().lower(),
                author_name__iexact=" ".join(comment.author_name.split()),
            )
        )
        if comment.pk:
            previous = previous.exclude(pk=comment.pk)
        return previous.exists()


def get_policy() -> ModerationPolicy:
    return ModerationPolicy.from_settings()


def apply_verdict(comment: Comment, verdict: Verdict) -> None:
    """Put a verdict on an unsaved comment: its status, reasons and the rules that fired."""
    comment.status = verdict.status
    comment.moderation_reasons = verdict.reasons_as_json()
    comment.rules = rules_field(reason.rule for reason in verdict.reasons)


def rules_field(rules: Iterable[str]) -> str:
    """The rules as stored for filtering: " links moderation_words " (spaces at both ends)."""
    names = sorted(set(rules))
    return f" {' '.join(names)} " if names else ""


def _actor_name(actor) -> str:
    return actor.get_username() if actor is not None else ""


def record_new(comment: Comment, *, actor=None, rule: str = "", reason: str = "") -> None:
    """Save a new comment with its first status, and log that status (from nothing)."""
    comment.decided_by = actor
    comment.decided_rule = rule
    comment.decided_at = timezone.now()
    comment.decision_reason = reason
    with transaction.atomic():
        comment.save()
        CommentStatusChange.objects.create(
            comment=comment,
            from_status="",
            to_status=comment.status,
            actor=actor,
            actor_name=_actor_name(actor),
            rule=rule,
            reason=reason,
            created_at=comment.decided_at,
        )


def record_imported(comments: Iterable[Comment]) -> list[Comment]:
    """Save new imported comments, each with the status its verdict gave it, and log those
    statuses (from nothing): one insert for the comments and one for the log, however many.

    Each comment carries its verdict (``status``, ``decided_rule``, ``decision_reason``);
    no one decided it, so the log names no actor. An import writes thousands of comments,
    which is why this is not ``record_new()`` once per comment.
    """
    comments = list(comments)
    if not comments:
        return comments
    now = timezone.now()
    for comment in comments:
        comment.decided_at = now
    # Inside the importer's savepoint this opens nothing: the file's savepoint already
    # makes the comments and their log one change.
    with transaction.atomic(savepoint=False):
        Comment.objects.bulk_create(comments)
        CommentStatusChange.objects.bulk_create(
            CommentStatusChange(
                comment=comment,
                from_status="",
                to_status=comment.status,
                rule=comment.decided_rule,
                reason=comment.decision_reason,
                created_at=now,
            )
            for comment in comments
        )
    return comments


def decide(
    comments: Iterable[Comment],
    status: str,
    *,
    actor=None,
    rule: str = "",
    reason: str = "",
) -> list[Comment]:
    """Move comments to ``status``, stamping who (or which rule) decided, when and why.

    Comments already in that status are left alone. Returns the comments that changed.
    """
    if status not in Status.values:
        raise ValueError(f"Unknown comment status {status!r}; use one of {Status.values}.")
    comments = list(comments)
    now = timezone.now()
    changed: list[Comment] = []
    entries: list[CommentStatusChange] = []
    with transaction.atomic():
        pks = [comment.pk for comment in comments]
        # Lock the rows so two moderators deciding at once each log the real "from" status.
        current = dict(
            Comment.objects.select_for_update().filter(pk__in=pks).values_list("pk", "status")
        )
        for comment in comments:
            from_status = current.get(comment.pk)
            if from_status is None or from_status == status:
                continue
            comment.status = status
            comment.decided_by = actor
            comment.decided_rule = rule
            comment.decided_at = now
            comment.decision_reason = reason
            changed.append(comment)
            entries.append(
                CommentStatusChange(
                    comment=comment,
                    from_status=from_status,
                    to_status=status,
                    actor=actor,
                    actor_name=_actor_name(actor),
                    rule=rule,
                    reason=reason,
                    created_at=now,
                )
            )
        if changed:
            Comment.objects.bulk_update(
                changed,
                ["status", "decided_by", "decided_rule", "decided_at", "decision_reason"],
            )
            CommentStatusChange.objects.bulk_create(entries)
            comments_changed({comment.article_id for comment in changed})
    return changed


def approve(comments: Iterable[Comment], **kwargs) -> list[Comment]:
    return decide(comments, Status.APPROVED, **kwargs)


def reject(comments: Iterable[Comment], **kwargs) -> list[Comment]:
    return decide(comments, Status.REJECTED, **kwargs)


def mark_spam(comments: Iterable[Comment], **kwargs) -> list[Comment]:
    return decide(comments, Status.SPAM, **kwargs)


def hold(comments: Iterable[Comment], **kwargs) -> list[Comment]:
    return decide(comments, Status.PENDING, **kwargs)


def redact(comment: Comment, *, reason: str, actor=None) -> bool:
    """Remove a comment's text for readers, keeping the original in the moderation log.

    Readers see "This comment was removed by a moderator: <reason>" in its place (see
    ``Comment.text_for_readers``); the name, the status and the replies stay. The reason is
    required, since readers are shown it. Returns False if the comment was already redacted.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Give the reason for removing the comment: readers see it in the comment's place."),
            code="reason_required",
        )
    with transaction.atomic():
        # Locked so that two moderators redacting at once log the original text once.
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.redacted_at is not None:
            return False
        now = timezone.now()
        CommentStatusChange.objects.create(
            comment=current,
            action=CommentStatusChange.Action.REDACTION,
            from_status=current.status,
            to_status=current.status,
            actor=actor,
            actor_name=_actor_name(actor),
            reason=reason,
            original_body=current.body,
            created_at=now,
        )
        # The text leaves the comment row itself, so no page that shows ``body`` can leak it.
        Comment.objects.filter(pk=current.pk).update(
            body="", redacted_at=now, redacted_reason=reason
        )
        comment.body, comment.redacted_at, comment.redacted_reason = "", now, reason
        comments_changed([current.article_id])
    return True


def ban(kind: str, value: str, *, actor=None, reason: str = "") -> tuple[Ban, int]:
    """Ban a commenter by email or client fingerprint; flag their pending comments.

    Their pending comments stay held, now with the ban among their reasons, so the queue
    shows them together (filter by the rule "banned"). Returns the ban and that count.
    """
    value = value.strip()
    with transaction.atomic():
        existing = Ban.objects.active().filter(kind=kind, value__iexact=value).first()
        the_ban = existing or Ban.objects.create(
            kind=kind, value=value, created_by=actor, reason=reason
        )
        lookup = {"author_email__iexact" if kind == Ban.Kind.EMAIL else "ip_hash": value}
        held = list(Comment.objects.awaiting_moderation().filter(**lookup))
        flag = Reason("banned", _("Banned author (%(ban)s).") % {"ban": the_ban}, the_ban.value)
        for comment in held:
            if "banned" not in comment.rules.split():
                comment.moderation_reasons = [*comment.moderation_reasons, asdict(flag)]
                comment.rules = rules_field([*comment.rules.split(), "banned"])
        Comment.objects.bulk_update(held, ["moderation_reasons", "rules"])
    return the_ban, len(held)


def lift_ban(the_ban: Ban) -> None:
    if the_ban.lifted_at is None:
        the_ban.lifted_at = timezone.now()
        the_ban.save(update_fields=["lifted_at"])
