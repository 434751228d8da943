"""The Redis cache backend reuses one redis-py client per connection pool."""

from __future__ import annotations

import os

import pytest
from django.core.cache.backends.redis import RedisCacheClient as DjangoClient

from newsroom.cache_backends import RedisCache, RedisCacheClient


def backend(location: str = "redis://127.0.0.1:1/0", **options) -> RedisCache:
    return RedisCache(location, {"OPTIONS": options})


def test_calls_share_one_client_per_pool():
    cache = backend()
    client = cache._cache.get_client(write=True)
    assert isinstance(cache._cache, RedisCacheClient)
    assert cache._cache.get_client(write=False) is client  # one server: one pool
    # Django's own client makes a new one for every call: the cost this backend avoids.
    django_client = DjangoClient(["redis://127.0.0.1:1/0"])
    assert django_client.get_client() is not django_client.get_client()


def test_replicas_get_a_client_each():
    cache = backend("redis://127.0.0.1:1/0,redis://127.0.0.1:2/0")
    primary = cache._cache.get_client(write=True)
    replica = cache._cache.get_client(write=False)
    assert replica is not primary
    assert cache._cache.get_client(write=False) is replica
    assert replica.connection_pool.connection_kwargs["port"] == 2


def test_options_reach_the_pool():
    cache = backend(socket_timeout=0.25)
    pool = cache._cache.get_client().connection_pool
    assert pool.connection_kwargs["socket_timeout"] == 0.25


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_stores_and_reads_through_redis():
    cache = backend(os.environ["REDIS_URL"])
    cache.set("newsroom-test:backend", {"a": [1, 2]}, 5)
    assert cache.get("newsroom-test:backend") == {"a": [1, 2]}
    assert cache.get_many(["newsroom-test:backend", "newsroom-test:none"]) == {
        "newsroom-test:backend": {"a": [1, 2]}
    }
    cache.delete("newsroom-test:backend")
    assert cache.get("newsroom-test:backend") is None
