"""Django's Redis cache backend, without the cost of a new redis-py client per cache call.

Django's ``RedisCacheClient.get_client()`` wraps the shared connection pool in a new
``redis.Redis`` object for every operation, and redis-py builds its table of about 165
response callbacks in each one (redis/redis-py#3624): some 150 µs per cache call, more
than the round trip to Redis. A client holds no connection of its own, so one per pool
serves every thread and every call; the pools stay Django's.

Use it in ``CACHES`` in place of ``django.core.cache.backends.redis.RedisCache``; it takes
the same ``LOCATION`` and ``OPTIONS``.
"""

from __future__ import annotations

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # A race here only builds a client twice; either one serves.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
