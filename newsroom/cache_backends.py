"""Django's Redis cache backend, without the cost of a new redis-py client per cache call,
and with a circuit breaker so that a Redis that stops answering costs one timeout, not one
per call.

Django's ``RedisCacheClient.get_client()`` wraps the shared connection pool in a new
``redis.Redis`` object for every operation, and redis-py builds its table of about 165
response callbacks in each one (redis/redis-py#3624): some 150 µs per cache call, more
than the round trip to Redis. A client holds no connection of its own, so one per pool
serves every thread and every call; the pools stay Django's.

A Redis that is frozen (it accepts connections but never answers) makes every call wait
for ``socket_timeout``. After one such failure the backend skips Redis for
``NEWSROOM_CACHE_BREAKER_SECONDS``: calls raise redis-py's ``ConnectionError`` at once,
which callers already treat as an unreachable cache; then one call goes through to probe
Redis, and its success closes the breaker again.

Use it in ``CACHES`` in place of ``django.core.cache.backends.redis.RedisCache``; it takes
the same ``LOCATION`` and ``OPTIONS``.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache.backends import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from . import conf

logger = logging.getLogger(__name__)

#: What a Redis that is down, frozen or cut off raises; errors about the data do not count.
FAILURES = (RedisConnectionError, RedisTimeoutError)


class CircuitBreaker:
    """Shared by every thread that talks to one set of Redis servers.

    Closed, calls go through. A failed call opens it: calls fail at once until ``seconds``
    have passed, then one call is let through (and the window starts again, so a probe
    that never reports back cannot keep Redis skipped forever); its success closes it.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        # None: closed. Otherwise the moment the next call may probe Redis.
        self._open_until: float | None = None
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self._open_until is not None

    def before_call(self) -> None:
        """Raise at once while Redis is being skipped; let through one probe per window."""
        if self._open_until is None:  # the common case, without taking the lock
            return
        with self._lock:
            if self._open_until is None:
                return
            now = time.monotonic()
            if now < self._open_until:
                raise RedisConnectionError(
                    f"Redis at {self.name} is being skipped after a failure "
                    f"(next try in {self._open_until - now:.1f} s)."
                )
            self._open_until = now + _seconds()

    def succeeded(self) -> None:
        if self._open_until is None:
            return
        with self._lock:
            if self._open_until is None:
                return
            self._open_until = None
        logger.warning("Redis at %s answers again: cache calls go to it again.", self.name)

    def failed(self, error: BaseException) -> None:
        with self._lock:
            was_open = self._open_until is not None
            self._open_until = time.monotonic() + _seconds()
        if not was_open:
            logger.warning(
                "Redis at %s failed (%s: %s): skipping it for %g s, then trying one call.",
                self.name,
                type(error).__name__,
                error,
                _seconds(),
            )


def _seconds() -> float:
    return float(conf.get("CACHE_BREAKER_SECONDS"))


# One breaker per set of servers, so that every thread's backend (Django makes one per
# thread) learns of a failure at once instead of each waiting for its own timeout.
_breakers: dict[tuple[str, ...], CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(servers: Sequence[str]) -> CircuitBreaker:
    key = tuple(servers)
    with _breakers_lock:
        breaker = _breakers.get(key)
        if breaker is None:
            breaker = _breakers[key] = CircuitBreaker(",".join(_without_password(s) for s in key))
        return breaker


def _without_password(url: str) -> str:
    """The server as it may appear in a log line."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else url


def _guarded(name: str) -> Callable[..., Any]:
    unguarded = getattr(redis.RedisCacheClient, name)

    @functools.wraps(unguarded)
    def call(self: RedisCacheClient, *args: Any, **kwargs: Any) -> Any:
        self.breaker.before_call()
        try:
            result = unguarded(self, *args, **kwargs)
        except FAILURES as error:
            self.breaker.failed(error)
            raise
        # Only a call that returned closes the breaker: an error about the data (incr of a
        # missing key) proves little, and the next probe comes soon enough.
        self.breaker.succeeded()
        return result

    return call


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, servers: Sequence[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(servers, *args, **kwargs)
        self._clients: dict[int, object] = {}
        self.breaker = breaker_for(servers)

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # A race here only builds a client twice; either one serves.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    # Every operation Django's backend performs goes through the breaker.
    add = _guarded("add")
    get = _guarded("get")
    set = _guarded("set")
    touch = _guarded("touch")
    delete = _guarded("delete")
    get_many = _guarded("get_many")
    has_key = _guarded("has_key")
    incr = _guarded("incr")
    set_many = _guarded("set_many")
    delete_many = _guarded("delete_many")
    clear = _guarded("clear")


class RedisCache(redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
