"""Files go through the import a batch at a time: split by count and bytes, read, prepared
ahead in the worker process, then written in one commit with a savepoint for each file.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, transaction

from .. import revisions
from ..models import Publishable, Revision
from .files import Refused, Source, read_source
from .items import ItemWriter, Pending, describe, imported_rows
from .parsers import detect_format
from .prepare import Preparer
from .report import CONFLICT, CREATED, FAILED, SKIPPED, UNCHANGED, UPDATED, FileReport, printable

logger = logging.getLogger(__name__)
# Files per transaction: enough that commits and lookups cost little per file, few enough
# that a batch's parsed files take little memory and an interrupted run redoes little.
BATCH_SIZE = 100


@dataclass
class Queued:
    """A file of a batch: read (unless it could not be), maybe being prepared already."""

    report: FileReport
    raw: bytes | None = None
    source_hash: str = ""
    prepared: Any = None  # what Preparer.submit() returned, if the worker has it


class Rollback(Exception):
    """Raised inside a transaction to undo it: a file's on a conflict, a dry run's at its end."""


class Batches:
    """Runs files through ``preparer`` and ``writer`` a batch at a time, in order."""

    def __init__(
        self,
        preparer: Preparer,
        writer: ItemWriter,
        *,
        overwrite: bool,
        fail_fast: bool,
        batch_size: int,
        batch_bytes: int,
        max_file_bytes: int,
        worker: bool,
    ) -> None:
        self.preparer = preparer
        self.writer = writer
        self.overwrite = overwrite
        self.fail_fast = fail_fast
        self.batch_size = batch_size
        self.batch_bytes = batch_bytes
        self.max_file_bytes = max_file_bytes
        self.worker = worker

    def run(self, sources: Iterable[Source | tuple[Path, str]]) -> Iterator[FileReport]:
        """Import the sources and yield each file's report, in order."""
        # While a batch is written here, the next one is prepared in the worker process.
        ahead: list[Queued] | None = None
        try:
            for batch in self.split(sources):
                started = self.start(batch, ahead=ahead is not None)
                if ahead is not None:
                    reports = self.finish(ahead)
                    yield from reports
                    if self.fail_fast and reports and reports[-1].outcome == FAILED:
                        return
                ahead = started
            if ahead is not None:
                yield from self.finish(ahead)
        finally:
            self.preparer.close()

    def split(self, sources: Iterable[Source | tuple[Path, str]]) -> Iterator[list[Source]]:
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

    def start(self, batch: list[Source], *, ahead: bool) -> list[Queued]:
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
            # Unchanged files need no preparing. finish() looks again, after the batch
            # before this one is written: this is only a guess that saves work.
            imported = imported_rows([q.report.path for q in queued if q.raw is not None])
            for entry in queued:
                if entry.raw is not None and not self._unchanged_row(entry, imported):
                    entry.prepared = self.preparer.submit(entry.report.path, entry.raw)
        return queued

    def _unchanged_row(
        self, entry: Queued, imported: dict[str, list[Publishable]]
    ) -> Publishable | None:
        """The item the file made when it last imported, if it has not changed since."""
        if self.overwrite:
            return None
        rows = imported.get(entry.report.path, [])
        return next((row for row in rows if row.source_hash == entry.source_hash), None)

    def finish(self, queued: list[Queued]) -> list[FileReport]:
        """Prepare what is not prepared yet, then write the changed files in one commit."""
        reports = [entry.report for entry in queued]
        readable = [entry for entry in queued if entry.raw is not None]
        imported = imported_rows([entry.report.path for entry in readable])
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
        self.writer.start_batch(
            pending.item for report in reports if (pending := parsed.get(report.path))
        )
        written: list[FileReport] = []
        kept: list[Revision] = []
        try:
            with transaction.atomic():
                for report in reports:
                    if (pending := parsed.get(report.path)) is None:
                        continue
                    revision = self.write(report, pending)
                    if report.outcome in (CREATED, UPDATED):
                        written.append(report)
                        if revision is not None:
                            kept.append(revision)
                    if self.fail_fast and report.outcome == FAILED:
                        del reports[reports.index(report) + 1 :]
                        break
                # The items' own saves went without them (bylines and tags came after,
                # by bulk inserts): one insert for the batch's revisions, in its commit.
                revisions.save_all(kept)
        except DatabaseError as error:  # the batch's commit itself failed
            self.writer.known.forget()
            for report in written:
                report.outcome = FAILED
                report.object = None
                report.errors.append(
                    f"the database refused to commit it: {error}. Nothing of it was kept; "
                    "run the import again."
                )
        return reports

    def _parse(self, entry: Queued, imported: dict[str, list[Publishable]]) -> Pending | None:
        """The file's prepared item, or None when it is unchanged or cannot be imported."""
        report = entry.report
        row = self._unchanged_row(entry, imported)
        if row is not None:
            report.outcome = UNCHANGED
            report.object = describe(row)
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

    def write(self, report: FileReport, pending: Pending) -> Revision | None:
        """Write one parsed file in its own savepoint: all of it, or nothing of it.

        Returns the item's revision (unsaved) when the file was kept."""
        try:
            with transaction.atomic():
                revision = self.writer.write(report, pending)
                if report.outcome in (CONFLICT, FAILED):
                    raise Rollback
            return revision
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
        return None
