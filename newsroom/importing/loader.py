"""Write archive files into the database: each file whole or not at all, with its report.

The parsers turn bytes into plain records (``prepare.py`` runs them, perhaps in a worker
process); this module decides what those records mean for the site (new, changed,
unchanged, or changed by an editor since) and writes them, a batch of files per commit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from taggit.models import Tag, TaggedItem

from .. import conf, kinds
from ..discussion.policy import ModerationPolicy, get_policy
from ..models import Article, Author, Comment, CommentStatusChange, Publishable, Section
from .aliases import item_at, why_reserved
from .files import Refused, Source, read_source
from .parsers import detect_format
from .prepare import NAME_LIMIT, Prepared, Preparer, comment_fields
from .records import ParsedItem
from .report import CONFLICT, CREATED, FAILED, SKIPPED, UNCHANGED, UPDATED, FileReport, printable

logger = logging.getLogger(__name__)
REDIRECT_PATH_LIMIT = Redirect._meta.get_field("old_path").max_length
REDIRECT_NEW_PATH_LIMIT = Redirect._meta.get_field("new_path").max_length
TAG_NAME_LIMIT = 100
# Files per transaction: enough that commits and lookups cost little per file, few enough
# that a batch's parsed files take little memory and an interrupted run redoes little.
BATCH_SIZE = 100


def _storable(moment: datetime | None) -> datetime | None:
    """The moment with a zone offset every database takes: PostgreSQL refuses offsets
    with fractions of a second, which Python (and so YAML) allows."""
    if moment is not None and moment.utcoffset() % timedelta(seconds=1):
        return moment.astimezone(UTC)
    return moment


def _slug_of(item: ParsedItem) -> str:
    return slugify(item.slug)[:200] or slugify(item.title)[:200]


@dataclass
class Queued:
    """A file of a batch: read (unless it could not be), maybe being prepared already."""

    report: FileReport
    raw: bytes | None = None
    source_hash: str = ""
    prepared: Any = None  # what Preparer.submit() returned, if the worker has it


@dataclass
class Pending:
    """A prepared file waiting for its batch's transaction."""

    prepared: Prepared
    source_hash: str
    rows: list[Publishable]  # what earlier imports made from the file

    @property
    def item(self) -> ParsedItem:
        return self.prepared.item


class Rollback(Exception):
    """Raised inside a transaction to undo it: a file's on a conflict, a dry run's at its end."""


class ArchiveLoader:
    """Imports archive files. Options mirror ``import_sources``'s command-line flags."""

    def __init__(
        self,
        *,
        tz: tzinfo,
        dry_run: bool = False,
        overwrite: bool = False,
        comment_status: str | None = None,
        undated_as: datetime | None = None,
        policy: ModerationPolicy | None = None,
        fail_fast: bool = False,
        batch_size: int = BATCH_SIZE,
        batch_bytes: int | None = None,
        max_file_bytes: int | None = None,
        worker: bool = False,
    ) -> None:
        self.tz = tz
        self.dry_run = dry_run
        self.fail_fast = fail_fast
        self.batch_size = batch_size
        # A batch's files are in memory together (and the next batch's, in the worker):
        # bounded by bytes too, or a hundred large files would take gigabytes.
        self.batch_bytes = conf.get("IMPORT_BATCH_BYTES") if batch_bytes is None else batch_bytes
        self.max_file_bytes = (
            conf.get("IMPORT_MAX_FILE_BYTES") if max_file_bytes is None else max_file_bytes
        )
        self.overwrite = overwrite
        self.undated_as = undated_as
        # With ``worker``, a worker process prepares each batch (parses the files, renders
        # the Markdown, applies the word lists) while this one writes the batch before.
        self.worker = worker
        self.preparer = Preparer(tz, policy or get_policy(), comment_status)
        # Rows that existed when a file looked them up, by the key the file named them with.
        # They stay valid whatever later files roll back, and they save a query per name in
        # archives where a few sections, authors and tags recur in thousands of files.
        self._known_sections: dict[str, Section] = {}
        self._known_authors: dict[str, Author] = {}
        self._known_tags: dict[str, Tag] = {}
        # (kind, slug) pairs that may be taken, for the batch being written.
        self._slugs_maybe_taken: set[tuple[str, str]] = set()

    # --- files, a batch at a time ------------------------------------------------------

    def load_files(self, sources: Iterable[Source | tuple[Path, str]]) -> Iterator[FileReport]:
        """Import each ``Source`` (or (path, identity)) and yield its report, in order.

        ``identity`` is the file's stable name (its path inside the import root). Only
        regular files inside their root are read, and none past ``max_file_bytes`` (see
        ``files.read_source``); the others are reported skipped or failed. Files go
        in batches: one query finds which files of a batch are unchanged, and a batch
        commits once, while each file still succeeds or fails alone in its own savepoint.
        A dry run keeps everything in one transaction, rolled back at the end, so that it
        reports exactly what the real run would.
        """
        if not self.dry_run:
            yield from self._batches(sources)
            return
        try:
            with transaction.atomic():
                yield from self._batches(sources)
                raise Rollback
        except Rollback:
            pass
        finally:
            self._forget_known_rows()

    def load_file(self, path: Path, identity: str) -> FileReport:
        """Import one file (see ``load_files``)."""
        [report] = self.load_files([(path, identity)])
        return report

    def _batches(self, sources: Iterable[Source | tuple[Path, str]]) -> Iterator[FileReport]:
        # While a batch is written here, the next one is prepared in the worker process.
        ahead: list[Queued] | None = None
        try:
            for batch in self._split(sources):
                started = self._start(batch, ahead=ahead is not None)
                if ahead is not None:
                    reports = self._finish(ahead)
                    yield from reports
                    if self.fail_fast and reports and reports[-1].outcome == FAILED:
                        return
                ahead = started
            if ahead is not None:
                yield from self._finish(ahead)
        finally:
            self.preparer.close()

    def _split(self, sources: Iterable[Source | tuple[Path, str]]) -> Iterator[list[Source]]:
        """The sources in batches of at most ``batch_size`` files and ``batch_bytes`` bytes
        (a file larger than that alone), by the sizes the files had when found."""
        batch: dict[str, Source] = {}  # by identity
        size = 0
        for given in sources:
            source = Source.of(given)
            # What reading it may take: nothing for a file that is refused unread.
            cost = 0 if source.skipped or source.size > self.max_file_bytes else source.size
            # A file named twice (a folder and a file in it) starts a new batch, so that its
            # second import sees what the first made.
            if batch and (
                source.identity in batch
                or len(batch) == self.batch_size
                or size + cost > self.batch_bytes
            ):
                yield list(batch.values())
                batch, size = {}, 0
            batch[source.identity] = source
            size += cost
        if batch:
            yield list(batch.values())

    def _start(self, batch: list[Source], *, ahead: bool) -> list[Queued]:
        """Read and hash a batch's files; when it is ``ahead`` of the one being written,
        hand the files that changed to the worker process to prepare meanwhile."""
        queued: list[Queued] = []
        for source in batch:
            report = FileReport(path=source.identity)
            try:
                if source.skipped:
                    raise Refused(source.skipped)
                raw = read_source(source, self.max_file_bytes)
            except Refused as refused:
                report.outcome = FAILED if refused.failed else SKIPPED
                report.errors.append(refused.reason)
                queued.append(Queued(report))
                continue
            report.format = detect_format(source.identity, raw[:256].decode("utf-8", "replace"))
            queued.append(Queued(report, raw, hashlib.sha256(raw).hexdigest()))
        if ahead and self.worker:
            self.preparer.start_worker()
            # Unchanged files need no preparing. _finish() looks again, after the batch
            # before this one is written: this is only a guess that saves work.
            imported = self._imported_rows([q.report.path for q in queued if q.raw is not None])
            for entry in queued:
                if entry.raw is not None and not self._unchanged_row(entry, imported):
                    entry.prepared = self.preparer.submit(entry.report.path, entry.raw)
        return queued

    def _unchanged_row(self, entry: Queued, imported: dict[str, list[Publishable]]):
        """The item the file made when it last imported, if it has not changed since."""
        if self.overwrite:
            return None
        rows = imported.get(entry.report.path, [])
        return next((row for row in rows if row.source_hash == entry.source_hash), None)

    def _finish(self, queued: list[Queued]) -> list[FileReport]:
        """Prepare what is not prepared yet, then write the changed files in one commit."""
        reports = [entry.report for entry in queued]
        readable = [entry for entry in queued if entry.raw is not None]
        imported = self._imported_rows([entry.report.path for entry in readable])
        parsed: dict[str, Pending] = {}
        for entry in readable:
            pending = self._parse(entry, imported)
            if pending is not None:
                parsed[entry.report.path] = pending
        if self.fail_fast:  # what comes after the first failure is neither written nor told
            unread = (r for r in reports if r.path not in parsed and r.outcome == FAILED)
            failed = next(unread, None)
            if failed is not None:
                del reports[reports.index(failed) + 1 :]
        if not parsed:  # nothing to write: no transaction
            return reports
        self._slugs_maybe_taken = self._taken_slugs(
            pending.item for report in reports if (pending := parsed.get(report.path))
        )
        written: list[FileReport] = []
        try:
            with transaction.atomic():
                for report in reports:
                    if (pending := parsed.get(report.path)) is None:
                        continue
                    self._write(report, pending)
                    if report.outcome in (CREATED, UPDATED):
                        written.append(report)
                    if self.fail_fast and report.outcome == FAILED:
                        del reports[reports.index(report) + 1 :]
                        break
        except DatabaseError as error:  # the batch's commit itself failed
            self._forget_known_rows()
            for report in written:
                report.outcome = FAILED
                report.object = None
                report.errors.append(
                    f"the database refused to commit it: {error}. Nothing of it was kept; "
                    "run the import again."
                )
        return reports

    def _imported_rows(self, identities: list[str]) -> dict[str, list[Publishable]]:
        """The items earlier imports made from these files, by file: one query per model."""
        rows: dict[str, list[Publishable]] = {}
        if not identities:
            return rows
        for kind in kinds.registered():
            found = kind.model.objects.filter(source_path__in=identities).only(
                "pk", "slug", "title", "source_path", "source_hash"
            )
            for row in found:
                rows.setdefault(row.source_path, []).append(row)
        return rows

    def _parse(self, entry: Queued, imported: dict[str, list[Publishable]]) -> Pending | None:
        """The file's prepared item, or None when it is unchanged or cannot be imported."""
        report = entry.report
        row = self._unchanged_row(entry, imported)
        if row is not None:
            report.outcome = UNCHANGED
            report.object = self._describe(row)
            return None
        try:
            if entry.prepared is not None:  # by the worker, while the last batch was written
                prepared = entry.prepared.result()
            else:
                prepared = self.preparer.here(report.path, entry.raw)
        except Exception as error:  # a bug of ours: the file fails, the run goes on
            logger.exception("Preparing %s failed unexpectedly.", printable(report.path))
            report.errors.append(
                f"could not read it ({type(error).__name__}: {error}); nothing of it was "
                "kept. Please report this with the file."
            )
            return None
        if prepared.item is None:
            report.errors.append(prepared.error)
            return None
        report.format = prepared.item.format
        report.warnings.extend(str(problem) for problem in prepared.item.warnings)
        return Pending(prepared, entry.source_hash, imported.get(report.path, []))

    def _taken_slugs(self, items: Iterable[ParsedItem]) -> set[tuple[str, str]]:
        """Which of these items' slugs are taken already: one query per model.

        The set grows as the batch makes items. A slug in it is checked again before it is
        given up (the item that had it may have rolled back); a slug not in it is free.
        """
        wanted: dict[str, set[str]] = {}
        for item in items:
            wanted.setdefault(item.kind, set()).add(_slug_of(item))
        taken: set[tuple[str, str]] = set()
        for name, slugs in wanted.items():
            model = kinds.get(name).model
            found = model.objects.filter(slug__in=slugs).values_list("slug", flat=True)
            taken.update((name, slug) for slug in found)
        return taken

    def _write(self, report: FileReport, pending: Pending) -> None:
        """Write one parsed file in its own savepoint: all of it, or nothing of it."""
        try:
            with transaction.atomic():
                self._load(pending, report.path, report)
                if report.outcome == CONFLICT:
                    raise Rollback
        except Rollback:
            pass
        except DatabaseError as error:
            report.outcome = FAILED
            report.object = None
            report.errors.append(f"the database refused it: {error}")
        except Exception as error:  # a bug of ours: the file fails, the run goes on
            logger.exception("Importing %s failed unexpectedly.", printable(report.path))
            report.outcome = FAILED
            report.object = None
            report.errors.append(
                f"could not import it ({type(error).__name__}: {error}); nothing of it was "
                "kept. Please report this with the file."
            )

    def _forget_known_rows(self) -> None:
        """After a rollback, rows looked up since may be gone: look them up again."""
        self._known_sections.clear()
        self._known_authors.clear()
        self._known_tags.clear()

    # --- what a file becomes -------------------------------------------------------------

    def _load(self, pending: Pending, identity: str, report: FileReport):
        item, source_hash, rows = pending.item, pending.source_hash, pending.rows
        kind = kinds.get(item.kind)
        model = kind.model
        for earlier in rows:
            if not isinstance(earlier, model):
                report.outcome = CONFLICT
                report.object = self._describe(earlier)
                report.errors.append(
                    f"this file made “{earlier.title}” ({earlier._meta.verbose_name}); now it "
                    f"describes another kind of item ({model._meta.verbose_name}): left as it "
                    "was. Unpublish the old item in the admin and import the file under "
                    "another name, or restore its section."
                )
                return
        mine = [row.pk for row in rows if isinstance(row, model)]
        obj = model.objects.filter(pk=mine[0]).first() if mine else None
        slug = _slug_of(item)
        if obj is None:
            obj, slug = self._claim_slug(model, slug, identity, report)
        if obj is None:
            if report.outcome == CONFLICT:
                return
            obj = model(slug=slug)
            report.outcome = CREATED
        else:
            edited = obj.imported_at is not None and obj.updated_at > obj.imported_at
            if edited and not self.overwrite:
                report.outcome = CONFLICT
                report.object = self._describe(obj)
                when = timezone.localtime(obj.updated_at, self.tz).strftime("%Y-%m-%d %H:%M")
                report.errors.append(
                    f"“{obj.title}” was changed in the admin ({when}) after it was imported: "
                    "left as the editor made it. Pass --overwrite to replace it with the file."
                )
                return
            report.outcome = UPDATED

        self._fill(obj, item, identity, source_hash, report)
        obj.save(touch=False, body_html=pending.prepared.body_html)
        self._slugs_maybe_taken.add((kind.name, obj.slug))
        created = report.outcome == CREATED
        tag_names = []
        for name in item.tags:
            if len(name) > TAG_NAME_LIMIT:
                report.warnings.append(
                    f"tag {name[:40]}… is longer than {TAG_NAME_LIMIT} characters: shortened."
                )
            tag_names.append(name[:TAG_NAME_LIMIT])
        authors, tags = self._authors(item.authors), self._tags(tag_names)
        if not created:
            obj.authors.set(authors)
            obj.tags.set(tags, clear=False)
        else:  # a new item has no bylines or tags yet: write them, ask nothing
            bylines = obj.authors
            bylines.through.objects.bulk_create(
                bylines.through(**{bylines.source_field_name: obj, bylines.target_field_name: a})
                for a in authors
            )
            TaggedItem.objects.bulk_create(TaggedItem(tag=tag, content_object=obj) for tag in tags)
        report.object = self._describe(obj)
        self._redirect(item, obj, identity, report)
        if kind.takes_comments:
            self._comments(pending.prepared, obj, report, created=created)
        elif item.comments:
            report.warnings.append(
                f"{len(item.comments)} comments on a {kind.label}: "
                f"{model._meta.verbose_name_plural} take no comments, so they were not imported."
            )

    def _claim_slug(self, model, slug: str, identity: str, report: FileReport):
        """Find the object this file updates by slug, or a free slug for a new one."""
        if (kinds.for_model(model).name, slug) not in self._slugs_maybe_taken:
            return None, slug
        taken = model.objects.filter(slug=slug).first()
        if taken is None:
            return None, slug
        if not taken.source_path:
            if self.overwrite:
                return taken, slug
            report.outcome = CONFLICT
            report.object = self._describe(taken)
            report.errors.append(
                f"the slug “{slug}” belongs to “{taken.title}”, made in the admin: left "
                "alone. Rename one of them, or pass --overwrite to replace it with the file."
            )
            return None, slug
        # Another file already has this slug (two items with one title): number this one.
        n = 2
        while model.objects.filter(slug=f"{slug[:195]}-{n}").exists():
            n += 1
        free = f"{slug[:195]}-{n}"
        report.warnings.append(
            f"the slug “{slug}” is already used by {taken.source_path}; this item is “{free}”."
        )
        return None, free

    def _fill(self, obj, item: ParsedItem, identity: str, source_hash: str, report):
        now = timezone.now()
        obj.title = item.title[:300]
        obj.description = item.description
        obj.body = item.body
        # A section that named the item's kind (say "quickquotes") files it nowhere.
        in_section = item.section and not kinds.get(item.kind).import_sections
        obj.section = self._section(item.section) if in_section else None
        obj.is_breaking = item.is_breaking
        obj.featured_image_url = item.featured_image_url[:1000]
        obj.featured_image_alt = item.featured_image_alt[:300]
        obj.featured_image_caption = item.featured_image_caption[:500]
        date, publish_date, lastmod = map(_storable, (item.date, item.publish_date, item.lastmod))
        published_at = publish_date or date
        if published_at is None and self.undated_as is not None:
            published_at = self.undated_as
            report.warnings.append(
                f"no publication date: published with --undated-as {self.undated_as:%Y-%m-%d}."
            )
        if not item.published:
            obj.status = Publishable.Status.DRAFT
            report.warnings.append("published: false in the source: imported as a draft.")
        elif published_at is None:
            obj.status = Publishable.Status.DRAFT
            report.warnings.append(
                "no publication date: imported as a draft. Publish it in the admin, or "
                "import again with --undated-as DATE."
            )
        else:
            obj.status = Publishable.Status.PUBLISHED
            if published_at > now:
                report.warnings.append(
                    f"publication date {published_at.isoformat()} is in the future: scheduled."
                )
        obj.published_at = published_at
        obj.created_at = date or published_at or now
        obj.updated_at = min(lastmod or published_at or now, now)
        obj.imported_at = now
        obj.source_path = identity
        obj.source_hash = source_hash
        obj.source_extra = item.extra
        report.warnings.extend(kinds.for_model(type(obj)).fill_from_import(obj, item))

    def _section(self, name: str | None) -> Section | None:
        slug = slugify(name or "")[:100]
        if not slug:
            return None
        if slug in self._known_sections:
            return self._known_sections[slug]
        section = Section.objects.filter(slug=slug).first()
        if section is not None:
            self._known_sections[slug] = section
            return section
        # Not remembered: made by this file, it would vanish if the file rolls back.
        title = name.replace("-", " ").replace("_", " ").strip().title()[:100]
        if Section.objects.filter(name=title).exists():  # "news-world" and "news_world"
            title = f"{title[: 97 - len(slug)]} ({slug})"
        return Section.objects.create(slug=slug, name=title)

    def _authors(self, names: list[str]) -> list[Author]:
        authors: dict[str, Author] = {}  # by slug: two spellings of a name are one author
        for name in names:
            slug = slugify(name)[:200]
            if not slug or slug in authors:
                continue
            author = self._known_authors.get(slug)
            if author is None:
                author, created = Author.objects.get_or_create(
                    slug=slug, defaults={"name": name[:200]}
                )
                if not created:
                    self._known_authors[slug] = author
            authors[slug] = author
        return list(authors.values())

    def _tags(self, names: list[str]) -> list[Tag]:
        """Each name as its tag, made if there is none, once however often it is named.

        Looked up as taggit looks tags up (ignoring case under ``TAGGIT_CASE_INSENSITIVE``,
        the oldest of several), so the importer and the admin agree on which tag a name is.
        """
        tags: dict[int, Tag] = {}
        case_insensitive = getattr(settings, "TAGGIT_CASE_INSENSITIVE", False)
        for name in names:
            tag = self._known_tags.get(name)
            if tag is None:
                lookup = "name__iexact" if case_insensitive else "name"
                tag = Tag.objects.filter(**{lookup: name}).order_by("pk").first()
                if tag is not None:
                    self._known_tags[name] = tag
                else:  # made by this file: not remembered, it goes if the file rolls back
                    tag = Tag.objects.create(name=name)
            tags.setdefault(tag.pk, tag)
        return list(tags.values())

    # --- old URLs ------------------------------------------------------------------------

    def _redirect(self, item: ParsedItem, obj, identity: str, report: FileReport) -> None:
        if not item.aliases:
            return
        site = Site.objects.get_current()
        new_url = obj.get_absolute_url()
        existing = {
            redirect.old_path: redirect
            for redirect in Redirect.objects.filter(site=site, old_path__in=item.aliases)
        }
        new: dict[str, Redirect] = {}
        for alias in item.aliases:
            if alias == new_url or alias in new:
                continue
            reserved = why_reserved(alias)
            if reserved is not None:
                report.warnings.append(
                    _(
                        "alias %(alias)s: not made a redirect, it is %(reason)s. The item is "
                        "imported without it."
                    )
                    % {"alias": alias[:200], "reason": reserved}
                )
                continue
            if len(new_url) > REDIRECT_NEW_PATH_LIMIT:
                report.warnings.append(
                    f"alias {alias[:60]}: the new URL is longer than {REDIRECT_NEW_PATH_LIMIT} "
                    "characters, so no redirect was made. Give the item a shorter slug."
                )
                continue
            if len(alias) > REDIRECT_PATH_LIMIT:
                report.warnings.append(
                    f"alias {alias[:60]}… is longer than {REDIRECT_PATH_LIMIT} characters: "
                    "no redirect made. Add a shorter one in the admin."
                )
                continue
            redirect = existing.get(alias)
            if redirect is None:
                new[alias] = Redirect(site=site, old_path=alias, new_path=new_url)
            elif redirect.new_path != new_url:
                report.warnings.append(
                    f"alias {alias} already redirects to {redirect.new_path} "
                    f"({self._owner(redirect.new_path)}); not taken over for "
                    f"“{obj.title}” ({identity}). Change the redirect in the admin if this "
                    "item should have it."
                )
        Redirect.objects.bulk_create(new.values())

    @staticmethod
    def _owner(path: str) -> str:
        owner = item_at(path)
        if not owner:
            return "no item of this site"
        source = f", from {owner.source_path}" if owner.source_path else ""
        return f"“{owner.title}”{source}"

    # --- comments ------------------------------------------------------------------------

    def _comments(
        self, prepared: Prepared, article: Article, report: FileReport, *, created: bool
    ) -> None:
        item = prepared.item
        if not item.comments:
            return
        known: set[int] = set()
        if not created:
            known.update(
                article.comments.filter(position__isnull=False).values_list("position", flat=True)
            )
        submitted_at = article.published_at or article.created_at
        new: list[Comment] = []
        decided_at = timezone.now()
        for parsed, verdict in zip(item.comments, prepared.verdicts, strict=True):
            if parsed.position is not None and parsed.position in known:
                continue  # imported before; moderators may have decided on it since
            if len(parsed.author_name.strip()) > NAME_LIMIT:
                report.warnings.append(
                    f"comment {parsed.position}: the name is longer than {NAME_LIMIT} "
                    "characters and was shortened."
                )
            new.append(
                Comment(
                    article=article,
                    submitted_at=submitted_at,
                    decided_at=decided_at,
                    **comment_fields(parsed),
                    **verdict,
                )
            )
        if not new:
            return
        Comment.objects.bulk_create(new)
        CommentStatusChange.objects.bulk_create(
            CommentStatusChange(
                comment=comment,
                to_status=comment.status,
                rule=comment.decided_rule,
                reason=comment.decision_reason,
                created_at=comment.decided_at,
            )
            for comment in new
        )
        held = [c for c in new if c.status != Comment.Status.APPROVED]
        for comment in held:
            report.warnings.append(
                f"comment {comment.position} by {comment.author_name}: {comment.status} "
                f"({comment.decision_reason})"
            )

    @staticmethod
    def _describe(obj) -> dict:
        return {
            "model": obj._meta.label_lower,
            "pk": obj.pk,
            "slug": obj.slug,
            "title": obj.title,
            "url": obj.get_absolute_url(),
        }
