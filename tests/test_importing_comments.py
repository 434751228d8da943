"""Imported comments: saved through the moderation decision function, in a fixed number of
queries however many a file holds."""

from datetime import UTC
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsroom.discussion import decisions
from newsroom.importing import comments as imported_comments
from newsroom.importing.loader import ArchiveLoader
from newsroom.models import Comment, CommentStatusChange

pytestmark = pytest.mark.django_db


def dump(folder: Path, name: str, comments: int) -> tuple[Path, str]:
    """A page dump with ``comments`` numbered comments, the last one holding two links."""
    lines = [f"Page {name}", "", "The body.", "", "Discussion Policy", "", "Be kind.", ""]
    for n in range(1, comments + 1):
        body = "See http://a.example and http://b.example" if n == comments else f"Hi {n}."
        lines += [f"  {n}. Reader {n} said:", "", f"    {body}", ""]
    path = folder / f"{name}.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, path.name


@pytest.fixture
def recorded(monkeypatch) -> list[list[int]]:
    """The positions of the comments of each call to ``decisions.record_imported``."""
    calls = []
    record = decisions.record_imported

    def noting(comments):
        calls.append([comment.position for comment in comments])
        return record(comments)

    monkeypatch.setattr(decisions, "record_imported", noting)
    return calls


def test_imported_comments_are_recorded_by_the_decision_function(tmp_path, recorded):
    [report] = ArchiveLoader(tz=UTC).load_files([dump(tmp_path, "a", 3)])
    assert report.outcome == "created"
    assert recorded == [[1, 2, 3]]  # all of a file's comments in one call
    entries = CommentStatusChange.objects.order_by("comment__position")
    assert [(e.comment.position, e.from_status, e.to_status) for e in entries] == [
        (1, "", "approved"),
        (2, "", "approved"),
        (3, "", "pending"),  # two links
    ]
    held = Comment.objects.get(position=3)
    assert (entries[2].rule, entries[2].reason) == (held.decided_rule, held.decision_reason)
    assert "comment 3 by Reader 3: pending" in report.warnings[-1]


def test_a_long_thread_is_saved_a_chunk_at_a_time(tmp_path, monkeypatch, recorded):
    """The model objects of one chunk are in memory at a time, never a whole thread's; what
    is saved, logged and reported is the same as in one call."""
    monkeypatch.setattr(imported_comments, "CHUNK_SIZE", 2)
    [report] = ArchiveLoader(tz=UTC).load_files([dump(tmp_path, "a", 5)])
    assert report.outcome == "created"
    assert recorded == [[1, 2], [3, 4], [5]]
    saved = Comment.objects.order_by("pk").values_list("position", "status")
    assert list(saved) == [(1, "approved"), (2, "approved"), (3, "approved"), (4, "approved"),
                           (5, "pending")]  # fmt: skip
    assert CommentStatusChange.objects.count() == 5
    assert "comment 5 by Reader 5: pending" in report.warnings[-1]

    recorded.clear()  # again with two more: the chunks of known comments write nothing
    [report] = ArchiveLoader(tz=UTC).load_files([dump(tmp_path, "a", 7)])
    assert report.outcome == "updated"
    assert recorded == [[6], [7]]
    assert Comment.objects.count() == CommentStatusChange.objects.count() == 7


def test_re_importing_records_only_new_comments(tmp_path, monkeypatch):
    ArchiveLoader(tz=UTC).load_files([dump(tmp_path, "a", 2)]).__next__()
    calls = []
    monkeypatch.setattr(decisions, "record_imported", lambda comments: calls.append(comments))
    [report] = ArchiveLoader(tz=UTC).load_files([dump(tmp_path, "a", 3)])
    assert report.outcome == "updated"
    assert [[comment.position for comment in comments] for comments in calls] == [[3]]


def queries_to_import(folder: Path, name: str, comments: int) -> list[str]:
    source = dump(folder, name, comments)
    with CaptureQueriesContext(connection) as queries:
        [report] = ArchiveLoader(tz=UTC).load_files([source])
    assert report.outcome == "created", report.errors
    assert Comment.objects.filter(article__source_path=source[1]).count() == comments
    return [query["sql"] for query in queries.captured_queries]


def test_the_queries_of_importing_a_file_do_not_grow_with_its_comments(tmp_path):
    queries_to_import(tmp_path, "warm-up", 1)  # the section and the site exist from here on
    one = queries_to_import(tmp_path, "one", 1)
    assert len(queries_to_import(tmp_path, "forty", 40)) == len(one)
    # Past what one statement may bind (999 parameters on SQLite: 49 comments) Django splits
    # the two bulk inserts, a statement per tens of rows; nothing else is added.
    many = queries_to_import(tmp_path, "many", 200)
    extra = len(many) - len(one)
    inserts = [sql for sql in many if sql.startswith('INSERT INTO "newsroom_comment')]
    assert extra == len(inserts) - 2 and extra < 200 // 20
