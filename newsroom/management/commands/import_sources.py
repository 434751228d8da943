"""``import_sources PATH [PATH ...]``: bring the old site's archive files in."""

from __future__ import annotations

import os
import sys
import zoneinfo
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from newsroom.images.fetching import report_fetch
from newsroom.importing import verify
from newsroom.importing.batches import BATCH_SIZE
from newsroom.importing.files import Source, find_source_files
from newsroom.importing.loader import ArchiveLoader
from newsroom.importing.report import (
    CONFLICT,
    CREATED,
    FAILED,
    SKIPPED,
    UPDATED,
    RunReport,
    printable,
)
from newsroom.models import Image


class Command(BaseCommand):
    help = (
        "Import archive files (Markdown with front matter, plain-text page dumps) into "
        "articles, quick quotes and comments. Folders are read recursively; each file is "
        "imported in its own transaction; running again changes only what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files or folders.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Import, report, then roll everything back."
        )
        parser.add_argument("--report", metavar="FILE", help="Also write a JSON report here.")
        parser.add_argument(
            "--fail-fast", action="store_true", help="Stop at the first file that fails."
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace items an editor changed since their import (or made in the admin).",
        )
        parser.add_argument(
            "--timezone",
            default=settings.TIME_ZONE,
            help="For dates without a zone (default: the site's, %(default)s).",
        )
        parser.add_argument(
            "--comment-status",
            choices=["approved", "pending"],
            help="Give every imported comment this status instead of the moderation policy's.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            metavar="N",
            help="Files committed together (each still whole or not at all); an interrupted "
            "run redoes at most the last N (default: %(default)s).",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail files that hold prose no column or body section takes (it would be "
            "kept only in the item's provenance, unseen by readers).",
        )
        parser.add_argument(
            "--media-root",
            metavar="FOLDER",
            help="Where featured images given as bare file names are looked for; found ones "
            "are added to the image library.",
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="After the import, read each file again and print the share of its prose "
            "words that its page shows, with the words missing.",
        )
        parser.add_argument(
            "--fetch-images",
            action="store_true",
            help="Then download the images the items use into the image library (without "
            "it, they are recorded to be fetched later by fetch_images).",
        )
        parser.add_argument(
            "--undated-as",
            metavar="DATE",
            help="Publish files with no date on this date (YYYY-MM-DD) instead of as drafts.",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        try:
            tz = zoneinfo.ZoneInfo(options["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CommandError(
                f"Unknown time zone {options['timezone']!r}: use a name like Europe/Paris."
            ) from None
        undated_as = None
        if options["undated_as"]:
            try:
                day = datetime.strptime(options["undated_as"], "%Y-%m-%d").date()
            except ValueError:
                raise CommandError(
                    f"--undated-as {options['undated_as']!r} is not a date: use YYYY-MM-DD."
                ) from None
            undated_as = timezone.make_aware(datetime.combine(day, time(12)), tz)
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        media_root = None
        if options["media_root"]:
            media_root = Path(options["media_root"])
            if not media_root.is_dir():
                raise CommandError(f"--media-root {printable(str(media_root))}: no such folder.")
        for path in options["paths"]:
            # lexists: a dangling link is there, to be reported as skipped.
            if not os.path.lexists(path):
                raise CommandError(f"{printable(path)}: no such file or folder.")

        loader = ArchiveLoader(
            tz=tz,
            dry_run=options["dry_run"],
            overwrite=options["overwrite"],
            comment_status=options["comment_status"],
            undated_as=undated_as,
            fail_fast=options["fail_fast"],
            batch_size=options["batch_size"],
            # A second core prepares the next batch while this process writes.
            worker=(os.cpu_count() or 1) > 1,
            strict=options["strict"],
            media_root=media_root,
        )
        read: dict[str, Source] = {}  # each file read, by its identity, for --verify
        report_file = open(options["report"], "w", encoding="utf-8") if options["report"] else None  # noqa: SIM115
        run = RunReport(report_file, dry_run=options["dry_run"])
        progress = self._progress_bar()
        try:
            sources = find_source_files(options["paths"])
            if options["verify"]:
                sources = _noted(sources, read)
            for done, entry in enumerate(loader.load_files(sources), 1):
                run.add(entry)
                self._print(entry, progress)
                progress(done)
                if options["fail_fast"] and entry.outcome == FAILED:
                    self.stderr.write("Stopped at the first failure (--fail-fast).")
                    break
        finally:
            progress(None)
            run.close()
            if report_file is not None:
                report_file.close()

        prefix = "Dry run, nothing kept: " if options["dry_run"] else ""
        self.stdout.write(prefix + run.summary())
        if options["verify"] and not options["dry_run"]:
            self._verify(read, tz, media_root)
        if not options["dry_run"] and (run.counts[CREATED] or run.counts[UPDATED]):
            refresh_planner_statistics()
        if options["fetch_images"] and not options["dry_run"]:
            report_fetch(Image.objects.to_fetch().order_by("pk"), self)
        if run.failed:
            raise CommandError(f"{run.failed} of {run.total} files failed; see above.")

    def _print(self, entry, progress) -> None:
        if entry.outcome == "unchanged" and not self.verbosity > 1:
            return
        progress(None)
        style = {
            FAILED: self.style.ERROR,
            CONFLICT: self.style.WARNING,
            SKIPPED: self.style.WARNING,
        }.get(entry.outcome, self.style.SUCCESS)
        self.stdout.write(style(entry.line()))
        # Messages quote file names, titles and aliases: escaped, none can forge a line.
        label = "skipped" if entry.outcome == SKIPPED else "error"
        for error in entry.errors:
            self.stdout.write(f"    {label}: {printable(error)}")
        if self.verbosity > 0:
            for warning in entry.warnings:
                self.stdout.write(f"    warning: {printable(warning)}")

    def _verify(self, read: dict[str, Source], tz, media_root: Path | None) -> None:
        """Print, per file, the share of its prose words its page shows (see verify.py)."""
        self.stdout.write("Verify: the share of each file's prose words its page shows")
        below = 0
        for source in read.values():
            fidelity = verify.check(source, tz=tz, media_root=media_root)
            if fidelity is None:
                continue
            below += fidelity.share < 1
            style = self.style.SUCCESS if fidelity.share == 1 else self.style.ERROR
            self.stdout.write(style(printable(fidelity.line())))
            if fidelity.missing:
                missing = " ".join(fidelity.missing)
                self.stdout.write(f"    missing: {printable(missing)}")
        if below:
            raise CommandError(f"{below} files' pages do not show all of their prose; see above.")

    def _progress_bar(self):
        """A one-line counter on a terminal; nothing when the output is a file or a pipe."""
        stream = sys.stderr
        if not stream.isatty():
            return lambda done: None
        shown = {"last": 0}

        def show(done: int | None) -> None:
            if done is None:
                if shown["last"]:
                    stream.write("\r\033[K")
                    shown["last"] = 0
                return
            shown["last"] = done
            stream.write(f"\rimporting… {done} files")
            stream.flush()

        return show


def _noted(sources: Iterator[Source], read: dict[str, Source]) -> Iterator[Source]:
    for source in sources:
        if not source.skipped:
            read[source.identity] = source
        yield source


def refresh_planner_statistics() -> None:
    """SQLite chooses its plans from the statistics ANALYZE gathers, and a site never runs
    it: without them it may walk every article to find a tag's few, or query the search
    index item by item. After an import has changed the tables, they are gathered from a
    sample of each index (quick at any size). PostgreSQL's autovacuum gathers its own."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute("ANALYZE")
