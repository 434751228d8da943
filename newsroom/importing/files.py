"""Which files an import run reads, the stable name each is known by, and reading one safely.

Only regular files inside the folder (or file) given are read; links, devices, FIFOs and
sockets are reported as skipped and never opened, and no file is read past a size limit.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from .. import conf
from .parsers import SUFFIXES

# The suffixes the parser registry reads; other files in a folder (a site's config.toml,
# a theme's package.json, images) are not source files, and are passed over unsaid.
SOURCE_SUFFIXES = frozenset(SUFFIXES)
# Never follow a link, never wait for a FIFO's writer, never take a terminal as our own.
OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class Source:
    """A file an import run names: where it is, its identity, and the root it must stay in.

    ``size`` is what ``lstat`` said when the file was found (batches are bounded by it);
    ``skipped`` says why the file is not read at all (a link, a device...), if it is not.
    """

    path: Path
    identity: str
    root: str  # the resolved folder (or file) given
    size: int = 0
    skipped: str = ""

    @classmethod
    def of(cls, source: Source | tuple[Path, str]) -> Source:
        """A ``Source`` for a (path, identity) pair: its root is the folder it is in."""
        if isinstance(source, Source):
            return source
        path, identity = Path(source[0]), source[1]
        try:
            size = os.lstat(path).st_size
        except OSError:
            size = 0  # reading it will say what is wrong
        return cls(path, identity, os.path.realpath(path.parent), size)


class Refused(Exception):
    """A file that is not imported: why, and whether that fails it (``failed``) or only
    skips it (a link, a device: not a source file at all)."""

    def __init__(self, reason: str, *, failed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.failed = failed


def identity_of(relative: str) -> str:
    """The name a file is known by: undecodable bytes of its name as ``\\xNN`` text.

    Such bytes come out of ``os.scandir`` as lone surrogates, which no database, JSON file or
    terminal takes; spelled out, the same file keeps the same identity on every run.
    """
    return os.fsencode(relative).decode("utf-8", "backslashreplace")


def kind_of(mode: int) -> str | None:
    """Why a file of this mode is not read, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return _("a symbolic link: links are not followed")
    if stat.S_ISDIR(mode):
        return _("a folder where a file was expected")
    if stat.S_ISFIFO(mode):
        return _("a FIFO (named pipe), not a regular file")
    if stat.S_ISSOCK(mode):
        return _("a socket, not a regular file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device, not a regular file")
    return _("not a regular file")


def _skipped(path: Path, relative: str, root: str, reason: str) -> Source:
    return Source(path, identity_of(relative), root, 0, reason)


def find_source_files(paths: list[str]) -> Iterator[Source]:
    """Yield a ``Source`` for every source file under ``paths``, lazily, sorted.

    The identity is the file's path inside the folder given (or its name, for a file
    given directly), so the same archive imported from anywhere updates the same items.
    Hidden files and folders are skipped silently; links (to files or folders), devices,
    FIFOs and sockets are yielded with the reason they are skipped, and never opened.
    """
    for given in paths:
        top = Path(given)
        try:
            mode = os.lstat(top).st_mode
        except OSError as error:
            yield _skipped(top, top.name, "", error.strerror or str(error))
            continue
        # A folder named on the command line may be a link (the operator chose it); a file
        # must be the file itself, so that what is read is what was named.
        if stat.S_ISLNK(mode) and os.path.isdir(top):
            mode = os.stat(top).st_mode
        if not stat.S_ISDIR(mode):
            reason = kind_of(mode)
            root = os.path.realpath(top)
            if reason:
                yield _skipped(top, top.name, root, reason)
            else:
                yield Source(top, identity_of(top.name), root, os.lstat(top).st_size)
            continue
        yield from _walk(top, os.path.realpath(top))


def _walk(top: Path, root: str) -> Iterator[Source]:
    """A folder's files, then each subfolder's, by name: ``os.walk``'s order, but with
    ``lstat`` for every entry, so nothing is classified by where a link points."""
    folders = [top]
    while folders:
        folder = folders.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue  # unreadable, or gone since: as os.walk does
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            relative = path.relative_to(top).as_posix()
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                subfolders.append(path)
            elif stat.S_ISLNK(info.st_mode):
                # Links to folders are named too: their files would otherwise vanish unsaid.
                if path.suffix.lower() in SOURCE_SUFFIXES or os.path.isdir(path):
                    yield _skipped(path, relative, root, kind_of(info.st_mode))
            elif path.suffix.lower() in SOURCE_SUFFIXES:
                reason = kind_of(info.st_mode)
                if reason:
                    yield _skipped(path, relative, root, reason)
                else:
                    yield Source(path, identity_of(relative), root, info.st_size)
        folders.extend(reversed(subfolders))


def _inside(root: str, path: Path, opened: os.stat_result) -> bool:
    """Whether the opened file is the one at a path inside ``root`` (or is ``root``).

    The resolved path is checked, then that it names the very file that was opened: a
    folder swapped for a link between the two looks outside, or like another file.
    """
    resolved = os.path.realpath(path)
    if resolved != root and not resolved.startswith(root.rstrip(os.sep) + os.sep):
        return False
    try:
        found = os.stat(resolved, follow_symlinks=False)
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (opened.st_dev, opened.st_ino)


def _unreadable(error: OSError) -> Refused:
    return Refused(_("cannot read the file: %s") % (error.strerror or error), failed=True)


def too_big(identity: str, size: int, limit: int) -> str:
    return _(
        "%(name)s has %(size)s bytes, more than the %(limit)s a file may have "
        "(the NEWSROOM_IMPORT_MAX_FILE_BYTES setting): refused, and read no further."
    ) % {"name": identity, "size": f"{size:,}", "limit": f"{limit:,}"}


def read_source(source: Source, limit: int | None = None) -> bytes:
    """The file's bytes, if it is a regular file inside its root of at most ``limit`` bytes.

    Raises ``Refused`` otherwise, having read nothing (or at most ``limit`` + 1 bytes of a
    file that grows). The file is checked before it is opened (``lstat``) and once it is
    open (``fstat``), so a file swapped for a link, a FIFO or a device in between is
    refused too. A file that grew past the size the batch was planned with fails: batches
    stay within their byte bound.
    """
    if limit is None:
        limit = conf.get("IMPORT_MAX_FILE_BYTES")
    try:
        before = os.lstat(source.path)
    except OSError as error:
        raise _unreadable(error) from None
    reason = kind_of(before.st_mode)
    if reason:
        raise Refused(reason)
    if before.st_size > limit:
        raise Refused(too_big(source.identity, before.st_size, limit), failed=True)
    try:
        fd = os.open(source.path, OPEN_FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:  # it became a link since the lstat
            raise Refused(kind_of(stat.S_IFLNK)) from None
        raise _unreadable(error) from None
    try:
        opened = os.fstat(fd)
        reason = kind_of(opened.st_mode)
        if reason:
            raise Refused(reason)
        if not _inside(source.root, source.path, opened):
            raise Refused(_("its real location is outside the folder given: not read"))
        if opened.st_size > limit:
            raise Refused(too_big(source.identity, opened.st_size, limit), failed=True)
        # Read no more than the batch was planned with, so that its byte bound holds.
        cap = min(source.size or opened.st_size, limit)
        chunks, total = [], 0
        while total <= cap:
            chunk = os.read(fd, min(READ_CHUNK, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise _unreadable(error) from None
    finally:
        os.close(fd)
    if total > cap:
        raise Refused(
            _("the file grew while it was imported (past %(size)s bytes): import it again.")
            % {"size": f"{cap:,}"},
            failed=True,
        )
    return b"".join(chunks)
