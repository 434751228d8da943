"""Writing one prepared file as an item of its kind, inside the file's savepoint: the fields,
the slug it claims, its section, authors and tags (redirects.py, comments.py do the rest).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from .. import hints, kinds, revisions
from ..images import bodies, library, processing
from ..models import Author, Image, Publishable, Revision, Section
from ..rendering import MarkdownRefused, render_markdown
from . import comments, redirects
from .prepare import Prepared
from .records import ParsedItem
from .report import CONFLICT, CREATED, FAILED, UPDATED, FileReport, printable

TAG_NAME_LIMIT = 100


@dataclass
class Pending:
    """A prepared file waiting for its batch's transaction."""

    prepared: Prepared
    source_hash: str
    rows: list[Publishable]  # what earlier imports made from the file

    @property
    def item(self) -> ParsedItem:
        return self.prepared.item


def imported_rows(identities: list[str]) -> dict[str, list[Publishable]]:
    """The items earlier imports made from these files, by file: one query per kind."""
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


def describe(obj: Publishable) -> dict[str, Any]:
    """The item as a file's report names it."""
    return {
        "model": obj._meta.label_lower,
        "pk": obj.pk,
        "slug": obj.slug,
        "title": obj.title,
        "url": obj.get_absolute_url(),
    }


def _storable(moment: datetime | None) -> datetime | None:
    """The moment with a zone offset every database takes: PostgreSQL refuses offsets
    with fractions of a second, which Python (and so YAML) allows."""
    if moment is not None and moment.utcoffset() % timedelta(seconds=1):
        return moment.astimezone(UTC)
    return moment


def _slug_of(item: ParsedItem) -> str:
    return slugify(item.slug)[:200] or slugify(item.title)[:200]


class KnownRows:
    """Sections, authors and tags by the names files give them, made when missing.

    Rows that existed when a file looked them up are remembered by that name: they stay
    valid whatever later files roll back, and they save a query per name in archives where
    a few sections, authors and tags recur in thousands of files.
    """

    def __init__(self) -> None:
        self._sections: dict[str, Section] = {}
        self._authors: dict[str, Author] = {}
        self._tags: dict[str, Tag] = {}

    def forget(self) -> None:
        """After a rollback, rows looked up since may be gone: look them up again."""
        self._sections.clear()
        self._authors.clear()
        self._tags.clear()

    def section(self, name: str | None) -> Section | None:
        """The section of this name, matched by its slug with case and spacing folded
        ("Quick Reads" is "Quickreads"); a new one keeps the first spelling as its name."""
        slug = slugify(name or "")[:100]
        key = slug.replace("-", "")
        if not key:
            return None
        if key in self._sections:
            return self._sections[key]
        section = (
            Section.objects.annotate(key=Replace("slug", Value("-"), Value("")))
            .filter(key=key)
            .order_by("pk")
            .first()
        )
        if section is not None:
            self._sections[key] = section
            return section
        # Not remembered: made by this file, it would vanish if the file rolls back.
        title = " ".join(name.replace("_", " ").split())[:100]
        if title == title.lower():  # "news-world": a slug, not a name
            title = title.replace("-", " ").title()
        if Section.objects.filter(name=title).exists():
            title = f"{title[: 97 - len(slug)]} ({slug})"
        return Section.objects.create(slug=slug, name=title)

    def authors(self, names: list[str]) -> list[Author]:
        authors: dict[str, Author] = {}  # by slug: two spellings of a name are one author
        for name in names:
            slug = slugify(name)[:200]
            if not slug or slug in authors:
                continue
            author = self._authors.get(slug)
            if author is None:
                author, created = Author.objects.get_or_create(
                    slug=slug, defaults={"name": name[:200]}
                )
                if not created:
                    self._authors[slug] = author
            authors[slug] = author
        return list(authors.values())

    def tags(self, names: list[str]) -> list[Tag]:
        """Each name as its tag, made if there is none, once however often it is named.

        Looked up as taggit looks tags up (ignoring case under ``TAGGIT_CASE_INSENSITIVE``,
        the oldest of several), so the importer and the admin agree on which tag a name is.
        """
        tags: dict[int, Tag] = {}
        case_insensitive = getattr(settings, "TAGGIT_CASE_INSENSITIVE", False)
        for name in names:
            tag = self._tags.get(name)
            if tag is None:
                lookup = "name__iexact" if case_insensitive else "name"
                tag = Tag.objects.filter(**{lookup: name}).order_by("pk").first()
                if tag is not None:
                    self._tags[name] = tag
                else:  # made by this file: not remembered, it goes if the file rolls back
                    tag = Tag.objects.create(name=name)
            tags.setdefault(tag.pk, tag)
        return list(tags.values())


def _featured_image(item: ParsedItem, report: FileReport) -> Image | None:
    """The library image of the file's featured image: a file found under --media-root,
    added now (verified like an upload); a URL, to be fetched if it is new."""
    texts = {"alt_text": item.featured_image_alt[:300], "caption": item.featured_image_caption}
    if item.featured_image_file:
        try:
            image, _new = library.add(Path(item.featured_image_file).read_bytes(), **texts)
        except (OSError, processing.ImageRefused) as refused:
            report.warnings.append(
                f"the featured image {printable(item.featured_image_file)} was not added to "
                f"the image library: {refused}"
            )
            return None
        return image
    if not item.featured_image_url.strip():
        return None
    return library.to_fetch(
        item.featured_image_url,
        alt_text=item.featured_image_alt,
        caption=item.featured_image_caption,
    )


def _with_image_texts(item: ParsedItem, image: Image | None) -> dict[str, Any]:
    """The provenance; a caption or alt text with no image to carry it (a page dump's
    caption of a picture it did not keep, a file the library refused) is kept there, as
    fields without a column are."""
    if image is not None:
        return item.extra
    extra = dict(item.extra)
    if item.featured_image_caption:
        extra["featured_image.caption"] = item.featured_image_caption
    if item.featured_image_alt:
        extra["featured_image.alt"] = item.featured_image_alt
    return extra


class ItemWriter:
    """Decides what a prepared file means for the site (new, changed, or changed by an
    editor since) and writes it. Options mirror ``import_sources``'s flags."""

    def __init__(
        self,
        *,
        tz: tzinfo,
        overwrite: bool = False,
        undated_as: datetime | None = None,
        strict: bool = False,
    ):
        self.tz = tz
        self.overwrite = overwrite
        self.strict = strict  # a file that would leave prose unseen fails
        self.undated_as = undated_as
        self.known = KnownRows()
        # (kind, slug) pairs that may be taken, for the batch being written.
        self._slugs_maybe_taken: set[tuple[str, str]] = set()

    def start_batch(self, items: Iterable[ParsedItem]) -> None:
        """Note which of the batch's slugs are taken already: one query per model.

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
        self._slugs_maybe_taken = taken

    def write(self, report: FileReport, pending: Pending) -> Revision | None:
        """Write the file's item, or record on the report why it is left alone.

        Returns the item's revision, unsaved: the batch saves its files' revisions together,
        those of the files that were kept.
        """
        item, identity, rows = pending.item, report.path, pending.rows
        if self.strict and item.unseen_prose:
            report.outcome = FAILED
            report.errors.append(
                "--strict: prose of "
                + ", ".join(f"'{field}'" for field in item.unseen_prose)
                + " would be kept only in the provenance, where readers never see it. "
                "Map the field in the importer, or import without --strict."
            )
            return None
        kind = kinds.get(item.kind)
        model = kind.model
        for earlier in rows:
            if not isinstance(earlier, model):
                report.outcome = CONFLICT
                report.object = describe(earlier)
                report.errors.append(
                    f"this file made “{earlier.title}” ({earlier._meta.verbose_name}); now it "
                    f"describes another kind of item ({model._meta.verbose_name}): left as it "
                    "was. Unpublish the old item in the admin and import the file under "
                    "another name, or restore its section."
                )
                return None
        mine = [row.pk for row in rows if isinstance(row, model)]
        obj = model.objects.filter(pk=mine[0]).first() if mine else None
        slug = _slug_of(item)
        if obj is None:
            obj, slug = self._claim_slug(model, slug, report)
        if obj is None:
            if report.outcome == CONFLICT:
                return None
            obj = model(slug=slug)
            report.outcome = CREATED
        else:
            edited = obj.imported_at is not None and obj.updated_at > obj.imported_at
            if (edited or obj.draft_revision_id is not None) and not self.overwrite:
                report.outcome = CONFLICT
                report.object = describe(obj)
                when = timezone.localtime(obj.updated_at, self.tz).strftime("%Y-%m-%d %H:%M")
                report.errors.append(
                    f"“{obj.title}” was changed in the admin ({when}) after it was imported: "
                    "left as the editor made it. Pass --overwrite to replace it with the file."
                    if edited
                    else f"“{obj.title}” has unpublished changes saved in the admin: left as "
                    "the editor made it. Pass --overwrite to replace it with the file."
                )
                return None
            if obj.draft_revision_id is not None:
                report.warnings.append(
                    f"“{obj.title}” had unpublished changes (revision {obj.draft_revision_id}): "
                    "replaced by the file; the draft is kept in the item's history."
                )
                obj.draft_revision = None
            report.outcome = UPDATED

        self._fill(obj, item, identity, pending.source_hash, report)
        body_html = pending.prepared.body_html
        if body_html is None:  # it places library images: rendered here, with the database
            try:
                body_html = render_markdown(obj.body)
            except MarkdownRefused as refused:
                report.outcome = FAILED  # the file's savepoint is rolled back
                report.errors.append(refused.message(first_line=item.body_line))
                return None
        obj.save(touch=False, body_html=body_html)
        # What an editor should look at (the admin lists filter by it too).
        report.warnings += [str(hints.MESSAGES[code]) for code in obj.hints.split()]
        self._slugs_maybe_taken.add((kind.name, obj.slug))
        created = report.outcome == CREATED
        authors, tags = self._bylines_and_tags(obj, item, report, created=created)
        report.object = describe(obj)
        redirects.add_redirects(item, obj, identity, report)
        if kind.takes_comments:
            comments.add_comments(pending.prepared, obj, report, created=created)
        elif item.comments:
            report.warnings.append(
                f"{len(item.comments)} comments on a {kind.label}: "
                f"{model._meta.verbose_name_plural} take no comments, so they were not imported."
            )
        return revisions.build(
            obj, via=Revision.Via.IMPORT, source_path=identity, authors=authors, tags=tags
        )

    def _claim_slug(self, model: type[Publishable], slug: str, report: FileReport):
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
            report.object = describe(taken)
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

    def _fill(self, obj, item: ParsedItem, identity: str, source_hash: str, report) -> None:
        now = timezone.now()
        obj.title = item.title[:300]
        obj.description = item.description
        obj.body = item.body
        bodies.record(item.body)
        # A section that named the item's kind (say "quick quotes") files it nowhere.
        names_kind = kinds.get(item.kind).import_sections and (
            kinds.for_section(item.section).name == item.kind
        )
        in_section = item.section and not names_kind
        obj.section = self.known.section(item.section) if in_section else None
        obj.is_breaking = item.is_breaking
        obj.featured_image = _featured_image(item, report)
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
        obj.expires_at = _storable(item.expiry_date)
        if obj.expires_at is not None and published_at and obj.expires_at <= published_at:
            report.warnings.append(
                f"expiryDate {obj.expires_at.isoformat()} is not after the publication date: "
                "ignored (the item stays up)."
            )
            obj.expires_at = None
        elif obj.expires_at is not None and obj.expires_at <= now:
            report.warnings.append(
                f"expiryDate {obj.expires_at.isoformat()} has passed: readers are told the "
                "item is gone (410)."
            )
        obj.created_at = date or published_at or now
        obj.updated_at = min(lastmod or published_at or now, now)
        obj.imported_at = now
        obj.source_path = identity
        obj.source_hash = source_hash
        obj.source_extra = _with_image_texts(item, obj.featured_image)
        report.warnings.extend(kinds.for_model(type(obj)).fill_from_import(obj, item))

    def _bylines_and_tags(
        self, obj, item: ParsedItem, report, *, created: bool
    ) -> tuple[list[Author], list[Tag]]:
        """Give the item the file's bylines and tags; returns them."""
        tag_names = []
        for name in item.tags:
            if len(name) > TAG_NAME_LIMIT:
                report.warnings.append(
                    f"tag {name[:40]}… is longer than {TAG_NAME_LIMIT} characters: shortened."
                )
            tag_names.append(name[:TAG_NAME_LIMIT])
        authors, tags = self.known.authors(item.authors), self.known.tags(tag_names)
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
        return authors, tags
