"""Outages of the servers the site talks to must not hang its workers: a mail server or a
Redis that accepts connections and never answers costs a reader nothing (email waits in the
task queue) or about one timeout per outage (Redis, through the backend's circuit breaker).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import redis.exceptions
from django.core import mail
from django.utils import timezone

from newsroom.discussion.forms import form_token
from newsroom.models import Comment

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class FrozenServer:
    """A TCP server on loopback that accepts connections and never answers them, like a
    server whose process is stopped (SIGSTOP) or a firewall that drops the replies. Once
    ``forward_to`` is called, new connections are passed through to a real server."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.target: tuple[str, int] | None = None
        self._held: list[socket.socket] = []
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            if self.target is None:
                self._held.append(client)  # kept open, never read, never answered
                continue
            upstream = socket.create_connection(self.target, timeout=5)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()
            self._held += [client, upstream]

    def forward_to(self, host: str, port: int) -> None:
        self.target = (host, port)

    def close(self) -> None:
        self.listener.close()
        for sock in self._held:
            sock.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass


@pytest.fixture
def frozen():
    server = FrozenServer()
    yield server
    server.close()


# --- email: queued, never sent inside the request ----------------------------------------


@pytest.fixture
def held_comment_post(client, make_article, settings, django_capture_on_commit_callbacks):
    """POST a comment that the policy holds (a first comment) and return the seconds the
    response took."""
    settings.NEWSROOM_MODERATOR_EMAILS = ["desk@example.org"]
    article = make_article(title="Talks resume")

    def send(body: str = "A thoughtful remark.") -> float:
        data = {
            "author_name": "Ann Reader",
            "author_email": "ann@example.org",
            "author_url": "",
            "body": body,
            "honeypot": "",
            "token": form_token(article, now=time.time() - 10),
        }
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/articles/{article.slug}/comments/", data)
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        assert Comment.objects.get(body=body).status == Comment.Status.PENDING
        return elapsed

    return send


def _smtp_to(settings, port: int, timeout: float) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = timeout


def _run_queue_in_process() -> None:
    """Do every queued task with the package's own worker loop, in this thread and inside
    the test's transaction (so without the worker's reconnecting between tasks)."""
    from django_tasks_db.management.commands import db_worker

    worker = db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="in-process",
        excluded_queue_names=[],
    )
    original, db_worker.close_old_connections = db_worker.close_old_connections, lambda: None
    try:
        worker.run()
    finally:
        db_worker.close_old_connections = original


@pytest.mark.django_db
def test_a_held_comment_answers_at_once_while_the_mail_server_is_frozen(
    settings, frozen, held_comment_post
):
    settings.TASKS = DATABASE_TASKS
    # Bounded so that code which still mailed inside the request fails here, not hangs.
    _smtp_to(settings, frozen.port, timeout=2)

    elapsed = held_comment_post()

    assert elapsed < 1.0, f"the POST waited {elapsed:.1f} s for the mail server"
    assert frozen.accepted == 0  # the request never even connected
    assert not mail.outbox
    from django_tasks_db.models import DBTaskResult

    (queued,) = DBTaskResult.objects.all()
    comment = Comment.objects.get()
    assert queued.status == "READY"
    assert queued.task_path == "newsroom.discussion.tasks.email_moderators"
    assert queued.args_kwargs["args"][0] == comment.pk


def test_the_site_sets_a_timeout_for_the_mail_server():
    # Django's SMTP backend waits forever without one (PITFALLS.md).
    from config import settings as site_settings

    assert site_settings.EMAIL_TIMEOUT and site_settings.EMAIL_TIMEOUT <= 30


@pytest.mark.django_db
def test_running_the_queue_delivers_the_moderators_email(settings, held_comment_post):
    settings.TASKS = DATABASE_TASKS
    held_comment_post("Is this the final text?")
    assert not mail.outbox  # queued, not sent

    _run_queue_in_process()

    (message,) = mail.outbox
    comment = Comment.objects.get()
    assert message.to == ["desk@example.org"]
    assert message.subject == "Comment held on “Talks resume”"
    assert "Is this the final text?" in message.body
    assert "First comment from this author" in message.body
    assert f"http://testserver/admin/newsroom/comment/{comment.pk}/change/" in message.body
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db
def test_an_email_the_mail_server_never_answers_is_tried_again_later(
    settings, frozen, held_comment_post
):
    settings.TASKS = DATABASE_TASKS
    held_comment_post()
    _smtp_to(settings, frozen.port, timeout=0.5)

    _run_queue_in_process()  # one attempt: it times out and queues the next

    from django_tasks_db.models import DBTaskResult

    failed, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert failed.status == "FAILED"
    assert retry.status == "READY"
    assert retry.args_kwargs["args"][2] == 2  # the second attempt
    assert retry.run_after > timezone.now()  # later, not in a loop against the mail server
    assert not mail.outbox


def test_a_worker_process_delivers_what_another_process_queued(tmp_path):
    """The real thing: one process queues the email and exits; ``manage.py db_worker``,
    started afterwards, finds the row and sends it. Both use a SQLite file (the suite's own
    test database is in memory, or inside an open transaction, where no other process could
    see it), migrated here."""
    outbox = tmp_path / "outbox"
    (tmp_path / "outage_settings.py").write_text(
        textwrap.dedent(
            f"""
            from config.settings import *  # noqa: F403
            EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
            EMAIL_FILE_PATH = {str(outbox)!r}
            NEWSROOM_MODERATOR_EMAILS = ["desk@example.org"]
            """
        )
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="outage_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
        DATABASE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        SECRET_KEY="outage-tests-only",
    )

    def manage(*args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            **kwargs,
        )

    manage("migrate", "--noinput", "-v0")
    queued = manage(
        "shell",
        "-c",
        textwrap.dedent(
            """
            from newsroom.models import Article, Comment
            from newsroom.discussion.tasks import email_moderators
            article = Article.objects.create(title="Queued news", slug="queued-news")
            comment = Comment.objects.create(
                article=article, author_name="Ann", body="Waiting in the queue.",
                status=Comment.Status.PENDING,
            )
            print(email_moderators.enqueue(comment.pk, "https://news.example.org").id)
            """
        ),
    )
    assert queued.stdout.strip()
    assert not outbox.exists()  # queued only: nothing was sent by the process that queued

    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (outbox.exists() and any(outbox.iterdir())) and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    (sent,) = outbox.iterdir()
    text = sent.read_text()
    assert "To: desk@example.org" in text
    assert "Waiting in the queue." in text
    assert "https://news.example.org/admin/newsroom/comment/" in text, output


# --- Redis: one timeout per outage, not one per call -------------------------------------


def _redis_cache(port: int, db: int = 0, timeout: float = 0.3):
    from newsroom.cache_backends import RedisCache

    return RedisCache(
        f"redis://127.0.0.1:{port}/{db}",
        {
            "KEY_PREFIX": f"outages-{os.getpid()}",
            "OPTIONS": {"socket_timeout": timeout, "socket_connect_timeout": timeout},
        },
    )


def test_a_frozen_redis_costs_one_timeout_not_one_per_call(settings, frozen, caplog):
    settings.NEWSROOM_CACHE_BREAKER_SECONDS = 30
    cache = _redis_cache(frozen.port, timeout=0.3)
    caplog.set_level(logging.WARNING, logger="newsroom.cache_backends")

    started = time.monotonic()
    for n in range(10):
        # What the site's callers catch (newsroom/pagecache/, discussion/posting.py: any Exception)
        # and answer by going on uncached or counting rate limits in the process.
        with pytest.raises((redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
            cache.get_many([f"page-{n}", "version"]) if n % 2 else cache.incr("rate")
    elapsed = time.monotonic() - started

    assert elapsed < 3 * 0.3, f"10 calls took {elapsed:.2f} s"
    assert frozen.accepted == 1
    opened = [r for r in caplog.records if "skipping it" in r.getMessage()]
    assert len(opened) == 1, [r.getMessage() for r in caplog.records]


def test_the_breaker_closes_once_redis_answers_again(settings, frozen, caplog):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("needs the Redis server at 127.0.0.1:6379 (db 13 is used)")
    settings.NEWSROOM_CACHE_BREAKER_SECONDS = 0.5
    cache = _redis_cache(frozen.port, db=13, timeout=0.3)
    caplog.set_level(logging.INFO, logger="newsroom.cache_backends")

    with pytest.raises(redis.exceptions.TimeoutError):
        cache.set("breaker", "one", 10)  # times out: the breaker opens
    frozen.forward_to("127.0.0.1", 6379)
    with pytest.raises(redis.exceptions.ConnectionError, match="skipped"):
        cache.get("breaker")  # still within the 0.5 s: not even tried
    assert frozen.accepted == 1

    time.sleep(0.6)
    assert cache.get("breaker") is None  # the probe reaches the real Redis
    cache.set("breaker", "two", 10)
    assert cache.get("breaker") == "two"
    cache.delete("breaker")
    messages = [r.getMessage() for r in caplog.records]
    assert sum("skipping it" in m for m in messages) == 1
    assert sum("answers again" in m for m in messages) == 1
