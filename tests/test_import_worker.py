"""The importer's worker process: it prepares the next batch while the last one is written."""

import json
import pickle
import shutil
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC
from pathlib import Path

import pytest
from django.contrib.redirects.models import Redirect
from django.db import transaction

from newsroom.discussion.policy import ModerationPolicy, get_policy
from newsroom.importing.loader import ArchiveLoader
from newsroom.importing.prepare import Preparer
from newsroom.models import Article, Comment
from quickquotes.models import QuickQuote

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DUMP = "000_90db8f93e677aa95.txt"


@pytest.fixture
def archive(tmp_path) -> Path:
    folder = tmp_path / "archive"
    shutil.copytree(FIXTURES, folder)
    for number in range(4):
        (folder / f"extra-{number}.md").write_text(
            f"---\ntitle: Extra {number}\ndate: 2020-01-01\naliases: [old/{number}/]\n---\n"
            f"Some *body* with [a link](https://example.org/{number}).\n",
            encoding="utf-8",
        )
    (folder / "broken.md").write_text("---\ntitle: [x\n---\n", encoding="utf-8")
    return folder


def import_all(folder: Path, *, worker: bool) -> list[tuple]:
    sources = [(path, path.name) for path in sorted(folder.iterdir())]
    loader = ArchiveLoader(tz=UTC, worker=worker, batch_size=2)  # four batches
    return [(r.path, r.outcome, r.warnings, r.errors) for r in loader.load_files(sources)]


def site_state() -> tuple:
    return (
        list(Article.objects.order_by("slug").values_list("slug", "body_html", "status")),
        list(QuickQuote.objects.values_list("slug", "body_html", "quote")),
        list(
            Comment.objects.order_by("article__slug", "position").values_list(
                "article__slug", "position", "status", "rules", "moderation_reasons"
            )
        ),
        sorted(Redirect.objects.values_list("old_path", "new_path")),
    )


class Undo(Exception):
    pass


def test_the_worker_prepares_exactly_what_this_process_would(archive, settings, monkeypatch):
    here = []
    original = Preparer.here
    monkeypatch.setattr(
        Preparer,
        "here",
        lambda self, identity, raw: here.append(identity) or original(self, identity, raw),
    )
    # A word list the worker must apply as this process would: it holds some comments.
    settings.NEWSROOM_MODERATION = {"moderation_words": ["war"]}
    try:
        with transaction.atomic():  # the worker only prepares: the database stays here
            with_worker = import_all(archive, worker=True)
            state = site_state()
            raise Undo
    except Undo:
        pass
    assert not Article.objects.exists()
    assert len(here) == 2  # the first batch; the worker prepared the other five files
    assert [outcome for _path, outcome, *_ in with_worker].count("created") == 6
    assert [outcome for _path, outcome, *_ in with_worker].count("failed") == 1
    assert import_all(archive, worker=False) == with_worker
    assert site_state() == state
    assert len(state[2]) > 10 and any(status == "pending" for *_, status, _r, _m in state[2])


def test_a_second_run_with_the_worker_changes_nothing(archive):
    import_all(archive, worker=True)
    again = import_all(archive, worker=True)
    assert {outcome for _path, outcome, *_ in again} == {"unchanged", "failed"}


class _Gone:
    """A process pool whose worker has died."""

    def __init__(self, on_submit: bool) -> None:
        self.on_submit = on_submit

    def submit(self, *args, **kwargs):
        if self.on_submit:
            raise BrokenProcessPool("the worker died")
        future = Future()
        future.set_exception(BrokenProcessPool("the worker died"))
        return future

    def shutdown(self, **kwargs) -> None:
        pass


@pytest.mark.parametrize("on_submit", [True, False])
def test_files_are_prepared_here_once_the_worker_is_gone(archive, on_submit):
    preparer = Preparer(UTC, get_policy(), None)
    preparer._pool = _Gone(on_submit)
    prepared = preparer.submit(DUMP, (archive / DUMP).read_bytes()).result()
    assert prepared.item.title == "Aliyev Threatens War via Twitter"
    assert "<p>" in prepared.body_html and len(prepared.verdicts) == len(prepared.item.comments)
    assert preparer._pool is None  # and so is every later file


def test_files_are_prepared_here_when_no_worker_can_start(archive, monkeypatch):
    import multiprocessing.context

    def refuse(self):
        raise OSError("cannot start a process here")

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", refuse)
    reports = import_all(archive, worker=True)
    assert [outcome for _path, outcome, *_ in reports].count("created") == 6


@pytest.mark.parametrize("comment_status", [None, "pending"])
def test_what_crosses_the_process_boundary_is_plain_data(archive, monkeypatch, comment_status):
    """Preparing builds no ORM object, and its result unpickles without Django's models."""
    from django.db.models import Model

    def refuse(*args, **kwargs):
        raise AssertionError("preparing a file built an ORM object")

    policy = ModerationPolicy(moderation_words=["war"])  # holds some comments
    monkeypatch.setattr(Model, "__init__", refuse)
    prepared = Preparer(UTC, policy, comment_status).here(DUMP, (archive / DUMP).read_bytes())
    monkeypatch.undo()
    assert prepared.item.comments and len(prepared.verdicts) == len(prepared.item.comments)
    assert {type(verdict["status"]) for verdict in prepared.verdicts} == {str}
    pickled = pickle.dumps(prepared)
    assert b"django" not in pickled and b"newsroom.models" not in pickled


@pytest.mark.parametrize("comment_status", [None, "pending"])
def test_equal_verdicts_are_one_object(archive, comment_status):
    """A thread of thousands of approved comments holds, and gets back from the worker,
    one verdict for all of them."""
    policy = ModerationPolicy(moderation_words=["war"])  # holds some comments
    prepared = Preparer(UTC, policy, comment_status).here(DUMP, (archive / DUMP).read_bytes())
    verdicts = prepared.verdicts
    assert len(verdicts) == len(prepared.item.comments) == 11
    statuses = {verdict["status"] for verdict in verdicts}
    assert statuses == ({comment_status} if comment_status else {"approved", "pending"})
    distinct = {json.dumps(verdict, sort_keys=True) for verdict in verdicts}
    assert len({id(verdict) for verdict in verdicts}) == len(distinct) < len(verdicts)
    unpickled = pickle.loads(pickle.dumps(verdicts))  # noqa: S301 (made just above)
    assert unpickled == verdicts and len({id(verdict) for verdict in unpickled}) == len(distinct)
