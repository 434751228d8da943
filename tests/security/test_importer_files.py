"""The importer reads only regular files inside the folder given, boundedly, and prints
every file name escaped."""

from __future__ import annotations

import json
import os
import shutil
import signal
from contextlib import contextmanager
from datetime import UTC
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from newsroom.importing import files
from newsroom.importing.batches import Batches
from newsroom.importing.loader import ArchiveLoader
from newsroom.models import Article

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures"
ITEM = "---\ntitle: {title}\ndate: 2020-01-01\n---\nThe body of {title}.\n"


def run(*args, expect_failure: bool = False) -> str:
    out = StringIO()
    if expect_failure:
        with pytest.raises(CommandError) as failure:
            call_command("import_sources", *map(str, args), stdout=out)
        return out.getvalue() + str(failure.value)
    call_command("import_sources", *map(str, args), stdout=out)
    return out.getvalue()


@contextmanager
def deadline(seconds: int):
    """Fail, instead of hanging the suite, when the block blocks (on a FIFO, say)."""

    def expired(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def archive(tmp_path) -> Path:
    folder = tmp_path / "archive"
    shutil.copytree(FIXTURES, folder)
    return folder


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.md").write_text(ITEM.format(title="Secret"), encoding="utf-8")
    return folder


def report_of(archive: Path, tmp_path: Path, *, expect_failure: bool = False):
    report_path = tmp_path / "report.json"
    output = run(archive, "--report", report_path, expect_failure=expect_failure)
    entries = {e["path"]: e for e in json.loads(report_path.read_text())["files"]}
    return output, entries, json.loads(report_path.read_text())["summary"]


# --- links, devices, FIFOs -------------------------------------------------------------


def test_a_link_to_a_file_outside_is_skipped_and_reported(archive, outside, tmp_path):
    (archive / "secret.md").symlink_to(outside / "secret.md")
    output, entries, summary = report_of(archive, tmp_path)
    assert not Article.objects.filter(title="Secret").exists()
    assert "skipped   secret.md" in output
    assert "symbolic link" in output
    assert entries["secret.md"]["outcome"] == "skipped"
    assert "symbolic link" in entries["secret.md"]["errors"][0]
    assert summary["skipped"] == 1 and summary["created"] == 2


def test_a_link_inside_that_climbs_out_with_dotdot_is_skipped(archive, outside, tmp_path):
    (archive / "nested").mkdir()
    (archive / "nested" / "story.md").symlink_to(Path("..", "..", "outside", "secret.md"))
    output, entries, _ = report_of(archive, tmp_path)
    assert not Article.objects.filter(title="Secret").exists()
    assert entries["nested/story.md"]["outcome"] == "skipped"
    assert "skipped   nested/story.md" in output


def test_a_link_to_etc_passwd_never_becomes_a_draft(archive, tmp_path):
    (archive / "passwd.txt").symlink_to("/etc/passwd")
    output, entries, _ = report_of(archive, tmp_path)
    assert entries["passwd.txt"]["outcome"] == "skipped"
    assert "skipped   passwd.txt" in output and "root:" not in output
    assert Article.objects.count() == 1  # the seed dump only
    assert not Article.objects.filter(body__contains="root:").exists()


def test_a_linked_folder_is_reported_not_walked(archive, outside, tmp_path):
    (archive / "more").symlink_to(outside, target_is_directory=True)
    output, entries, _ = report_of(archive, tmp_path)
    assert entries["more"]["outcome"] == "skipped"
    assert "skipped   more" in output
    assert not Article.objects.filter(title="Secret").exists()


def test_a_file_given_as_a_link_is_skipped(outside, tmp_path):
    link = tmp_path / "given.md"
    link.symlink_to(outside / "secret.md")
    output = run(link)
    assert "skipped   given.md" in output
    assert not Article.objects.exists()


def test_a_fifo_is_skipped_without_blocking(archive, tmp_path):
    os.mkfifo(archive / "pipe.md")
    with deadline(10):
        output, entries, _ = report_of(archive, tmp_path)
    assert entries["pipe.md"]["outcome"] == "skipped"
    assert "FIFO" in entries["pipe.md"]["errors"][0]
    assert "2 created" in output


def test_a_device_is_never_read(archive, tmp_path):
    (archive / "zero.md").symlink_to("/dev/zero")
    with deadline(10):
        output, entries, _ = report_of(archive, tmp_path)
    assert entries["zero.md"]["outcome"] == "skipped"
    assert "a symbolic link" in output


def test_a_file_swapped_for_a_link_after_it_was_found_is_not_followed(archive, outside):
    (archive / "late.md").write_text(ITEM.format(title="Late"), encoding="utf-8")
    sources = list(files.find_source_files([str(archive)]))
    (archive / "late.md").unlink()
    (archive / "late.md").symlink_to(outside / "secret.md")
    reports = {r.path: r for r in ArchiveLoader(tz=UTC).load_files(sources)}
    assert reports["late.md"].outcome == "skipped"
    assert not Article.objects.filter(title="Secret").exists()


def test_a_file_swapped_for_a_fifo_after_it_was_found_does_not_block(archive):
    (archive / "late.md").write_text(ITEM.format(title="Late"), encoding="utf-8")
    [source] = [s for s in files.find_source_files([str(archive)]) if s.identity == "late.md"]
    (archive / "late.md").unlink()
    os.mkfifo(archive / "late.md")
    with deadline(10), pytest.raises(files.Refused, match="FIFO"):
        files.read_source(source)


def test_a_file_whose_folder_became_a_link_outside_is_refused(archive, outside):
    (archive / "sub").mkdir()
    (archive / "sub" / "secret.md").write_text(ITEM.format(title="Inside"), encoding="utf-8")
    [source] = [s for s in files.find_source_files([str(archive)]) if s.identity == "sub/secret.md"]
    shutil.rmtree(archive / "sub")
    (archive / "sub").symlink_to(outside, target_is_directory=True)
    with pytest.raises(files.Refused, match="outside"):
        files.read_source(source)


# --- size ------------------------------------------------------------------------------


def test_an_oversize_file_is_refused_unread_naming_its_size_and_the_setting(archive):
    with open(archive / "huge.md", "wb") as sparse:  # 2 GiB of nothing: a sparse file
        sparse.truncate(2 * 1024**3)
    output = run(archive, expect_failure=True)
    line = output.split("failed    huge.md")[1].split("\n")[1]
    assert "huge.md" in line
    assert "2,147,483,648 bytes" in line
    assert "NEWSROOM_IMPORT_MAX_FILE_BYTES" in line
    assert "1 of 3 files failed" in output


def test_the_size_limit_is_a_setting(archive, settings):
    settings.NEWSROOM_IMPORT_MAX_FILE_BYTES = 200
    text = ITEM.format(title="Small")
    (archive / "small.md").write_text(text + "x" * (200 - len(text)), encoding="utf-8")
    (archive / "large.md").write_text(text + "x" * (201 - len(text)), encoding="utf-8")
    output = run(archive / "small.md", archive / "large.md", expect_failure=True)
    assert "created   small.md" in output
    assert "failed    large.md" in output and "201 bytes" in output


def test_no_more_than_the_planned_bytes_are_read(archive, monkeypatch):
    path = archive / "growing.md"
    path.write_bytes(b"x" * 10)
    source = files.Source(path, "growing.md", os.path.realpath(archive), size=10)
    path.write_bytes(b"x" * 500)  # it grew after it was found, within the limit
    read = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    with pytest.raises(files.Refused, match="grew"):
        files.read_source(source, limit=1000)
    assert sum(read) <= 11


# --- names -----------------------------------------------------------------------------


def test_a_name_with_undecodable_bytes_imports_on_its_own_merits(archive, tmp_path):
    folder = os.fsencode(archive)
    with open(os.path.join(folder, b"caf\xff.md"), "wb") as good:
        good.write(ITEM.format(title="Cafe").encode())
    with open(os.path.join(folder, b"bad\xfe.md"), "wb") as bad:
        bad.write(b"---\ntitle: [x\n---\n")
    output, entries, summary = report_of(archive, tmp_path, expect_failure=True)
    assert "Traceback" not in output
    assert "created   caf\\xff.md" in output
    assert "failed    bad\\xfe.md" in output
    assert entries["caf\\xff.md"]["outcome"] == "created"
    assert Article.objects.get(title="Cafe").source_path == "caf\\xff.md"
    assert summary["created"] == 3 and summary["failed"] == 1
    run(archive, expect_failure=True)  # again: the same identity, so unchanged
    assert Article.objects.filter(title="Cafe").count() == 1


def test_names_cannot_forge_report_lines_or_colour_the_terminal(archive, tmp_path):
    forged = "x.md\ncreated   forged.md\nz"
    (archive / f"{forged}.md").write_text(ITEM.format(title="Forger"), encoding="utf-8")
    (archive / "\x1b[31mred.md").write_text(ITEM.format(title="Red"), encoding="utf-8")
    (archive / "\x1b[32mbroken.md").write_bytes(b"---\ntitle: [x\n---\n")
    output = run(archive, expect_failure=True)
    lines = output.splitlines()
    assert not any(line.startswith("created   forged.md") for line in lines)
    assert "x.md\\ncreated   forged.md" in output
    assert "\x1b" not in output
    assert "created   \\x1b[31mred.md" in output
    assert "failed    \\x1b[32mbroken.md" in output


def test_names_in_warnings_are_escaped(archive):
    # Two files with one title: the second's warning names the first by its file name.
    (archive / "a\x1b[2Jone.md").write_text(ITEM.format(title="Twin"), encoding="utf-8")
    (archive / "two.md").write_text(ITEM.format(title="Twin"), encoding="utf-8")
    output = run(archive)
    assert "\x1b" not in output
    assert "already used by a\\x1b[2Jone.md" in output


def test_names_in_logs_are_escaped(archive, monkeypatch, caplog):
    (archive / "log\x1b[31m.md").write_text(ITEM.format(title="Logged"), encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("newsroom.importing.prepare.parse_file", broken)
    run(archive / "log\x1b[31m.md", expect_failure=True)
    messages = [record.getMessage() for record in caplog.records]
    assert any("log\\x1b[31m.md" in message for message in messages)
    assert not any("\x1b" in message for message in messages)


# --- batches ---------------------------------------------------------------------------


def test_batches_are_bounded_by_bytes_as_well_as_by_count(tmp_path):
    loader = ArchiveLoader(tz=UTC, batch_size=3, batch_bytes=100, max_file_bytes=1000)
    sources = [
        files.Source(tmp_path / name, name, str(tmp_path), size)
        for name, size in [("a", 60), ("b", 30), ("c", 20), ("d", 10), ("e", 500), ("f", 1)]
    ]
    batches = [[source.identity for source in batch] for batch in loader.batches.split(sources)]
    # a+b fit in 100 bytes, c would not; c, d and f are three files; e is alone.
    assert batches == [["a", "b"], ["c", "d"], ["e"], ["f"]]


def test_the_batch_byte_bound_is_a_setting(tmp_path, settings):
    settings.NEWSROOM_IMPORT_BATCH_BYTES = 50
    loader = ArchiveLoader(tz=UTC)
    sources = [files.Source(tmp_path / str(n), str(n), str(tmp_path), 20) for n in range(5)]
    assert [len(batch) for batch in loader.batches.split(sources)] == [2, 2, 1]


def test_refused_files_take_no_room_in_a_batch(tmp_path):
    loader = ArchiveLoader(tz=UTC, batch_bytes=100, max_file_bytes=1000)
    sources = [
        files.Source(tmp_path / "a", "a", str(tmp_path), 90),
        files.Source(tmp_path / "huge", "huge", str(tmp_path), 10**10),  # refused unread
        files.Source(tmp_path / "link", "link", str(tmp_path), 0, skipped="a link"),
        files.Source(tmp_path / "b", "b", str(tmp_path), 10),
    ]
    assert [len(batch) for batch in loader.batches.split(sources)] == [4]


def test_an_archive_in_byte_bounded_batches_imports_whole(archive, settings, monkeypatch):
    settings.NEWSROOM_IMPORT_BATCH_BYTES = 1  # every file is a batch of its own
    for number in range(4):
        title = f"Item {number}"
        (archive / f"item-{number}.md").write_text(ITEM.format(title=title), encoding="utf-8")
    sizes = []
    start = Batches.start
    monkeypatch.setattr(
        Batches,
        "start",
        lambda self, batch, **kw: sizes.append(len(batch)) or start(self, batch, **kw),
    )
    output = run(archive)
    assert "6 files: 6 created" in output
    assert sizes == [1] * 6
