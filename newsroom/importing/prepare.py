"""What a file becomes before the database is involved: parsed, rendered and judged.

This is the import's pure CPU work (YAML, Markdown, the moderation word lists), about half
of its time. ``Preparer`` does it in this process, or in a worker process while this one
writes the previous batch: the loader only writes what comes back. The moderation policy's
``check(comment, imported=True)`` runs there too, on a ``CommentDraft``; the site's own
policy needs no database for it. Only plain data crosses to and from the worker: the file's
bytes, and a ``Prepared`` of dataclasses, strings and lists; the writers make the ORM objects.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import prose
from .cleaning import excerpt
from .parsers import parse_file
from .records import ParsedComment, ParsedItem, ParseError, Problem

if TYPE_CHECKING:  # imported when needed: the worker imports this module before Django is set up
    from ..discussion.policy import ModerationPolicy

logger = logging.getLogger(__name__)
NAME_LIMIT = 100
URL_LIMIT = 500


@dataclass
class Prepared:
    """A parsed file, or why it cannot be imported (``error``)."""

    item: ParsedItem | None = None
    error: str = ""
    # None: the body places library images, rendered by the writer (it has the database).
    body_html: str | None = ""
    # One per comment of the item: the model fields its moderation verdict sets. Equal
    # verdicts are one dict, to be read and never changed: a thread of 50,000 comments, most
    # of them approved, holds (and gets from the worker) a handful of dicts, not 50,000.
    verdicts: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class CommentDraft:
    """An imported comment's fields as they will be stored: what the policy judges."""

    kind: str
    author_name: str
    author_url: str
    body: str
    position: int | None
    author_email: str = ""  # the archive has none, but the word lists may look at it


def comment_fields(parsed: ParsedComment) -> dict[str, Any]:
    """A parsed comment's model fields (no name: "Anonymous"; long values shortened)."""
    name = parsed.author_name.strip() or "Anonymous"
    return {
        "kind": parsed.kind,
        "author_name": name[:NAME_LIMIT],
        "author_url": parsed.author_url[:URL_LIMIT],
        "body": parsed.body,
        "position": parsed.position,
    }


def read_item(identity: str, raw: bytes, tz: tzinfo, media_root: Path | None) -> ParsedItem:
    """Parse a file and give every prose field its place on the page (raises ParseError)."""
    from ..rendering import safe_url

    item = parse_file(identity, raw, tz=tz)
    resolve_image(item, media_root)
    shown = bool(item.featured_image_file or safe_url(item.featured_image_url))
    prose.finish(item, image_shown=shown)
    return item


def resolve_image(item: ParsedItem, media_root: Path | None) -> None:
    """A featured image named by a file name alone is looked for under ``media_root``
    (and added to the image library when the item is written); one not found is reported
    and kept in the provenance."""
    name = item.featured_image_url
    if not name or "://" in name or name.startswith("/"):
        return
    item.featured_image_url = ""
    item.extra["featured_image.unresolved"] = name
    if media_root is not None:
        root = media_root.resolve()
        try:  # only a regular file inside the folder: no link out of it, no device
            found = (root / name).resolve()
            there = found.is_relative_to(root) and found.is_file()
        except (OSError, ValueError):  # a name too long, or not a name at all
            there = False
        if there:
            # Added to the image library as the item is written (verified like an upload).
            item.featured_image_file = str(found)
            del item.extra["featured_image.unresolved"]
            return
        where = f"is not a file under --media-root {media_root}"
    else:
        where = "is a file name, not an address; pass --media-root FOLDER to look for it there"
    item.warnings.append(
        Problem(
            f"the featured image '{excerpt(name)}' {where}: the item has no featured image "
            "(the name is kept in its provenance)",
            field="featured_image",
        )
    )


def prepare(
    identity: str,
    raw: bytes,
    tz: tzinfo,
    policy: ModerationPolicy,
    comment_status: str | None,
    media_root: Path | None = None,
) -> Prepared:
    """Parse a file, render its body and judge its comments (needs Django's settings)."""
    from ..discussion.decisions import rules_field
    from ..discussion.policy import Reason, Verdict
    from ..images.references import places_images
    from ..rendering import MarkdownRefused, render_markdown

    try:
        item = read_item(identity, raw, tz, media_root)
    except ParseError as error:
        return Prepared(error=str(error.problem))
    verdicts = []
    distinct: dict[tuple, dict[str, Any]] = {}  # each verdict's fields, by its status and reasons
    for parsed in item.comments:
        if comment_status:
            reason = Reason("imported", f"--comment-status {comment_status}")
            verdict = Verdict(comment_status, [reason])
        else:
            verdict = policy.check(CommentDraft(**comment_fields(parsed)), imported=True)
        key = (str(verdict.status), *verdict.reasons)
        if key not in distinct:
            distinct[key] = {
                # A plain string: the status enum would make the worker's result need models.
                "status": str(verdict.status),
                "moderation_reasons": verdict.reasons_as_json(),
                "rules": rules_field(reason.rule for reason in verdict.reasons),
                "decided_rule": verdict.rule,
                "decision_reason": verdict.summary,
            }
        verdicts.append(distinct[key])
    try:
        body_html = render_markdown(item.body, library_images=False)
    except MarkdownRefused as refused:  # the file fails with the reason; the run goes on
        return Prepared(error=refused.message(first_line=item.body_line))
    if places_images(item.body):
        body_html = None
    return Prepared(item=item, body_html=body_html, verdicts=verdicts)


# --- in a worker process ------------------------------------------------------------------

_worker_policy = None


def _start_worker(policy: bytes) -> None:
    # A fresh interpreter ("spawn"): it shares no database connection with the importer,
    # and it never opens one of its own.
    global _worker_policy
    import django

    django.setup()
    _worker_policy = pickle.loads(policy)  # noqa: S301 (pickled by the importer itself)


def _prepare_in_worker(
    identity: str, raw: bytes, tz: tzinfo, comment_status: str | None, media_root: Path | None
):
    return prepare(identity, raw, tz, _worker_policy, comment_status, media_root)


class Preparer:
    """Prepares files here, or ahead in a worker process once ``start_worker()`` is called.

    ``submit()`` returns something whose ``result()`` is the ``Prepared`` file. Should the
    worker die, the files it had are prepared here instead, and so is every later one.
    """

    def __init__(
        self, tz: tzinfo, policy, comment_status: str | None, media_root: Path | None = None
    ) -> None:
        self.tz = tz
        self.policy = policy
        self.comment_status = comment_status
        self.media_root = media_root
        self._pool: ProcessPoolExecutor | None = None

    def start_worker(self) -> None:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(pickle.dumps(self.policy),),
            )

    def submit(self, identity: str, raw: bytes) -> _Later:
        if self._pool is not None:
            try:
                future = self._pool.submit(
                    _prepare_in_worker,
                    identity,
                    raw,
                    self.tz,
                    self.comment_status,
                    self.media_root,
                )
                return _FromWorker(future, self, identity, raw)
            except (BrokenProcessPool, OSError):  # it died, or could not be started
                self._worker_lost()
        return _Later(self, identity, raw)

    def here(self, identity: str, raw: bytes) -> Prepared:
        return prepare(identity, raw, self.tz, self.policy, self.comment_status, self.media_root)

    def _worker_lost(self) -> None:
        if self._pool is not None:
            logger.warning("The import's worker process stopped: preparing files here.")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class _Later:
    """A file to prepare in this process when its result is asked for."""

    def __init__(self, preparer: Preparer, identity: str, raw: bytes) -> None:
        self.preparer, self.identity, self.raw = preparer, identity, raw

    def result(self) -> Prepared:
        return self.preparer.here(self.identity, self.raw)


class _FromWorker(_Later):
    """A file the worker process is preparing."""

    def __init__(self, future: Future, preparer: Preparer, identity: str, raw: bytes) -> None:
        super().__init__(preparer, identity, raw)
        self.future = future

    def result(self) -> Prepared:
        try:
            return self.future.result()
        except BrokenProcessPool:
            self.preparer._worker_lost()
            return super().result()
