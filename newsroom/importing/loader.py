"""Write archive files into the database, each whole or not at all, with its report: wires
prepare.py (parsing), batches.py (batches and commits) and items.py (writing) together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo
from pathlib import Path

from django.db import transaction

from .. import conf
from ..discussion.policy import ModerationPolicy, get_policy
from .batches import BATCH_SIZE, Batches, Rollback
from .files import Source
from .items import ItemWriter
from .prepare import Preparer
from .report import FileReport


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
        strict: bool = False,
        media_root: Path | None = None,
    ) -> None:
        self.dry_run = dry_run
        self.writer = ItemWriter(tz=tz, overwrite=overwrite, undated_as=undated_as, strict=strict)
        self.batches = Batches(
            Preparer(tz, policy or get_policy(), comment_status, media_root),
            self.writer,
            overwrite=overwrite,
            fail_fast=fail_fast,
            batch_size=batch_size,
            # A batch's files are in memory together (and the next batch's, in the worker):
            # bounded by bytes too, or a hundred large files would take gigabytes.
            batch_bytes=conf.get("IMPORT_BATCH_BYTES") if batch_bytes is None else batch_bytes,
            max_file_bytes=(
                conf.get("IMPORT_MAX_FILE_BYTES") if max_file_bytes is None else max_file_bytes
            ),
            # With ``worker``, a worker process prepares each batch (parses the files,
            # renders the Markdown, applies the word lists) while this one writes the last.
            worker=worker,
        )

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
            yield from self.batches.run(sources)
            return
        try:
            with transaction.atomic():
                yield from self.batches.run(sources)
                raise Rollback
        except Rollback:
            pass
        finally:
            self.writer.known.forget()

    def load_file(self, path: Path, identity: str) -> FileReport:
        """Import one file (see ``load_files``)."""
        [report] = self.load_files([(path, identity)])
        return report
