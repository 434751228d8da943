"""The moderation policy: judges each new comment (approve, hold or spam), always with
reasons naming the rule and its evidence; its settings are overridable class attributes."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache

from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import conf
from ..models import Article, Ban, Comment
from . import lexicon
from .matching import Entry, Tokens, compile_entries, find_matches, outermost
from .model import offensive_score

Status = Comment.Status
logger = logging.getLogger(__name__)

LINK = re.compile(r"https?://|\bwww\.", re.IGNORECASE)


@dataclass(frozen=True)
class Reason:
    """Why a rule fired, with its evidence, as shown to moderators."""

    rule: str
    message: str
    evidence: str = ""


def join_reasons(messages: Iterable[str]) -> str:
    """Reasons as one sentence, each once: "Profanity: “shit”; Threat: “kill him”."

    >>> join_reasons(["Links: 2.", "Slur: “x”.", "Links: 2."])
    'Links: 2; Slur: “x”.'
    """
    parts: list[str] = []
    for message in messages:
        part = message.strip().rstrip(".;").rstrip()
        if part and part not in parts:
            parts.append(part)
    return "; ".join(parts) + "." if parts else ""


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
        return join_reasons(reason.message for reason in self.reasons)

    def reasons_as_json(self) -> list[dict[str, str]]:
        return [asdict(reason) for reason in self.reasons]


# What each rule asks for; the strictest request wins (spam, then pending, then approved).
RULE_STATUS = {
    "blocked_words": Status.SPAM,
    "banned": Status.PENDING,
    "moderation_words": Status.PENDING,
    "threats": Status.PENDING,
    "slurs": Status.PENDING,
    "dehumanising": Status.PENDING,
    "personal_attacks": Status.PENDING,
    "profanity": Status.PENDING,
    "advertising": Status.PENDING,
    "model": Status.PENDING,
    "links": Status.PENDING,
    "premoderated": Status.PENDING,
    "surge": Status.PENDING,
    "first_comment": Status.PENDING,
    "known_author": Status.APPROVED,
    "clean": Status.APPROVED,
    "imported": Status.APPROVED,
}

# What moderators read for each rule, in the admin's filters and lists.
RULE_LABELS = {
    "blocked_words": gettext_lazy("blocked words"),
    "banned": gettext_lazy("banned"),
    "moderation_words": gettext_lazy("moderation words"),
    "threats": gettext_lazy("threats of violence"),
    "slurs": gettext_lazy("slurs"),
    "dehumanising": gettext_lazy("dehumanising language"),
    "personal_attacks": gettext_lazy("personal attacks"),
    "profanity": gettext_lazy("profanity"),
    "advertising": gettext_lazy("advertising"),
    "model": gettext_lazy("profanity model"),
    "links": gettext_lazy("links"),
    "premoderated": gettext_lazy("pre-moderated article"),
    "surge": gettext_lazy("comment surge"),
    "first_comment": gettext_lazy("first comment"),
    "known_author": gettext_lazy("known author"),
    "clean": gettext_lazy("clean"),
    "imported": gettext_lazy("imported"),
}


def rule_label(rule: str) -> str:
    """A rule's readable name; a rule the policy no longer has, with spaces for "_"."""
    return str(RULE_LABELS.get(rule) or rule.replace("_", " "))


# The built-in rules on a comment's words, each with the message shown for its evidence.
WORD_RULES = {
    "threats": gettext_lazy("Threat of violence: “%(text)s”."),
    "slurs": gettext_lazy("Slur: “%(text)s”."),
    "dehumanising": gettext_lazy("Dehumanising language: “%(text)s”."),
    "personal_attacks": gettext_lazy("Personal attack: “%(text)s”."),
    "profanity": gettext_lazy("Profanity: “%(text)s”."),
    "advertising": gettext_lazy("Advertising: “%(text)s”."),
}


@lru_cache(maxsize=64)
def _compiled(
    entries: tuple[str, ...], classes: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[Entry, ...]:
    """A rule's entries compiled once per process, not once per policy (one per request)."""
    return tuple(compile_entries(entries, dict(classes)))


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
    #: The built-in rules on what a comment says, each a tuple of entries in the word
    #: lists' syntax (see ``matching``; their words are in ``lexicon``). They hold a comment
    #: for a moderator, with the words they matched; an empty tuple switches one off.
    threats: tuple[str, ...] = lexicon.THREATS
    slurs: tuple[str, ...] = lexicon.SLURS
    dehumanising: tuple[str, ...] = lexicon.DEHUMANISING
    personal_attacks: tuple[str, ...] = lexicon.PERSONAL_ATTACKS
    profanity: tuple[str, ...] = lexicon.PROFANITY
    advertising: tuple[str, ...] = lexicon.ADVERTISING
    #: The word classes (``@name``) their entries use.
    word_classes: dict[str, tuple[str, ...]] = lexicon.CLASSES
    #: The fields the built-in rules read: what the commenter wrote and called themselves.
    rule_fields: tuple[str, ...] = ("author_name", "body")
    #: Hold a comment whose body the optional profanity model (``newsroom[model]``) scores
    #: at least this high, from 0 to 1 (None: the model is not consulted). Measure it with
    #: ``manage.py moderation_eval`` before switching it on.
    model_threshold: float | None = None
    #: Approve at once an author with an approved comment under the same confirmed email
    #: address, when this comment's poster proved the address is theirs; pingbacks excepted.
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

    @cached_property
    def _word_rules(self):
        classes = tuple((name, tuple(words)) for name, words in self.word_classes.items())
        return [
            (rule, message, _compiled(tuple(getattr(self, rule)), classes))
            for rule, message in WORD_RULES.items()
        ]

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
        """What the comment itself shows: listed words, threats, slurs, insults, links."""
        reasons = self.list_reasons(comment) + self.rule_reasons(comment)
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
        if self.model_threshold is not None:
            score = offensive_score(comment.body)
            if score >= self.model_threshold:
                reasons.append(
                    Reason(
                        "model",
                        _("The profanity model scores it %(score).2f (held from %(limit).2f).")
                        % {"score": score, "limit": self.model_threshold},
                        f"{score:.2f}",
                    )
                )
        return reasons

    def content_rules(self) -> list[str]:
        """The rules ``content_reasons`` applies, those switched on, in the order it does."""
        lists = [("blocked_words", self._blocked), ("moderation_words", self._moderated)]
        return [
            *(rule for rule, entries in lists if entries),
            *(rule for rule, _message, entries in self._word_rules if entries),
            *(["links"] if self.hold_links is not None else []),
            *(["model"] if self.model_threshold is not None else []),
        ]

    def rule_reasons(self, comment: Comment) -> list[Reason]:
        """The built-in rules' findings: one reason per rule and matched span."""
        reasons: list[Reason] = []
        # Field by field: a phrase never runs from the name into the text.
        fields = [Tokens(str(getattr(comment, name, "") or "")) for name in self.rule_fields]
        for rule, message, entries in self._word_rules:
            seen: set[str] = set()
            matches = [m for text in fields for m in outermost(find_matches(text, entries))]
            for match in matches:
                if match.text.casefold() not in seen:
                    seen.add(match.text.casefold())
                    reasons.append(Reason(rule, message % {"text": match.text}, match.text))
        return reasons

    def list_reasons(self, comment: Comment) -> list[Reason]:
        """The site's own word lists: blocked words (spam) and moderation words (hold)."""
        reasons = []
        text = Tokens("\n".join(str(getattr(comment, name, "") or "") for name in self.word_fields))
        lists = [
            ("blocked_words", _("Blocked word “%(entry)s” (as “%(text)s”)."), self._blocked),
            (
                "moderation_words",
                _("Moderation word “%(entry)s” (as “%(text)s”)."),
                self._moderated,
            ),
        ]
        for rule, message, entries in lists:
            for match in find_matches(text, entries):
                words = {"entry": match.entry, "text": match.text}
                reasons.append(Reason(rule, message % words, match.text))
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
        """The poster proved the address is theirs (``comment.email_confirmed``: this
        browser followed the link sent to it) and it has an approved comment. Typing a
        regular's address, or name, proves nothing."""
        if (
            not self.approve_known_authors
            or comment.kind != Comment.Kind.COMMENT
            or not comment.author_email
            or not getattr(comment, "email_confirmed", False)
        ):
            return False
        previous = (
            Comment.objects.approved()
            .comments()
            .filter(author_email=comment.author_email.strip().lower())
        )
        if comment.pk:
            previous = previous.exclude(pk=comment.pk)
        return previous.exists()


def get_policy() -> ModerationPolicy:
    return ModerationPolicy.from_settings()
