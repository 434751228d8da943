"""PostgreSQL briefly unreachable (a proxy in front of it paused) under traffic: readers get
the 503 page, no comment is half-written, and the same workers serve on afterwards.
"""

from __future__ import annotations

import time

import pytest

from .checks import assert_clean_logs, assert_stored_once
from .client import DB_DOWN_PAGE, Reader, comment_body, form_fields, post_comment
from .environment import CLUSTER
from .processes import Gunicorn, wait_until
from .proxy import TcpProxy
from .site import ARTICLES, Site
from .traffic import Traffic

pytestmark = CLUSTER
OUTAGE = 1.5  # seconds the database is unreachable
DB_DOWN_LOG = "Database unreachable: answering 503."


@pytest.fixture(scope="module")
def server(site: Site, postgres_proxy: TcpProxy, start_server) -> Gunicorn:
    return start_server(
        "database-fault app",
        DATABASE_URL=site.postgres.url(site.database, port=postgres_proxy.port),
        # Persistent connections: the harder case, connections die under the workers.
        CONN_MAX_AGE="60",
    )


def test_a_brief_database_outage_answers_503_and_recovers(
    site: Site, postgres_proxy: TcpProxy, server: Gunicorn
):
    workers = server.worker_pids()
    slug, path = ARTICLES["database"], f"/articles/{ARTICLES['database']}/"
    regular = Reader(site.new_address())
    first = post_comment(regular, server.port, slug, comment_body("DB before"), "db@ex.org", "D")
    assert first.status == 302, f"before the outage a comment is accepted: {first.status}"
    # A form read before the outage and sent during it.
    late = Reader(site.new_address())
    late_page = late.get(server.port, path)
    assert late_page.status == 200, f"the article page: {late_page.status}"
    body = comment_body("DB down")

    with Traffic(site, [server.port], slug) as traffic:
        time.sleep(0.5)
        postgres_proxy.pause()
        down_at = time.monotonic()
        try:
            with_session = regular.get(server.port, path)
            sent = late.request(
                server.port,
                "POST",
                f"/articles/{slug}/comments/",
                {
                    **form_fields(late_page),
                    "author_name": "Late",
                    "author_email": "l@ex.org",
                    "body": body,
                },
            )
            time.sleep(max(0.0, OUTAGE - (time.monotonic() - down_at)))
        finally:
            postgres_proxy.resume()
        assert with_session.status == 503 and DB_DOWN_PAGE in with_session.body, (
            f"a reader with a session (uncached page) gets the “back in a moment” page: "
            f"{with_session.status}"
        )
        assert with_session.headers.get("retry-after") == "30", "with Retry-After: 30"
        assert sent.status == 503 and DB_DOWN_PAGE in sent.body, (
            f"a comment sent during the outage gets the 503 page: {sent.status}"
        )
        up_at = time.monotonic()

        def works() -> bool:
            reader, text = Reader(site.new_address()), comment_body("DB after")
            return post_comment(reader, server.port, slug, text, "a@ex.org", "A").status == 302

        assert wait_until(works, 20, 0.2), (
            f"comments accepted again after the database came back (waited "
            f"{time.monotonic() - up_at:.1f} s)"
        )
        again = regular.get(server.port, path)
        assert again.status == 200, f"the reader with a session: {again.status}"
        assert server.alive and server.worker_pids() == workers, (
            "no restart: the same master and workers serve on"
        )
        time.sleep(0.5)
    # A post whose article page already answered 503 had no form to send: that 503 counts.
    statuses = {p.status or p.page_status for p in traffic.posts}
    statuses |= {status for _when, status, _cache in traffic.pages}
    assert statuses <= {200, 302, 503} and not traffic.errors, (
        f"only 200, 302 and 503 answers, no 500, nothing unanswered: {traffic.summary()}"
    )
    log = server.log_text()
    assert DB_DOWN_LOG in log, f"the log says “{DB_DOWN_LOG}”"
    assert body not in site.stored(slug, "DB down"), "the comment refused with 503 is not stored"
    assert_stored_once(site, slug, traffic.marker, traffic.posts)
    assert_clean_logs([server])
