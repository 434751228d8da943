"""Fixtures of the cluster tests: the site's own database, app servers A and B, a private
redis-server, TCP proxies that cut the line; figures and server logs in pytest's report.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from .environment import DATABASE_URL, REDIS_URL
from .processes import Gunicorn, RedisServer
from .proxy import TcpProxy
from .site import Postgres, Site

# Lines the load test reports, printed at the end of the run (without -s too).
FIGURES: list[str] = []


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One database per run, named after this process, so that two runs at once (two
    engineers, or CI next to a developer) never drop each other's."""
    site = Site(
        postgres=Postgres(DATABASE_URL),
        database=f"newsroom_cluster_test_{os.getpid()}",
        redis_url=REDIS_URL,
        workdir=tmp_path_factory.mktemp("cluster"),
        rate_limit=5,
    )
    try:
        site.set_up()
        yield site
    finally:
        site.close()


@pytest.fixture(scope="session")
def servers(site: Site) -> tuple[Gunicorn, Gunicorn]:
    """Servers A and B on the site's database and Redis; stopped with the site."""
    return site.start_server("server A"), site.start_server("server B")


@pytest.fixture(scope="module")
def start_server(site: Site) -> Iterator[Callable[..., Gunicorn]]:
    """Start a server of a module's own (its environment changed as the fault needs);
    every one started is stopped when the module ends."""
    started: list[Gunicorn] = []

    def start(name: str, **env: str) -> Gunicorn:
        started.append(site.start_server(name, **env))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def redis_server(site: Site, request: pytest.FixtureRequest) -> Iterator[RedisServer]:
    """A fresh redis-server for one fault module, which may stop and start it again."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    redis = RedisServer(
        f"redis for {name}", site.workdir / "logs" / f"redis-{name}.log", site.workdir / name
    )
    redis.start(timeout=15)
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture(scope="module")
def redis_proxy(redis_server: RedisServer) -> Iterator[TcpProxy]:
    """A proxy in front of the module's redis-server: pausing it cuts Redis off, running."""
    with TcpProxy(redis_server.port) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def postgres_proxy(site: Site) -> Iterator[TcpProxy]:
    """A proxy in front of the PostgreSQL server: pausing it makes the database unreachable."""
    with TcpProxy(site.postgres.port, site.postgres.host) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def figures() -> list[str]:
    """Where a test puts lines for the end of the run's report (the load test's figures)."""
    return FIGURES


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # A failed scenario's evidence is in the servers' logs: show their ends with it.
    outcome = yield
    report = outcome.get_result()
    site = getattr(item, "funcargs", {}).get("site")
    if report.failed and isinstance(site, Site):
        report.sections.append(("cluster server logs", site.log_tails()))


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("cluster load test")
        for line in FIGURES:
            terminalreporter.write_line(line)
