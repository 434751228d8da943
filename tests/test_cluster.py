"""Two app servers on one PostgreSQL database and one Redis (bench/cluster.py), in the short
form CI runs: what must be shared is shared, a load test, and the faults.

The tests start their own gunicorn servers, redis-server and TCP proxy on free loopback
ports and manage a database of their own (not pytest-django's: they never use the ``db``
fixture), so they run only where DATABASE_URL is PostgreSQL and REDIS_URL is set.
"""

from __future__ import annotations

import os

import pytest

from bench import cluster
from bench._processes import Postgres, RedisServer

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
# The shared Redis's database for these tests; every key also carries a per-run prefix.
REDIS_DB = 12

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        not (DATABASE_URL.startswith(("postgres://", "postgresql://")) and REDIS_URL),
        reason="the cluster tests need DATABASE_URL on PostgreSQL and REDIS_URL set: they "
        "start app servers that share both",
    ),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    # One database per test run, so that two runs at once do not drop each other's.
    with cluster.Site(
        postgres=Postgres(DATABASE_URL),
        database=f"newsroom_cluster_test_{os.getpid()}",
        redis_url=cluster.with_db(REDIS_URL, REDIS_DB),
        workdir=tmp_path_factory.mktemp("cluster"),
        rate_limit=5,
    ) as site:
        site.set_up()
        yield site


@pytest.fixture(scope="module")
def servers(site):
    # Stopped with the site.
    return site.start_server("server A"), site.start_server("server B")


def assert_passed(outcome: cluster.Outcome, site: cluster.Site) -> None:
    assert outcome.passed, f"{outcome.report()}\n{site.log_tails()}"


def test_a_comment_approved_through_one_server_appears_on_both(site, servers):
    assert_passed(cluster.check_shared_cache(site, *servers), site)


def test_the_rate_limit_counts_across_both_servers(site, servers):
    assert_passed(cluster.check_rate_limit(site, *servers), site)


def test_a_ban_made_on_one_server_holds_on_the_other(site, servers):
    assert_passed(cluster.check_ban(site, *servers), site)


def test_the_surge_switch_counts_posts_on_both_servers(site, servers):
    assert_passed(cluster.check_surge(site, *servers), site)


def test_the_same_comment_sent_to_both_servers_at_once_is_stored_once(site, servers):
    assert_passed(cluster.check_double_post(site, *servers, pairs=5), site)


def test_load_every_accepted_comment_stored_once_and_no_5xx(site, servers):
    outcome = cluster.load_test(
        site, list(servers), comments=100, clients=10, readers=4, max_seconds=90
    )
    assert_passed(outcome, site)


@pytest.mark.skipif(not RedisServer.available(), reason="the redis-server binary is missing")
def test_the_site_keeps_serving_when_redis_stops(site):
    assert_passed(cluster.fault_redis(site, outage=1.5), site)


@pytest.mark.skipif(not RedisServer.available(), reason="the redis-server binary is missing")
def test_a_comment_approved_while_redis_is_unreachable_shows_once_it_is_back(site):
    assert_passed(cluster.fault_redis_cut(site, outage=1.0), site)


def test_a_brief_database_outage_answers_503_and_recovers(site):
    assert_passed(cluster.fault_database(site, outage=1.5), site)


def test_an_import_killed_halfway_finishes_on_the_next_run(site):
    assert_passed(cluster.fault_import(site, files=60), site)
